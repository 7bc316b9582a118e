"""Identifiers of a person beyond contacts: a name next to a date of birth, health-card and
passport numbers, a home street address. English and French.

Each needs its keyword or its shape in context, as people write them on forms, letters and
the captions burned into medical images ("MEYER STEPHANIE [F] … DOB: 07.16.1953"):

* a date of birth counts with a keyword (DOB, Date of birth, Born, Né(e) le, Date de
  naissance, DDN) or, in a patient caption, a sex marker between the name and the date
  ("MARTIN CHAD [U] 01.01.2000"); it blocks only next to a name (same or adjacent line),
  because the guideline is about information related to other individuals;
* Ontario's health number (10 digits, optional 2-letter version code) only with a health-card
  keyword; Quebec's RAMQ number (4 letters + 8 digits whose middle encodes a valid birth month
  and day) with its keyword, or reported below the block level without one;
* a Canadian passport number (2 letters + 6 digits) only with "passport"/"passeport";
* a street address is a number, words and a street type, with a postal code, a province or
  state, or a "home address" keyword on the line or the next two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.detectors.pii.context import folded

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|"
    "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    "janv|fevr|fev|avr|juil|oct|dec"
)
# Dates in folded (lower-case, unaccented) text.
_NUMERIC_DATE = re.compile(r"(?<![\w.-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\w-]|\.\d)")
_WRITTEN_DATE = re.compile(
    rf"\b(?:(?:le\s+)?(\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+(\d{{4}})"
    rf"|(?:{_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}))\b"
)
_DOB_WORDS = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|date\s+of\s+b|born(?:\s+on)?|"
    r"date\s+de\s+naissance|ddn|d\.d\.n\.?|naissance)(?![a-z])"
)
# "Né le", "Née le", "Né(e) le": the accent is required, since "ne le" is ordinary French.
_NE_LE = re.compile(r"\b[Nn]é(?:e|\(e\))?\s+le\b|\bNÉ(?:E|\(E\))?\s+LE\b|\bN[ÉE]\(E\)\s+LE\b")
# A patient caption's sex marker: "[F]", "(M)", "Sex: F", "Sexe : M".
_SEX_MARKER = re.compile(r"[\[(][MFUOX][\])]|\bsexe?\s*:?\s*(?:m|f|male|female|homme|femme)\b", re.I)

_HEALTH_WORDS = re.compile(
    r"\b(?:health\s*(?:card|number|no|insurance|care)|ohip|hcn|phn|personal\s+health|ahcip|"
    r"carte\s*(?:sante|soleil|d'assurance\s+maladie|assurance\s+maladie)|assurance[\s-]*maladie|ramq|"
    r"numero\s+d'assurance\s+maladie|nam)\b"
)
_ONTARIO_HEALTH = re.compile(r"(?<![\w-])(\d{4})([\s-]?)(\d{3})\2(\d{3})(?:[\s-]?([A-Z]{2}))?(?![\w-])")
_RAMQ = re.compile(r"(?<![\w-])([A-Z]{4})\s?(\d{2})(\d{2})\s?(\d{2})(\d{2})(?![\w-])")

_PASSPORT_WORDS = re.compile(r"\b(?:passport|passeport)\b")
_PASSPORT = re.compile(r"(?<![\w-])([A-Z]{2})\s?(\d{6})(?![\w-])")

_STREET_TYPES_EN = (
    r"street|st|avenue|ave|av|road|rd|driveway|boulevard|blvd|drive|dr|crescent|cres|court|ct|lane|ln|way|place|pl|"
    r"terrace|terr|circle|cir|trail|trl|parkway|pkwy|highway|hwy|square|sq|grove|heights|row|private|close"
)
_STREET_TYPES_FR = r"rue|avenue|av|boulevard|boul|bd|chemin|ch|route|rang|place|montee|cote|allee|impasse|promenade"
_STREET_EN = re.compile(
    rf"(?<![\w.,-])(?:\d{{1,5}}-)?\d{{1,6}}[a-z]?\s+(?:[a-z0-9'-]+\s+){{1,4}}(?:{_STREET_TYPES_EN})\b\.?"
)
_STREET_FR = re.compile(rf"(?<![\w.,-])\d{{1,6}}[a-z]?,?\s+(?:{_STREET_TYPES_FR})\s+(?:[a-z'-]+\s*){{1,4}}")
_POSTAL_CODE = re.compile(r"\b[abceghj-nprstvxy]\d[abceghj-nprstv-z]\s?\d[abceghj-nprstv-z]\d\b")
_ZIP = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")  # on the original text: "CA 91324"
_PROVINCES = re.compile(
    r",\s*(?:on|qc|bc|ab|mb|sk|ns|nb|nl|pe|pei|nt|nu|yt|ont|que|ontario|quebec|alberta|manitoba|"
    r"saskatchewan|nova\s+scotia|new\s+brunswick|newfoundland|british\s+columbia)\b"
)
_HOME_ADDRESS = re.compile(
    r"\b(?:home\s+address|residential\s+address|mailing\s+address|lives\s+at|resides\s+at|"
    r"adresse\s+(?:du\s+domicile|personnelle|residentielle|de\s+residence)|domicile|habite\s+au?)\b"
)

_NAME_TOKEN = re.compile(r"^[A-ZÀ-Ý][A-Za-zÀ-ÿ'’-]*[a-zà-ÿA-ZÀ-Ý],?$")
_NAME_LABEL = re.compile(r"\b(?:name|nom|patient|client|employee|employe|applicant|demandeur)\s*:", re.I)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "m", "mme", "mlle", "me", "prof"})
# Capitalised words that are not names (form labels, headings, months, places of a caption).
_NOT_NAME_WORDS = (
    """the a an and of for to in on at by with from date birth dob born name nom patient sex sexe male female
    homme femme age id number no numero health card passport passeport address adresse home street city
    ville province postal code phone tel fax email courriel de du des la le les et au aux sur pour par
    naissance ne nee jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june
    july august september october november december janvier fevrier avril mai juin juillet aout septembre
    octobre novembre decembre monday tuesday wednesday thursday friday saturday sunday report rapport
    table figure page total canada ontario quebec statistics statistique government gouvernement ministry
    department university hospital clinic inc ltd corp company services office bureau form formulaire
    dear cher chere madame monsieur sir attention objet subject re ref copy signature signed"""
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


@dataclass(frozen=True)
class IdMatch:
    label: str  # dob, health-card, passport, address
    start: int  # in the line's text
    end: int
    confidence: float
    excerpt: str  # masked


def _valid_numeric_date(match: re.Match[str]) -> bool:
    a, b, c = int(match.group(1)), int(match.group(3)), int(match.group(4))
    if len(match.group(1)) == 4:  # 1976-06-16
        year, month, day = a, b, c
        return 1890 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31
    if len(match.group(4)) not in (2, 4):
        return False
    first, second = a, b  # 06.16.1976 or 16.06.1976: either order, one must be a month
    return 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12


def find_dates(text: str) -> list[tuple[int, int]]:
    """(start, end) of every date in the line (folded text keeps positions: accents fold 1:1)."""
    low = folded(text)
    spans = [m.span() for m in _NUMERIC_DATE.finditer(low) if _valid_numeric_date(m)]
    spans += [m.span() for m in _WRITTEN_DATE.finditer(low)]
    return sorted(spans)


def has_dob_keyword(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _DOB_WORDS.finditer(folded(text))] + [m.span() for m in _NE_LE.finditer(text)]


def name_spans(tokens: list[str]) -> list[tuple[int, int]]:
    """Token spans (first, last inclusive) that look like a person's name: 2-4 capitalised words
    that are no form label, or any capitalised words after "Name:"/"Patient:"/a title."""
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        labelled = index > 0 and (
            _NAME_LABEL.search(tokens[index - 1]) or folded(tokens[index - 1]).strip(".") in _TITLES
        )
        end = index
        while end < len(tokens) and _is_name_word(tokens[end]) and end - index < 4:
            end += 1  # "DOE, JOHN" keeps going: a comma may follow a name word
        size = end - index
        if size >= 2 or (size == 1 and labelled):
            spans.append((index, end - 1))
            index = end
        else:
            index += 1
    return spans


def _is_name_word(token: str) -> bool:
    return bool(_NAME_TOKEN.match(token)) and folded(token).strip(",.'’") not in _NOT_NAMES and len(token) >= 2


def mask_date(text: str) -> str:
    """Only the year's last digit is kept: enough to find it, not to learn the birthday."""
    digits = re.sub(r"\D", "", text)
    return "**.**." + "*" * 3 + digits[-1:] if digits else "****"


def find_health_cards(text: str, context: str) -> list[IdMatch]:
    keyword = bool(_HEALTH_WORDS.search(folded(context)))
    found = []
    if keyword:
        for match in _ONTARIO_HEALTH.finditer(text):
            digits = "".join(match.group(1, 3, 4))
            if len(set(digits)) > 1:
                found.append(IdMatch("health-card", match.start(), match.end(), 0.93, _masked(digits)))
    for match in _RAMQ.finditer(text):
        month, day = int(match.group(3)), int(match.group(4))
        if not (1 <= month <= 12 or 51 <= month <= 62) or not 1 <= day <= 31:
            continue  # the middle digits are the holder's birth month (+50 for women) and day
        if any(m.start < match.end() and match.start() < m.end for m in found):
            continue
        value = match.group(1) + "".join(match.group(2, 3, 4, 5))
        confidence = 0.95 if keyword else 0.55  # without its keyword: reported, below the block level
        found.append(IdMatch("health-card", match.start(), match.end(), confidence, "****" + _masked(value[4:])))
    return found


def find_passports(text: str, context: str) -> list[IdMatch]:
    if not _PASSPORT_WORDS.search(folded(context)):
        return []
    return [
        IdMatch("passport", m.start(), m.end(), 0.9, "**" + _masked(m.group(2)))
        for m in _PASSPORT.finditer(text)
    ]


def _masked(value: str, keep: int = 3) -> str:
    value = re.sub(r"\s", "", value)
    return "*" * max(0, len(value) - keep) + value[-keep:]


def find_street(text: str) -> tuple[int, int] | None:
    low = folded(text)
    match = _STREET_EN.search(low) or _STREET_FR.search(low)
    return match.span() if match else None


def has_locality(text: str) -> bool:
    """A postal code, a ZIP code after a state, or ", ON"-style province."""
    low = folded(text)
    return bool(_POSTAL_CODE.search(low) or _ZIP.search(text) or _PROVINCES.search(low))


def says_home_address(text: str) -> bool:
    return bool(_HOME_ADDRESS.search(folded(text)))


def sex_marker(text: str) -> bool:
    return bool(_SEX_MARKER.search(text))
