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

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError
from scanner.ingest.page import Page, Word

TEXT_PAGE_SIDE = 32
# Text is cut into pages of this many lines, so findings say roughly where and max_pages bounds it.
TEXT_LINES_PER_PAGE = 500
_NO_BOX = (0, 0, 0, 0)


# Encodings a text file written in Canada comes in, besides UTF-8/16/32: charset-normalizer is
# asked to choose among these only. Left free, it read French Windows-1252 as Central European
# cp1250 ("à" as "ŕ") on every sample we tried; among these it chose right on all of them.
WESTERN_ENCODINGS = ["utf_8", "cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850"]
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DETECTION_SAMPLE = 1 << 20  # bytes charset-normalizer reads to choose; the whole file is then decoded
_CHECKED_SPAN = 8192  # characters looked at for control codes, at the start and every MiB after
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\ufffd]")  # ESC (1b) and FF (0c) appear in text


def decoded_text(data: bytes) -> str | None:
    """The bytes as text when they are text, in whatever common encoding; None when they are not.

    A byte-order mark decides; then UTF-16 without one (half its bytes are zero); then UTF-8;
    then charset-normalizer among the Western encodings. Text with control codes or undecodable
    bytes in more than 1 % of a span is binary, not text."""
    text = _decoded(data)
    if text is None or not _reads_as_text(text):
        return None
    return text


def _decoded(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:_CHECKED_SPAN]:
        encoding = _utf16_without_bom(data[:_CHECKED_SPAN])
        return data.decode(encoding, errors="replace") if encoding else None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # loaded only for text that is not UTF-8

    best = from_bytes(data[:_DETECTION_SAMPLE], cp_isolation=WESTERN_ENCODINGS).best()
    return data.decode(best.encoding if best else "cp1252", errors="replace")


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 written without a byte-order mark: mostly Latin text has a zero in every other byte."""
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0) / max(len(even), 1), odd.count(0) / max(len(odd), 1)
    if odd_zeros > 0.4 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.4 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _reads_as_text(text: str) -> bool:
    for start in range(0, max(len(text), 1), 1 << 20):
        span = text[start : start + _CHECKED_SPAN]
        if len(_CONTROLS.findall(span)) > len(span) / 100:
            return False
    return True


_MARKUP_START = re.compile(r"\s*<[!?A-Za-z]")  # a tag, a declaration or a comment; not "<3" or "< 5 %"


def is_markup(name: str, text: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in {".html", ".htm", ".xhtml", ".xml", ".svg"}:
        return True
    return _MARKUP_START.match(text.lstrip("\ufeff")) is not None


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


def limited_text_pages(lines: list[str], part: str | None, budget: Budget) -> list[Page]:
    """Text pages of the lines, counted against the file's pages; text too long for them blocks."""
    most = budget.limits.max_pages * TEXT_LINES_PER_PAGE
    if len(lines) > most:
        raise IngestError("text too long: over {lines} lines (limit max_pages, {per} lines a page)",
                          lines=most, per=TEXT_LINES_PER_PAGE)
    pages = text_pages(lines, part)
    budget.count_pages(len(pages), part or "text")
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
