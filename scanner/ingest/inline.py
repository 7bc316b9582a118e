"""Pictures carried inside a text rather than beside it: `data:` URIs (HTML, CSS, Markdown) and
inline <svg> drawings. They are read as members of the text, so they go through the picture checks."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote_to_bytes

from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError
from scanner.ingest.page import Page
from scanner.ingest.zip import MemberReader

# A picture carried in the text: data:image/png;base64,... (in <img>, <source>, CSS, SVG <image>).
DATA_URI = re.compile(r"data:(image/[\w.+-]+)((?:;[\w-]+=[\w.-]+)*)(;base64)?,([^\"'()\s<>]+)", re.I)
_INLINE_SVG = re.compile(r"<svg\b.*?</svg\s*>", re.I | re.S)

def embedded_pictures(text: str) -> list[tuple[str, bytes]]:
    """Pictures inside the text itself: data: URIs (HTML, CSS, Markdown) and inline <svg> drawings."""
    pictures = []
    for number, match in enumerate(DATA_URI.finditer(text), 1):
        subtype = match.group(1).partition("/")[2].lower().replace("svg+xml", "svg")
        pictures.append((f"embedded-image-{number}.{subtype}", _data_uri_bytes(match)))
    if "<svg" in text.lower():
        for number, match in enumerate(_INLINE_SVG.finditer(text), 1):
            pictures.append((f"inline-drawing-{number}.svg", match.group(0).encode("utf-8")))
    return pictures


def without_data_uris(line: str) -> str:
    """The line with each picture's encoded bytes left out: they are read as pictures, not words."""
    return DATA_URI.sub(lambda m: f"data:{m.group(1)}", line)


def _data_uri_bytes(match: re.Match[str]) -> bytes:
    payload = match.group(4)
    if match.group(3):
        try:
            return base64.b64decode(unquote_to_bytes(payload) + b"===", validate=False)
        except (binascii.Error, ValueError):
            return b"not a picture: damaged base64"  # read as a member, so its damage blocks
    return unquote_to_bytes(payload)


def pictures_pages(
    pictures: list[tuple[str, bytes]], part: str | None, depth: int, budget: Budget, member_pages: MemberReader,
) -> list[Page]:
    pages = []
    for name, data in pictures:
        full = f"{part}/{name}" if part else name
        budget.count_member(full)
        budget.spend(len(data), full)
        if not data:
            raise IngestError("damaged picture inside the text ({name}): it holds no picture", name=full)
        pages.extend(member_pages(data, full, depth, budget))
    return pages
