"""Batch throughput: the `smscan DIR --json` command on one mixed folder, with 1 and 2 workers.

Each configuration runs the real command in its own process, so that pinning one run to one
core cannot leak into the next (a thread's CPU affinity is inherited by the threads it starts,
OpenCV's and Tesseract's included). JSON Lines are flushed per file, so the arrival time of each
line is when that file finished; the first one tells how long a person waits for any answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BatchRun:
    seconds: float  # the whole command, interpreter start to exit
    first_result: float  # seconds until the first file's line arrived
    verdicts: dict[str, str]


def make_folder(folder: Path, count: int) -> set[str]:
    """Scanned memos (JPEG), text-layer PDF memos and photos in turn; the names that carry a marking."""
    from samplegen.documents import encoded, memo_pdf, photo_like, render, scanned

    marked = set()
    for i in range(count):
        header = "PROTECTED B" if i % 3 == 0 else None
        kind = i % 4
        if kind in (0, 1):
            name = f"scan_{i:02d}.jpg"
            page = scanned(render(memo_pdf(header=header), dpi=200), seed=i)
            data = encoded(page, "JPEG", quality=85)
        elif kind == 2:
            name = f"memo_{i:02d}.pdf"
            data = memo_pdf(header=header, pages=2)
        else:
            name = f"photo_{i:02d}.jpg"
            data = encoded(photo_like(2400 + 40 * i, 1600, seed=i), "JPEG", quality=90)
            header = None  # a photo carries no marking
        (folder / name).write_bytes(data)
        if header:
            marked.add(name)
    return marked


def run_command(folder: Path, workers: int | None, cores: set[int] | None) -> BatchRun:
    command = [sys.executable, "-m", "scanner.cli", str(folder), "--json"]
    command += ["--workers", str(workers)] if workers else []
    pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    started = time.perf_counter()
    arrivals, verdicts = [], {}
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, preexec_fn=pin) as process:
        assert process.stdout is not None
        for line in process.stdout:
            arrivals.append(time.perf_counter() - started)
            report = json.loads(line)
            verdicts[Path(report["path"]).name] = report["verdict"]
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1) or not arrivals:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}")
    return BatchRun(seconds, arrivals[0], verdicts)


def batch_throughput(folder: Path, marked: set[str]) -> dict[str, BatchRun]:
    """One worker on one core (the pool's unit), one worker free to use both cores as
    `--workers 1` runs (OpenCV's threads take the second core for parts of a file), two workers,
    and the command as a user runs it, with no --workers."""
    first_core = {min(os.sched_getaffinity(0))}
    runs = {
        "1 worker, one core": run_command(folder, 1, first_core),
        "1 worker": run_command(folder, 1, None),
        "2 workers": run_command(folder, 2, None),
        "default (no --workers)": run_command(folder, None, None),
    }
    count = len(list(folder.iterdir()))
    for label, run in runs.items():
        blocked = {name for name, verdict in run.verdicts.items() if verdict == "block"}
        # A bench of wrong answers measures nothing: every run must read the folder the same, right way.
        if len(run.verdicts) != count or blocked != marked:
            raise RuntimeError(f"{label}: {len(run.verdicts)} reports, blocked {sorted(blocked ^ marked)} wrongly")
    return runs


def print_batch(runs: dict[str, BatchRun]) -> None:
    unit, free, two = runs["1 worker, one core"], runs["1 worker"], runs["2 workers"]
    count = len(two.verdicts)
    print(f"Batch of {count} files (scanned memos as JPEG, two-page PDF memos, photos), every check, "
          "`smscan DIR --json`:")
    for label, run in runs.items():
        print(f"  {label:<24}: {run.seconds:6.1f} s, first result after {run.first_result:4.1f} s")
    fastest = min(run.seconds for label, run in runs.items() if not label.startswith("default"))
    default = runs["default (no --workers)"]
    print(f"  throughput, 2 workers: {unit.seconds / two.seconds:.2f}x one worker on one core (goal >= 1.9x), "
          f"{free.seconds / two.seconds:.2f}x one worker free to use both cores")
    print(f"  the default command: {default.seconds / fastest:.2f}x the fastest setting's time (goal: 1.0x)")
