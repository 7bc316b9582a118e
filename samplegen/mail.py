"""Office documents, archives and e-mails our mail tests are made of, written by our own code.

The Office files are minimal but valid Office Open XML packages written with `zipfile`:
[Content_Types].xml, the package relationships, the main part, document properties and media.
"""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from xml.sax.saxutils import escape

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

_MAIN_TYPES = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def docx(paragraphs: list[str], *, creator: str = "", images: dict[str, bytes] | None = None,
         header: str | None = None) -> bytes:
    """A Word document; each paragraph split into two runs, as Word often stores text."""
    body = "".join(_w_paragraph(text) for text in paragraphs)
    parts = {"word/document.xml": f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'}
    if header is not None:
        parts["word/header1.xml"] = f'<w:hdr xmlns:w="{_W}">{_w_paragraph(header)}</w:hdr>'
    return _package("word/document.xml", parts, creator, {f"word/media/{n}": d for n, d in (images or {}).items()})


def pptx(slides: list[list[str]], *, creator: str = "", images: dict[str, bytes] | None = None) -> bytes:
    parts = {"ppt/presentation.xml": f'<p:presentation xmlns:p="{_P}"/>'}
    for number, lines in enumerate(slides, 1):
        paragraphs = "".join(f"<a:p><a:r><a:t>{escape(line)}</a:t></a:r></a:p>" for line in lines)
        parts[f"ppt/slides/slide{number}.xml"] = (
            f'<p:sld xmlns:p="{_P}" xmlns:a="{_A}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"{paragraphs}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    return _package("ppt/presentation.xml", parts, creator, {f"ppt/media/{n}": d for n, d in (images or {}).items()})


def xlsx(shared: list[str], inline: list[str] = (), *, creator: str = "") -> bytes:
    strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
    cells = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{escape(s)}</t></is></c></row>' for i, s in enumerate(inline, 1)
    )
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{_S}"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>',
        "xl/sharedStrings.xml": f'<sst xmlns="{_S}" count="{len(shared)}">{strings}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_S}"><sheetData>{cells}</sheetData></worksheet>',
    }
    return _package("xl/workbook.xml", parts, creator, {})


def _w_paragraph(text: str) -> str:
    half = len(text) // 2
    pieces = (text[:half], text[half:])
    runs = "".join(f'<w:r><w:t xml:space="preserve">{escape(piece)}</w:t></w:r>' for piece in pieces)
    return f"<w:p>{runs}</w:p>"


def _package(main: str, parts: dict[str, str], creator: str, media: dict[str, bytes]) -> bytes:
    content_types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/>'
        f'<Override PartName="/{main}" ContentType="{_MAIN_TYPES[main]}"/></Types>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}" Target="{main}"/></Relationships>'
    )
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>Quarterly note</dc:title><dc:creator>{escape(creator)}</dc:creator></cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("docProps/core.xml", core)
        for name, xml in parts.items():
            archive.writestr(name, xml)
        for name, data in media.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def nested_zip(levels: int, inner: bytes, name: str = "memo.pdf") -> bytes:
    """`inner` inside `levels` zips, each inside the next."""
    data = zipped({name: inner})
    for level in range(1, levels):
        data = zipped({f"level{level}.zip": data})
    return data


def zeros_bomb(megabytes: int, name: str = "zeros.bin") -> bytes:
    """A member of `megabytes` MiB of zeros, deflated (about 1000:1), streamed in 1 MiB chunks."""
    buffer = io.BytesIO()
    chunk = bytes(2**20)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as out,
    ):
        for _ in range(megabytes):
            out.write(chunk)
    return buffer.getvalue()


def message(
    subject: str = "Figures for the briefing",
    body: str = "Hello,\nthe tables are attached.\n",
    *,
    html: str | None = None,
    attachments: dict[str, tuple[bytes, str]] | None = None,
    inline_images: dict[str, bytes] | None = None,
) -> EmailMessage:
    """An e-mail with a text body, optional HTML alternative, attachments {name: (bytes, mime type)}."""
    mail = EmailMessage()
    mail["From"] = "analyst@example.org"
    mail["To"] = "outside@example.com"
    mail["Subject"] = subject
    mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    for cid, data in (inline_images or {}).items():
        mail.add_attachment(data, maintype="image", subtype="png", cid=f"<{cid}>", disposition="inline")
    for name, (data, mime) in (attachments or {}).items():
        maintype, subtype = mime.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail


def deeply_nested(depth: int) -> bytes:
    """An e-mail whose multiparts nest `depth` deep (CRLF line ends): more than the parser can take."""
    lines = [b"From: analyst@example.org\r\nTo: outside@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"]
    for level in range(depth):
        lines.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level))
    lines.append(b"Content-Type: text/plain\r\n\r\nHello\r\n")
    lines.extend(b"--b%d--\r\n" % level for level in reversed(range(depth)))
    return b"".join(lines)
