"""Scan generated damaged files and count what fail-closed forbids.

    python -m tools.fuzz.run --seed 11 --count 2000 [--checks marking,metadata] [--timeout 60] [--out runs.jsonl]

Each file is scanned with `Scanner.scan_bytes` in a worker process (so a hang or a native crash
costs one file, not the run); whatever the libraries write to stdout meanwhile is captured at the
file-descriptor level. Counted: exceptions out of scan_bytes, hangs, passes of files that must
block, reasons showing memory addresses or exception class names, and stdout written by libraries.
Exit status 1 when any was found.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from tools.fuzz.damage import Case, generate

# A reason a person cannot use: a memory address, or a Python/MuPDF exception class as a word.
UNUSABLE_REASON = re.compile(
    r"0x[0-9a-fA-F]{4,}|<[^>]* object at |\bFz[A-Z]\w*|\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b|Traceback"
)


def unusable_reason(reason: str | None) -> bool:
    return bool(reason and (UNUSABLE_REASON.search(reason) or "\n" in reason))


@dataclass
class Outcome:
    case: Case
    status: str  # "ok", "crash" (an exception out of scan_bytes), "hang" (over the timeout), "died"
    verdict: str | None = None
    reason: str | None = None
    stdout: str = ""
    detail: str = ""
    seconds: float = 0.0
    peak_mb: float = 0.0

    @property
    def silent_pass(self) -> bool:
        return self.case.must_block and self.verdict == "pass"

    @property
    def bad_reason(self) -> bool:
        return unusable_reason(self.reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.case.name, "kind": self.case.kind, "damage": self.case.damage,
            "must_block": self.case.must_block, "status": self.status, "verdict": self.verdict,
            "reason": self.reason, "stdout": self.stdout[:500], "detail": self.detail[-2000:],
            "seconds": round(self.seconds, 3), "peak_mb": round(self.peak_mb),
        }


def scan_captured(scanner: Any, case: Case) -> dict[str, Any]:
    """One scan with fd 1 redirected to a file, so that C libraries' printing is caught too."""
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 1)
        try:
            report = scanner.scan_bytes(case.data, filename=case.name)
            result = {"status": "ok", "verdict": str(report.verdict), "reason": report.error}
        except BaseException as error:  # exactly what must never happen: recorded, not raised
            result = {"status": "crash", "detail": "".join(traceback.format_exception(error))}
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        captured.seek(0)
        result["stdout"] = captured.read().decode("utf-8", "replace")
    return result


def _worker(connection: Connection, checks: list[str] | None, ocr: bool) -> None:
    from scanner import Scanner

    scanner = Scanner(detectors=checks, ocr=ocr)
    connection.send("ready")
    while True:
        case = connection.recv()
        if case is None:
            return
        began = time.perf_counter()
        result = scan_captured(scanner, case)
        result["seconds"] = time.perf_counter() - began
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        connection.send(result)


@dataclass
class Pool:
    """One worker process, replaced when it hangs or dies."""

    checks: list[str] | None
    ocr: bool
    timeout: float
    process: Any = None
    connection: Connection | None = None
    started: int = field(default=0)

    def start(self) -> None:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_worker, args=(theirs, self.checks, self.ocr), daemon=True)
        self.process.start()
        self.connection = ours
        if not ours.poll(300) or ours.recv() != "ready":
            raise RuntimeError("fuzz worker did not start")
        self.started += 1

    def scan(self, case: Case) -> Outcome:
        if self.process is None or not self.process.is_alive():
            self.start()
        assert self.connection is not None
        began = time.perf_counter()
        self.connection.send(case)
        try:
            ready = self.connection.poll(self.timeout)
            result = self.connection.recv() if ready else None
        except (EOFError, OSError):
            self.stop()
            return Outcome(case, "died", detail="worker process died", seconds=time.perf_counter() - began)
        if result is None:
            self.stop()
            return Outcome(case, "hang", detail=f"over {self.timeout:g} s", seconds=self.timeout)
        return Outcome(case, result.pop("status"), **result)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
        self.process = None

    def close(self) -> None:
        if self.process is not None and self.process.is_alive() and self.connection is not None:
            self.connection.send(None)
            self.process.join(10)
        self.stop()


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    kinds = Counter(o.case.kind for o in outcomes)
    return {
        "files": len(outcomes),
        "must_block": sum(o.case.must_block for o in outcomes),
        "crashes": sum(o.status == "crash" for o in outcomes),
        "hangs": sum(o.status == "hang" for o in outcomes),
        "died": sum(o.status == "died" for o in outcomes),
        "silent_passes": sum(o.silent_pass for o in outcomes),
        "unusable_reasons": sum(o.bad_reason for o in outcomes),
        "stdout_polluted": sum(bool(o.stdout) for o in outcomes),
        "blocked": sum(o.verdict == "block" for o in outcomes),
        "passed": sum(o.verdict == "pass" for o in outcomes),
        "crashes_by_kind": dict(Counter(o.case.kind for o in outcomes if o.status == "crash")),
        "silent_passes_by_kind": dict(Counter(o.case.kind for o in outcomes if o.silent_pass)),
        "files_by_kind": dict(sorted(kinds.items())),
        "slowest_s": round(max((o.seconds for o in outcomes), default=0.0), 1),
        "peak_mb": round(max((o.peak_mb for o in outcomes), default=0.0)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--checks", default=None, help="comma-separated checks (default: all)")
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a file is a hang")
    parser.add_argument("--out", default=None, help="write one JSON line per file here")
    parser.add_argument("--save", default=None, help="write every generated file into this folder")
    args = parser.parse_args(argv)
    cases = generate(args.seed, args.count)
    if args.save:
        os.makedirs(args.save, exist_ok=True)
        for index, case in enumerate(cases):
            with open(os.path.join(args.save, f"{index:05d}-{case.name}"), "wb") as out:
                out.write(case.data)
    checks = args.checks.split(",") if args.checks else None
    pool = Pool(checks, not args.no_ocr, args.timeout)
    outcomes = []
    log = open(args.out, "w") if args.out else None  # noqa: SIM115 (written line by line as files finish)
    try:
        for index, case in enumerate(cases):
            outcome = pool.scan(case)
            outcomes.append(outcome)
            if log:
                log.write(json.dumps({"index": index, **outcome.to_dict()}) + "\n")
                log.flush()
            if outcome.status != "ok" or outcome.silent_pass or outcome.bad_reason or outcome.stdout:
                print(f"{index:5d} {case.name} [{case.damage}] {outcome.status} {outcome.verdict} "
                      f"{(outcome.reason or outcome.detail.strip().splitlines()[-1:] or [''])!r:.160}",
                      file=sys.stderr)
    finally:
        pool.close()
        if log:
            log.close()
    summary = summarise(outcomes)
    print(json.dumps(summary, indent=1))
    bad = summary["crashes"] + summary["hangs"] + summary["died"] + summary["silent_passes"]
    return 1 if bad + summary["unusable_reasons"] + summary["stdout_polluted"] else 0


if __name__ == "__main__":
    sys.exit(main())
