"""`make bench`: speed figures as ratios against baselines measured in the same run.

Baseline for a scanned page: the naive `pytesseract.image_to_string(page, lang="eng+fra")` on the
same A4 page at 300 dpi, with Tesseract's default threading, as a first version would do it.
Baseline for a folder: the same `smscan DIR` command with one worker (bench/batch.py).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPEATS = 3

from bench.batch import batch_throughput, print_batch  # noqa: E402
from bench.timing import best_of  # noqa: E402


def scanned_a4_page():
    from PIL import Image

    from samplegen.documents import BODY, memo_pdf, render, scanned

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
    from samplegen.documents import encoded
    from scanner import Scanner

    scanner = Scanner(detectors=detectors)
    data = encoded(page, "PNG")
    report = scanner.scan_bytes(data, filename="page.png")
    assert report.blocked, "the bench page carries markings: a pass would mean a broken check"
    return best_of(lambda: scanner.scan_bytes(data, filename="page.png"))


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
    print_batch(batch)
    for name, figures in extra_benches().items():
        shown = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
        print(f"  {name}: {shown}")


if __name__ == "__main__":
    main()
