"""Mail gateway helpers: scanning an e-mail part by part, and a content-hash report cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from typing import TYPE_CHECKING

from scanner.ingest.containers import message_leaves, message_subject
from scanner.ingest.errors import IngestError, one_line
from scanner.model import FileReport, MessageReport, Verdict

if TYPE_CHECKING:
    from scanner.engine import Scanner


def scan_message(scanner: Scanner, message: Message) -> MessageReport:
    """One report per part: the subject, each text or HTML body, each attachment and inline image.

    The message blocks when any part blocks, or when the message cannot be taken apart."""
    try:
        leaves = message_leaves(message)
        subject = message_subject(message)
    except IngestError as error:
        return _unreadable(scanner, str(error))
    except Exception as error:  # the e-mail package raises many types on damaged structure
        return _unreadable(scanner, f"unreadable e-mail: {type(error).__name__}: {one_line(error)}")
    limits = scanner.policy.limits
    if len(leaves) > limits.max_members:
        return _unreadable(scanner, f"too many parts: {len(leaves)} (limit max_members {limits.max_members})")
    parts = [scanner.scan_text(subject, "subject")] if subject else []
    for leaf in leaves:
        if leaf.text is not None:
            parts.append(scanner.scan_text(leaf.text, leaf.name))
        elif leaf.data:  # an empty attachment holds nothing to check
            parts.append(scanner.scan_bytes(leaf.data, filename=leaf.name, path=leaf.name))
    verdict = Verdict.BLOCK if any(p.blocked for p in parts) else Verdict.PASS
    return MessageReport(verdict, tuple(parts))


def scan_raw_message(scanner: Scanner, data: bytes) -> MessageReport:
    """An e-mail as it came off the wire (RFC 822 bytes); one that does not parse blocks."""
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
    except Exception as error:  # e.g. multiparts nested thousands deep: the parser recurses
        return _unreadable(scanner, f"unreadable e-mail: {type(error).__name__}: {one_line(error)}")
    return scan_message(scanner, message)


def _unreadable(scanner: Scanner, error: str) -> MessageReport:
    verdict, _ = scanner.policy.decide((), error)
    return MessageReport(verdict, (), error)


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

    def _store(self, key: str, report: FileReport) -> None:
        self._entries[key] = report
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def _relabelled(report: FileReport, shown: str, started: float) -> FileReport:
    spent = time.perf_counter() - started
    return replace(report, path=shown, timings={"cache": spent, "total": spent})
