"""Result types shared by every stage: frozen, JSON-ready dataclasses.

`FileReport.to_dict()` is the stable output contract (`--json`, the drop page's API, the mail
gateway's logs). Its shape is described by `scanner/report/schema.json` (JSON Schema), tested
against real output. SCHEMA_VERSION changes only when a field is removed or changes meaning;
new fields may be added within a version, so readers must ignore fields they do not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scanner.geometry import BBox
from scanner.version import __version__

SCHEMA_VERSION = 2

LocalText = Mapping[str, str]
"""The same sentence in each language smscan speaks: {"en": ..., "fr": ...}."""


class Verdict(StrEnum):
    PASS = "pass"
    BLOCK = "block"


@dataclass(frozen=True)
class Finding:
    """One thing a check saw. Checks fill what they saw; the engine fills `section` and
    `message` from the check's declaration, so every finding speaks in the same words."""

    kind: str  # a kind its check declared: marking, logo, face, pii, metadata, conduct, ...
    label: str  # precise name, e.g. "protected-b", "gc-signature"
    confidence: float  # 0..1
    page: int  # 1-based
    bbox: BBox | None  # on the page raster (see scanner.geometry)
    detail: str = ""  # technical evidence for the curious: scores, inliers, the reading source
    excerpt: str = ""  # what was found, safe to show a person (personal data masked)
    part: str | None = None  # member inside a container (zip entry, attachment, word/media/...)
    section: str = ""  # guideline section, from the kind's declaration
    message: LocalText = field(default_factory=dict)  # what was found and what to do, per language

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "section": self.section,
            "confidence": round(self.confidence, 3),
            "page": self.page,
            "bbox": list(self.bbox) if self.bbox else None,
            "part": self.part,
            "message": dict(self.message),
            "excerpt": self.excerpt,
            "detail": self.detail,
        }


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
    error: str | None = None  # why the file could not be checked (English, one line)
    blocking: tuple[Finding, ...] = ()  # the findings that caused a block verdict
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    consent: tuple[str, ...] = ()  # finding kinds the user declared consent for
    page_results: tuple[PageResult, ...] = ()
    reason: LocalText = field(default_factory=dict)  # one line per language: why blocked; empty when passed
    warnings: tuple[str, ...] = ()  # what the scan could not do as well as usual (missing templates...)

    @property
    def blocked(self) -> bool:
        return self.verdict is Verdict.BLOCK

    @property
    def checked(self) -> bool:
        """False when the file could not be (fully) checked; it is then blocked."""
        return self.error is None

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "smscan_version": __version__,
            "path": self.path,
            "verdict": str(self.verdict),
            "checked": self.checked,
            "reason": dict(self.reason) or None,
            "error": self.error,
            "findings": [{**f.to_dict(), "blocks": f in self.blocking} for f in self.findings],
            "pages": self.pages,
            "faces": self.count("face"),
            "consent": list(self.consent),
            "warnings": list(self.warnings),
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

    def reason(self, language: str = "en") -> str:
        """One short line: each blocked part with why, e.g. 'memo.pdf: PROTECTED B marking (guideline 2.6)'."""
        if self.error:
            return self.error
        return "; ".join(f"{p.path}: {p.reason.get(language) or p.error or ''}" for p in self.blocked_parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "smscan_version": __version__,
            "verdict": str(self.verdict),
            "error": self.error,
            "parts": [p.to_dict() for p in self.parts],
        }
