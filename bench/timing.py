"""Whole commands timed as a user runs them: start-up included, default threads, alternated with their
baseline (A B A B ...) so that the machine's drift touches both alike. A figure is the median of the
runs; CPU seconds include every process the command started and waited for (its worker processes),
and peak memory is the largest single process's (what a memory limit would act on)."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, the command and its waited-for descendants
    peak_mb: float  # largest resident set of one process, MiB
    returncode: int
    stdout: str


@dataclass(frozen=True)
class Figure:
    runs: list[Run]

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def run(command: Sequence[str], cwd: Path | None = None, stdin: bytes | None = None,
        env: dict[str, str] | None = None, cores: set[int] | None = None) -> Run:
    """One run of the command in a process of its own, reaped with wait4 for its resource usage."""
    pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    started = time.perf_counter()
    process = subprocess.Popen(list(command), cwd=cwd, stdin=subprocess.PIPE if stdin is not None else None,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, preexec_fn=pin)
    output: list[bytes] = []
    talk = threading.Thread(target=_talk, args=(process, stdin, output))
    talk.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    talk.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode,
               b"".join(output).decode("utf-8", "replace"))


def _talk(process: subprocess.Popen, stdin: bytes | None, output: list[bytes]) -> None:
    if stdin is not None and process.stdin is not None:
        with process.stdin:
            process.stdin.write(stdin)
    if process.stdout is not None:
        output.append(process.stdout.read())


def paired(command: Sequence[str], baseline: Sequence[str], runs: int = 3, **options) -> tuple[Figure, Figure]:
    """The command and its baseline in turn, `runs` times each, after one warm-up of each."""
    run(command, **options), run(baseline, **options)  # file caches, bytecode: as a second use finds them
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(run(command, **options))
        theirs.append(run(baseline, **options))
    return Figure(ours), Figure(theirs)


def alone(command: Sequence[str], runs: int = 3, **options) -> Figure:
    run(command, **options)
    return Figure([run(command, **options) for _ in range(runs)])
