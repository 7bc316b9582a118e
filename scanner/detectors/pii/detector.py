"""Personal data in a page's text (guideline 2.4): e-mail addresses, phone numbers, SINs,
dates of birth, health-card and passport numbers, street addresses (see identity.py).

Read line by line from the text layer and OCR, each line with the two lines before and after
it, and, on pictures, light text on a dark top or bottom band read on its own (the captions
burned into X-rays). Choices that keep ordinary numbers out:

* phone numbers need North American shape (area code and exchange start with 2-9) and
  separators or brackets; ten bare digits count only next to a word like "tel"/"cell".
  A 4-digit last group also rules out numbers with thousands separators (123 456 789).
* a SIN must pass the Luhn check and not start with 0 or 8 (never issued to people).
  Hyphenated 3-3-3 counts on its own; space-grouped 3-3-3 (which is also how French and
  Canadian tables write big numbers) or nine bare digits only with "SIN"/"NAS"/
  "social insurance"/"assurance sociale" nearby, or alone on an otherwise number-free line.
* the Agency's public corporate contacts (toll-free line, infostats mailbox...) are
  published on every release; they are not personal and are not reported.
* an organisation's contact is told from a person's by its context (context.py): a toll-free
  number, a role mailbox (info@, media@), or two signs of a letterhead or footer (the page's
  top or bottom band, an organisation's name, "Fax", "Head office"/"Siège social", "Tel.",
  a website, a street address or postal code beside it) make it `org-phone`, `org-email` or
  `org-address`, reported but not blocking; words such as "cell", "home", "call me" keep it a
  person's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from scanner.detectors import Detector
from scanner.detectors.pii import identity
from scanner.detectors.pii.context import (
    TOLL_FREE_AREAS,
    folded,
    in_page_band,
    is_personal_context,
    is_role_mailbox,
    organisation_evidence,
)
from scanner.geometry import BBox, box_union, overlap_of_smaller
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
# Light text on a dark picture (an X-ray's caption) is read from the top and bottom
# DARK_BAND_SHARE-th of the picture, inverted, when the band's median grey is at most this.
DARK_BAND_SHARE = 8
DARK_BAND_LEVEL = 100


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


def text_line(words: Sequence[Word]) -> TextLine:
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


def find_emails(text: str, organisation: bool) -> list[PiiMatch]:
    found = []
    for match in _EMAIL.finditer(text):
        address = re.sub(r"\s", "", match.group()).lower()
        if address in PUBLIC_AGENCY_EMAILS:
            continue
        local, _, domain = address.partition("@")
        shown = f"{local[:1]}***@{domain}"  # enough to find it, not to re-share it
        label = "org-email" if organisation or is_role_mailbox(address) else "email"
        found.append(PiiMatch(label, match.start(), match.end(), 0.95, shown))
    return found


def find_phones(text: str, context: str, organisation: bool) -> list[PiiMatch]:
    found = []
    for match in _PHONE.finditer(text):
        number = _phone_core(match)
        if number in PUBLIC_AGENCY_PHONES:
            continue
        found.append(PiiMatch(_phone_label(number, organisation), match.start(), match.end(), 0.85, mask(number, 4)))
    if _PHONE_WORDS.search(context):
        for match in _BARE_PHONE.finditer(text):
            number = match.group(1)
            if number in PUBLIC_AGENCY_PHONES or _overlaps(match.start(), match.end(), found):
                continue
            label = _phone_label(number, organisation)
            found.append(PiiMatch(label, match.start(), match.end(), 0.7, mask(number, 4)))
    return found


def _phone_label(number: str, organisation: bool) -> str:
    return "org-phone" if organisation or number[:3] in TOLL_FREE_AREAS else "phone"


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


def find_dobs(text: str, before: Sequence[str], after: Sequence[str]) -> list[PiiMatch]:
    """Dates of birth: a date after a DOB keyword (same line, or the label on the line above),
    or after a patient caption's sex marker; blocking only with a name on the line or next to it."""
    keywords = identity.has_dob_keyword(text)
    label_above = bool(before) and bool(identity.has_dob_keyword(before[-1])) and not identity.find_dates(before[-1])
    marker = identity.sex_marker(text)
    if not (keywords or label_above or marker):
        return []
    named = _names_near(text, before[-1:], after[:1])
    found = []
    for start, end in identity.find_dates(text):
        keyed = label_above or any(k_start < start for k_start, _ in keywords)
        if not keyed and not (marker and _name_before(text, start)):
            continue
        confidence = 0.92 if named else 0.5  # a birth date alone identifies nobody
        found.append(PiiMatch("dob", start, end, confidence, identity.mask_date(text[start:end])))
    return found


def _names_near(text: str, before: Sequence[str], after: Sequence[str]) -> bool:
    return any(identity.name_spans(line.split()) for line in (*before, text, *after))


def _name_before(text: str, position: int) -> bool:
    return bool(identity.name_spans(text[:position].split()))


def find_addresses(text: str, before: Sequence[str], after: Sequence[str], organisation: int) -> list[PiiMatch]:
    """A street address with a locality. A person's (home address, a name just above, or words
    such as "lives at") blocks; an organisation's (letterhead, company name, website) is reported."""
    street = identity.find_street(text)
    if street is None:
        return []
    block = " ".join((*before, text, *after))
    home = identity.says_home_address(block) or is_personal_context(folded(block))
    if not (identity.has_locality(" ".join((text, *after[:2]))) or home):
        return []
    named_above = bool(before) and _is_name_line(before[-1])
    if organisation and not home:
        label, confidence = "org-address", 0.8
    elif home or named_above:
        label, confidence = "address", 0.85
    else:
        label, confidence = "address", 0.5  # whose it is cannot be told: reported, not blocking
    start, end = street
    return [PiiMatch(label, start, end, confidence, _masked_street(text[start:end]))]


def _is_name_line(line: str) -> bool:
    tokens = line.split()
    spans = identity.name_spans(tokens)
    return bool(spans) and spans[0][0] <= 1 and spans[0][1] >= len(tokens) - 1


def _masked_street(street: str) -> str:
    """The street's number hidden, the rest shown so the line can be found."""
    return re.sub(r"\d", "*", street.strip())


def _overlaps(start: int, end: int, matches: list[PiiMatch]) -> bool:
    return any(start < m.end and m.start < end for m in matches)


_MAY_HOLD_PII = re.compile(r"[\d@]")


def find_pii(
    text: str, before: Sequence[str] = (), after: Sequence[str] = (), *, in_band: bool = False
) -> list[PiiMatch]:
    """Every personal datum in one line of text. `before` and `after` are the lines around it
    (nearest last and first); `in_band` says the line sits in the page's letterhead or footer band."""
    if not _MAY_HOLD_PII.search(text):
        return []  # every datum looked for has a digit or an @: half the lines of five TeX manuals have neither
    block = " ".join((*before[-2:], text, *after[:2]))
    keyword_context = " ".join((*before[-1:], text))
    personal = is_personal_context(folded(block))
    signs = 0 if personal else organisation_evidence(folded(text), folded(block), in_band)
    beside_an_address = bool(identity.find_street(block) or identity.has_locality(block))
    organisation = signs + beside_an_address >= 2  # a street address or postal code: a letterhead's block
    sins = find_sins(text, keyword_context)
    ids = [*sins, *identity_matches(text, keyword_context, block)]
    phones = [p for p in find_phones(text, keyword_context, organisation) if not _overlaps(p.start, p.end, ids)]
    dobs = [d for d in find_dobs(text, before, after) if not _overlaps(d.start, d.end, ids)]
    addresses = find_addresses(text, before, after, signs)
    return find_emails(text, organisation) + phones + ids + dobs + addresses


def identity_matches(text: str, keyword_context: str, block: str) -> list[PiiMatch]:
    matches = [*identity.find_health_cards(text, keyword_context), *identity.find_passports(text, block)]
    return [PiiMatch(m.label, m.start, m.end, m.confidence, m.excerpt) for m in matches]


class PiiDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        findings: list[Finding] = []
        for lines in _passages(page):
            texts = [line.text for line in lines]
            for index, line in enumerate(lines):
                before, after = texts[max(0, index - 2) : index], texts[index + 1 : index + 3]
                for match in find_pii(line.text, before, after, in_band=_in_band(line, page)):
                    bbox = line.box(match.start, match.end)
                    if _already_found(findings, match.label, bbox):
                        continue
                    findings.append(
                        Finding(
                            kind="pii",
                            label=match.label,
                            confidence=match.confidence * _reading_confidence(line, match),
                            page=page.number,
                            bbox=bbox,
                            excerpt=match.excerpt,
                        )
                    )
        return findings


def _passages(page: Page) -> list[list[TextLine]]:
    """The page's lines, then any light text on a dark band read on its own (captions burned
    into X-rays and photos, which the page's OCR reads as picture)."""
    passages = [[text_line(words) for words in page.lines()]]
    dark_bands = light_on_dark_lines(page)
    if dark_bands:
        passages.append([text_line(words) for words in dark_bands])
    return passages


def light_on_dark_lines(page: Page) -> list[list[Word]]:
    """Words of the top and bottom bands of a picture when they are dark: read inverted."""
    if page.kind not in ("image", "frame", "pdf-image") or page.height < 8 * 16:
        return []
    gray = page.gray
    height = gray.shape[0]
    band = max(16, height // DARK_BAND_SHARE)
    lines: dict[tuple[int, int], list[Word]] = {}
    for top in (0, height - band):
        strip = gray[top : top + band]
        if float(np.median(strip)) > DARK_BAND_LEVEL:
            continue
        light = _light_marks_box(strip)
        if light is None:
            continue
        x0, y0, x1, y1 = light
        for word in page.read_block(np.ascontiguousarray(255 - strip[y0:y1, x0:x1])):
            a, b, c, d = word.bbox
            moved = (a + x0, b + y0 + top, c + x0, d + y0 + top)
            lines.setdefault((top, word.line), []).append(replace(word, bbox=moved))
    return list(lines.values())


LIGHT_MARK_LEVEL = 160  # grey above which a pixel of a dark band may be a caption's stroke
LIGHT_MARK_MARGIN = 12  # px kept around the strokes for the OCR


def _light_marks_box(strip: np.ndarray) -> tuple[int, int, int, int] | None:
    """Where a dark band has light strokes bigger than specks, with a margin; None when it has none.
    Only that part is read: a 12 MP sunset's dark foreground cost 0.6 s of OCR for no word."""
    marks = cv2.morphologyEx((strip > LIGHT_MARK_LEVEL).astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    points = cv2.findNonZero(marks)
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    m = LIGHT_MARK_MARGIN
    return max(0, x - m), max(0, y - m), min(strip.shape[1], x + w + m), min(strip.shape[0], y + h + m)


def _in_band(line: TextLine, page: Page) -> bool:
    box = line.box(0, len(line.text))
    return box is not None and in_page_band(box[1], box[3], page.height)


def _already_found(findings: list[Finding], label: str, bbox: BBox | None) -> bool:
    """The same datum read twice (page OCR and a dark band's own reading) is reported once."""
    return bbox is not None and any(
        f.label == label and f.bbox is not None and overlap_of_smaller(f.bbox, bbox) > 0.5 for f in findings
    )


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
