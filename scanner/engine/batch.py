"""Batches: the files named on the command line, in the order workers get them, scanned on worker
processes (models loaded once per worker) with what each file's scan is followed by."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from scanner.engine.scanner import FollowUp, Scanner
from scanner.errors import SetupError
from scanner.model import FileReport
from scanner.policy import Policy


def expand_paths(paths: Iterable[str]) -> list[tuple[Path, str]]:
    """Files named, and files under folders named (recursively, hidden ones skipped), with
    the path to show: as the user gave it, or joined onto the folder they gave."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found.append((path, str(Path(given) / relative)))
        else:
            found.append((root, given))
    return found


_worker_scanner: Scanner | SetupError | None = None


def _start_worker(policy: Policy, detectors: list[str] | None) -> None:
    global _worker_scanner
    import cv2

    from scanner.engine.allocator import keep_freed_memory

    cv2.setNumThreads(1)  # one process per core already: OpenCV's own threads would only contend
    keep_freed_memory()
    try:
        _worker_scanner = Scanner(policy, detectors)
    except SetupError as failure:  # reported on every file: a pool whose initializer raises is broken
        _worker_scanner = failure


def _scan_in_worker(path: Path, shown: str, follow_up: FollowUp | None) -> tuple[FileReport, object]:
    if isinstance(_worker_scanner, SetupError):
        raise _worker_scanner
    assert _worker_scanner is not None
    return _followed(follow_up, *_worker_scanner.read_and_scan(path, shown))


def _followed(follow_up: FollowUp | None, report: FileReport, data: bytes | None) -> tuple[FileReport, object]:
    if follow_up is None or data is None:
        return report, None
    try:
        return report, follow_up(report, data)
    except Exception:  # pictures of the findings are extra: the verdict stands without them
        return report, None


def largest_first(files: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """The order to hand files to workers: a big file started last would keep one worker busy
    alone at the end, while the small ones fill the gaps (longest processing time first)."""

    def size(item: tuple[Path, str]) -> int:
        try:
            return item[0].stat().st_size
        except OSError:
            return 0  # scan_path reports it

    return sorted(files, key=size, reverse=True)


def scan_many(
    files: list[tuple[Path, str]],
    policy: Policy,
    workers: int = 1,
    detectors: list[str] | None = None,
) -> Iterator[FileReport]:
    """Yield one FileReport per file as each finishes; models load once per worker process."""
    for report, _ in scan_and_follow(files, policy, workers, None, detectors):
        yield report


def scan_and_follow(
    files: list[tuple[Path, str]],
    policy: Policy,
    workers: int,
    follow_up: FollowUp | None,
    detectors: list[str] | None = None,
) -> Iterator[tuple[FileReport, object]]:
    """(report, follow_up(report, data)) per file as each finishes. The follow-up (drawing the
    findings, say) gets the very bytes that were scanned and runs where they were, in parallel
    like the scans; with worker processes it must be picklable. None stands for its result when
    it fails, the file could not be read, or the worker died."""
    if workers <= 1 or len(files) <= 1:
        scanner = Scanner(policy, detectors)
        for path, shown in files:
            yield _followed(follow_up, *scanner.read_and_scan(path, shown))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: a fresh interpreter per worker, so no lock held by a parent thread is inherited.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(files)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(policy, detectors),
    ) as pool:
        futures = {
            pool.submit(_scan_in_worker, path, shown, follow_up): shown for path, shown in largest_first(files)
        }
        for future in as_completed(futures):
            try:
                yield future.result()
            except SetupError:
                raise
            except Exception as failure:  # a worker died (out of memory, crash in a library)
                error = f"worker failed: {type(failure).__name__}: {failure}"
                yield FileReport(path=futures[future], verdict=policy.decide((), error)[0], error=error), None
