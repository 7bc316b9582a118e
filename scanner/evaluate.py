"""`smscan eval MANIFEST.csv`: recall per finding kind and false-block rate, per kind and group."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model import FileReport, Verdict


@dataclass(frozen=True)
class Case:
    path: Path
    shown: str
    expect: Verdict
    kinds: frozenset[str]
    group: str


@dataclass
class Tally:
    total: int = 0
    hits: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hits += int(hit)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass
class Evaluation:
    recall: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    false_block_by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    block_recall: Tally = field(default_factory=Tally)
    false_block: Tally = field(default_factory=Tally)
    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, report: FileReport) -> None:
        blocking_kinds = {f.kind for f in report.blocking}
        for kind in case.kinds:
            self.recall[kind].add(kind in blocking_kinds)
        correct = report.verdict == case.expect
        self.groups[case.group].add(correct)
        if case.expect is Verdict.BLOCK:
            self.block_recall.add(report.blocked)
        else:
            self.false_block.add(report.blocked)
            for kind in blocking_kinds:
                self.false_block_by_kind[kind] += 1
        if not correct or (case.kinds - blocking_kinds):
            found = ", ".join(sorted(f"{f.kind}/{f.label}" for f in report.blocking)) or report.error or "-"
            expected = f"expected {case.expect} {sorted(case.kinds)}"
            self.misses.append(f"{case.shown}: {expected}, got {report.verdict} ({found})")

    def to_dict(self) -> dict[str, object]:
        return {
            "recall": {k: {"rate": round(t.rate, 4), "n": t.total} for k, t in sorted(self.recall.items())},
            "false_block_rate": round(self.false_block.rate, 4),
            "negatives": self.false_block.total,
            "false_blocks_by_kind": dict(sorted(self.false_block_by_kind.items())),
            "block_recall": round(self.block_recall.rate, 4),
            "groups": {g: {"correct": round(t.rate, 4), "n": t.total} for g, t in sorted(self.groups.items())},
            "misses": self.misses,
        }


class ManifestError(ValueError):
    pass


def read_manifest(manifest: str | Path) -> list[Case]:
    manifest = Path(manifest)
    try:
        with manifest.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise ManifestError(f"cannot read manifest {manifest}: {error.strerror}") from None
    if not rows or not {"path", "expect"} <= set(rows[0]):
        raise ManifestError(f"{manifest}: needs a header with at least path,expect[,kinds,group]")
    cases = []
    for number, row in enumerate(rows, start=2):
        expect = (row.get("expect") or "").strip().lower()
        if expect not in ("pass", "block"):
            raise ManifestError(f"{manifest}:{number}: expect must be pass or block, not {expect!r}")
        kinds = frozenset(k.strip() for k in (row.get("kinds") or "").split(";") if k.strip())
        shown = row["path"].strip()
        group = (row.get("group") or "").strip() or (sorted(kinds)[0] if kinds else expect)
        cases.append(Case(manifest.parent / shown, shown, Verdict(expect), kinds, group))
    return cases
