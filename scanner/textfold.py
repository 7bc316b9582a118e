"""Text folded for matching: accents dropped, and the digits and symbols that stand for letters
(OCR's confusions, "PR0TECTED 8"; a writer's disguises, "F*CK1NG CL0WNS") read as those letters.
One table for the markings and conduct checks."""

from __future__ import annotations

import unicodedata

_AS_LETTERS = str.maketrans({"0": "o", "1": "i", "|": "i", "!": "i", "2": "z", "3": "e", "4": "a", "5": "s",
                             "6": "g", "7": "t", "8": "b", "9": "g", "$": "s", "€": "e", "@": "a"})  # fmt: skip


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def lower_plain(text: str) -> str:
    """Lower case, no accents, curly apostrophes straightened."""
    return without_accents(text.lower().replace("’", "'"))


def as_letters(text: str) -> str:
    """Lower-case text with every look-alike digit or symbol read as its letter."""
    return text.translate(_AS_LETTERS)
