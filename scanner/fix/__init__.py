"""A shareable copy: what the scan found, removed where it was found, and the copy scanned again.

`fix_bytes(scanner, data, filename=...)` scans the file with the scanner it is given, removes
the findings that can be removed, each only where its check found it, and scans the copy with the
same scanner. Nothing here looks for faces, text or symbols itself: ingest reads the file (one
sniffing, one pixel conversion, one definition of hidden text) and the checks say where, so what
the copy lacks is exactly what the scan reported.

* faces are blurred beyond recognition; personal data found in text and GoC corporate symbols
  are covered by a black box (`style` changes either);
* metadata and hidden content always go: EXIF, GPS, XMP, text chunks; PDF properties, XMP,
  annotations, attached files, scripts and hidden text;
* in PDFs the text under a region leaves the text layer and the images under it are rewritten
  (scanner.fix.pdf);
* security markings and abuse toward the Agency are never touched: a document marked PROTECTED does
  not become shareable by hiding the word, and abuse is rewritten by its author. When one of them
  blocks the file, no copy is made, and the result says why.

A fixable finding still found in the copy is covered again with a box, up to MAX_ROUNDS scans; one
that survives them leaves the copy blocked, and the result says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import TYPE_CHECKING

from scanner.errors import EXIT_BLOCKED, EXIT_PASS, EXIT_UNCHECKED
from scanner.fix.paint import Style, style_for
from scanner.geometry import overlaps
from scanner.i18n import N_, ntr, tr
from scanner.ingest.errors import IngestError
from scanner.ingest.sniff import IMAGE_TYPES, sniff
from scanner.messages import grouped, reason
from scanner.model import FileReport, Finding

if TYPE_CHECKING:
    from scanner.engine.scanner import Scanner

__all__ = ["FIXABLE_KINDS", "MAX_ROUNDS", "NEVER_FIXED", "FixResult", "Outcome", "Style", "fix_bytes"]

FIXABLE_KINDS = ("face", "pii", "logo")  # removed where found; `kinds` picks among them
ALWAYS_REMOVED = "metadata"  # the copy never carries metadata or hidden content
NEVER_FIXED = ("marking", "conduct")  # no copy is made when one of these blocks the file
MAX_ROUNDS = 3
_FIX_FORMATS = {"pdf", *IMAGE_TYPES}

NOT_A_FORMAT_FIX_WRITES = {
    "ooxml": N_("smscan fix does not rewrite Office documents: export it to PDF (File > Save as > PDF, or "
                "soffice --headless --convert-to pdf FILE) and fix the PDF"),
    "*": N_("smscan fix makes copies of images and PDFs only; remove what was found from the file itself"),
}

# How a kind was removed, by style: "2 faces of people: blurred".
_HOW = {
    Style.BOX: N_("{what}: covered"),
    Style.BLUR: N_("{what}: blurred"),
    Style.PIXELATE: N_("{what}: pixelated"),
    "removed": N_("{what}: removed"),
}


class Outcome(StrEnum):
    PASSES = "passes"  # the copy was made and passes
    STILL_BLOCKED = "still-blocked"  # the copy was made, but something in it still blocks it
    REFUSED = "refused"  # no copy: a marking or abuse blocks the file, which fix does not touch
    CANNOT = "cannot"  # no copy: fix does not write this format, or could not make a clean one
    UNCHECKED = "unchecked"  # no copy: the file could not be checked


@dataclass(frozen=True)
class FixResult:
    outcome: Outcome
    before: FileReport  # the file's scan
    after: FileReport | None = None  # the copy's scan, by the same scanner; None when no copy was made
    data: bytes | None = None  # the copy; None when none was made
    suffix: str = ""  # the copy's file type, as a suffix (".jpg")
    fixed: tuple[Finding, ...] = ()  # findings of the file that the copy no longer has
    untouched: tuple[Finding, ...] = ()  # findings that block and that fix leaves: markings, abuse, kinds kept
    left: tuple[Finding, ...] = ()  # fixable findings still found in the copy after every round
    style: Style | None = None  # the style asked for (None: faces blurred, the rest boxed)
    rounds: int = 0  # scans of a copy
    rewritten: bool = False  # the copy is a new file (False: the file passed as it was, and is its own copy)
    frames_dropped: int = 0  # frames the copy's format cannot hold (a multi-frame file as JPEG)
    why: str | None = None  # message id: why no copy was made (CANNOT), or None
    error: IngestError | None = field(default=None, compare=False)  # the fix's own failure, if any

    def changes(self, language: str) -> list[str]:
        """What the copy no longer has, one line per kind and label: "2 faces of people: blurred"."""
        lines = []
        for group in grouped(self.fixed):
            how = _HOW["removed"] if group.kind.name == ALWAYS_REMOVED else _HOW[style_for(group.kind.name, self.style)]
            lines.append(tr(language, how, what=group.phrase(language)))
        if self.rewritten:
            lines.append(tr(language, "metadata and hidden content: removed"))
        if self.frames_dropped:
            lines.append(ntr(language, "{n} frame left out: the copy's format holds one",
                             "{n} frames left out: the copy's format holds one", self.frames_dropped))
        return lines

    def why_not(self, language: str) -> str:
        """Why there is no copy, or why the copy still blocks; '' when it passes."""
        if self.outcome is Outcome.PASSES:
            return ""
        if self.outcome is Outcome.UNCHECKED:
            return self.before.reason.get(language, self.before.error or "")
        if self.outcome is Outcome.REFUSED:
            return tr(language, "no copy made: smscan fix does not remove {what}; a marked document must not be "
                      "shared, and abusive words are for their author to rewrite",
                      what=reason(tuple(f for f in self.untouched if f.kind in NEVER_FIXED), None, language))
        if self.outcome is Outcome.CANNOT:
            why = self.error.translated(language) if self.error else tr(language, self.why or "")
            return tr(language, "no copy made: {why}", why=why)
        lines = []
        kept = tuple(f for f in self.untouched if f.kind in FIXABLE_KINDS)
        other = tuple(f for f in self.untouched if f.kind not in FIXABLE_KINDS)
        if kept:
            lines.append(tr(language, "left in the copy, as asked: {what}", what=reason(kept, None, language)))
        if other:
            lines.append(tr(language, "smscan fix does not remove {what}", what=reason(other, None, language)))
        if self.left:
            lines.append(ntr(language, "still found after {n} scan of the copy: {what}",
                             "still found after {n} scans of the copy: {what}", self.rounds,
                             what=reason(self.left, None, language)))
        return "; ".join(lines) or (self.after.reason.get(language, "") if self.after else "")

    @property
    def exit_code(self) -> int:
        if self.outcome is Outcome.UNCHECKED:
            return EXIT_UNCHECKED
        return EXIT_PASS if self.outcome is Outcome.PASSES else EXIT_BLOCKED


def fix_bytes(scanner: Scanner, data: bytes, filename: str | None = None, *, kinds: Iterable[str] | None = None,
              style: Style | None = None, out_kind: str | None = None) -> FixResult:
    """Scan `data`, make the copy, scan the copy. `kinds` (default: all of FIXABLE_KINDS) are removed;
    `style` overrides how (default: faces blurred, the rest boxed); `out_kind` writes an image as
    another image type ("png"). The input bytes are never changed."""
    chosen = frozenset(FIXABLE_KINDS if kinds is None else kinds)
    before = scanner.scan_bytes(data, filename=filename, path=filename)
    if not before.checked:
        return FixResult(Outcome.UNCHECKED, before)
    untouched = tuple(f for f in before.blocking if f.kind not in chosen and f.kind != ALWAYS_REMOVED)
    if any(f.kind in NEVER_FIXED for f in untouched):
        return FixResult(Outcome.REFUSED, before, untouched=untouched)
    kind = sniff(data)
    if kind not in _FIX_FORMATS:
        if not before.blocked:  # nothing to remove: the file as it is passes
            return FixResult(Outcome.PASSES, before, before, data, _suffix(filename, kind))
        return FixResult(Outcome.CANNOT, before, untouched=untouched,
                         why=NOT_A_FORMAT_FIX_WRITES.get(str(kind), NOT_A_FORMAT_FIX_WRITES["*"]))
    return _fixed(scanner, data, kind, filename, before, chosen, style, out_kind, untouched)


def _fixed(scanner: Scanner, data: bytes, kind: str, filename: str | None, before: FileReport,
           chosen: frozenset[str], style: Style | None, out_kind: str | None,
           untouched: tuple[Finding, ...]) -> FixResult:
    policy = scanner.policy
    out_kind = out_kind if kind != "pdf" and out_kind in IMAGE_TYPES else kind
    shown = _copy_name(filename, out_kind)
    copy, current, targets, frames_dropped = data, kind, _targets(before, chosen, policy), 0
    after = before
    for round_number in range(1, MAX_ROUNDS + 1):
        chosen_style = style if round_number == 1 else Style.BOX  # what survived a blur gets a box

        def style_of(finding: Finding, chosen_style: Style | None = chosen_style) -> Style:
            return style_for(finding.kind, chosen_style)

        try:
            copy, frames_dropped = _one_round(copy, current, targets, style_of, scanner, out_kind)
        except IngestError as error:
            return FixResult(Outcome.CANNOT, before, untouched=untouched, rounds=round_number - 1,
                             why=error.template, error=error)
        current = out_kind
        after = scanner.scan_bytes(copy, filename=shown, path=shown)
        targets = _targets(after, chosen, policy) if after.checked else []
        if not targets:
            break
    fixed = tuple(f for f in _targets(before, chosen, policy) if not _still_there(f, after))
    outcome = Outcome.PASSES if not after.blocked else Outcome.STILL_BLOCKED
    return FixResult(outcome, before, after, copy, _suffix(shown, out_kind), fixed, untouched, tuple(targets),
                     style, round_number, True, frames_dropped)


def _one_round(data: bytes, kind: str, targets: list[Finding], style_of, scanner: Scanner,
               out_kind: str) -> tuple[bytes, int]:
    if kind == "pdf":
        from scanner.fix.pdf import fix_pdf

        return fix_pdf(data, targets, style_of), 0
    from scanner.fix.images import fix_image

    return fix_image(data, kind, targets, style_of, scanner.policy.limits, out_kind)


def _targets(report: FileReport, chosen: frozenset[str], policy) -> list[Finding]:
    """The findings fix removes: chosen kinds and metadata, unless the person has consent for the kind
    or the policy never blocks that label (the national flag in a photo is not a corporate symbol)."""
    return [f for f in report.findings
            if (f.kind in chosen or f.kind == ALWAYS_REMOVED) and f.kind not in policy.consent
            and policy.level(f.kind, f.label) is not None]


def _still_there(finding: Finding, after: FileReport) -> bool:
    for other in after.findings:
        if (other.kind, other.label, other.page, other.part) != (finding.kind, finding.label, finding.page,
                                                                 finding.part):
            continue
        if not finding.bbox or not other.bbox or overlaps(finding.bbox, other.bbox):
            return True
    return False


def _suffix(filename: str | None, kind: str | None) -> str:
    from scanner.fix.images import SUFFIXES

    if kind in SUFFIXES:
        return SUFFIXES[kind]
    if kind == "pdf":
        return ".pdf"
    return PurePath(filename).suffix if filename else ""


def _copy_name(filename: str | None, kind: str) -> str:
    stem = PurePath(filename).stem if filename else "copy"
    return f"{stem}-shareable{_suffix(filename, kind)}"
