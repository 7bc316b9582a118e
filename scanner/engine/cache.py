"""The report cache: reports kept by a key of the content and of what else decides them."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import replace

from scanner.detectors import registry
from scanner.model import FileReport
from scanner.policy import Policy
from scanner.version import __version__


def scan_identity(policy: Policy, checks: Iterable[str] | None, ocr: bool = True) -> str:
    """What besides the bytes decides a report: smscan's and the checks' versions, the policy."""
    known = registry()
    names = list(checks) if checks is not None else list(known.checks)
    versions = [f"{name}/{known.checks[name].version}" for name in names
                if name in known.checks and name not in policy.disabled]
    return repr([__version__, versions, ocr, policy.identity()])


def cache_key(tag: str, data: bytes, identity: str) -> str:
    """SHA-256 of what decides a report: the kind of scan, the policy and checks, the bytes."""
    digest = hashlib.sha256()
    for piece in (tag.encode(), b"\0", identity.encode(), b"\0"):
        digest.update(piece)
    digest.update(data)
    return digest.hexdigest()


class ReportCache:
    """Least-recently-used FileReports by content key, bounded in entries and safe across threads.

    A thread asking for a report another thread is still computing waits for that one instead
    of scanning the same bytes again (a message fanned out to many recipients at once)."""

    def __init__(self, max_entries: int = 1024) -> None:
        if max_entries < 1:
            raise ValueError("a report cache needs room for at least one entry")
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, FileReport] = OrderedDict()
        self._pending: dict[str, Future[FileReport]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get_or_scan(self, key: str, shown: str, scan: Callable[[], tuple[FileReport, bool]]) -> FileReport:
        """The cached report re-labelled `shown`, or `scan()`'s (kept when it says it may be)."""
        started = time.perf_counter()
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return _relabelled(cached, shown, started)
            pending = self._pending.get(key)
            owner = pending is None
            if pending is None:
                pending = self._pending[key] = Future()
                self.misses += 1
            else:
                self.hits += 1
        if not owner:
            return _relabelled(pending.result(), shown, started)
        try:
            report, keep = scan()
        except BaseException as error:
            with self._lock:
                del self._pending[key]
            pending.set_exception(error)
            raise
        with self._lock:
            del self._pending[key]
            if keep:
                self._store(key, report)
        pending.set_result(report)
        return report

    def peek(self, key: str, shown: str) -> FileReport | None:
        """The cached report re-labelled `shown`, or None; nothing is computed."""
        started = time.perf_counter()
        with self._lock:
            cached = self._entries.get(key)
            if cached is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return _relabelled(cached, shown, started)

    def put(self, key: str, report: FileReport) -> None:
        with self._lock:
            self._store(key, report)

    def _store(self, key: str, report: FileReport) -> None:
        self._entries[key] = report
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def _relabelled(report: FileReport, shown: str, started: float) -> FileReport:
    spent = time.perf_counter() - started
    return replace(report, path=shown, timings={"cache": spent, "total": spent})
