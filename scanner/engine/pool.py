"""Worker processes with hard per-file limits: what the command, the drop page and the mail
gateway scan with.

Each file is checked in a worker process. The parent never parses a file: it hands the worker a
path or bytes and watches the clock and the worker's memory. A worker that overruns the
policy's `timeout_seconds` (loading included) or `max_memory_mb` is killed and replaced, and the
file is blocked with that reason; a worker that crashes (a native library's fault) blocks its
file the same way. A failure never escapes as an exception, except a broken installation
(`SetupError`), which the caller reports once and stops on.

    pool = WorkerPool(policy, workers=2)
    future = pool.submit_bytes(data, "memo.pdf", "memo.pdf")   # Future[FileReport]
    report = future.result()
    pool.close()
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

from scanner.engine.cache import ReportCache, cache_key, scan_identity
from scanner.errors import SetupError
from scanner.ingest.errors import IngestError
from scanner.model import FileReport
from scanner.policy import Policy

# A worker gets this long past the file's own time limit to answer before it is killed: the
# in-process deadline usually ends the scan first, with the same reason.
GRACE_SECONDS = 2.0
# How often the parent looks at a busy worker's clock and memory.
WATCH_INTERVAL = 0.1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Stopping(Exception):
    """The pool closed while this slot's worker was starting."""


class Scanned(NamedTuple):
    report: FileReport
    extra: object = None  # what the job's follow-up returned (pictures of the findings), or None


@dataclass(frozen=True)
class Job:
    """One file to check: a path the worker reads, or bytes; text is an e-mail body."""

    shown: str
    path: str | None = None
    data: bytes | None = None
    filename: str | None = None
    text: str | None = None
    follow_links: bool = True  # False for files found inside a folder: a link there is not read
    follow_up: Callable[[FileReport, bytes], object] | None = None
    # How many scans the job holds (a shareable copy scans its copies too): it gets that many time limits.
    scans: int = 1


@dataclass
class _Pending:
    job: Job
    future: Future
    number: int
    cache_key: str | None = None


@dataclass
class WorkerConfig:
    policy: Policy
    detectors: list[str] | None
    keep_freed_memory: bool = False  # batch processes that end soon (see scanner.engine.allocator)
    single_threaded: bool = True  # one process per core already: OpenCV's threads would only contend
    warm: bool = False  # build every check before the first file (servers), not on first need
    environment: dict[str, str] = field(default_factory=dict)


class WorkerPool:
    """A bounded pool of worker processes; jobs wait in order for a free worker."""

    def __init__(
        self,
        policy: Policy | None = None,
        workers: int | None = None,
        detectors: Iterable[str] | None = None,
        *,
        cache_size: int = 0,
        keep_freed_memory: bool = False,
        warm: bool = False,
        recycle_above_mb: float | None = None,
    ) -> None:
        self.policy = policy or Policy.default()
        self.size = max(1, workers or os.cpu_count() or 1)
        self.config = WorkerConfig(self.policy, list(detectors) if detectors is not None else None,
                                   keep_freed_memory, single_threaded=self.size > 1, warm=warm)
        # A long-running server replaces a worker whose memory stayed this high after a file, so
        # that one large file does not keep its peak for good.
        self.recycle_above = recycle_above_mb * 2**20 if recycle_above_mb else None
        self.cache = ReportCache(cache_size) if cache_size > 0 else None
        self._identity = scan_identity(self.policy, self.config.detectors)
        self._queue: deque[_Pending] = deque()
        self._condition = threading.Condition()
        self._numbers = itertools.count(1)
        self._closed = False
        self._setup_error: SetupError | None = None
        self.busy = 0
        self._slots = [_Slot(self, index) for index in range(self.size)]
        for slot in self._slots:
            slot.thread.start()

    # --- submitting ----------------------------------------------------------------------

    def submit(self, job: Job) -> Future[Scanned]:
        future: Future[Scanned] = Future()
        key = None
        if self.cache is not None and job.follow_up is None and job.path is None:
            content = job.data if job.data is not None else (job.text or "").encode("utf-8", "surrogatepass")
            key = cache_key(f"text:{job.shown}" if job.text is not None else "file", content, self._identity)
            cached = self.cache.peek(key, job.shown)
            if cached is not None:
                future.set_result(Scanned(cached))
                return future
        with self._condition:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            if self._setup_error is not None:
                future.set_exception(self._setup_error)
                return future
            self._queue.append(_Pending(job, future, next(self._numbers), key))
            self._condition.notify()
        return future

    def submit_bytes(self, data: bytes, filename: str | None, shown: str) -> Future[FileReport]:
        return _report_only(self.submit(Job(shown, data=data, filename=filename)))

    def submit_text(self, text: str, name: str) -> Future[FileReport]:
        return _report_only(self.submit(Job(name, text=text)))

    # A WorkerPool checks an e-mail's parts as a Scanner does (scanner.engine.message), in parallel.
    def scan_text(self, text: str, name: str) -> Future[FileReport]:
        return self.submit_text(text, name)

    def scan_bytes(self, data: bytes, filename: str | None, path: str | None) -> Future[FileReport]:
        return self.submit_bytes(data, filename, path or filename or "<bytes>")

    def submit_path(self, path: str | Path, shown: str, follow_up: Callable[[FileReport, bytes], object] | None = None,
                    follow_links: bool = True) -> Future[Scanned]:
        return self.submit(Job(shown, path=str(path), follow_up=follow_up, follow_links=follow_links))

    def queued_ahead(self, future: Future) -> int | None:
        """How many files wait before this one (0: next); None once it is being checked or done."""
        source = getattr(future, "scanned", future)  # submit_bytes hands out a future derived from the job's
        with self._condition:
            for position, pending in enumerate(self._queue):
                if pending.future is source:
                    return position
        return None

    @property
    def waiting(self) -> int:
        with self._condition:
            return len(self._queue)

    def close(self) -> None:
        """Stop every worker (files still queued get a 'not checked' report) and wait for them."""
        with self._condition:
            self._closed = True
            left = list(self._queue)
            self._queue.clear()
            self._condition.notify_all()
        for pending in left:
            pending.future.set_result(Scanned(self.policy.unchecked(pending.job.shown,
                                                         IngestError("not checked: smscan was stopping"))))
        for slot in self._slots:
            slot.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- for the slots -------------------------------------------------------------------

    def _next(self) -> _Pending | None:
        with self._condition:
            while not self._queue and not self._closed:
                self._condition.wait()
            if self._closed:
                return None
            self.busy += 1
            return self._queue.popleft()

    def _done(self, pending: _Pending, outcome: Scanned | SetupError) -> None:
        with self._condition:
            self.busy -= 1
        if isinstance(outcome, SetupError):
            with self._condition:
                self._setup_error = outcome
                waiting = list(self._queue)
                self._queue.clear()
            for other in [pending, *waiting]:
                other.future.set_exception(outcome)
            return
        # Only reports of files fully checked are kept: a time-out may not repeat on a quieter machine.
        if self.cache is not None and pending.cache_key is not None and outcome.report.checked:
            self.cache.put(pending.cache_key, outcome.report)
        pending.future.set_result(outcome)


class _Slot:
    """One worker process and the thread that feeds and watches it."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.process: multiprocessing.process.BaseProcess | None = None
        self.connection: Connection | None = None
        self.thread = threading.Thread(target=self._run, name=f"smscan-slot-{index}", daemon=True)

    def _run(self) -> None:
        while (pending := self.pool._next()) is not None:
            try:
                outcome = self._check(pending.job)
            except Exception as error:
                self._kill()
                outcome = Scanned(self.pool.policy.unchecked(pending.job.shown, _crash(error)))
            self.pool._done(pending, outcome)

    def _check(self, job: Job) -> Scanned | SetupError:
        limits = self.pool.policy.limits
        try:
            connection = self._worker()
        except SetupError as error:
            return error
        except _Stopping:
            return Scanned(self.pool.policy.unchecked(job.shown, IngestError("not checked: smscan was stopping")))
        started = time.monotonic()
        allowed = limits.timeout_seconds * job.scans
        deadline = started + allowed + GRACE_SECONDS
        try:
            connection.send(job)
            while not connection.poll(WATCH_INTERVAL):
                if time.monotonic() > deadline:
                    self._kill()
                    return Scanned(self.pool.policy.unchecked(job.shown, IngestError(
                        "timed out after {seconds} s; not fully checked", seconds=allowed)))
                used = self._memory()
                if used > limits.max_memory_bytes:
                    self._kill()
                    return Scanned(self.pool.policy.unchecked(job.shown, IngestError(
                        "needed more than {limit} MiB of memory (limit max_memory_mb); not fully checked",
                        limit=round(limits.max_memory_bytes / 2**20))))
            status, value = connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = self._kill()
            if self.pool._closed:
                return Scanned(self.pool.policy.unchecked(job.shown, IngestError("not checked: smscan was stopping")))
            return Scanned(self.pool.policy.unchecked(job.shown, IngestError(
                "the checking process stopped unexpectedly ({how}); not fully checked", how=_ended(code))))
        if status == "setup":
            return SetupError(value)
        self._recycle_if_large()
        return value

    def _worker(self) -> Connection:
        if self.process is not None and self.process.is_alive() and self.connection is not None:
            return self.connection
        self._kill()
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no lock of a parent thread inherited
        parent, child = context.Pipe()
        process = context.Process(target=worker_main, args=(child, self.pool.config), daemon=True,
                                  name=f"smscan-worker-{self.index}")
        process.start()
        child.close()
        self.process, self.connection = process, parent  # from now on stop() can end it, even while it starts
        try:
            status, value = parent.recv() if parent.poll(600) else ("setup", "no answer in 10 minutes")
        except (EOFError, OSError):
            process.join(5)
            status, value = "setup", f"it ended at start-up ({_ended(process.exitcode)})"
        if self.pool._closed:
            raise _Stopping
        if status == "setup":
            self._kill()
            raise SetupError(value if value.startswith("the ") else f"a checking process could not start: {value}")
        return parent

    def _memory(self) -> int:
        if self.process is None or self.process.pid is None:
            return 0
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * _PAGE_SIZE
        except (OSError, ValueError, IndexError):
            return 0  # not Linux, or the process is gone: the pipe will say so

    def _recycle_if_large(self) -> None:
        if self.pool.recycle_above is not None and self._memory() > self.pool.recycle_above:
            self._kill()

    def _kill(self) -> int | None:
        process, self.process = self.process, None
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(5)
        return process.exitcode

    def stop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.connection.send(None)
        if self.process is not None:
            self.process.join(2)
        self._kill()


# --- in the worker process ---------------------------------------------------------------


def limit_openblas() -> None:
    """One OpenBLAS thread, unless the user chose otherwise; called before NumPy and OpenCV load
    (OpenCV's wheel bundles its own OpenBLAS, read at load too). Otherwise OpenBLAS starts a
    thread per core, 0.07 CPU s at every start, and those threads spin on after every product (the
    logo check's feature match: 18.7-22.5 instead of 13.3-15.2 CPU s on 40 pictures, all measured);
    a worker's parallelism is the pool's."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def worker_main(connection: Connection, config: WorkerConfig) -> None:
    """A worker's life: set up once, then check jobs until told to stop."""
    import signal

    limit_openblas()

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    try:
        scanner = worker_scanner(config)
    except SetupError as error:
        connection.send(("setup", str(error)))
        return
    connection.send(("ready", None))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            connection.send(("done", run_job(scanner, job)))
        except SetupError as error:
            connection.send(("setup", str(error)))
            return


_scanners: dict[int, Any] = {}


def worker_scanner(config: WorkerConfig):
    """This process's Scanner for the config, built once: shared by local workers and Dask workers."""
    key = hash((repr(config.policy), tuple(config.detectors or ()), config.single_threaded))
    if key not in _scanners:
        if config.single_threaded:
            import cv2

            cv2.setNumThreads(1)
        if config.keep_freed_memory:
            from scanner.engine.allocator import keep_freed_memory

            keep_freed_memory()
        from scanner.engine.scanner import Scanner

        scanner = Scanner(config.policy, config.detectors)
        if config.warm:
            _ = scanner.detectors, scanner.reader
        _scanners[key] = scanner
    return _scanners[key]


def run_job(scanner, job: Job) -> Scanned:
    """Check one job with this process's scanner; any failure is the file's, as a blocked report."""
    from scanner.engine.scanner import read_limited

    data = job.data
    try:
        if job.text is not None:
            return Scanned(scanner.scan_text(job.text, job.shown))
        if data is None:
            data = read_limited(Path(job.path or ""), scanner.policy.limits.max_file_bytes, job.follow_links)
        report = scanner.scan_bytes(data, filename=Path(job.filename or job.path or job.shown).name, path=job.shown)
    except IngestError as error:
        return Scanned(scanner.unchecked(job.shown, error))
    except SetupError:
        raise
    except Exception as error:
        return Scanned(scanner.unchecked(job.shown, _crash(error)))
    if job.follow_up is None:
        return Scanned(report)
    try:
        return Scanned(report, job.follow_up(report, data))
    except Exception:
        return Scanned(report)


def _crash(error: BaseException) -> IngestError:
    from scanner.ingest.errors import one_line

    return IngestError("smscan failed while checking ({why}); not fully checked", why=one_line(error))


# --- helpers -----------------------------------------------------------------------------


def _ended(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        import signal

        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def _report_only(future: Future[Scanned]) -> Future[FileReport]:
    reported: Future[FileReport] = Future()
    reported.scanned = future  # type: ignore[attr-defined] - so that queued_ahead knows it

    def copy(done: Future[Scanned]) -> None:
        error = done.exception()
        if error is not None:
            reported.set_exception(error)
        else:
            reported.set_result(done.result().report)

    future.add_done_callback(copy)
    return reported
