"""Documents of the common text formats, composed by our own code for tests and samples:
OpenDocument (.odt, .ods, .odp), RTF, web pages (HTML, MHTML), Outlook messages (.msg), tables."""

from __future__ import annotations

import base64
import io
import struct
import zipfile
from xml.sax.saxutils import escape, quoteattr

_ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)


# --- OpenDocument ---------------------------------------------------------------------------


def odt(paragraphs: list[str], *, header: str = "", creator: str = "", last_editor: str = "",
        pictures: dict[str, bytes] | None = None, tables: list[list[list[str]]] = ()) -> bytes:
    """A text document; `header` goes in styles.xml (the page header), as LibreOffice keeps it."""
    body = "".join(f"<text:p>{_odf_inline(p)}</text:p>" for p in paragraphs)
    body += "".join(_odf_table(f"Table{i}", rows) for i, rows in enumerate(tables, 1))
    body += "".join(f'<draw:frame><draw:image xlink:href="Pictures/{name}"/></draw:frame>' for name in pictures or {})
    styles = (f'<office:master-styles><style:master-page style:name="Standard"><style:header><text:p>{escape(header)}'
              "</text:p></style:header></style:master-page></office:master-styles>") if header else ""
    return _odf("odt", f"<office:text>{body}</office:text>", styles, creator, last_editor, pictures)


def ods(sheets: dict[str, list[list[str]]], *, creator: str = "", repeat_last_row: int = 1) -> bytes:
    """A spreadsheet; the last row of each sheet may be repeated (number-rows-repeated), as
    spreadsheets write identical rows."""
    body = "".join(_odf_table(name, rows, repeat_last_row) for name, rows in sheets.items())
    return _odf("ods", f"<office:spreadsheet>{body}</office:spreadsheet>", "", creator, "", None)


def odp(slides: list[list[str]], *, pictures: dict[str, bytes] | None = None) -> bytes:
    pages = "".join(
        f'<draw:page draw:name="p{i}">' + "".join(
            f"<draw:frame><draw:text-box><text:p>{escape(line)}</text:p></draw:text-box></draw:frame>"
            for line in lines) + "</draw:page>"
        for i, lines in enumerate(slides, 1))
    pages += "".join(f'<draw:page><draw:frame><draw:image xlink:href="Pictures/{name}"/></draw:frame></draw:page>'
                     for name in pictures or {})
    return _odf("odp", f"<office:presentation>{pages}</office:presentation>", "", "", "", pictures)


def _odf_inline(text: str) -> str:
    """Runs of spaces as <text:s text:c="n"/>, as OpenDocument stores them."""
    words = text.split(" ")
    return "<text:s/>".join(escape(word) for word in words)


def _odf_table(name: str, rows: list[list[str]], repeat_last_row: int = 1) -> str:
    cells = [
        "<table:table-row"
        + (f' table:number-rows-repeated="{repeat_last_row}"' if i == len(rows) - 1 and repeat_last_row > 1 else "")
        + ">" + "".join(f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>'
                        for c in row)
        + '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
        for i, row in enumerate(rows)
    ]
    empty_tail = '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
    return f"<table:table table:name={quoteattr(name)}>{''.join(cells)}{empty_tail}</table:table>"


def _odf(kind: str, body: str, styles: str, creator: str, last_editor: str, pictures: dict[str, bytes] | None) -> bytes:
    meta = ""
    if creator:
        meta += f"<meta:initial-creator>{escape(creator)}</meta:initial-creator>"
    if last_editor:
        meta += f"<dc:creator>{escape(last_editor)}</dc:creator>"
    members = {
        "content.xml": f"<office:document-content {_ODF_NS}><office:body>{body}</office:body>"
                       "</office:document-content>",
        "styles.xml": f"<office:document-styles {_ODF_NS}>{styles}</office:document-styles>",
        "meta.xml": f"<office:document-meta {_ODF_NS}><office:meta><meta:generator>LibreOffice/7.5</meta:generator>"
                    f"{meta}</office:meta></office:document-meta>",
        "settings.xml": f"<office:document-settings {_ODF_NS}/>",
        "META-INF/manifest.xml": '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:'
                                 '1.0"/>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _ODF_TYPES[kind], compress_type=zipfile.ZIP_STORED)
        for name, text in members.items():
            archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (pictures or {}).items():
            archive.writestr(f"Pictures/{name}", data)
    return buffer.getvalue()


# --- RTF ------------------------------------------------------------------------------------


def rtf(paragraphs: list[str], *, header: str = "", author: str = "", png: bytes | None = None,
        table: list[list[str]] = (), codepage: int = 1252) -> bytes:
    """An RTF document as Word writes one: accents as \\'hh in the code page (\\uN beyond it), the
    picture as a PNG blip with a WMF twin for old readers."""
    parts = [f"{{\\rtf1\\ansi\\ansicpg{codepage}\\deff0{{\\fonttbl{{\\f0 Calibri;}}}}",
             "{\\colortbl;\\red0\\green0\\blue0;}"]
    if author:
        parts.append(f"{{\\info{{\\title Note}}{{\\author {_rtf_text(author, codepage)}}}}}")
    if header:
        parts.append(f"{{\\header\\pard {_rtf_text(header, codepage)}\\par}}")
    parts.extend(f"\\pard {_rtf_text(p, codepage)}\\par\n" for p in paragraphs)
    for row in table:
        cells = "".join(f"\\cellx{1500 * (i + 1)}" for i in range(len(row)))
        texts = "".join(f"{_rtf_text(c, codepage)}\\cell " for c in row)
        parts.append(f"\\trowd{cells}\\pard\\intbl {texts}\\row\n")
    if table:
        parts.append("\\pard\\par\n")
    if png is not None:
        parts.append(f"{{\\*\\shppict{{\\pict\\pngblip\\picw100\\pich80 {png.hex()}}}}}"
                     "{\\nonshppict{\\pict\\wmetafile8 0100090000}}")
    parts.append("}")
    return "".join(parts).encode("ascii")


def _rtf_text(text: str, codepage: int) -> str:
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif ord(char) < 128:
            out.append(char)
        else:
            try:
                out.append("".join(f"\\'{byte:02x}" for byte in char.encode(f"cp{codepage}")))
            except UnicodeEncodeError:
                out.append(f"\\u{ord(char) if ord(char) < 32768 else ord(char) - 65536}?")
    return "".join(out)


# --- web pages ------------------------------------------------------------------------------


def html_page(body: str, *, title: str = "Page", author: str = "", png: bytes | None = None, alt: str = "",
              script: str = "") -> bytes:
    meta = f'<meta name="author" content={quoteattr(author)}>' if author else ""
    image = ""
    if png is not None:
        image = f'<img alt={quoteattr(alt)} src="data:image/png;base64,{base64.b64encode(png).decode()}">'
    js = f"<script>{script}</script>" if script else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>{meta}"
            f"<style>p {{ color: black }}</style>{js}</head><body>{body}{image}</body></html>").encode()


def mhtml(html: bytes, pictures: dict[str, bytes]) -> bytes:
    """A page saved as one file (Chrome's "Webpage, Single File"): MIME multipart/related."""
    boundary = "----MultipartBoundary--smscan"
    parts = [("text/html", "https://example.ca/page", "quoted-printable", _quoted_printable(html))]
    parts += [("image/png", f"https://example.ca/{name}", "base64", base64.encodebytes(data))
              for name, data in pictures.items()]
    out = [b"From: <Saved by Blink>", b"Snapshot-Content-Location: https://example.ca/page", b"Subject: Page",
           b"Date: Mon, 1 Dec 2025 10:00:00 -0000", b"MIME-Version: 1.0",
           f'Content-Type: multipart/related; type="text/html"; boundary="{boundary}"'.encode(), b""]
    for content_type, location, encoding, payload in parts:
        out += [f"--{boundary}".encode(), f"Content-Type: {content_type}".encode(), b"Content-ID: <frame-1@mhtml>",
                f"Content-Transfer-Encoding: {encoding}".encode(), f"Content-Location: {location}".encode(), b"",
                payload.rstrip(b"\n")]
    out += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(out)


def _quoted_printable(data: bytes) -> bytes:
    import quopri

    return quopri.encodestring(data)


# --- Outlook messages -------------------------------------------------------------------------


def outlook_message(subject: str, body: str, attachments: dict[str, bytes | tuple] | None = None,
                    html: str = "") -> bytes:
    """A .msg file (OLE2 compound file with MAPI property streams), written with extract-msg's OLE
    writer. An attachment given as (subject, body, attachments) is an attached message."""
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    writer.addEntry(["__nameid_version1.0"], storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(["__nameid_version1.0", f"__substg1.0_{stream}"], b"")
    _message_streams(writer, [], subject, body, attachments or {}, html, top=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _message_streams(writer, base: list[str], subject: str, body: str, attachments: dict, html: str,
                     top: bool) -> None:
    entries = []
    for property_id, text in ((0x001A, "IPM.Note"), (0x0037, subject), (0x1000, body)):
        data = text.encode("utf-16-le")
        writer.addEntry([*base, f"__substg1.0_{property_id:04X}001F"], data)
        entries.append(((property_id << 16) | 0x001F, len(data) + 2))
    if html:
        writer.addEntry([*base, "__substg1.0_10130102"], html.encode())
        entries.append(((0x1013 << 16) | 0x0102, len(html.encode())))
    count = len(attachments)
    header = struct.pack("<8sIIII", b"", 0, count, 0, count) + (b"\0" * 8 if top else b"")
    writer.addEntry([*base, "__properties_version1.0"], _properties(entries, header))
    for index, (name, content) in enumerate(attachments.items()):
        storage = [*base, f"__attach_version1.0_#{index:08X}"]
        writer.addEntry(storage, storage=True)
        filename = name.encode("utf-16-le")
        writer.addEntry([*storage, "__substg1.0_3707001F"], filename)
        found = [((0x3707 << 16) | 0x001F, len(filename) + 2)]
        if isinstance(content, tuple):
            inner = [*storage, "__substg1.0_3701000D"]
            writer.addEntry(inner, storage=True)
            inner_subject, inner_body, inner_attachments = content
            _message_streams(writer, inner, inner_subject, inner_body, inner_attachments, "", top=False)
            found.append(((0x3705 << 16) | 0x0003, 5))  # attached by embedding a message
        else:
            writer.addEntry([*storage, "__substg1.0_37010102"], content)
            found += [((0x3701 << 16) | 0x0102, len(content)), ((0x3705 << 16) | 0x0003, 1)]  # by value
        writer.addEntry([*storage, "__properties_version1.0"], _properties(found, b"\0" * 8))


def _properties(entries: list[tuple[int, int]], header: bytes) -> bytes:
    return header + b"".join(struct.pack("<IIQ", tag, 6, value) for tag, value in entries)


# --- tables ---------------------------------------------------------------------------------

FIRST_NAMES = ["Jane", "Marc", "Priya", "Louis", "Amélie", "Tom", "Nadia", "Chen", "Olivia", "Kwame", "Sophie", "Raj"]
LAST_NAMES = ["Tremblay", "Nguyen", "Singh", "Roy", "Gagnon", "Smith", "Côté", "Wong", "Martin", "Mensah", "Lee",
              "Bouchard"]
_POSTAL_LETTERS = "ABCEGHJKLMNPRSTVXY"


def respondents(count: int, *, french: bool = False, header: bool = True, seed: int = 1,
                columns: tuple[str, ...] = ("name", "birth", "postal", "sex", "income")) -> list[list[str]]:
    """Respondent-level records: one row per invented person."""
    import random

    rng = random.Random(seed)
    titles = {
        "name": ("Name", "Nom"), "birth": ("Date of birth", "Date de naissance"),
        "postal": ("Postal code", "Code postal"),
        "sex": ("Sex", "Sexe"), "income": ("Total income", "Revenu total"), "sin": ("SIN", "NAS"),
        "id": ("Respondent ID", "ID du répondant"), "age": ("Age", "Âge"), "education": ("Education", "Scolarité"),
        "marital": ("Marital status", "État matrimonial"),
    }
    rows = [[titles[c][french] for c in columns]] if header else []
    for number in range(count):
        values = {
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "birth": f"{rng.randint(1935, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "postal": _postal_code(rng),
            "sex": rng.choice(["F", "M"]),
            "income": str(rng.randint(0, 180) * 1000),
            "sin": _sin(rng),
            "id": f"R{100000 + number}",
            "age": str(rng.randint(15, 90)),
            "education": rng.choice(["High school", "College", "Bachelor's", "Master's"]),
            "marital": rng.choice(["Single", "Married", "Common-law", "Widowed"]),
        }
        rows.append([values[c] for c in columns])
    return rows


def aggregate(*, french: bool = False, header: bool = True) -> list[list[str]]:
    """An aggregate table: categories and measures, as published."""
    rows = [["Province", "Population", "Percent of Canada", "Median income ($)"]] if header else []
    if french and header:
        rows = [["Province", "Population", "Pourcentage du Canada", "Revenu médian ($)"]]
    data = [("Newfoundland and Labrador", 510550), ("Prince Edward Island", 154331), ("Nova Scotia", 969383),
            ("New Brunswick", 775610), ("Quebec", 8501833), ("Ontario", 14223942), ("Manitoba", 1342153),
            ("Saskatchewan", 1132505), ("Alberta", 4262635), ("British Columbia", 5000879)]
    total = sum(population for _, population in data)
    for index, (province, population) in enumerate(data):
        rows.append([province, str(population), f"{100 * population / total:.1f}", str(38000 + 1700 * index)])
    return rows


def delimited(rows: list[list[str]], delimiter: str = ",") -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _postal_code(rng) -> str:
    letter = rng.choice
    return f"{letter('ABCEGHJKLMNPRSTVXY')}{rng.randint(0, 9)}{letter(_POSTAL_LETTERS)} " \
           f"{rng.randint(0, 9)}{letter(_POSTAL_LETTERS)}{rng.randint(0, 9)}"


def _sin(rng) -> str:
    """A number that passes the SIN check (Luhn), starting with 1-7 (never issued as test data)."""
    while True:
        digits = [rng.randint(1, 7)] + [rng.randint(0, 9) for _ in range(7)]
        for check in range(10):
            candidate = [*digits, check]
            total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d for i, d in enumerate(candidate))
            if total % 10 == 0:
                return "{}{}{} {}{}{} {}{}{}".format(*candidate)


def xlsx_table(rows: list[list[str]], *, numbers_as_values: bool = True) -> bytes:
    """A workbook of one sheet: text in shared strings, numbers as cell values, as Excel writes them."""
    from samplegen.mail import _S, _package

    shared: list[str] = []
    lines = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            reference = f"{chr(ord('A') + c)}{r}"
            if numbers_as_values and value.replace(".", "", 1).isdigit():
                cells.append(f'<c r="{reference}"><v>{value}</v></c>')
            else:
                shared.append(value)
                cells.append(f'<c r="{reference}" t="s"><v>{len(shared) - 1}</v></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{_S}"><sheets><sheet name="Data" sheetId="1"/></sheets></workbook>',
        "xl/sharedStrings.xml": f'<sst xmlns="{_S}" count="{len(shared)}">{strings}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_S}"><sheetData>{"".join(lines)}</sheetData></worksheet>',
    }
    return _package("xl/workbook.xml", parts, "", {})
