"""`make bench`: speed figures as ratios against baselines measured in the same run.

Baseline for a scanned page: the naive `pytesseract.image_to_string(page, lang="eng+fra")` on the
same A4 page at 300 dpi, with Tesseract's default threading, as a first version would do it.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPEATS = 3

from bench.timing import best_of  # noqa: E402


def scanned_a4_page():
    from PIL import Image

    from tests.compose import BODY, memo_pdf, render, scanned

    dense = (BODY * 7)[:40]
    return scanned(render(memo_pdf(dense, header="PROTECTED B", stamp="CONFIDENTIAL"), dpi=300)).convert("RGB"), Image


def naive_baseline(page) -> float:
    import pytesseract

    # The naive call as a first version makes it: Tesseract's default threading, no tuning.
    saved = os.environ.pop("OMP_THREAD_LIMIT", None)
    try:
        return best_of(lambda: pytesseract.image_to_string(page, lang="eng+fra"), repeats=2)
    finally:
        if saved is not None:
            os.environ["OMP_THREAD_LIMIT"] = saved


def page_scan(page, detectors: list[str] | None) -> float:
    from scanner import Scanner
    from tests.compose import encoded

    scanner = Scanner(detectors=detectors)
    data = encoded(page, "PNG")
    report = scanner.scan_bytes(data, filename="page.png")
    assert report.blocked, "the bench page carries markings: a pass would mean a broken check"
    return best_of(lambda: scanner.scan_bytes(data, filename="page.png"))


def batch_throughput(count: int = 16) -> dict[str, float]:
    """Seconds for one folder of scanned memos: 1 worker on one core, 1 worker as the command runs
    it (OpenCV's own threads may use the second core), and 2 worker processes."""
    import tempfile

    from scanner.engine import expand_paths, scan_many
    from scanner.policy import Policy
    from tests.compose import encoded, memo_pdf, render, scanned

    with tempfile.TemporaryDirectory() as folder:
        for i in range(count):
            header = "PROTECTED B" if i % 2 else None
            page = scanned(render(memo_pdf(header=header), dpi=200), seed=i)
            (Path(folder) / f"memo_{i:02d}.jpg").write_bytes(encoded(page, "JPEG", quality=85))
        files = expand_paths([folder])
        cores = sorted(os.sched_getaffinity(0))

        def batch(workers: int, one_core: bool) -> float:
            os.sched_setaffinity(0, set(cores[:1]) if one_core else set(cores))
            started = time.perf_counter()
            blocked = sum(r.blocked for r in scan_many(files, Policy.default(), workers))
            os.sched_setaffinity(0, set(cores))
            assert blocked == count // 2, f"{blocked} of {count} blocked: the bench folder is misread"
            return time.perf_counter() - started

        return {"one core": batch(1, True), "1 worker": batch(1, False), "2 workers": batch(2, False)}


def extra_benches() -> dict[str, dict[str, float]]:
    """Per-check benches that live beside this file (bench_logo.py, bench_face.py, ...)."""
    figures = {}
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        function = getattr(module, path.stem, None)
        if callable(function):
            figures[path.stem.removeprefix("bench_")] = function()
    return figures


def main() -> None:
    batch = batch_throughput()
    page, _ = scanned_a4_page()
    baseline = naive_baseline(page)
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # our figures: one core
    markings = page_scan(page, ["marking"])
    everything = page_scan(page, None)
    print(f"Scanned A4 page, 300 dpi ({page.width}x{page.height}), best of {REPEATS}:")
    print(f"  baseline  pytesseract.image_to_string, default threads : {baseline:6.2f} s  (1.00x)")
    print(f"  smscan    markings check, one core                     : {markings:6.2f} s  ({markings / baseline:.2f}x)")
    print(f"  smscan    every check, one core                        : {everything:6.2f} s  "
          f"({everything / baseline:.2f}x)")
    two = batch["2 workers"]
    print(f"Batch of 16 scanned memos, every check: 1 worker on one core {batch['one core']:.1f} s, "
          f"1 worker {batch['1 worker']:.1f} s, 2 workers {two:.1f} s")
    print(f"  throughput, 2 workers: {batch['one core'] / two:.2f}x one worker on one core, "
          f"{batch['1 worker'] / two:.2f}x one worker free to use both cores")
    for name, figures in extra_benches().items():
        shown = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
        print(f"  {name}: {shown}")


if __name__ == "__main__":
    main()
