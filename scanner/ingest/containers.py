"""ZIP archives, Office Open XML documents (.docx .pptx .xlsx) and e-mail files: members become Pages.

Everything stays in memory and nothing is extracted to disk. Each member is decompressed
through a byte cap set by the file's Budget, so neither a lying header nor extreme
compression (a zip bomb) can make it cost more than the policy's limits. A member that cannot
be checked (encrypted, damaged, of an unknown binary type) blocks the whole file.

Text-only content (Office XML text, e-mail bodies, text files in archives) becomes a Page of
kind "text": words with empty boxes from the text, and a small blank raster so image checks
find nothing there.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import html
import io
import re
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.limits import Limits
from scanner.ingest.page import Document, Page, Word
from scanner.ingest.sniff import CONTAINER_TYPES, IMAGE_TYPES, sniff

TEXT_PAGE_SIDE = 32
# Text is cut into pages of this many lines, so findings say roughly where and max_pages bounds it.
TEXT_LINES_PER_PAGE = 500
# Members this small compress very well without being bombs (a page of spaces): the ratio
# limit applies from this size up.
RATIO_FLOOR_BYTES = 1 << 20
_READ_CHUNK = 1 << 16
_NO_BOX = (0, 0, 0, 0)
_MIB = 2**20


@dataclass
class Budget:
    """What one top-level file may still unpack, shared by every container nested in it."""

    limits: Limits
    unpacked: int = 0
    members: int = 0
    pages: int = 0

    def count_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise IngestError(f"too many members: more than {self.limits.max_members} (limit max_members), at {name}")

    def room(self) -> int:
        return self.limits.max_unpacked_bytes - self.unpacked

    def spend(self, size: int, name: str) -> None:
        self.unpacked += size
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise self.unpacked_error(name)

    def unpacked_error(self, name: str) -> IngestError:
        limit = self.limits.max_unpacked_bytes / _MIB
        return IngestError(f"too much to unpack: over {limit:g} MiB (limit max_unpacked_mb), at {name}")

    def count_pages(self, count: int, name: str) -> None:
        self.pages += count
        if self.pages > self.limits.max_pages:
            raise IngestError(f"too many pages: over {self.limits.max_pages} (limit max_pages), at {name}")


def load_container(data: bytes, kind: str, limits: Limits) -> Document:
    """A ZIP, Office document or e-mail as the pages of all its members, recursively."""
    try:
        pages = container_pages(kind, data, "", 1, Budget(limits))
    except (IngestError, MemoryError):
        raise
    except Exception as error:  # fail closed: a container we could not take apart is not checked
        raise IngestError(f"could not read {kind} container: {type(error).__name__}: {one_line(error)}") from None
    office = next((p.metadata["office_info"] for p in pages if "office_info" in p.metadata), None)
    return Document(kind, pages, {"office_info": office} if office else {})


def container_pages(kind: str, data: bytes, prefix: str, depth: int, budget: Budget) -> list[Page]:
    if depth > budget.limits.max_depth:
        where = prefix.rstrip("/") or "top level"
        raise IngestError(f"containers nested too deeply: level {depth} (limit max_depth {budget.limits.max_depth}), "
                          f"at {where}")
    if kind == "eml":
        return _eml_pages(data, prefix, depth, budget)
    archive = _open_zip(data, prefix)
    with archive:
        members = _listed_members(archive, prefix, budget)
        if kind == "ooxml":
            return _ooxml_pages(archive, members, prefix, depth, budget)
        return _zip_pages(archive, members, prefix, depth, budget)


# --- ZIP ---------------------------------------------------------------------------------


def _open_zip(data: bytes, prefix: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise IngestError(f"unreadable ZIP archive{_at(prefix)}: {one_line(error)}") from None


def _listed_members(archive: zipfile.ZipFile, prefix: str, budget: Budget) -> list[zipfile.ZipInfo]:
    """Members worth reading, after the checks their declared sizes allow (cheap, before any read)."""
    members = []
    declared = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = prefix + info.filename
        budget.count_member(name)
        if info.flag_bits & 0x1:
            raise IngestError(f"encrypted archive member {name}: its content cannot be checked")
        declared += info.file_size
        if declared > budget.room():
            raise budget.unpacked_error(name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > budget.limits.max_ratio:
            raise _ratio_error(name, ratio, budget.limits)
        members.append(info)
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: Budget) -> bytes:
    """The member's bytes, decompressed in chunks under a cap: header sizes are not trusted.

    (CPython's zipfile also stops at the declared size and then fails the CRC check; the cap
    keeps us safe whatever the reader does.)"""
    limits = budget.limits
    cap = min(budget.room(), limits.max_file_bytes)
    chunks, total = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                total += len(chunk)
                if total > cap:
                    if cap == budget.room():
                        raise budget.unpacked_error(name)
                    raise IngestError(f"archive member too large: over {limits.max_file_bytes / _MIB:g} MiB "
                                      f"(limit max_file_mb), at {name}")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        raise IngestError(f"damaged archive member {name}: {one_line(error)}") from None
    budget.spend(total, name)
    return b"".join(chunks)


def _ratio_error(name: str, ratio: float, limits: Limits) -> IngestError:
    return IngestError(f"compression ratio over {limits.max_ratio:g} (limit max_ratio; {ratio:.0f}:1 or more), "
                       f"at {name}: possible zip bomb")


def _zip_pages(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str, depth: int, budget: Budget
) -> list[Page]:
    pages = []
    for info in members:
        name = prefix + info.filename
        data = _read_member(archive, info, name, budget)
        if _is_apple_double(info.filename, data):
            continue  # macOS resource forks (__MACOSX/._x): Finder attributes, not content
        pages.extend(member_pages(data, name, depth, budget))
    return pages


def _is_apple_double(filename: str, data: bytes) -> bool:
    return filename.startswith("__MACOSX/") and data[:4] == b"\x00\x05\x16\x07"


# --- members -----------------------------------------------------------------------------


def member_pages(data: bytes, name: str, depth: int, budget: Budget, kind: str | None = None) -> list[Page]:
    """One member of a container: a nested container, an image, a PDF, or text; anything else blocks."""
    if not data:
        return []  # an empty member holds nothing to check
    kind = kind or sniff(data)
    if kind in CONTAINER_TYPES:
        return container_pages(kind, data, f"{name}/", depth + 1, budget)
    if kind == "pdf" or kind in IMAGE_TYPES:
        pages = _leaf_document(data, kind, name, budget.limits).pages
    else:
        text = decoded_text(data)
        if text is None:
            raise IngestError(f"cannot check member {name}: not an image, PDF, Office document, archive, "
                              "e-mail or text")
        pages = text_pages(markup_lines(text) if _is_markup(name, text) else text.splitlines(), name)
    for page in pages:
        page.part = name
    budget.count_pages(len(pages), name)
    return pages


def _leaf_document(data: bytes, kind: str, name: str, limits: Limits) -> Document:
    try:
        if kind == "pdf":
            from scanner.ingest.pdf import load_pdf

            return load_pdf(data, limits)
        from scanner.ingest.image import load_image

        return load_image(data, kind, limits)
    except IngestError as error:
        raise IngestError(f"{name}: {error}") from None


def decoded_text(data: bytes) -> str | None:
    """The member as text when it is text (UTF-8/16, or Windows-1252 as older tools write it), else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:8192]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n\f")
    if controls > len(sample) / 100 or sample.count("\ufffd") > len(sample) / 100:
        return None
    return text


def _is_markup(name: str, text: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix in {".html", ".htm", ".xhtml", ".xml", ".svg"} or text.lstrip().startswith("<")


_DROPPED = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<!\[CDATA\[|\]\]>", re.S | re.I)
# Closing a block (HTML, or any XML element named like one: text:p, text:h, w:p) ends a line.
_LINE_BREAK = re.compile(
    r"</?(?:[\w.-]+:)?(?:p|div|br|li|tr|td|th|h|h[1-6]|title|table|ul|ol|section|article|header|footer|"
    r"blockquote|pre|list-item|table-cell|table-row)\b[^>]*>",
    re.I,
)
_SPACE_TAG = re.compile(r"<(?:[\w.-]+:)?(?:s|tab|line-break)\b[^>]*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")


def markup_lines(text: str) -> list[str]:
    """Readable lines of HTML or XML: tags dropped, blocks on lines of their own, entities decoded."""
    text = _DROPPED.sub(" ", text)
    text = _LINE_BREAK.sub("\n", text)
    text = _SPACE_TAG.sub(" ", text)
    return html.unescape(_TAG.sub("", text)).splitlines()


def text_pages(lines: Iterable[str], part: str | None) -> list[Page]:
    """Pages of kind "text": words from the lines (one line id per line), no raster worth looking at."""
    lines = list(lines)
    pages = []
    for start in range(0, len(lines), TEXT_LINES_PER_PAGE):
        words = _words(lines[start : start + TEXT_LINES_PER_PAGE], start)
        if words:
            pages.append(text_page(start // TEXT_LINES_PER_PAGE + 1, words, part))
    return pages


def text_page(number: int, words: tuple[Word, ...], part: str | None, metadata: dict[str, Any] | None = None) -> Page:
    size = (TEXT_PAGE_SIDE, TEXT_PAGE_SIDE)
    return Page(number, "text", _blank, size, text_layer=words, needs_ocr=False, metadata=metadata, part=part)


def _words(lines: list[str], first_line: int) -> tuple[Word, ...]:
    return tuple(
        Word(token, _NO_BOX, 1.0, first_line + offset, "text-layer")
        for offset, line in enumerate(lines)
        for token in line.split()
    )


def _blank() -> np.ndarray:
    return np.full((TEXT_PAGE_SIDE, TEXT_PAGE_SIDE, 3), 255, np.uint8)


def text_document(text: str, name: str) -> Document:
    """Plain or HTML text (an e-mail body) as a Document of text pages."""
    lines = markup_lines(text) if _is_markup(name, text) else text.splitlines()
    return Document("text", text_pages(lines, name), {})


# --- Office Open XML ---------------------------------------------------------------------

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


def _ooxml_pages(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str, depth: int, budget: Budget
) -> list[Page]:
    pages: list[Page] = []
    office_info: dict[str, str] = {}
    for info in members:
        name, full = info.filename, prefix + info.filename
        lower = name.lower()
        if lower in ("docprops/core.xml", "docprops/app.xml"):
            office_info.update(_properties(_read_member(archive, info, full, budget), full))
        elif lower.endswith(".xml") and lower != "[content_types].xml":
            found = text_pages(ooxml_text_lines(_read_member(archive, info, full, budget), full), full)
            budget.count_pages(len(found), full)
            pages.extend(found)
        elif _OOXML_SHOWN.search(lower):
            pages.extend(member_pages(_read_member(archive, info, full, budget), full, depth, budget))
    if office_info:
        pages.insert(0, _properties_page(office_info, prefix + "docProps/core.xml"))
    return pages


def ooxml_text_lines(data: bytes, name: str) -> list[str]:
    """Paragraphs of an Office XML part, in document order, one line each."""
    _refuse_dtd(data, name)
    lines: list[str] = []
    current: list[str] = []
    try:
        for _, element in ElementTree.iterparse(io.BytesIO(data), events=("end",)):
            local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
            if local in _OOXML_TEXT:
                current.append(element.text or "")
            elif local in _OOXML_SPACE:
                current.append(" ")
            elif local in _OOXML_LINE and current:
                lines.append("".join(current))
                current = []
            element.clear()  # keep memory flat on large sheets
    except ElementTree.ParseError as error:
        raise IngestError(f"damaged Office XML part {name}: {one_line(error)}") from None
    if current:
        lines.append("".join(current))
    return lines


def _properties(data: bytes, name: str) -> dict[str, str]:
    """Document properties (docProps/core.xml, app.xml): author, title, company..."""
    _refuse_dtd(data, name)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise IngestError(f"damaged Office XML part {name}: {one_line(error)}") from None
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
    return text_page(1, _words(lines, 0), part, {"office_info": office_info})


def _refuse_dtd(data: bytes, name: str) -> None:
    # Office XML never has a DTD; one here could only be an entity-expansion attack.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise IngestError(f"Office XML part {name} declares a DTD, which Office documents never do")


# --- e-mail ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """One content part of an e-mail: a body (as text lines) or an attachment (as bytes)."""

    name: str
    content_type: str
    data: bytes
    text: str | None = None  # text/* parts, decoded with their charset

    @property
    def is_message(self) -> bool:
        return self.content_type == "message/rfc822"


def parse_message(data: bytes) -> Message:
    try:
        return email.message_from_bytes(data, policy=email.policy.default)
    except Exception as error:  # the parser is lenient; anything it raises means damage
        raise IngestError(f"unreadable e-mail: {one_line(error)}") from None


def message_leaves(message: Message) -> list[Leaf]:
    """Every body and attachment, in order; an attached e-mail is one leaf (scanned as a container)."""
    leaves: list[Leaf] = []
    used: set[str] = set()
    for index, part in enumerate(_leaf_parts(message), 1):
        name = _unique(_part_name(part, index), used)
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            leaves.append(Leaf(name, content_type, _attached_message_bytes(part, name)))
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        text = _part_text(part, data) if part.get_content_maintype() == "text" else None
        leaves.append(Leaf(name, content_type, data, text))
    return leaves


def message_subject(message: Message) -> str:
    try:
        return " ".join(str(message.get("Subject", "") or "").split())
    except Exception:  # an undecodable header: scanned as it stands
        return " ".join(str(message.get_all("Subject", [""])[0]).split())


def _leaf_parts(part: Message) -> Iterator[Message]:
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart" and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaf_parts(sub)
    else:
        yield part


def _part_name(part: Message, index: int) -> str:
    filename = part.get_filename()
    if filename:
        return PurePosixPath(" ".join(str(filename).replace("\\", "/").split())).name or f"part{index}"
    content_type = part.get_content_type()
    if content_type == "text/plain":
        return "body.txt"
    if content_type == "text/html":
        return "body.html"
    if content_type == "message/rfc822":
        return f"message{index}.eml"
    return f"part{index}.{part.get_content_subtype()}"


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        stem, dot, suffix = name.rpartition(".")
        candidate = f"{stem}-{number}.{suffix}" if dot and stem else f"{name}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _attached_message_bytes(part: Message, name: str) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        raw = part.get_payload(decode=True)
        return raw if isinstance(raw, bytes) else b""
    try:
        return inner.as_bytes()
    except Exception as error:
        raise IngestError(f"unreadable attached e-mail {name}: {one_line(error)}") from None


def _part_text(part: Message, data: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name: read it as UTF-8 rather than not at all
        return data.decode("utf-8", errors="replace")


def _eml_pages(data: bytes, prefix: str, depth: int, budget: Budget) -> list[Page]:
    message = parse_message(data)
    pages = text_pages([message_subject(message)], prefix + "subject")
    for leaf in message_leaves(message):
        name = prefix + leaf.name
        budget.count_member(name)
        budget.spend(len(leaf.data), name)
        if leaf.text is not None:
            lines = markup_lines(leaf.text) if leaf.content_type == "text/html" else leaf.text.splitlines()
            found = text_pages(lines, name)
            budget.count_pages(len(found), name)
            pages.extend(found)
        else:
            pages.extend(member_pages(leaf.data, name, depth, budget, "eml" if leaf.is_message else None))
    return pages


def _at(prefix: str) -> str:
    return f" {prefix.rstrip('/')}" if prefix else ""
