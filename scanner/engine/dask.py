"""A batch on an existing Dask cluster: `smscan DIR --dask tcp://HOST:PORT`.

Each worker process builds one Scanner per policy the first time it is given a file and keeps
it (a module-level global), so OCR and models load once per worker, not once per file.

By default the client reads each file and sends its bytes, so the workers need not see the
client's disk. With `shared_filesystem=True` only paths are sent and the workers read the
files themselves: use it when every worker mounts the same files at the same paths.

Workers need the same smscan version installed (with Tesseract and its language data), e.g.
`dask worker tcp://HOST:8786` started from smscan's virtual environment.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.ingest.errors import one_line
from scanner.model import FileReport
from scanner.policy import Policy

if TYPE_CHECKING:
    from distributed import Client, Future

    from scanner.engine import Scanner

# Bytes larger than this go to the cluster ahead of their task (scatter) rather than inside it.
_SCATTER_BYTES = 1 << 20


class DaskUnavailable(RuntimeError):
    """The cluster could not be reached; the message is one line."""


# --- on the workers ----------------------------------------------------------------------

_worker_scanners: dict[str, Scanner] = {}
_worker_lock = threading.Lock()


def _worker_scanner(policy: Policy, detectors: list[str] | None) -> Scanner:
    """This worker's Scanner for the policy, built on first use (a worker may run several threads)."""
    key = _policy_key(policy, detectors)
    with _worker_lock:
        scanner = _worker_scanners.get(key)
        if scanner is None:
            from scanner.engine import Scanner

            scanner = _worker_scanners[key] = Scanner(policy, detectors)
        return scanner


def scan_on_worker(
    payload: bytes | str, name: str, shown: str, policy: Policy, detectors: list[str] | None
) -> FileReport:
    """A file's bytes (or its path, on a shared filesystem) -> its report, on a Dask worker."""
    scanner = _worker_scanner(policy, detectors)
    if isinstance(payload, bytes):
        return scanner.scan_bytes(payload, filename=name, path=shown)
    return scanner.scan_path(payload, shown)


def worker_scanner_count() -> int:
    """How many Scanners this worker process has built (one per policy it was given)."""
    return len(_worker_scanners)


def _policy_key(policy: Policy, detectors: list[str] | None) -> str:
    return json.dumps([sorted(policy.thresholds.items()), sorted(policy.consent), asdict(policy.limits),
                       sorted(policy.disabled), detectors])


# --- on the client -----------------------------------------------------------------------


def scan_many_dask(
    files: list[tuple[Path, str]],
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
        for path, shown in files:
            payload = str(path) if shared_filesystem else _read(path, shown, policy)
            if isinstance(payload, FileReport):
                yield payload
                continue
            future = _submit(client, payload, path.name, shown, policy, detectors)
            running[future] = shown
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


def _read(path: Path, shown: str, policy: Policy) -> bytes | FileReport:
    """The file's bytes, or the report of a file that cannot be sent (too large, unreadable)."""
    limit = policy.limits.max_file_bytes
    try:
        if path.stat().st_size > limit:
            return _failed(shown, f"file too large: {path.stat().st_size / 2**20:.1f} MiB "
                                  f"(limit {limit / 2**20:.0f} MiB)", policy)
        return path.read_bytes()
    except OSError as error:
        return _failed(shown, f"cannot read file: {error.strerror or error}", policy)


def _submit(
    client: Client, payload: bytes | str, name: str, shown: str, policy: Policy, detectors: list[str] | None
) -> Future:
    if isinstance(payload, bytes) and len(payload) > _SCATTER_BYTES:
        payload = client.scatter(payload)  # big data travels on its own, not in the task message
    return client.submit(scan_on_worker, payload, name, shown, policy, detectors, pure=False)


def _collected(future: Future, running: dict[Future, str], policy: Policy) -> FileReport:
    shown = running.pop(future)
    try:
        return future.result()
    except Exception as failure:  # a worker died or the cluster went away: not checked, so blocked
        return _failed(shown, f"dask worker failed: {type(failure).__name__}: {one_line(failure)}",
                       policy)
    finally:
        future.release()


def _failed(shown: str, error: str, policy: Policy) -> FileReport:
    verdict, _ = policy.decide((), error)
    return FileReport(path=shown, verdict=verdict, error=error, consent=tuple(sorted(policy.consent)))
