"""RTF documents, read by our own small parser: the text a reader sees (body, headers, footers,
footnotes, field results), tables with their structure, the document's properties (\\info: author,
operator, company...) and its pictures (PNG and JPEG blips go through the picture checks).

Groups that are not shown (font and colour tables, style sheets, field instructions, ignorable
destinations) are passed over; a picture in a format smscan cannot draw (WMF/EMF without a PNG
twin) or an embedded object (\\object: an OLE file inside) blocks the file, as in Office files.
A file whose groups do not close is damaged (cut short?) and blocks.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError
from scanner.ingest.inline import pictures_pages
from scanner.ingest.ooxml import _properties_page
from scanner.ingest.page import Page
from scanner.ingest.table import table_pages
from scanner.ingest.text import text_pages
from scanner.ingest.zip import MemberReader

_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word, optional parameter, its delimiting space
    r"|\\'([0-9a-fA-F]{2})"  # a byte in the document's code page
    r"|\\([^a-zA-Z'])"  # control symbol: \~ \- \_ \* \{ \} \\ and \<newline>
    r"|([{}])"
    r"|[\r\n]+"  # line ends in the file mean nothing
    r"|([^\\{}\r\n]+)"  # plain text
    r"|(\\)",  # a lone backslash at the very end
    re.S,
)
# Destinations whose text is never shown.
_UNSHOWN = {
    "fonttbl", "colortbl", "stylesheet", "listtable", "listoverridetable", "revtbl", "rsidtbl", "generator",
    "xmlnstbl", "mmathPr", "themedata", "colorschememapping", "datastore", "latentstyles", "pgdsctbl", "filetbl",
    "fldinst", "bkmkstart", "bkmkend", "pntext", "pntxta", "pntxtb", "listtext", "falt", "panose",
    "fname", "objclass", "objname", "userprops", "docvar", "xmlopen", "xmlclose", "wgrffmtfilter", "htmltag",
}  # fmt: skip
# Ignorable destinations ({\*\name ...}) that hold what a reader sees: pictures, comments.
_SHOWN_IGNORABLE = {"shppict", "annotation", "atnauthor"}
_PROPERTIES = {"author": "creator", "operator": "last_modified_by", "manager": "manager", "company": "company",
               "title": "title", "subject": "subject", "keywords": "keywords", "doccomm": "description",
               "category": "category"}  # fmt: skip
_BREAKS = {"par", "line", "sect", "page", "column"}
_SPACES = {"tab", "emspace", "enspace", "qmspace"}
_SYMBOLS = {"~": "\u00a0", "_": "\u2011", "-": "", "\\": "\\", "{": "{", "}": "}"}
_CHARACTERS = {"lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”", "bullet": "•", "endash": "–",
               "emdash": "—"}  # fmt: skip
_BLIPS = {"pngblip": "png", "jpegblip": "jpeg", "emfblip": "emf", "wmetafile": "wmf", "macpict": "pict",
          "dibitmap": "dib", "wbitmap": "bmp", "pmmetafile": "pmm"}  # fmt: skip
_MAX_NESTING = 1000  # Word writes a few dozen levels; more is a file built to exhaust the parser


@dataclass
class _Group:
    destination: str = ""  # the group's own destination, or its parent's
    hidden: bool = False
    uc: int = 1  # characters standing in after a \uN, for readers without Unicode
    blip: str = ""  # the picture format, in a \pict group whose data is collected
    fallback: bool = False  # in \nonshppict: a second copy of a picture, for old readers
    starred: bool = False  # opened with \*: hidden unless its destination is one we read


@dataclass
class _Reading:
    codepage: str = "cp1252"
    lines: list[str] = field(default_factory=list)
    line: list[str] = field(default_factory=list)
    cell: list[str] = field(default_factory=list)
    row: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    in_table: bool = False
    properties: dict[str, str] = field(default_factory=dict)
    pictures: list[tuple[str, bytes]] = field(default_factory=list)
    pending: bytearray = field(default_factory=bytearray)  # \'hh bytes, decoded together (multi-byte code pages)
    skip: int = 0  # fallback characters still to pass over after a \uN

    def text(self, group: _Group, value: str) -> None:
        key = _PROPERTIES.get(group.destination)
        if key:
            self.properties[key] = self.properties.get(key, "") + value
        elif not group.hidden:
            self._flush_bytes(group)
            self._target(group).append(value)

    def byte(self, group: _Group, value: int) -> None:
        if group.destination in _PROPERTIES:
            self.text(group, bytes([value]).decode(self.codepage, errors="replace"))
        elif not group.hidden:
            self.pending.append(value)

    def _flush_bytes(self, group: _Group) -> None:
        if self.pending:
            decoded = bytes(self.pending).decode(self.codepage, errors="replace")
            self.pending.clear()
            self._target(group).append(decoded)

    def _target(self, group: _Group) -> list[str]:
        return self.cell if self.in_table else self.line

    def end_line(self, group: _Group) -> None:
        self._flush_bytes(group)
        if self.in_table:
            self.cell.append(" ")
            return
        self._finish_line()
        self._finish_table()

    def _finish_line(self) -> None:
        text = "".join(self.line)
        if text.strip():
            self.lines.append(text)
        self.line = []

    def end_cell(self, group: _Group) -> None:
        self._flush_bytes(group)
        self.row.append(" ".join("".join(self.cell).split()))
        self.cell = []

    def end_row(self, group: _Group) -> None:
        self._flush_bytes(group)
        if self.cell:
            self.end_cell(group)
        if any(self.row):
            self.table.append(self.row)
        self.row = []

    def _finish_table(self) -> None:
        if self.table:
            self.tables.append(self.table)
            self.table = []

    def finish(self, group: _Group) -> None:
        self._flush_bytes(group)
        if self.cell or self.row:
            self.end_row(group)
        self._finish_line()
        self._finish_table()


def rtf_pages(text: str, part: str | None, depth: int, budget: Budget, member_pages: MemberReader) -> list[Page]:
    reading = read_rtf(text)
    pages = text_pages(reading.lines, part)
    budget.count_pages(len(pages), part or "text")
    for rows in reading.tables:
        pages.extend(table_pages(rows, part, None, budget))
    if reading.properties:
        pages.insert(0, _properties_page(reading.properties, f"{part}/info" if part else "info"))
    return pages + pictures_pages(reading.pictures, part, depth, budget, member_pages)


def read_rtf(text: str) -> _Reading:
    reading = _Reading()
    stack: list[_Group] = []
    group = _Group()
    picture: list[str] = []
    position = 0
    while position < len(text):
        token = _TOKEN.match(text, position)
        assert token is not None  # the pattern matches any character
        position = token.end()
        word, parameter, hex_byte, symbol, brace, plain = token.group(1, 2, 3, 4, 5, 6)
        if brace == "{":
            if len(stack) >= _MAX_NESTING:
                raise IngestError("damaged RTF: groups nested over {limit} deep", limit=_MAX_NESTING)
            stack.append(group)
            group = _Group(group.destination, group.hidden, group.uc, fallback=group.fallback)
        elif brace == "}":
            if not stack:
                raise IngestError("damaged RTF: a group closes that never opened")
            _close(reading, group, stack[-1], picture)
            group = stack.pop()
        elif word:
            position = _control_word(reading, group, word, parameter, text, position, picture)
        elif hex_byte:
            if group.blip:
                picture.append(hex_byte)
            elif _skipped_fallback(reading):
                continue
            else:
                reading.byte(group, int(hex_byte, 16))
        elif symbol:
            _control_symbol(reading, group, symbol)
        elif plain:
            if group.blip:
                picture.append(plain)
                continue
            if reading.skip:
                skipped = min(reading.skip, len(plain))
                reading.skip -= skipped
                plain = plain[skipped:]
            if plain:
                reading.text(group, plain)
    if stack:
        raise IngestError("damaged RTF: it ends before its groups close (cut short?)")
    reading.finish(group)
    reading.properties = {key: " ".join(value.split()) for key, value in reading.properties.items() if value.strip()}
    return reading


def _skipped_fallback(reading: _Reading) -> bool:
    if reading.skip:
        reading.skip -= 1
        return True
    return False


def _control_word(reading: _Reading, group: _Group, word: str, parameter: str | None, text: str, position: int,
                  picture: list[str]) -> int:
    """Apply one control word; returns where reading goes on (\\bin takes raw bytes after it)."""
    value = int(parameter) if parameter else None
    if word == "bin":
        count = max(value or 0, 0)
        if group.blip:
            picture.append(text[position : position + count].encode("latin-1").hex())
        return position + count
    if reading.skip and word not in ("u", "uc"):
        reading.skip -= 1
        return position
    if group.starred:
        group.starred = False
        group.hidden = group.hidden or word not in _SHOWN_IGNORABLE
    if word == "ansicpg" and value:
        reading.codepage = _codepage(value)
    elif word == "uc":
        group.uc = max(value or 0, 0)
    elif word == "u" and value is not None:
        reading.text(group, _unicode(value))
        reading.skip = group.uc
    elif word == "info" or word in _PROPERTIES:
        group.destination = word
        group.hidden = True  # properties are collected on their own, not read as body text
    elif word == "nonshppict":
        group.hidden = group.fallback = True
    elif word in _UNSHOWN:
        group.hidden = True
    elif word == "pict":
        group.destination, group.hidden, group.blip = "pict", True, "" if group.fallback else "unknown"
    elif word in _BLIPS and group.blip:
        group.blip = _BLIPS[word]
    elif word == "object":
        raise IngestError("an embedded object in the RTF document cannot be checked")
    elif word in _BREAKS:
        reading.end_line(group)
    elif word == "cell":
        reading.end_cell(group)
    elif word == "row":
        reading.end_row(group)
    elif word == "intbl":
        reading.in_table = True
    elif word == "pard":
        reading.in_table = False
    elif word in _SPACES:
        reading.text(group, " ")
    elif word in _CHARACTERS:
        reading.text(group, _CHARACTERS[word])
    return position


def _control_symbol(reading: _Reading, group: _Group, symbol: str) -> None:
    if symbol == "*":
        group.starred = True
        return
    if _skipped_fallback(reading):
        return
    if symbol in "\r\n":
        reading.end_line(group)
    elif symbol in _SYMBOLS:
        reading.text(group, _SYMBOLS[symbol])


def _close(reading: _Reading, group: _Group, parent: _Group, picture: list[str]) -> None:
    if group.blip and group.destination == "pict" and parent.destination != "pict":
        data = "".join(picture).translate({ord(c): None for c in " \t\r\n"})
        picture.clear()
        try:
            content = bytes.fromhex(data)
        except ValueError:
            raise IngestError("damaged RTF: a picture's data is not hexadecimal") from None
        reading.pictures.append((f"picture-{len(reading.pictures) + 1}.{group.blip}", content))


def _codepage(number: int) -> str:
    name = f"cp{number}"
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return name


def _unicode(value: int) -> str:
    code = value + 65536 if value < 0 else value
    return chr(code) if not 0xD800 <= code <= 0xDFFF else chr(code).encode("utf-16", "surrogatepass").decode(
        "utf-16", "replace")
