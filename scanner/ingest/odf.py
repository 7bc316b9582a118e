"""OpenDocument files (.odt .ods .odp, and their templates): the text of the content and of the
styles (where page headers and footers live), every table with its structure, the document's
properties (meta.xml: author, last editor, title...), and the pictures.

Members of no use to a reader (settings, the manifest, the previews LibreOffice keeps of embedded
objects, whose own content is read) are passed over; any other member is read for what it is, so
an embedded object smscan cannot read blocks the file rather than going unchecked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
import zipfile

import defusedxml
import defusedxml.ElementTree as SafeTree

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.ooxml import _properties_page
from scanner.ingest.page import Page
from scanner.ingest.table import table_pages
from scanner.ingest.text import TEXT_LINES_PER_PAGE, text_pages
from scanner.ingest.zip import MemberReader, read_member

_UNREAD = re.compile(r"^(mimetype|settings\.xml|manifest\.rdf|layout-cache|META-INF/.*|Configurations2/.*|"
                     r"(?:.*/)?ObjectReplacements/.*)$")
_PROPERTIES = {
    "initial-creator": "creator",
    "creator": "last_modified_by",
    "title": "title",
    "subject": "subject",
    "description": "description",
    "keyword": "keywords",
    "generator": "application",
}
_SPACES = {"s", "tab", "line-break", "soft-page-break"}
_PARAGRAPHS = {"p", "h"}
_CELLS = {"table-cell", "covered-table-cell"}
_MAX_COLUMNS = 1024  # of a sheet row: repeated empty cells to the sheet's edge (16384) are not spelled out
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def odf_pages(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str, depth: int, budget: Budget,
    member_pages: MemberReader,
) -> list[Page]:
    pages: list[Page] = []
    properties: dict[str, str] = {}
    for info in members:
        name, full = info.filename, prefix + info.filename
        if _UNREAD.match(name):
            continue
        data = read_member(archive, info, full, budget)
        if name == "meta.xml" or name.endswith("/meta.xml"):
            properties.update(_properties(data, full))
        elif name.endswith(".xml"):
            pages.extend(_xml_pages(data, full, budget))
        else:
            pages.extend(member_pages(data, full, depth, budget))
    if properties:
        pages.insert(0, _properties_page(properties, prefix + "meta.xml"))
    return pages


def _parsed(data: bytes, name: str) -> ElementTree.Element:
    try:
        return SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        # OpenDocument XML has no DTD; one here could only be an entity-expansion or external-file attack.
        raise IngestError("OpenDocument part {name} declares a DTD, which OpenDocument files never do",
                          name=name) from None
    except ElementTree.ParseError as error:
        raise IngestError("damaged OpenDocument part {name}: {why}", name=name, why=one_line(error)) from None


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _properties(data: bytes, name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in _parsed(data, name).iter():
        key = _PROPERTIES.get(_local(element.tag))
        value = " ".join((element.text or "").split())
        if key and value:
            found[key] = f"{found[key]}, {value}" if key == "keywords" and key in found else value
    return found


def _xml_pages(data: bytes, name: str, budget: Budget) -> list[Page]:
    """Paragraphs outside tables as text pages; each table as its own pages with its structure."""
    lines: list[str] = []
    tables: list[tuple[str | None, list[list[str]]]] = []
    _walk(_parsed(data, name), lines, tables, _row_room(budget))
    found = text_pages(lines, name)
    budget.count_pages(len(found), name)
    for sheet, rows in tables:
        found.extend(table_pages(rows, name, sheet, budget))
    return found


def _row_room(budget: Budget) -> int:
    return budget.limits.max_pages * TEXT_LINES_PER_PAGE


def _walk(element: ElementTree.Element, lines: list[str], tables: list, room: int) -> None:
    local = _local(element.tag)
    if local == "table" and element.tag.startswith(f"{{{_TABLE_NS}}}"):
        tables.append((element.get(f"{{{_TABLE_NS}}}name"), _rows(element, room)))
        return
    if local in _PARAGRAPHS:
        text = _inline(element)
        if text.strip():
            lines.append(text)
        return
    for child in element:
        _walk(child, lines, tables, room)


def _inline(element: ElementTree.Element) -> str:
    """A paragraph's text with its spans, spaces (<text:s/>), tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if _local(child.tag) in _SPACES else _inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _rows(table: ElementTree.Element, room: int) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in _table_rows(table):
        cells = _cells(row)
        if not any(cells):
            continue  # empty rows repeated to the sheet's end say nothing
        repeat = int(row.get(f"{{{_TABLE_NS}}}number-rows-repeated", "1") or 1)
        if len(rows) + repeat > room:
            raise IngestError("table too long: over {rows} rows (limit max_pages, {per} lines a page)",
                              rows=room, per=TEXT_LINES_PER_PAGE)
        rows.extend([cells] * repeat)
    return rows


def _table_rows(element: ElementTree.Element):
    """Rows of this table, through header-row and row-group wrappers, not those of tables nested in cells."""
    for child in element:
        local = _local(child.tag)
        if local == "table-row":
            yield child
        elif local in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _table_rows(child)


def _cells(row: ElementTree.Element) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if _local(cell.tag) not in _CELLS:
            continue
        text = " ".join(_inline(p) for p in cell.iter() if _local(p.tag) in _PARAGRAPHS).strip()
        repeat = int(cell.get(f"{{{_TABLE_NS}}}number-columns-repeated", "1") or 1)
        cells.extend([text] * min(repeat, _MAX_COLUMNS - len(cells)))
    while cells and not cells[-1]:
        cells.pop()
    return cells
