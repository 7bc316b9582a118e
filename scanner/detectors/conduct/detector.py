"""Conduct (guideline 2.5): profanity or abuse, in English or French.

* `abuse`: a profane or insulting word within TARGET_WINDOW words of a name of the
  Agency or the Government of Canada ("StatCan are a bunch of f***ing idiots").
* `profanity`: severe profanity or a slur aimed at no one in particular, in the writer's own
  words (a post, a caption, a short text): 2.4 asks for language acceptable at work.
* `quoted`: the same words inside quotation marks or in a long running text (a page of a
  novel, a report quoting someone): reported, not blocking by default, since sharing a book
  page is not using the language oneself.
Lines in another script than Latin and lines OCR read unsurely are not read: Tesseract,
given English and French, turns Hebrew into fragments such as "nig?" at low confidence.
Criticism without abuse ("I disagree with Statistics Canada's methodology") is not a
finding. Evidence names the severity: severe, insult or mild.

Words are compared after folding that undoes common disguises and OCR damage: accents
dropped, leetspeak and look-alike letters unified (0/o, 1/l/i/!, 5/$/s, 4/@/a, rn/m,
u/v), repeated letters collapsed ("fuuuck"), inner dots and dashes removed (f.u.c.k),
and masked words (f***ing, c***, sh#t) matched against the lists letter by letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from scanner.detectors import Detector
from scanner.detectors.conduct.words import (
    AGENCY_NAMES,
    FRENCH_COMPLEMENTS,
    FRENCH_LEAD_INS,
    FRENCH_ONLY_INSULTS,
    INSULT,
    MILD,
    SEVERE,
)
from scanner.geometry import box_union
from scanner.ingest.page import Page, Word
from scanner.model import Finding
from scanner.textfold import as_letters, lower_plain

TARGET_WINDOW = 10  # words between an abusive word and the name it is aimed at
MIN_MASKED_LENGTH = 3  # "c**" and longer; "N?" is punctuation
# OCR words read this unsurely are not language: Tesseract reading a script it was not given
# (Hebrew, measured: line medians 0.30-0.45) or noise. Clean print reads at 0.9 and above.
MIN_WORD_CONFIDENCE = 0.6
MIN_LINE_CONFIDENCE = 0.6
MIN_LATIN_SHARE = 0.7  # of a line's letters: below it the line is in another script
# A passage this long is a document or a book page, not a post: a slur in it that is aimed at
# no one is quoted material, reported for a look rather than blocked.
LITERARY_WORDS = 120
QUOTE_LOOKBACK = 60  # words searched back for an opening quotation mark
_SEVERITY_RANK = {"severe": 3, "insult": 2, "mild": 1}
_TARGETED_CONFIDENCE = {"severe": 0.95, "insult": 0.85, "mild": 0.65}
_UNTARGETED_SEVERE_CONFIDENCE = 0.75
_MASK_CHARS = "*#%&@$!?_"
# Letters a writer swaps for others on top of the look-alike digits and symbols (scanner.textfold).
_LETTER_SWAPS = str.maketrans({"l": "i", "q": "g", "v": "u"})
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>,;:.?!¿¡…"


@lru_cache(maxsize=65536)  # words repeat: a 200-page report folds each about 20 times
def canonical(token: str) -> str:
    """The spelling-insensitive key of one word (see module docstring)."""
    token = lower_plain(token).strip(_EDGE_PUNCTUATION)
    token = re.sub(r"(?<=\w)[.\-_'](?=\w)", "", token)
    token = as_letters(token.replace("rn", "m").replace("vv", "w")).translate(_LETTER_SWAPS)
    return re.sub(r"(.)\1+", r"\1", token)


@lru_cache(maxsize=1)
def _lexicon() -> dict[tuple[str, ...], str]:
    """Canonical word sequence -> severity, plurals added; the worst severity wins."""
    entries: dict[tuple[str, ...], str] = {}
    for severity, words in (("mild", MILD), ("insult", INSULT), ("severe", SEVERE)):
        for entry in words:
            parts = entry.split()
            for variant in (parts, [*parts[:-1], parts[-1] + "s"], [*parts[:-1], parts[-1] + "x"]):
                key = tuple(canonical(p) for p in variant)
                if variant is parts or key not in entries:
                    entries[key] = severity
    return entries


@lru_cache(maxsize=1)
def _longest_by_first_word() -> dict[str, int]:
    """The most words of an entry starting with each word: almost no word of a text starts one, and
    trying every length at every word was a third of the check's time on a report (measured)."""
    longest: dict[str, int] = {}
    for key in _lexicon():
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return longest


@lru_cache(maxsize=1)
def _single_words_by_initial() -> dict[str, list[tuple[str, str]]]:
    """One-word lexicon entries grouped by first letter, for matching masked words."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for key, severity in _lexicon().items():
        if len(key) == 1 and len(key[0]) >= 3:
            grouped.setdefault(key[0][0], []).append((key[0], severity))
    return grouped


@lru_cache(maxsize=65536)
def masked_severity(token: str) -> str | None:
    """Severity of a masked word like f***ing or c***, if it hides a listed word.

    A lone "?" or "!" after letters is punctuation, not a mask ("nig?" is OCR reading a
    non-Latin script, "N?" a question): a mask hides at least two letters at the end of a word,
    or sits between letters (sh#t)."""
    raw = lower_plain(token).strip(_EDGE_PUNCTUATION.replace("?", "").replace("!", ""))
    if not re.search(rf"[{re.escape(_MASK_CHARS)}]", raw[1:]) or not raw[:1].isalpha():
        return None
    trailing = len(raw) - len(raw.rstrip(_MASK_CHARS))
    if trailing == 1 and not re.search(rf"[{re.escape(_MASK_CHARS)}]", raw[:-1]):
        return None
    if len(raw) < MIN_MASKED_LENGTH:
        return None
    pattern = ""
    for run in re.finditer(rf"[{re.escape(_MASK_CHARS)}]+|[^{re.escape(_MASK_CHARS)}]+", raw):
        part = run.group()
        if part[0] in _MASK_CHARS:
            pattern += f"[a-z]{{{max(1, len(part) - 1)},{len(part) + 2}}}"
        else:
            pattern += re.escape(canonical(part))
    matcher = re.compile(pattern)
    worst = None
    for word, severity in _single_words_by_initial().get(canonical(raw[0]), []):
        if matcher.fullmatch(word) and _SEVERITY_RANK[severity] > _SEVERITY_RANK.get(worst or "", 0):
            worst = severity
    return worst


@dataclass(frozen=True)
class Hit:
    first: int  # token indexes, inclusive
    last: int
    severity: str
    masked: bool


def find_abusive(tokens: list[str]) -> list[Hit]:
    """Profane/insulting words and phrases in a token sequence."""
    keys = [canonical(t) for t in tokens]
    lexicon, longest = _lexicon(), _longest_by_first_word()
    hits: list[Hit] = []
    index = 0
    while index < len(tokens):
        hit = _phrase_at(keys, index, lexicon, longest) or _french_only_at(keys, index) or _masked_at(tokens, index)
        if hit:
            hits.append(hit)
            index = hit.last + 1
        else:
            index += 1
    return hits


def _phrase_at(keys: list[str], index: int, lexicon: dict[tuple[str, ...], str],
               longest: dict[str, int]) -> Hit | None:
    for size in range(min(longest.get(keys[index], 0), len(keys) - index), 0, -1):
        severity = lexicon.get(tuple(keys[index : index + size]))
        if severity:
            return Hit(index, index + size - 1, severity, masked=False)
    return None


_FRENCH_ONLY = frozenset(canonical(w) for w in FRENCH_ONLY_INSULTS)
_FRENCH_LEADS = frozenset(canonical(w) for w in FRENCH_LEAD_INS)
_FRENCH_COMPLEMENTS = frozenset(canonical(w) for w in FRENCH_COMPLEMENTS)


def _french_only_at(keys: list[str], index: int) -> Hit | None:
    """'con', 'cave'... are insults only after a French lead-in ("bande de cons") and
    with no complement after them ("des caves à vin" is about wine)."""
    if keys[index] not in _FRENCH_ONLY:
        return None
    led = any(k in _FRENCH_LEADS for k in keys[max(0, index - 2) : index])
    complemented = index + 1 < len(keys) and keys[index + 1] in _FRENCH_COMPLEMENTS
    return Hit(index, index, "insult", masked=False) if led and not complemented else None


def _masked_at(tokens: list[str], index: int) -> Hit | None:
    severity = masked_severity(tokens[index])
    return Hit(index, index, severity, masked=True) if severity else None


@lru_cache(maxsize=1)
def _agency_names_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    """Each name's folded words, grouped by its first word, longest name first."""
    names = {tuple(_target_key(p) for p in name.split()) for name in AGENCY_NAMES}
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for name in sorted(names, key=len, reverse=True):
        grouped.setdefault(name[0], []).append(name)
    return grouped


@lru_cache(maxsize=65536)
def _target_key(token: str) -> str:
    """Names are compared like abusive words, so OCR damage ("Stat1stics") is forgiven."""
    token = lower_plain(token).strip(_EDGE_PUNCTUATION).lstrip("#@")
    token = re.sub(r"_(eng|fra)$", "", re.sub(r"'s$", "", token))
    return canonical(token)


def find_targets(tokens: list[str]) -> list[tuple[int, int]]:
    """(first, last) token spans that name the Agency or the Government of Canada."""
    keys = [_target_key(t) for t in tokens]
    names_by_first_word = _agency_names_by_first_word()
    spans = []
    for index, key in enumerate(keys):
        for name in names_by_first_word.get(key, ()):
            if tuple(keys[index : index + len(name)]) == name:
                spans.append((index, index + len(name) - 1))
                break
    return spans


@dataclass(frozen=True)
class ConductMatch:
    label: str  # abuse or profanity
    severity: str
    first: int
    last: int
    target: tuple[int, int] | None
    confidence: float


def find_conduct(tokens: list[str]) -> list[ConductMatch]:
    hits = find_abusive(tokens)
    if not hits:
        return []  # names are looked for only around a word worth aiming
    targets = find_targets(tokens)
    matches = []
    for hit in hits:
        target = _nearest(hit, targets)
        if target is not None:
            matches.append(
                ConductMatch("abuse", hit.severity, hit.first, hit.last, target, _TARGETED_CONFIDENCE[hit.severity])
            )
        elif hit.severity == "severe":
            matches.append(
                ConductMatch("profanity", "severe", hit.first, hit.last, None, _UNTARGETED_SEVERE_CONFIDENCE)
            )
    return matches


def _nearest(hit: Hit, targets: list[tuple[int, int]]) -> tuple[int, int] | None:
    def distance(span: tuple[int, int]) -> int:
        return max(0, span[0] - hit.last, hit.first - span[1])

    near = [t for t in targets if distance(t) <= TARGET_WINDOW]
    return min(near, key=distance) if near else None


class ConductDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        findings = []
        for words in _passages(page):
            tokens = [w.text for w in words]
            for match in find_conduct(tokens):
                if not _read_surely(words[match.first : match.last + 1]):
                    continue
                if match.label == "profanity" and is_quoted_or_literary(tokens, match.first):
                    match = replace(match, label="quoted")
                findings.append(_finding(page, words, match))
        return findings


def _passages(page: Page) -> list[list[Word]]:
    """Text-layer words and OCR words as two separate running texts (lines joined). Lines in
    another script, or that OCR read unsurely, are left out: their "words" are noise."""
    by_source: dict[str, list[Word]] = {}
    for line in page.lines():
        if _is_language(line):
            for word in line:
                by_source.setdefault(word.source, []).append(word)
    return list(by_source.values())


def _is_language(line: Sequence[Word]) -> bool:
    if not all(w.text.isascii() for w in line):  # else every letter is Latin: nothing to count
        letters = [c for w in line for c in w.text if c.isalpha()]
        if letters and sum(_is_latin(c) for c in letters) < MIN_LATIN_SHARE * len(letters):
            return False
    confidences = sorted(w.confidence for w in line)
    return confidences[len(confidences) // 2] >= MIN_LINE_CONFIDENCE


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


def _read_surely(words: list[Word]) -> bool:
    return all(w.confidence >= MIN_WORD_CONFIDENCE for w in words)


_OPENING_QUOTES = "“«„"
_CLOSING_QUOTES = "”»"


def is_quoted_or_literary(tokens: list[str], index: int) -> bool:
    """Is the word at `index` inside quotation marks, or part of a long running text (a book
    page, a report) rather than a post?"""
    return len(tokens) >= LITERARY_WORDS or _inside_quotes(tokens, index)


def _inside_quotes(tokens: list[str], index: int) -> bool:
    """Quotation marks opened before the word (within QUOTE_LOOKBACK words) and not yet closed."""
    depth = 0
    for position in range(max(0, index - QUOTE_LOOKBACK), index + 1):
        token = tokens[position]
        if token[:1] in _OPENING_QUOTES or token[:1] == '"':
            depth += 1
        if position == index:
            break
        end = token.rstrip(".,;:!?…)")
        if len(end) > 1 and (end[-1] in _CLOSING_QUOTES or end[-1] == '"'):
            depth = max(0, depth - 1)
    return depth > 0


def _finding(page: Page, words: list[Word], match: ConductMatch) -> Finding:
    said = words[match.first : match.last + 1]
    detail = f'{match.severity} {"insult" if match.severity == "insult" else "profanity"}'
    if match.target:
        aimed = " ".join(w.text for w in words[match.target[0] : match.target[1] + 1])
        detail += f' aimed at "{aimed}"'
    return Finding(
        kind="conduct",
        label=match.label,
        confidence=match.confidence,
        page=page.number,
        bbox=box_union(w.bbox for w in said),
        excerpt=" ".join(masked_word(w.text) for w in said),
        detail=detail,
    )


def masked_word(word: str) -> str:
    """The word with all but its first letter hidden: enough to find it, not to repeat it in a log."""
    return word[:1] + "*" * (len(word) - 1)
