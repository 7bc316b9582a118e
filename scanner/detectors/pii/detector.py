"""Personal data in a page's text (guideline 2.4): e-mail addresses, phone numbers, SINs.

Read line by line from the text layer and OCR. Choices that keep ordinary numbers out:

* phone numbers need North American shape (area code and exchange start with 2-9) and
  separators or brackets; ten bare digits count only next to a word like "tel"/"cell".
  A 4-digit last group also rules out numbers with thousands separators (123 456 789).
* a SIN must pass the Luhn check and not start with 0 or 8 (never issued to people).
  Hyphenated 3-3-3 counts on its own; space-grouped 3-3-3 (which is also how French and
  Canadian tables write big numbers) or nine bare digits only with "SIN"/"NAS"/
  "social insurance"/"assurance sociale" nearby, or alone on an otherwise number-free line.
* the Agency's public corporate contacts (toll-free line, infostats mailbox...) are
  published on every release; they are not personal and are not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.detectors import Detector
from scanner.geometry import BBox, box_union
from scanner.ingest.page import Page, Word
from scanner.model import Finding

# Statistics Canada's published corporate contacts (statcan.gc.ca "Contact us").
PUBLIC_AGENCY_PHONES = frozenset(
    {
        "8002631136",  # national inquiries line
        "8883897800",  # toll-free, fax / inquiries
        "6139518116",  # national inquiries, local
        "8003637629",  # TTY
        "8772874369",  # fax line
        "5149839500",
        "6139514636",  # media relations
    }
)
PUBLIC_AGENCY_EMAILS = frozenset(
    {
        "infostats@statcan.gc.ca",
        "statcan.infostats-infostats.statcan@statcan.gc.ca",
        "statcan.mediahotline-ligneinfomedias.statcan@statcan.gc.ca",
        "media@statcan.gc.ca",
    }
)

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)
_PHONE = re.compile(
    r"(?<![\w+-])"
    r"(?:\+?1[\s.-]?)?"
    r"(?:\((?P<area1>[2-9]\d\d)\)\s?|(?P<area2>[2-9]\d\d)(?P<sep>[\s.-]))"
    r"(?P<exchange>[2-9]\d\d)[\s.-](?P<line>\d{4})"
    r"(?:\s?(?:ext\.?|x|poste)\s?\d{1,5})?"
    r"(?![\w-]|[.,]\d|\s\d)"
)
_BARE_PHONE = re.compile(r"(?<![\w.,-])(?:\+?1)?([2-9]\d\d[2-9]\d{6})(?![\w-]|[.,]\d)")
_PHONE_WORDS = re.compile(r"\b(?:tel|t[ée]l[ée]phone|phone|cell|mobile|fax|t[ée]l[ée]copieur|cellulaire)\b", re.I)
_SIN = re.compile(r"(?<![\w.,-])(\d{3})([\s-]?)(\d{3})\2(\d{3})(?![\w-]|[.,]\d|\s\d)")
_SIN_WORDS = re.compile(
    r"\b(?:SIN|NAS|S\.I\.N\.?|N\.A\.S\.?|social\s+insurance|assurance\s+sociale)\b", re.I
)
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class TextLine:
    text: str
    words: list[Word]
    starts: list[int]  # where each word begins in `text`

    def box(self, start: int, end: int) -> BBox | None:
        """Union of the boxes of the words that overlap text[start:end]."""
        return box_union(
            w.bbox for w, s in zip(self.words, self.starts, strict=True) if s < end and s + len(w.text) > start
        )


def text_line(words: list[Word]) -> TextLine:
    starts, parts, position = [], [], 0
    for word in words:
        starts.append(position)
        parts.append(word.text)
        position += len(word.text) + 1
    return TextLine(" ".join(parts), list(words), starts)


@dataclass(frozen=True)
class PiiMatch:
    label: str  # email, phone, sin
    start: int
    end: int
    confidence: float
    excerpt: str  # masked: enough to find it, not to re-share it


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask(value: str, keep: int = 3) -> str:
    """Evidence shows only the end of a number: the report must not leak it again."""
    digits = re.sub(r"\D", "", value)
    return "*" * max(0, len(digits) - keep) + digits[-keep:]


def find_emails(text: str) -> list[PiiMatch]:
    found = []
    for match in _EMAIL.finditer(text):
        address = re.sub(r"\s", "", match.group()).lower()
        if address in PUBLIC_AGENCY_EMAILS:
            continue
        local, _, domain = address.partition("@")
        shown = f"{local[:1]}***@{domain}"  # enough to find it, not to re-share it
        found.append(PiiMatch("email", match.start(), match.end(), 0.95, shown))
    return found


def find_phones(text: str, context: str) -> list[PiiMatch]:
    found = []
    for match in _PHONE.finditer(text):
        number = _phone_core(match)
        if number in PUBLIC_AGENCY_PHONES:
            continue
        found.append(PiiMatch("phone", match.start(), match.end(), 0.85, mask(number, 4)))
    if _PHONE_WORDS.search(context):
        for match in _BARE_PHONE.finditer(text):
            number = match.group(1)
            if number in PUBLIC_AGENCY_PHONES or _overlaps(match.start(), match.end(), found):
                continue
            found.append(PiiMatch("phone", match.start(), match.end(), 0.7, mask(number, 4)))
    return found


def _phone_core(match: re.Match[str]) -> str:
    area = match.group("area1") or match.group("area2")
    return f"{area}{match.group('exchange')}{match.group('line')}"


def find_sins(text: str, context: str) -> list[PiiMatch]:
    found = []
    keyword = bool(_SIN_WORDS.search(context))
    for match in _SIN.finditer(text):
        digits = "".join(match.group(1, 3, 4))
        if digits[0] in "08" or not luhn_valid(digits) or len(set(digits)) == 1:
            continue
        separator = match.group(2)
        alone = len(_DIGITS.findall(text)) == 9  # no other number on the line
        if keyword:
            confidence = 0.97
        elif separator == "-":
            confidence = 0.85
        elif separator == " " and alone:
            confidence = 0.7
        else:
            continue
        found.append(PiiMatch("sin", match.start(), match.end(), confidence, mask(digits)))
    return found


def _overlaps(start: int, end: int, matches: list[PiiMatch]) -> bool:
    return any(start < m.end and m.start < end for m in matches)


def find_pii(text: str, context: str = "") -> list[PiiMatch]:
    """Every personal datum in one line of text; `context` adds the line before it."""
    context = f"{context} {text}"
    sins = find_sins(text, context)
    phones = [p for p in find_phones(text, context) if not _overlaps(p.start, p.end, sins)]
    return find_emails(text) + phones + sins


class PiiDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        findings = []
        previous = ""
        for words in page.lines():
            line = text_line(words)
            for match in find_pii(line.text, previous):
                findings.append(
                    Finding(
                        kind="pii",
                        label=match.label,
                        confidence=match.confidence * _reading_confidence(line, match),
                        page=page.number,
                        bbox=line.box(match.start, match.end),
                        excerpt=match.excerpt,
                    )
                )
            previous = line.text
        return findings


def _reading_confidence(line: TextLine, match: PiiMatch) -> float:
    """OCR that was unsure of the words makes the finding less sure too."""
    scores = [
        w.confidence
        for w, s in zip(line.words, line.starts, strict=True)
        if s < match.end and s + len(w.text) > match.start
    ]
    if not scores:
        return 1.0
    return 0.7 + 0.3 * min(scores)
