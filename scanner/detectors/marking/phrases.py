"""Finding security-marking phrases in OCR'd lines despite OCR damage.

Lines are flattened to a space-free string of capital letters (accents dropped, digit/letter
confusions folded), so that "PROTECTEDB", "PROT ECTED B" and "PROTÉGÉ 8" all read the same.
A phrase must start and end on word boundaries, and one edit is forgiven in long phrases.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from scanner.ingest.page import Word
from scanner.textfold import as_letters, lower_plain

_SEPARATORS = re.compile(r"[/\\|:;,()\[\]{}«»\"“”'’.]+")
_NEGATIONS = {"NON", "NOT", "UN", "NO", "PAS", "AUCUN"}
_FUZZY_MIN_LENGTH = 8
# One edit in a phrase of six letters or more leaves its first or its last this many letters as they were.
_KEPT_LETTERS = 3


@dataclass(frozen=True)
class Phrase:
    label: str  # finding label; "{level}" is replaced by the level letter
    body: str  # capital letters only, no spaces
    strong: bool  # strong phrases are markings in any short or capitalised line
    levels: str = ""  # a required level letter after the body (PROTECTED B)


PHRASES = (
    Phrase("protected-{level}", "PROTECTED", True, "ABC"),
    Phrase("protected-{level}", "PROTEGE", True, "ABC"),
    Phrase("protected", "PROTECTED", False),
    Phrase("protected", "PROTEGE", False),
    Phrase("top-secret", "TOPSECRET", True),
    Phrase("top-secret", "TRESSECRET", True),
    Phrase("secret", "SECRET", False),
    Phrase("confidential", "CONFIDENTIAL", False),
    Phrase("confidential", "CONFIDENTIEL", False),
    Phrase("cabinet-confidence", "CABINETCONFIDENCE", True),
    Phrase("cabinet-confidence", "CONFIDENCEDUCABINET", True),
    Phrase("cabinet-confidence", "CONFIDENCESDUCABINET", True),
    Phrase("embargo", "EMBARGOEDUNTIL", True),
    Phrase("embargo", "UNDEREMBARGO", True),
    Phrase("embargo", "SOUSEMBARGO", True),
    Phrase("embargo", "EMBARGOED", False),
    Phrase("embargo", "EMBARGO", False),
    Phrase("internal-use", "FORINTERNALUSEONLY", True),
    Phrase("internal-use", "INTERNALUSEONLY", True),
    Phrase("internal-use", "USAGEINTERNESEULEMENT", True),
    Phrase("internal-use", "POURUSAGEINTERNE", True),
    Phrase("internal-use", "USAGEINTERNE", False),
    Phrase("do-not-distribute", "DONOTDISTRIBUTE", True),
    Phrase("do-not-distribute", "NOTFORDISTRIBUTION", True),
    Phrase("do-not-distribute", "NEPASDIFFUSER", True),
    Phrase("do-not-distribute", "NEPASDISTRIBUER", True),
    Phrase("do-not-distribute", "DIFFUSIONINTERDITE", True),
)


@dataclass(frozen=True)
class PhraseMatch:
    phrase: Phrase
    label: str
    first_word: int
    last_word: int  # inclusive
    edits: int
    start: int  # span in the line's flattened string, for overlap checks
    end: int


class FlatLine:
    """A line's words folded to capitals and run together, with where each token starts and ends.
    The positions are worked out only for a line that may hold a phrase: most lines of a report
    hold none, and building them for every line was a third of the check's time."""

    def __init__(self, words: list[Word], tokens: list[tuple[int, str]]) -> None:
        self.words = words
        self.tokens = tokens  # (word index, flattened token)
        self.flat = "".join(token for _, token in tokens)

    @cached_property
    def owner(self) -> list[int]:
        """Flat index -> word index."""
        return [index for index, token in self.tokens for _ in token]

    @cached_property
    def starts(self) -> list[int]:
        """Flat indices where a token starts, in order."""
        return list(itertools.accumulate((len(token) for _, token in self.tokens[:-1]), initial=0))

    @cached_property
    def ends(self) -> set[int]:
        """Flat indices where a token ends (exclusive)."""
        return set(itertools.accumulate(len(token) for _, token in self.tokens))


@lru_cache(maxsize=65536)  # a report's words repeat: 218,000 folds of a 1,000-page report
def fold(text: str) -> str:
    """Capital letters only: accents dropped, OCR's digit confusions read as letters."""
    return re.sub(r"[^A-Z]", "", as_letters(lower_plain(text)).upper())


def flatten(words: Sequence[Word]) -> FlatLine:
    tokens = [
        (index, token)
        for index, word in enumerate(words)
        for token in map(fold, _SEPARATORS.split(word.text))
        if token
    ]
    return FlatLine(list(words), tokens)


def find_phrases(line: FlatLine) -> list[PhraseMatch]:
    """Every phrase found at word boundaries, longest first, overlapping ones dropped."""
    found = []
    flat = line.flat
    # A line holding none of a phrase's halves holds no such phrase: most lines of running text
    # are done here.
    possible = {body for body, halves in _HALVES if halves[0] in flat or halves[-1] in flat}
    if not possible:
        return []
    for start in line.starts:
        for phrase in _phrases_near(flat[start : start + 1], flat[start + 1 : start + 2]):
            if phrase.body not in possible:
                continue
            match = _match_at(line, start, phrase)
            if match and not _negated(line, match):
                found.append(match)
    found.sort(key=lambda m: (m.edits, -(m.end - m.start)))
    kept: list[PhraseMatch] = []
    for match in found:
        if all(match.end <= k.start or match.start >= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def _halves(body: str) -> tuple[str, ...]:
    """What a line must hold verbatim to hold the phrase: one edit changes one half of it at most, and a
    phrase too short to be matched with an edit must be there whole."""
    if len(body) < _FUZZY_MIN_LENGTH:
        return (body,)
    middle = len(body) // 2
    return body[:middle], body[middle:]


_HALVES = tuple((body, _halves(body)) for body in dict.fromkeys(p.body for p in PHRASES))


def _by_letter(position: int) -> dict[str, tuple[Phrase, ...]]:
    grouped: dict[str, list[Phrase]] = {}
    for phrase in PHRASES:
        grouped.setdefault(phrase.body[position], []).append(phrase)
    return {letter: tuple(phrases) for letter, phrases in grouped.items()}


# One edit leaves a phrase's first or second letter where it was, so these are the only phrases a
# position can hold (measured: 27 phrases tried at every word start cost 30 ms a page of text).
_BY_FIRST, _BY_SECOND = _by_letter(0), _by_letter(1)


@lru_cache(maxsize=1024)
def _phrases_near(first: str, second: str) -> tuple[Phrase, ...]:
    near = _BY_FIRST.get(first, ()) + _BY_SECOND.get(second, ())
    return tuple(dict.fromkeys(near))  # in PHRASES order, each once


def _match_at(line: FlatLine, start: int, phrase: Phrase) -> PhraseMatch | None:
    body = phrase.body
    flat = line.flat
    lengths = (len(body),)
    if len(body) >= _FUZZY_MIN_LENGTH:
        lengths = (len(body), len(body) - 1, len(body) + 1)
    for length in lengths:
        candidate = flat[start : start + length]
        one_edit = _may_be_one_edit(candidate, body) and _one_edit(candidate, body)
        edits = 0 if candidate == body else (1 if one_edit else -1)
        if edits < 0:
            continue
        end = start + length
        level = ""
        if phrase.levels:
            level = flat[end : end + 1]
            if not level or level not in phrase.levels:
                continue
            end += 1
        if end not in line.ends:
            continue
        label = phrase.label.replace("{level}", level.lower())
        return PhraseMatch(phrase, label, line.owner[start], line.owner[end - 1], edits, start, end)
    return None


def _may_be_one_edit(candidate: str, body: str) -> bool:
    """A necessary condition, cheap (see _KEPT_LETTERS): it cut the matcher's time by two thirds on
    text pages, where almost every candidate fails here."""
    k = _KEPT_LETTERS
    return candidate[:k] == body[:k] or candidate[-k:] == body[-k:]


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by exactly one substitution, insertion or deletion (one pass)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    i = j = 0
    skipped = False
    while i < len(short) and j < len(long_):
        if short[i] != long_[j]:
            if skipped:
                return False
            skipped = True
            if len(short) == len(long_):
                i += 1  # a substitution: both move on
            j += 1
            continue
        i += 1
        j += 1
    return True


def _negated(line: FlatLine, match: PhraseMatch) -> bool:
    before = [token for index, token in line.tokens if index < match.first_word]
    return bool(before) and before[-1] in _NEGATIONS


def is_label(line: FlatLine, match: PhraseMatch) -> bool:
    """A short standalone label or a capitalised header, not a phrase inside running prose."""
    inside = line.words[match.first_word : match.last_word + 1]
    outside = [w for i, w in enumerate(line.words) if not match.first_word <= i <= match.last_word]
    extra = sum(1 for w in outside if len(fold(w.text)) > 1)
    capitals = _capital_ratio(" ".join(w.text for w in inside)) >= 0.8
    if match.phrase.strong:
        return capitals or extra <= 4
    return (capitals and extra <= 6) or extra <= 1


def _capital_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
