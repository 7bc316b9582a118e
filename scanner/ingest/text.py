"""Text content (e-mail bodies, text members, Office XML text) as Pages of kind "text": words from
the lines, one line id per line, and a small blank raster so that image checks find nothing there."""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from scanner.ingest.page import Document, Page, Word

TEXT_PAGE_SIDE = 32
# Text is cut into pages of this many lines, so findings say roughly where and max_pages bounds it.
TEXT_LINES_PER_PAGE = 500
_NO_BOX = (0, 0, 0, 0)


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

def is_markup(name: str, text: str) -> bool:
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
        words = lines_as_words(lines[start : start + TEXT_LINES_PER_PAGE], start)
        if words:
            pages.append(text_page(start // TEXT_LINES_PER_PAGE + 1, words, part))
    return pages


def text_page(number: int, words: tuple[Word, ...], part: str | None, metadata: dict[str, Any] | None = None) -> Page:
    size = (TEXT_PAGE_SIDE, TEXT_PAGE_SIDE)
    return Page(number, "text", blank_raster, size, text_layer=words, needs_ocr=False, metadata=metadata, part=part,
                pictures=False)


def lines_as_words(lines: list[str], first_line: int) -> tuple[Word, ...]:
    return tuple(
        Word(token, _NO_BOX, 1.0, first_line + offset, "text-layer")
        for offset, line in enumerate(lines)
        for token in line.split()
    )


def blank_raster() -> np.ndarray:
    return np.full((TEXT_PAGE_SIDE, TEXT_PAGE_SIDE, 3), 255, np.uint8)


def text_document(text: str, name: str) -> Document:
    """Plain or HTML text (an e-mail body) as a Document of text pages."""
    lines = markup_lines(text) if is_markup(name, text) else text.splitlines()
    return Document("text", text_pages(lines, name), {})
