"""Batches: the files named on the command line and under the folders named, in the order workers
get them, checked in a WorkerPool, each with what its scan is followed by (pictures of findings).

Inside a folder only regular files are read: a symbolic link is not followed (it could lead out
of the folder, to /etc/shadow), and a named pipe or a device is not waited on; each of these gets
a report saying why it was not read, as does anything else that cannot be read. Version-control
folders (.git, .hg, .svn) are not shared content and are passed over, said once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from pathlib import Path

from scanner.engine.pool import Job, Scanned, WorkerPool
from scanner.model import FileReport
from scanner.policy import Policy

VERSION_CONTROL = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True)
class Target:
    path: Path
    shown: str  # as the user gave it, or joined onto the folder they gave
    in_folder: bool = False  # found inside a folder: links are not followed


def expand_paths(paths: Iterable[str], passed_over: Callable[[str], None] | None = None) -> list[Target]:
    """Files named, and every entry under folders named (recursively), in a stable order."""
    found: list[Target] = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            found.extend(_under(root, given, passed_over))
        else:
            found.append(Target(root, given))
    return found


def _under(root: Path, given: str, passed_over: Callable[[str], None] | None) -> Iterator[Target]:
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in sorted(folders):
            if name in VERSION_CONTROL:
                folders.remove(name)
                if passed_over is not None:
                    passed_over(str(Path(given) / Path(folder, name).relative_to(root)))
        folders.sort()
        # os.walk lists links to folders among folders and does not enter them: they are entries too.
        entries = sorted(files + [n for n in folders if Path(folder, n).is_symlink()])
        for name in entries:
            path = Path(folder, name)
            yield Target(path, str(Path(given) / path.relative_to(root)), in_folder=True)


def largest_first(targets: list[Target]) -> list[Target]:
    """The order to hand files to workers: a big file started last would keep one worker busy
    alone at the end, while the small ones fill the gaps (longest processing time first)."""

    def size(target: Target) -> int:
        try:
            return target.path.lstat().st_size
        except OSError:
            return 0  # the worker reports it

    return sorted(targets, key=size, reverse=True)


def scan_and_follow(
    targets: list[Target],
    pool: WorkerPool,
    follow_up: Callable[[FileReport, bytes], object] | None = None,
) -> Iterator[Scanned]:
    """(report, follow_up's result) per file, as each finishes."""
    futures: dict[Future[Scanned], Target] = {
        pool.submit(Job(t.shown, path=str(t.path), follow_links=not t.in_folder, follow_up=follow_up)): t
        for t in largest_first(targets)
    }
    for future in as_completed(futures):
        yield future.result()  # a SetupError stops the batch: every file would fail the same way


def scan_many(targets: list[Target], policy: Policy, workers: int | None = None,
              detectors: list[str] | None = None) -> Iterator[FileReport]:
    """One FileReport per file as each finishes, in a pool of its own."""
    with WorkerPool(policy, workers, detectors, keep_freed_memory=True) as pool:
        for scanned in scan_and_follow(targets, pool):
            yield scanned.report
