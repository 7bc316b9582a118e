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


def text_of(data: bytes, kind: str | None, name: str | None = None) -> str | None:
    """The text of bytes sniffed as `kind`; None when they are not text."""
    if kind == "ole":
        raise ole_refusal(data, name)
    return data.decode("latin-1") if kind == "rtf" else decoded_text(data)  # RTF is 7-bit; escapes say the rest


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


