"""MuPDF's messages, collected instead of printed.

MuPDF prints `MuPDF error: …` lines on stdout by default (45 of 2,000 damaged files wrote them
into the `--json` stream). Its printing is switched off here, once for the process; what it says
is read back after each call (under PDF_LOCK, so that the messages are the file's own) and either
becomes the file's reason or is ignored on purpose: font and glyph problems change how a letter
looks, not what a page says, and real documents have them (one of the 55 PDFs of the evaluation
sets warns `FT_Get_Advance(…): invalid glyph index`). Anything else MuPDF reports means lost or
damaged content: a syntax error in a content stream, an object that is not a stream, a zlib error.
"""

from __future__ import annotations

import re
import threading

import pymupdf

# MuPDF is not thread-safe, and its message log is one per process: every call goes through this lock.
PDF_LOCK = threading.RLock()

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_HARMLESS = re.compile(r"FT_|\bfont|\bglyph|^\.\.\. repeated \d+ times", re.I)
_KIND_PREFIX = re.compile(r"^(?:code=\d+:\s*)?(?:(?:syntax|format|library|generic|system|argument|limit|unknown)"
                          r" error:\s*)+", re.I)


def clear_messages() -> None:
    """Forget what earlier calls said (call under PDF_LOCK, before the calls whose messages count)."""
    pymupdf.TOOLS.reset_mupdf_warnings()


def damage_reported() -> str | None:
    """What MuPDF reported since the last call that means damage, in a few words; None when nothing."""
    for line in pymupdf.TOOLS.mupdf_warnings().splitlines():
        line = line.strip()
        if line and not _HARMLESS.search(line):
            return _KIND_PREFIX.sub("", line)[:120] or "the reader reported an error"
    return None
