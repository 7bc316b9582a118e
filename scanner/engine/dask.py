"""A batch on an existing Dask cluster: `smscan DIR --dask tcp://HOST:PORT`.

Each worker process builds one Scanner per policy the first time it is given a file and keeps
it, with the same set-up and guard as the local worker processes (scanner.engine.pool), so OCR
and models load once per worker, not once per file. Dask does not enforce smscan's hard per-file
time and memory limits: its own worker memory limits and restarts apply.

By default the client reads each file and sends its bytes, so the workers need not see the
client's disk. With `shared_filesystem=True` only paths are sent and the workers read the
files themselves: use it when every worker mounts the same files at the same paths.

Workers need the same smscan version installed (with Tesseract and its language data), e.g.
`dask worker tcp://HOST:8786` started from smscan's virtual environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.engine.batch import Target
from scanner.engine.pool import Job, WorkerConfig, run_job, worker_scanner
from scanner.engine.scanner import read_limited
from scanner.ingest.errors import IngestError, one_line
from scanner.model import FileReport
from scanner.policy import Policy

if TYPE_CHECKING:
    from distributed import Client, Future

# Bytes larger than this go to the cluster ahead of their task (scatter) rather than inside it.
_SCATTER_BYTES = 1 << 20


class DaskUnavailable(RuntimeError):
    """The cluster could not be reached; the message is one line."""


# --- on the workers ----------------------------------------------------------------------


def scan_on_worker(payload: bytes | str, name: str, shown: str, config: WorkerConfig) -> FileReport:
    """A file's bytes (or its path, on a shared filesystem) -> its report, on a Dask worker, with the
    same per-process set-up and the same guard as a local worker."""
    scanner = worker_scanner(config)
    if isinstance(payload, bytes):
        return run_job(scanner, Job(shown, data=payload, filename=name)).report
    return run_job(scanner, Job(shown, path=payload)).report


def worker_scanner_count() -> int:
    """How many Scanners this worker process has built (one per policy it was given)."""
    from scanner.engine.pool import _scanners

    return len(_scanners)


# --- on the client -----------------------------------------------------------------------


def scan_many_dask(
    files: list[Target],
    policy: Policy,
    address: str,
    detectors: list[str] | None = None,
    *,
    shared_filesystem: bool = False,
    connect_timeout: float = 15.0,
) -> Iterator[FileReport]:
    """Yield one FileReport per file as each finishes on the cluster at `address`.

    At most two files per worker thread are in flight, so a large batch never sits in memory."""
    from distributed import as_completed

    client = _connect(address, connect_timeout)
    try:
        window = 2 * max(1, sum(client.nthreads().values()))
        running: dict[Future, str] = {}
        done = as_completed()
        config = WorkerConfig(policy, detectors)
        for target in files:
            payload = str(target.path) if shared_filesystem else _read(target, policy)
            if isinstance(payload, FileReport):
                yield payload
                continue
            future = _submit(client, payload, target.path.name, target.shown, config)
            running[future] = target.shown
            done.add(future)
            if len(running) >= window:
                yield _collected(next(done), running, policy)
        for future in done:
            yield _collected(future, running, policy)
    finally:
        client.close()


def _connect(address: str, timeout: float) -> Client:
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {one_line(error)}") from None


def _read(target: Target, policy: Policy) -> bytes | FileReport:
    """The file's bytes, or the report of a file that cannot be sent (too large, unreadable)."""
    try:
        return read_limited(target.path, policy.limits.max_file_bytes, follow_links=not target.in_folder)
    except IngestError as error:
        return policy.unchecked(target.shown, error)


def _submit(client: Client, payload: bytes | str, name: str, shown: str, config: WorkerConfig) -> Future:
    if isinstance(payload, bytes) and len(payload) > _SCATTER_BYTES:
        payload = client.scatter(payload)  # big data travels on its own, not in the task message
    return client.submit(scan_on_worker, payload, name, shown, config, pure=False)


def _collected(future: Future, running: dict[Future, str], policy: Policy) -> FileReport:
    shown = running.pop(future)
    try:
        return future.result()
    except Exception as failure:  # a worker died or the cluster went away: not checked, so blocked
        return policy.unchecked(shown, IngestError(
            "the Dask worker failed ({why}); not fully checked", why=one_line(failure)))
    finally:
        future.release()
