"""Result types shared by every stage: frozen, JSON-ready dataclasses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

BBox = tuple[int, int, int, int]
"""x0, y0, x1, y1 in the pixels of the page raster the finding was made on."""


def box_union(boxes: Iterable[BBox]) -> BBox | None:
    """The smallest box holding them all; None for no boxes."""
    listed = list(boxes)
    if not listed:
        return None
    return (
        min(b[0] for b in listed),
        min(b[1] for b in listed),
        max(b[2] for b in listed),
        max(b[3] for b in listed),
    )


class Verdict(StrEnum):
    PASS = "pass"
    BLOCK = "block"


# Guideline sections of Statistics Canada's social media guidelines.
SECTION_SYMBOLS = "2.3"
SECTION_PRIVACY = "2.4"
SECTION_CONDUCT = "2.5"
SECTION_CONFIDENTIAL = "2.6"


@dataclass(frozen=True)
class Finding:
    kind: str  # marking, logo, face, pii, metadata, conduct, ...
    label: str  # precise name, e.g. "protected-b", "gc-signature"
    confidence: float  # 0..1
    page: int  # 1-based
    bbox: BBox | None
    evidence: str  # matched text or a short description
    section: str  # guideline section enforced, e.g. "2.6"
    part: str | None = None  # member inside a container (zip entry, attachment, word/media/...)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["confidence"] = round(self.confidence, 3)
        data["bbox"] = list(self.bbox) if self.bbox else None
        return data


@dataclass(frozen=True)
class PageResult:
    page: int
    width: int
    height: int
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class FileReport:
    path: str
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    blocking: tuple[Finding, ...] = ()  # the findings that caused a block verdict
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    consent: tuple[str, ...] = ()  # finding kinds the user declared consent for
    page_results: tuple[PageResult, ...] = ()

    @property
    def blocked(self) -> bool:
        return self.verdict is Verdict.BLOCK

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "verdict": str(self.verdict),
            "findings": [{**f.to_dict(), "blocks": f in self.blocking} for f in self.findings],
            "error": self.error,
            "pages": self.pages,
            "faces": self.count("face"),
            "consent": list(self.consent),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class MessageReport:
    """One e-mail: a report per part (subject, bodies, attachments) and the message's verdict."""

    verdict: Verdict
    parts: tuple[FileReport, ...] = ()
    error: str | None = None  # the message itself could not be read (it then blocks)

    @property
    def blocked(self) -> bool:
        return self.verdict is Verdict.BLOCK

    @property
    def blocked_parts(self) -> tuple[FileReport, ...]:
        return tuple(p for p in self.parts if p.blocked)

    def reason(self) -> str:
        """One short line: each blocked part with why, e.g. 'memo.pdf: marking protected-b'."""
        if self.error:
            return self.error
        return "; ".join(f"{p.path}: {_why(p)}" for p in self.blocked_parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict),
            "error": self.error,
            "parts": [p.to_dict() for p in self.parts],
        }


def _why(report: FileReport) -> str:
    if report.error:
        return report.error
    labels = dict.fromkeys(f"{f.kind} {f.label}" for f in report.blocking)  # de-duplicated, in order
    return ", ".join(labels)
