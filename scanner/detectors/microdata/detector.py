"""Respondent-level records (guideline 2.6) in a table's structure (`page.metadata["table"]`, given
by ingest for CSV/TSV, spreadsheet sheets and tables in documents).

Each column gets a role from its header (English or French) and from its values: a direct
identifier (a person's name, SIN, e-mail, phone, street address, health number), a
quasi-identifier (date of birth, full postal code), a record key (respondent or case id), a
personal attribute (age, sex, income...) or an aggregate measure (total, count, %, rate...).

* `identified-records` (blocks): at least MIN_RECORDS rows, and a direct identifier column whose
  values differ row to row; or two quasi-identifiers; or one with a record key or two attributes.
* `records` (reported only): at least MIN_ANONYMOUS_RECORDS rows with a record key or three
  personal attributes, no identifier and no aggregate measure: anonymised microdata, which a
  public-use file also is.
An aggregate table (categories and measures) is neither. A column of names alone counts only when
its header says it is people's names, or beside another identifier: "Nova Scotia" and "New
Brunswick" look like names too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner.detectors import Detector
from scanner.detectors.metadata.detector import person_likelihood
from scanner.detectors.pii.detector import find_emails, find_phones, luhn_valid
from scanner.ingest.page import Page
from scanner.model import Finding
from scanner.textfold import lower_plain

MIN_RECORDS = 3
MIN_ANONYMOUS_RECORDS = 20
_BY_VALUES = 0.6  # of a column's filled cells that must look like a kind of value for the column to be it
_FILLED = 0.5  # of a column's cells that must be filled for its header to count
_DISTINCT = 0.8  # of an identifier column's values that must differ: one row per person
_QUASI_DISTINCT = 0.5  # postal codes and birth dates repeat more (a household shares one)

DIRECT = ("name", "sin", "email", "phone", "address", "health-number")
QUASI = ("birth-date", "postal-code")


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


# Header vocabulary, matched on the folded header (lower case, no accents, punctuation as spaces).
_HEADER_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sin", _words(r"^(sin|nas)( (no|number|numero))?$", r"social insurance", r"assurance sociale")),
    ("health-number", _words(r"health (card|number|insurance)", r"carte (de )?sante", r"assurance maladie",
                             r"^(ohip|ramq|hcn|phn)( (no|number))?$")),
    ("email", _words(r"e ?mail", r"courriel", r"adresse electronique")),
    ("phone", _words(r"phone", r"telephone", r"^tel\b", r"\bcell", r"mobile", r"^fax$", r"telecopieur")),
    ("postal-code", _words(r"postal", r"^zip( code)?$", r"postcode")),
    ("birth-date", _words(r"birth", r"^dob$", r"^ddn$", r"naissance")),
    ("address", _words(r"^(home |street |civic |mailing )?address( line \d)?$", r"^street\b", r"^adresse( civique)?$",
                       r"^rue$", r"adresse (postale|domicile)")),
    ("name", _words(r"^(full |first |last |given |family |middle |maiden )?names?$", r"^surname$",
                    r"^(nom|noms|prenom|prenoms|nom de famille|nom complet)$",
                    r"^(respondent|employee|client|patient|person|student|member|contact|participant|customer|"
                    r"applicant|child|parent|spouse|owner)s? (full )?name$",
                    r"^nom (du |de la |de l |de l')?(repondant|employe|client|patient|personne|etudiant|participant|"
                    r"membre|enfant|parent|conjoint)")),
    ("record-id", _words(r"^(id|ident|identifier|identifiant|pid|caseid|recid|respid|pumfid|seqno|serial)$",
                         r"^(respondent|record|case|person|household|questionnaire|dossier|repondant|menage|"
                         r"personne|cas) ?(id|no|number|num|identifier|identifiant|numero|key)$",
                         r"^(numero|no|num) (de |du )?(dossier|repondant|cas|personne|menage)$")),
    # A person's income is an attribute even when called "total income", as the census calls it;
    # "median income" is a measure.
    ("attribute", _words(r"^(total |gross |net |personal |employment )?(income|earnings|salary|wages)( \$)?$",
                         r"^revenu( total| brut| net| personnel| d'emploi)?( \$)?$")),
    ("measure", _words(r"\b(totals?|counts?|number of|nombre|percent|percentage|pourcentage|pct|rates?|taux|average|"
                       r"mean|moyenne|median|mediane|share|proportion|ratio|index|indice|estimates?|estimation|cv|"
                       r"coefficient|standard error|erreur type|confidence|intervalle|sum|somme|frequency|frequence|"
                       r"value|valeur|population|persons|personnes|households|menages|uom|scalar)\b", r"%")),
    ("attribute", _words(r"\b(age|sex|sexe|gender|genre|marital|matrimonial|income|revenu|salary|salaire|wages?|"
                         r"educ\w*|scolarite|diplome|occupation|profession|job|emploi|employer|employeur|ethnic\w*|"
                         r"race|religio\w*|disability|handicap|diagnos\w*|health|sante|citizenship|citoyennete|"
                         r"immigra\w*|indigenous|autochtone|aboriginal|mother tongue|langue maternelle|children|"
                         r"enfants|weight|poids|height|taille|smok\w*|fumeur|vote|voted)\b")),
)

_POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d$", re.I)
_NINE_DIGITS = re.compile(r"^(\d{3})[ -]?(\d{3})[ -]?(\d{3})$")
_NUMBER = re.compile(r"^[-+(]?[$€£]?\d[\d ,.']*%?\)?$|^[-+]?\.\d+$")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_NAMED_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTHS = re.compile(r"\b(jan|feb|fev|mar|apr|avr|may|mai|jun|juin|jul|juil|aug|aou|sep|oct|nov|dec)", re.I)


@dataclass(frozen=True)
class Column:
    header: str
    role: str | None
    how: str  # "header" or "values"
    distinct: float


class MicrodataDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        table: Any = page.metadata.get("table")
        if not table or not table.get("rows"):
            return []
        verdict = judge_table(table["rows"], int(table.get("row_count", len(table["rows"]))))
        if verdict is None:
            return []
        label, confidence, columns, records = verdict
        shown = ", ".join(c.header or c.role or "?" for c in columns)
        sheet = f" in {table['name']}" if table.get("name") else ""
        detail = "; ".join(f"{c.header or '(no header)'}: {c.role} by {c.how}, {c.distinct:.0%} distinct"
                           for c in columns)
        return [Finding(kind="microdata", label=label, confidence=confidence, page=page.number, bbox=None,
                        excerpt=f"{records} rows{sheet}: {shown}", detail=detail)]


def judge_table(rows: Sequence[Sequence[str]], row_count: int) -> tuple[str, float, list[Column], int] | None:
    """(label, confidence, the columns that decided, number of records), or None for a table that is
    not respondent-level."""
    width = max((len(row) for row in rows), default=0)
    grid = [[(row[i] if i < len(row) else "").strip() for i in range(width)] for row in rows]
    has_header = bool(grid) and looks_like_header(grid)
    header = grid[0] if has_header else [""] * width
    body = grid[1:] if has_header else grid
    records = row_count - has_header
    columns = [_column(header[i], [row[i] for row in body]) for i in range(width)]
    roles = {c.role for c in columns}
    direct = [c for c in columns
              if c.role in DIRECT and c.distinct >= _DISTINCT and (c.role != "name" or c.how == "header")]
    quasi = [c for c in columns if c.role in QUASI and c.distinct >= _QUASI_DISTINCT]
    names = [c for c in columns if c.role == "name" and c.how == "values" and c.distinct >= _DISTINCT]
    if (direct or quasi) and names:
        direct += names  # names found by their look count beside another identifier
    keys = [c for c in columns if c.role == "record-id" and c.distinct >= _DISTINCT]
    attributes = [c for c in columns if c.role == "attribute"]
    if records >= MIN_RECORDS:
        if direct:
            return "identified-records", 0.9, direct + quasi, records
        if len(quasi) >= 2 or (quasi and (keys or len(attributes) >= 2)):
            return "identified-records", 0.75, quasi + keys + attributes, records
    if records >= MIN_ANONYMOUS_RECORDS and "measure" not in roles and (keys or len(attributes) >= 3):
        return "records", 0.6, keys + attributes, records
    return None


def looks_like_header(grid: list[list[str]]) -> bool:
    """The first row names the columns: no number in it, and a header word, or a column of values
    under a word."""
    first = [cell for cell in grid[0] if cell]
    if not first or any(_is_number(cell) or _year_of(cell) for cell in first):
        return False
    if any(_header_role(cell) for cell in first):
        return True
    rest = grid[1:]
    for index, cell in enumerate(grid[0]):
        below = [row[index] for row in rest if row[index]]
        if cell and below and sum(_is_number(v) or bool(_year_of(v)) for v in below) >= _BY_VALUES * len(below):
            return True
    return False


def _column(header: str, values: list[str]) -> Column:
    filled = [v for v in values if v]
    distinct = len(set(filled)) / len(filled) if filled else 0.0
    role = _header_role(header)
    if role and role not in ("measure", "attribute") and len(filled) < _FILLED * max(len(values), 1):
        role = None  # a header over an empty column says nothing about the rows
    if role == "name" and _header_words(header) in _BARE_NAME_HEADERS and not _mostly(_looks_like_person, filled):
        role = None  # "Name" over companies, products or places
    if role:
        return Column(header, role, "header", distinct)
    role = _value_role(filled)
    return Column(header, role, "values", distinct)


def _header_words(header: str) -> str:
    return " ".join(re.sub(r"[^\w%']+", " ", lower_plain(header)).split())


def _header_role(header: str) -> str | None:
    folded = _header_words(header)
    if not folded:
        return None
    return next((role for role, pattern in _HEADER_ROLES if pattern.search(folded)), None)


_VALUE_TESTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("email", lambda v: bool(find_emails(v, organisation=False))),
    ("phone", lambda v: bool(find_phones(v, "", organisation=False))),
    ("sin", lambda v: _is_sin(v)),
    ("postal-code", lambda v: bool(_POSTAL_CODE.match(v))),
    ("name", lambda v: _looks_like_person(v)),
)
_BARE_NAME_HEADERS = {"name", "names", "nom", "noms"}


# Two capitalised words are a person's name to the eye, and so are most provinces: places are not people.
_PLACES = re.compile(
    r"\b(newfoundland|labrador|prince edward|nova scotia|new brunswick|nouveau brunswick|nouvelle ecosse|quebec|"
    r"ontario|manitoba|saskatchewan|alberta|british columbia|colombie britannique|yukon|northwest|nord ouest|"
    r"nunavut|canada|island|ile|county|comte|city|ville|region|district|territor\w*|province|municipal\w*|"
    r"bay|lake|lac|river|riviere|mount|mont|saint|sainte|st|ste|north|south|east|west|nord|sud|est|ouest)\b")


def _looks_like_person(value: str) -> bool:
    if any(ch.isdigit() for ch in value) or _PLACES.search(_header_words(value)):
        return False
    return person_likelihood(value) >= 0.9


def _mostly(test: Callable[[str], bool], filled: list[str]) -> bool:
    return bool(filled) and sum(map(test, filled)) >= _BY_VALUES * len(filled)


def _value_role(filled: list[str]) -> str | None:
    if not filled:
        return None
    for role, test in _VALUE_TESTS:
        if _mostly(test, filled):
            return role
    return "birth-date" if _birth_dates(filled) else None


def _is_sin(value: str) -> bool:
    match = _NINE_DIGITS.match(value)
    if not match:
        return False
    digits = "".join(match.groups())
    return digits[0] not in "08" and luhn_valid(digits) and len(set(digits)) > 1


def _birth_dates(filled: list[str]) -> bool:
    """Dates of people's births, not of a series: mostly dates, years spread over 15 or more, in no order."""
    years = [_year_of(v) for v in filled]
    dated = [y for y in years if y]
    if len(dated) < _BY_VALUES * len(filled) or len(dated) < MIN_RECORDS:
        return False
    latest = date.today().year - 10
    in_range = [y for y in dated if 1900 <= y <= latest]
    ordered = dated == sorted(dated) or dated == sorted(dated, reverse=True)
    return len(in_range) >= _BY_VALUES * len(dated) and max(dated) - min(dated) >= 15 and not ordered


def _year_of(value: str) -> int | None:
    for pattern, group in ((_ISO_DATE, 1), (_DAY_FIRST_DATE, 3)):
        match = pattern.match(value)
        if match:
            return int(match.group(group))
    if _MONTHS.search(value):
        match = _NAMED_DATE.search(value)
        if match:
            return int(match.group(1))
    return None


def _is_number(value: str) -> bool:
    return bool(_NUMBER.match(value)) and not _year_of(value)
