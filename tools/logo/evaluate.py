"""Logo recall and false blocks of the logo check alone, on a labels.csv like the shared ones
(path, expect, kinds, group, and any further columns to break the figures down by).

    python tools/logo/evaluate.py ../shared/data/labels.csv ../shared/data/real/labels.csv
    python tools/logo/evaluate.py build/logo-heldout/labels.csv --by size,background,symbol,colour

A row counts as a logo if "logo" is among its kinds; every other row is a decoy for this check,
and a false block is a blocking logo finding on it. Where rows say which symbol they hold (the
composed sets' `symbol` column), a found logo is also checked for its name: the label a finding
gives is what the user is told was found. Blocking follows the default policy: 0.5 and
up, except `canada-flag`. No OCR (words come only from PDF text layers), so the figures are the
pictures' own. Imports only `scanner`, so it also measures another checkout's detector:
`PYTHONPATH=OTHER python tools/logo/evaluate.py ...`.

CPU time is the whole process's, every thread counted. By default the check runs as smscan's
worker processes run it in a batch: one OpenCV thread and one OpenBLAS thread (OpenCV's wheel
bundles its own OpenBLAS, whose idle threads spin on after each product: with them ~16 % more CPU
on the validation set). `--threads 0` runs OpenCV on its default threads, as `smscan FILE` checks
a single file.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

BLOCKING = 0.5
NOT_BLOCKING = {"canada-flag"}


def blocking_labels(detector, path: Path) -> tuple[list[str], float, float]:
    """Blocking logo labels found in a file, the CPU seconds spent and the megapixels seen."""
    from scanner.ingest import load

    document = load(path.read_bytes(), path.name)
    labels, seconds, megapixels = [], 0.0, 0.0
    for page in document.pages:
        rgb = page.rgb
        began = time.process_time()
        findings = detector.detect(page)
        seconds += time.process_time() - began
        megapixels += rgb.shape[0] * rgb.shape[1] / 1e6
        labels += [f.label for f in findings if f.confidence >= BLOCKING and f.label not in NOT_BLOCKING]
    return labels, seconds, megapixels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="+", type=Path)
    parser.add_argument("--by", default="group", help="comma-separated columns to break figures down by")
    parser.add_argument("--misses", action="store_true", help="list every miss and false block")
    parser.add_argument("--threads", type=int, default=1, help="OpenCV threads (0: its default; default: 1)")
    args = parser.parse_args(argv)
    from scanner.engine.pool import limit_openblas  # imports neither NumPy nor OpenCV

    limit_openblas()  # as smscan's workers run
    import cv2

    from scanner.detectors.logo.detector import LogoDetector
    from scanner.ingest import IngestError

    if args.threads > 0:
        cv2.setNumThreads(args.threads)
    detector = LogoDetector()
    columns = args.by.split(",")
    tally: dict[tuple[str, str, bool], list[int]] = defaultdict(lambda: [0, 0])
    wrong: list[str] = []
    named = [0, 0]  # found logos given their own symbol's label, of those found
    seconds = megapixels = 0.0
    for labels_file in args.labels:
        with open(labels_file, newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            is_logo = "logo" in row["kinds"].split(";")
            try:
                found, spent, seen = blocking_labels(detector, labels_file.parent / row["path"])
            except IngestError:
                continue  # a file that cannot be opened (encrypted, damaged) says nothing about logos
            seconds, megapixels = seconds + spent, megapixels + seen
            right = bool(found) == is_logo
            if is_logo and found and row.get("symbol"):
                named[0] += row["symbol"] in found
                named[1] += 1
                if row["symbol"] not in found:
                    wrong.append(f"named otherwise: {row['path']} {row['symbol']} -> {found}")
            for column in columns:
                cell = tally[(column, row.get(column) or "-", is_logo)]
                cell[0] += right
                cell[1] += 1
            if not right:
                wrong.append(f"{'missed' if is_logo else 'false block'}: {row['path']} {found}")
    total = {True: [0, 0], False: [0, 0]}
    for (column, _value, is_logo), (right, count) in tally.items():
        if column == columns[0]:
            total[is_logo][0] += right
            total[is_logo][1] += count
    print(
        f"logos found {total[True][0]}/{total[True][1]}; "
        f"false blocks {total[False][1] - total[False][0]}/{total[False][1]}; "
        f"{seconds / max(megapixels, 1e-9):.4f} CPU s per megapixel ({megapixels:.0f} MP)"
    )
    if named[1]:
        print(f"found logos named as their symbol: {named[0]}/{named[1]}")
    for column in columns:
        print(f"\nby {column}:")
        for (col, value, is_logo), (right, count) in sorted(tally.items()):
            if col == column:
                what = "found" if is_logo else "false blocks"
                shown = right if is_logo else count - right
                print(f"  {value:32s} {what:12s} {shown}/{count}")

    if args.misses:
        print("\n" + "\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
