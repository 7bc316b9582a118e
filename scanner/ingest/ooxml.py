"""Office Open XML documents (.docx .pptx .xlsx): the text of every XML part, the pictures under
media/ and embeddings/, and the document properties (author, company...)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
import zipfile

import defusedxml
import defusedxml.ElementTree as SafeTree

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.page import Page
from scanner.ingest.sheets import SHEET_PART, sheet_pages
from scanner.ingest.text import lines_as_words, text_page, text_pages
from scanner.ingest.zip import MemberReader, read_member

# Element local names: text runs (w:t, a:t, spreadsheet t, deleted tracked changes),
# what reads as a space, and what ends a line (paragraphs, shared strings, inline strings).
_OOXML_TEXT = {"t", "delText"}
_OOXML_SPACE = {"tab", "br", "cr"}
_OOXML_LINE = {"p", "si", "is"}
# Binary parts that carry what a reader sees; fonts, printer settings and VBA projects do not.
_OOXML_SHOWN = re.compile(r"(^|/)(media|embeddings)/|^docprops/thumbnail\.", re.I)
_CORE_PROPERTIES = {
    "creator": "creator",
    "lastModifiedBy": "last_modified_by",
    "title": "title",
    "subject": "subject",
    "keywords": "keywords",
    "description": "description",
    "category": "category",
    "contentStatus": "content_status",
    "Company": "company",
    "Manager": "manager",
    "Application": "application",
}
_PEOPLE = {"creator", "last_modified_by", "manager"}


def ooxml_pages(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str, depth: int, budget: Budget,
    member_pages: MemberReader,
) -> list[Page]:
    pages: list[Page] = []
    office_info: dict[str, str] = {}
    sheets: list[tuple[str, bytes]] = []  # read as tables once the shared strings are known
    shared: tuple[str, bytes] | None = None
    for info in members:
        name, full = info.filename, prefix + info.filename
        lower = name.lower()
        if lower in ("docprops/core.xml", "docprops/app.xml"):
            office_info.update(_properties(read_member(archive, info, full, budget), full))
        elif SHEET_PART.match(name) or lower == "xl/sharedstrings.xml":
            data = read_member(archive, info, full, budget)
            if lower == "xl/sharedstrings.xml":
                shared = (full, data)
            else:
                sheets.append((full, data))
        elif lower.endswith(".xml") and lower != "[content_types].xml":
            found = text_pages(ooxml_text_lines(read_member(archive, info, full, budget), full), full)
            budget.count_pages(len(found), full)
            pages.extend(found)
        elif _OOXML_SHOWN.search(lower):
            pages.extend(member_pages(read_member(archive, info, full, budget), full, depth, budget))
    pages.extend(sheet_pages(sheets, shared, budget))
    if office_info:
        pages.insert(0, _properties_page(office_info, prefix + "docProps/core.xml"))
    return pages


def ooxml_text_lines(data: bytes, name: str) -> list[str]:
    """Paragraphs of an Office XML part, in document order, one line each."""
    lines: list[str] = []
    current: list[str] = []
    try:
        for _, element in SafeTree.iterparse(io.BytesIO(data), events=("end",), forbid_dtd=True):
            local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
            if local in _OOXML_TEXT:
                current.append(element.text or "")
            elif local in _OOXML_SPACE:
                current.append(" ")
            elif local in _OOXML_LINE and current:
                lines.append("".join(current))
                current = []
            element.clear()  # keep memory flat on large sheets
    except defusedxml.DefusedXmlException:
        raise _dtd_error(name) from None
    except ElementTree.ParseError as error:
        raise _not_xml(name, error) from None
    if current:
        lines.append("".join(current))
    return lines


def _properties(data: bytes, name: str) -> dict[str, str]:
    """Document properties (docProps/core.xml, app.xml): author, title, company..."""
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise _dtd_error(name) from None
    except ElementTree.ParseError as error:
        raise _not_xml(name, error) from None
    found = {}
    for element in root:
        key = _CORE_PROPERTIES.get(str(element.tag).rpartition("}")[2])
        value = " ".join((element.text or "").split())
        if key and value:
            found[key] = value
    return found


def _properties_page(office_info: dict[str, str], part: str) -> Page:
    """Properties for the metadata check; the non-personal ones (title, status...) also as text."""
    lines = [value for key, value in office_info.items() if key not in _PEOPLE]
    return text_page(1, lines_as_words(lines, 0), part, {"office_info": office_info})


def _dtd_error(name: str) -> IngestError:
    # Office XML never has a DTD; one here could only be an entity-expansion or external-file attack.
    # The parser refuses it in any encoding (a byte search for '<!DOCTYPE' missed UTF-16 parts).
    return IngestError("Office XML part {part} declares a DTD, which Office documents never do", part=name)


def _not_xml(name: str, error: Exception) -> IngestError:
    return IngestError("damaged Office document: part {part} is not well-formed XML ({why})", part=name,
                       why=one_line(error))
