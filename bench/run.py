"""`make bench`: every speed figure of issue 14, each next to a baseline measured in the same run.

Everything is timed as a user runs it: the whole `smscan` command (interpreter start, imports,
worker processes, models) with its default threads, against a short script doing the naive
version of the same work, also as a whole process with its library's default threads (bench/
baselines/). Each pair runs alternately, A B A B, and the median of RUNS is quoted; CPU seconds
include the worker processes, peak memory is the largest single process. Every smscan run must
give the expected verdict: a fast wrong answer is not a figure.

    python bench/run.py [--runs 3] [--only ROW ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import Figure, alone, paired  # noqa: E402

PYTHON = sys.executable
SMSCAN = [PYTHON, "-m", "scanner.cli"]
# The baselines' own environment (make bench makes it): OpenCV 4 with its Haar cascades, pytesseract.
BASELINE_PYTHON = os.environ.get("SMSCAN_BASELINE_PYTHON", PYTHON)
BASELINES = ROOT / "bench" / "baselines"


def smscan(*args: str) -> list[str]:
    return [*SMSCAN, *args]


def baseline(script: str, *args: str) -> list[str]:
    return [BASELINE_PYTHON, str(BASELINES / script), *args]


def verdicts(figure: Figure) -> set[int]:
    return {r.returncode for r in figure.runs}


def ratio(ours: Figure, theirs: Figure) -> str:
    return f"{ours.wall / theirs.wall:.2f}x"


def line(label: str, ours: Figure, theirs: Figure | None = None, what: str = "", goal: str = "",
         their_exit: int = 0) -> None:
    if theirs is not None and verdicts(theirs) != {their_exit}:
        raise RuntimeError(f"the baseline for {label!r} failed (exit {verdicts(theirs)}): a crash is not a time")
    figure = f"{ours.wall:6.2f} s wall, {ours.cpu:5.2f} CPU s, {ours.peak_mb:5.0f} MB"
    against = f" | {what}: {theirs.wall:6.2f} s -> {ratio(ours, theirs)}" if theirs is not None else ""
    print(f"{label:<34} {figure}{against}{'  (goal ' + goal + ')' if goal else ''}", flush=True)


# --- rows (the inputs are made beforehand by bench/inputs.py, in a process of its own) -----------


def start_up(folder: Path, runs: int) -> None:
    ours, theirs = paired(smscan("--help"), [PYTHON, "-c", "pass"], runs)
    line("smscan --help", ours, theirs, "python -c pass", "<= 0.15 s")
    first = alone(smscan(str(folder / "tiny.png"), "--json"), runs)
    line("first file (a 64x48 PNG)", first, goal="<= 0.6 CPU s")


def scanned_page(folder: Path, runs: int) -> None:
    path = folder / "scanned-a4-300dpi.png"
    ours, theirs = paired(smscan(str(path), "--json"), baseline("naive_ocr.py", str(path)), runs)
    assert verdicts(ours) == {1}, "the page carries a marking: smscan must block it"
    line("scanned A4 page, 300 dpi, 40 lines", ours, theirs, "naive pytesseract eng+fra + regex", "<= 0.16x")
    # The naive script's Tesseract spins OpenMP threads against each other on 2 cores (half its time
    # is system time): the same script held to one thread is the fairer floor, shown beside it.
    one_thread = alone(baseline("naive_ocr.py", str(path)), runs, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    line("", ours, one_thread, "the same, OMP_THREAD_LIMIT=1")


def text_pdf(folder: Path, runs: int) -> None:
    for pages in (10, 200):
        path = folder / f"report-{pages}.pdf"
        ours, theirs = paired(smscan(str(path), "--json"), baseline("naive_pdf_text.py", str(path)), runs)
        assert verdicts(ours) == {1}
        line(f"{pages}-page text-layer PDF", ours, theirs, "PyMuPDF get_text + regex", "<= 10x")
        print(f"{'':<34} {pages / ours.wall:6.1f} pages/s, start-up included (goal >= 200 on a long report)")


def long_report_memory(folder: Path, runs: int) -> None:
    ours = alone(smscan(str(folder / "report-1000.pdf"), "--json"), 1)
    assert verdicts(ours) == {1}
    line("1,000-page text-layer PDF", ours, goal="memory < 400 MB")
    print(f"{'':<34} {1000 / ours.wall:6.1f} pages/s, start-up included (goal >= 200 on a long report)")


def scanned_pdf(folder: Path, runs: int) -> None:
    path = folder / "scanned-10.pdf"
    ours, theirs = paired(smscan(str(path), "--json"), baseline("naive_pdf_ocr.py", str(path)), runs)
    assert verdicts(ours) == {1}
    line("10-page scanned PDF, 200 dpi", ours, theirs, "render + pytesseract per page")


def photo(folder: Path, runs: int) -> None:
    path = folder / "photo-12mp.jpg"
    ours, theirs = paired(smscan(str(path), "--json"), baseline("haar_faces.py", str(path)), runs)
    assert verdicts(ours) == {0}
    line("12 MP photo, every check", ours, theirs, "OpenCV Haar faces only", "<= 0.5x")


def gateway(folder: Path, runs: int) -> None:
    from bench.gateway_rate import measure

    rate = measure(messages=400)
    print(f"{'plain-text e-mail, smtp-filter':<34} {rate:6.1f} messages/s (goal >= 100 on 2 cores)", flush=True)


def batch(folder: Path, runs: int) -> None:
    from bench.batch import batch_throughput, print_batch

    marked = set((folder / "batch-marked.txt").read_text().split())
    print_batch(batch_throughput(folder / "batch", marked))


def dask(folder: Path, runs: int) -> None:
    """The same folder through the local worker pool and through a real Dask cluster of 1 and 2
    one-thread workers on this machine, started as users start them."""
    from samplegen.servers import dask_cluster

    files = folder / "dask-batch"
    local = alone(smscan(str(files), "--json"), 1)
    line("16 files, local pool (default)", local)
    for workers in (1, 2):
        with dask_cluster(folder, workers, pythonpath=str(ROOT)) as address:
            on_dask = alone(smscan(str(files), "--json", "--dask", address), 1)
        assert verdicts(on_dask) == verdicts(local), "Dask and the local pool must give the same verdicts"
        (exit_code,) = verdicts(local)
        line(f"16 files, Dask, {workers} worker(s)", on_dask, local, "the local pool", their_exit=exit_code)


ROWS: dict[str, Callable[[Path, int], None]] = {
    "start-up": start_up,
    "scanned-page": scanned_page,
    "text-pdf": text_pdf,
    "long-report": long_report_memory,
    "scanned-pdf": scanned_pdf,
    "photo": photo,
    "gateway": gateway,
    "batch": batch,
    "dask": dask,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=list(ROWS), default=list(ROWS))
    args = parser.parse_args()
    print(f"median of {args.runs} runs each, alternated with the baseline; whole processes, default threads")
    with tempfile.TemporaryDirectory(prefix="smscan-bench-") as folder:
        subprocess.run([PYTHON, "-m", "bench.inputs", folder], cwd=ROOT, check=True)
        for name in args.only:
            ROWS[name](Path(folder), args.runs)


if __name__ == "__main__":
    main()
