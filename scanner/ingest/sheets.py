"""Excel sheets (.xlsx) as tables: every cell's value where it stands (shared strings resolved,
numbers and inline strings too), so the checks read rows as a person sees them and the table
check gets the sheet's structure. Shared strings no cell uses (text deleted from the sheet but
kept in the file) are read as text of their own.

Dates are stored as serial numbers whose look comes from the styles; they are read as numbers.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree

import defusedxml
import defusedxml.ElementTree as SafeTree

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.page import Page
from scanner.ingest.table import table_pages
from scanner.ingest.text import TEXT_LINES_PER_PAGE, limited_text_pages

SHEET_PART = re.compile(r"^xl/worksheets/sheet\d*\.xml$", re.I)
_MAX_COLUMNS = 1024  # cells further right are read too, after the first 1024 columns
_CELL_REFERENCE = re.compile(r"^([A-Z]{1,3})\d+$")


def sheet_pages(sheets: list[tuple[str, bytes]], shared: tuple[str, bytes] | None, budget: Budget) -> list[Page]:
    strings = _shared_strings(*shared) if shared else []
    used: set[int] = set()
    pages: list[Page] = []
    for name, data in sheets:
        pages.extend(table_pages(_rows(data, name, strings, used, budget), name, None, budget))
    unused = [text for index, text in enumerate(strings) if index not in used and text.strip()]
    if shared and unused:
        pages.extend(limited_text_pages(unused, shared[0], budget))
    return pages


def _parse_error(name: str, error: Exception) -> IngestError:
    if isinstance(error, defusedxml.DefusedXmlException):
        return IngestError("Office XML part {part} declares a DTD, which Office documents never do", part=name)
    return IngestError("damaged Office document: part {part} is not well-formed XML ({why})", part=name,
                       why=one_line(error))


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _shared_strings(name: str, data: bytes) -> list[str]:
    strings: list[str] = []
    try:
        for _, element in SafeTree.iterparse(io.BytesIO(data), events=("end",), forbid_dtd=True):
            if _local(element.tag) == "si":
                # Rich text runs (r/t) make one string; phonetic guides (rPh) are not shown text.
                strings.append("".join(t.text or "" for t in element.iter() if _local(t.tag) == "t"
                                       and not _in_phonetic(element, t)))
                element.clear()
    except (ElementTree.ParseError, defusedxml.DefusedXmlException) as error:
        raise _parse_error(name, error) from None
    return strings


def _in_phonetic(si: ElementTree.Element, text: ElementTree.Element) -> bool:
    return any(_local(child.tag) == "rPh" and text in child.iter() for child in si)


def _rows(data: bytes, name: str, strings: list[str], used: set[int], budget: Budget) -> list[list[str]]:
    room = budget.limits.max_pages * TEXT_LINES_PER_PAGE
    rows: list[list[str]] = []
    try:
        for _, element in SafeTree.iterparse(io.BytesIO(data), events=("end",), forbid_dtd=True):
            if _local(element.tag) != "row":
                continue
            cells = _cells(element, strings, used)
            element.clear()  # keep memory flat on large sheets
            if any(cells):
                rows.append(cells)
                if len(rows) > room:
                    raise IngestError("table too long: over {rows} rows (limit max_pages, {per} lines a page)",
                                      rows=room, per=TEXT_LINES_PER_PAGE)
    except (ElementTree.ParseError, defusedxml.DefusedXmlException) as error:
        raise _parse_error(name, error) from None
    return rows


def _cells(row: ElementTree.Element, strings: list[str], used: set[int]) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if _local(cell.tag) != "c":
            continue
        value = _value(cell, strings, used)
        column = _column(cell.get("r", ""), len(cells))
        if column < _MAX_COLUMNS:
            cells.extend([""] * (column - len(cells)))
        cells.append(value)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _value(cell: ElementTree.Element, strings: list[str], used: set[int]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter() if _local(t.tag) == "t")
    value = next((child.text or "" for child in cell if _local(child.tag) == "v"), "")
    if kind == "s" and value.strip().isdigit():
        index = int(value)
        used.add(index)
        return strings[index] if index < len(strings) else ""
    if kind == "b":
        return "TRUE" if value.strip() == "1" else "FALSE"
    return value


def _column(reference: str, default: int) -> int:
    match = _CELL_REFERENCE.match(reference.upper())
    if not match:
        return default
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - ord("A") + 1
    return max(number - 1, default)
