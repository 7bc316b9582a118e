"""The drop page's line of files: uploads wait on disk in the order they came, at most one per
scanning worker is being checked, and every file's state (queued at position N, checking, done)
can be asked for while it waits.

Scans go to a `ScanService` (the worker pool, scanner/engine/pool.py, in `smscan ui`): anything
with `workers` and `scan(data, filename, shown, follow_up)` returning a Future of (report, what
follow_up(report, data) returned). The follow-up draws the pictures of the findings in the worker
that scanned the file, from the bytes it scanned, within the same hard limits. The line in front
of the service is ours, so the place of every file is known exactly, and the bytes of waiting
files stay on disk, not in memory (50 files of 200 MB waiting would otherwise be 10 GB).
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from scanner.ingest.errors import IngestError
from scanner.model import FileReport
from scanner.policy import Policy

State = Literal["queued", "checking", "done"]
Scanned = tuple[FileReport, Any]  # the report, and what the follow-up returned (None if it failed)
# Work on a file right after its scan, in the worker: (report, bytes scanned) -> fields to add to
# the result ({"previews": [...]}, {"copy": {...}}).
FollowUp = Callable[[FileReport, bytes], dict[str, Any]]

# The one reason (translated in the catalogue) for a file this server itself failed to get checked.
FAILED = "smscan failed while checking ({why}); not fully checked"
# A worker whose memory stays above this after a file is replaced, so that one large file does not
# keep a long-running server at its peak for good (a worker with every check holds ~0.5 GB).
RECYCLE_WORKER_ABOVE_MB = 900
# A finished result waits this long to be fetched, and is kept this long after it was, so the page
# (which fetches each once, within a second) never misses one, and memory stays flat over a day.
UNFETCHED_KEPT_S = 3600.0
FETCHED_KEPT_S = 60.0
MAX_FINISHED_KEPT = 2000


class ScanService(Protocol):
    workers: int

    def scan(self, data: bytes, filename: str, shown: str, follow_up: FollowUp | None) -> Future[Scanned]:
        """A failure is a block report, never an exception; None stands for a follow-up that failed."""
        ...

    def worker_config(self) -> Any:
        """What names a worker's own scanner to a follow-up that needs it (the shareable copy)."""
        ...

    def close(self) -> None: ...


class Busy(Exception):
    """Too many files are waiting; the page tries again shortly."""


@dataclass
class Job:
    id: str
    filename: str
    shown: str
    spooled: Path | None  # the upload on disk until it is handed to a worker
    size: int
    follow_up: FollowUp | None
    state: State = "queued"
    result: dict[str, Any] | None = None
    finished: Future[dict[str, Any]] = field(default_factory=Future)
    finished_at: float = 0.0
    fetched_at: float = 0.0


class JobBoard:
    """The line of uploads in front of the scan service."""

    def __init__(
        self,
        service: ScanService,
        policy: Policy,
        max_waiting: int = 1000,
        max_waiting_bytes: int = 4 * 2**30,
    ) -> None:
        self._service = service
        self._policy = policy
        self._max_waiting = max_waiting
        self._max_waiting_bytes = max_waiting_bytes
        self._lock = threading.Condition()
        self._queue: deque[Job] = deque()
        self._checking: dict[str, Job] = {}
        self._finished: OrderedDict[str, Job] = OrderedDict()
        self._free_slots = threading.Semaphore(max(1, service.workers))
        self._serial = itertools.count(1)
        self._closed = False
        self._feeder = threading.Thread(target=self._feed, name="smscan-ui-feeder", daemon=True)
        self._feeder.start()

    # ------------------------------------------------------------------ asked by the app

    def add(
        self, spooled: Path, filename: str, shown: str, follow_up: FollowUp | None = None, *, first: bool = False
    ) -> Job:
        """Queue an upload already on disk (the board owns the file from now on). `follow_up` runs
        after its scan in the worker (picklable); its fields join the result."""
        size = spooled.stat().st_size
        with self._lock:
            waiting_bytes = sum(job.size for job in self._queue)
            if not first and (len(self._queue) >= self._max_waiting or waiting_bytes + size > self._max_waiting_bytes):
                spooled.unlink(missing_ok=True)
                raise Busy(f"{len(self._queue)} files are waiting to be checked; try again shortly")
            job = Job(f"{next(self._serial)}-{secrets.token_hex(4)}", filename, shown, spooled, size, follow_up)
            if first:  # a shareable copy someone is waiting for goes to the front
                self._queue.appendleft(job)
            else:
                self._queue.append(job)
            self._lock.notify_all()
        return job

    def position(self, job: Job) -> int:
        """1 for the next file to be checked; 0 when it is no longer waiting."""
        with self._lock:
            for place, waiting in enumerate(self._queue, start=1):
                if waiting is job:
                    return place
        return 0

    def snapshot(self) -> dict[str, Any]:
        """The ids waiting (in order) and being checked: the page's one poll for all its files."""
        with self._lock:
            self._forget_old()
            return {
                "queued": [job.id for job in self._queue],
                "checking": list(self._checking),
                "workers": self._service.workers,
            }

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            for job in itertools.chain(self._finished.values(), self._checking.values(), self._queue):
                if job.id == job_id:
                    return job
        return None

    def fetched(self, job: Job) -> None:
        with self._lock:
            job.fetched_at = job.fetched_at or time.monotonic()

    def close(self) -> None:
        """Stop feeding the service and delete every waiting upload."""
        with self._lock:
            self._closed = True
            waiting = list(self._queue)
            self._queue.clear()
            self._lock.notify_all()
        for job in waiting:
            _remove(job)
            job.finished.cancel()
        self._free_slots.release()  # wake the feeder if it waits for a slot
        self._feeder.join(timeout=5)

    # ------------------------------------------------------------------ the feeder thread

    def _feed(self) -> None:
        """Hand the head of the line to the service whenever a worker is free. One thread does it,
        so the bytes of at most `workers` files are in memory at a time."""
        while True:
            self._free_slots.acquire()
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                job = self._queue.popleft()
                job.state = "checking"
                self._checking[job.id] = job
            try:
                data = job.spooled.read_bytes() if job.spooled else b""
            except OSError as error:
                failure = IngestError(FAILED, why=f"the upload could not be read back: {error.strerror or error}")
                self._finish(job, self._policy.unchecked(job.shown, failure), None)
                continue
            finally:
                _remove(job)
            try:
                future = self._service.scan(data, job.filename, job.shown, job.follow_up)
            except Exception as failure:  # a closed or broken service: the file still gets its block
                failure = IngestError(FAILED, why=f"the checkers are not running: {failure}")
                self._finish(job, self._policy.unchecked(job.shown, failure), None)
                continue
            del data  # the service holds it as long as it needs it
            future.add_done_callback(lambda done, job=job: self._scanned(job, done))

    def _scanned(self, job: Job, done: Future[Scanned]) -> None:
        try:
            report, extra = done.result()
        except Exception as failure:  # a broken installation (SetupError): the file is blocked, saying so
            report, extra = self._policy.unchecked(job.shown, IngestError(str(failure))), None
        self._finish(job, report, extra)

    def _finish(self, job: Job, report: FileReport, extra: dict[str, Any] | None) -> None:
        """`extra`: what the follow-up added; None when it failed or the worker was stopped."""
        result = {**report.to_dict(), **(extra or {})}
        with self._lock:
            job.result = result
            job.state = "done"
            job.finished_at = time.monotonic()
            self._checking.pop(job.id, None)
            self._finished[job.id] = job
        if not job.finished.done():  # not cancelled by close()
            job.finished.set_result(result)
        self._free_slots.release()

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._finished.items()):
            fetched_long_ago = job.fetched_at and now - job.fetched_at > FETCHED_KEPT_S
            if fetched_long_ago or now - job.finished_at > UNFETCHED_KEPT_S or len(self._finished) > MAX_FINISHED_KEPT:
                del self._finished[job_id]


def _remove(job: Job) -> None:
    if job.spooled is not None:
        job.spooled.unlink(missing_ok=True)
        job.spooled = None


class PoolScans:
    """The ScanService of `smscan ui`: the worker pool, one process per core, every file under
    the policy's hard time and memory limits (pictures included)."""

    def __init__(self, policy: Policy, workers: int | None = None) -> None:
        from scanner.engine.pool import WorkerPool

        self._pool = WorkerPool(policy, workers, warm=True, recycle_above_mb=RECYCLE_WORKER_ABOVE_MB)
        self.workers = self._pool.size

    def scan(self, data: bytes, filename: str, shown: str, follow_up: FollowUp | None) -> Future[Scanned]:
        from scanner.engine.pool import Job

        scans = getattr(follow_up, "scans", 1)  # a shareable copy declares the scans it makes
        return self._pool.submit(Job(shown, data=data, filename=filename, follow_up=follow_up, scans=scans))

    def worker_config(self) -> Any:
        return self._pool.config

    def close(self) -> None:
        self._pool.close()
