"""Text, by what it is written as: HTML (a saved web page, an e-mail body), other markup (XML),
RTF, a delimited table (CSV, TSV), or plain text and Markdown. Each becomes text pages; a table
also gives its structure to the checks; pictures carried inside the text (data: URIs, inline SVG)
are read as members, so they go through the picture checks.

The same reading serves a file, a container's member, an e-mail's text part and a draft given as
text (`smscan --text`, standard input): the same words give the same verdict wherever they come from.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.inline import embedded_pictures, pictures_pages, without_data_uris
from scanner.ingest.ole import ole_refusal
from scanner.ingest.page import Page
from scanner.ingest.table import delimited_rows, table_pages
from scanner.ingest.text import (
    decoded_text,
    is_markup,
    limited_text_pages,
    lines_as_words,
    markup_lines,
    text_page,
)
from scanner.ingest.webpage import looks_like_html, read_webpage
from scanner.ingest.zip import MemberReader

_HTML_NAMES = {".html", ".htm", ".xhtml", ".mht", ".mhtml"}


# How binary formats begin. Bytes that begin so (or are the start of it, cut short) but were not
# recognised are a damaged file of that format, not text that happens to decode: "\x89PNG" is
# "‰PNG" in Windows-1252.
_BINARY_STARTS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF-", b"PK\x03\x04", b"PK\x05\x06",
                  b"\xd0\xcf\x11\xe0", b"II*\x00", b"MM\x00*", b"RIFF", b"\x00\x00\x00")


_BINARY_NAMES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif", ".pdf", ".docx",
                 ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".zip", ".msg", ".doc", ".xls", ".ppt"}


def text_of(data: bytes, kind: str | None, name: str | None = None) -> str | None:
    """The text of bytes sniffed as `kind`; None when they are not text."""
    if kind == "ole":
        raise ole_refusal(data, name)
    if kind == "rtf":
        return data.decode("latin-1")  # RTF is 7-bit; its escapes say the rest
    if any(data.startswith(start) or start.startswith(data[:len(start)]) for start in _BINARY_STARTS):
        return None
    text = decoded_text(data)
    suffix = PurePosixPath(name or "").suffix.lower()
    if text is not None and suffix in _BINARY_NAMES:
        # The content decides how it is read; a name that promises a picture or a document over
        # text means the file is not what it says (a broken export, a renamed file): it is not shared.
        raise IngestError("mislabelled file: named {suffix} but its content is text; rename it and check it again",
                          suffix=suffix)
    return text


def text_format(text: str, name: str | None = None, declared_html: bool = False) -> str:
    """"rtf", "html", "markup" (XML), "table" or "plain" (Markdown included), from the content;
    HTML declared as such (an e-mail's text/html part, a name ending in .html) counts as HTML too."""
    start = text.lstrip("\ufeff \t\r\n")[:16]
    if start.startswith("{\\rtf"):
        return "rtf"
    suffix = PurePosixPath(name or "").suffix.lower()
    if declared_html or looks_like_html(text) or suffix in _HTML_NAMES:
        return "html"
    if is_markup(name or "", text):
        return "markup"
    if delimited_rows(text[:65536]) is not None:
        return "table"
    return "plain"


def text_content_pages(
    text: str, part: str | None, depth: int, budget: Budget, member_pages: MemberReader, name: str | None = None,
    declared_html: bool = False,
) -> list[Page]:
    """The pages of one text: `part` names it inside a container (None for a file of its own);
    `name` is its file name, if any, which may say it is HTML."""
    kind = text_format(text, name or part, declared_html)
    if kind == "rtf":
        from scanner.ingest.rtf import rtf_pages

        return rtf_pages(text, part, depth, budget, member_pages)
    if kind == "html":
        webpage = read_webpage(text)
        pages = limited_text_pages(webpage.lines, part, budget)
        if webpage.author:
            pages.insert(0, text_page(1, lines_as_words([], 0), part, {"office_info": {"creator": webpage.author}}))
        return pages + pictures_pages(webpage.pictures, part, depth, budget, member_pages)
    if kind == "markup":
        _refuse_broken_xml(text, part)
        return limited_text_pages(markup_lines(text), part, budget)
    if kind == "table":
        rows = delimited_rows(text) or []
        return table_pages(rows, part, None, budget)
    lines = [without_emphasis(without_data_uris(line)) for line in text.splitlines()]
    pictures = pictures_pages(embedded_pictures(text), part, depth, budget, member_pages)
    return limited_text_pages(lines, part, budget) + pictures


# Markdown emphasis around words (**PROTECTED B**, _note_): the markers are not letters, and left in
# they read as a masked word to the conduct check ("B**" as a starred-out insult). Masking inside a
# word (f***ing) is not emphasis and stays.
_EMPHASIS = re.compile(r"(?<![\w*_])(\*{1,3}|_{1,3}|~~)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*_])")


def without_emphasis(line: str) -> str:
    return _EMPHASIS.sub(r"\2", line)




def _refuse_broken_xml(text: str, part: str | None) -> None:
    """A text that declares itself XML (<?xml ...?>) and is not well-formed is damaged or cut short:
    what was lost cannot be checked. Other markup (a tag typed in a draft) is read leniently."""
    if not text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        return
    import xml.etree.ElementTree as ElementTree

    import defusedxml
    import defusedxml.ElementTree as SafeTree

    try:
        SafeTree.fromstring(text.encode("utf-8", "surrogatepass"), forbid_dtd=False, forbid_entities=True,
                            forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise IngestError("XML {part}declares entities or external references, which are not followed",
                          part=f"{part} " if part else "") from None
    except (ElementTree.ParseError, ValueError) as error:
        raise IngestError("damaged XML {part}: not well-formed ({why})", part=part or "file",
                          why=one_line(error)) from None
