"""English and French for people; machines get JSON.

Every sentence a person reads is an English message id marked for extraction (`N_`, `tr`,
`ntr`, `Message(...)` in check declarations, `IngestError(...)`), translated through the gettext
catalogue in `locale/fr/LC_MESSAGES/smscan.po` (compiled to `.mo` beside it; `make messages`
re-extracts and re-compiles with Babel). Console, HTML report and drop page share these words.
French follows French typography: a no-break space before ":", ";", "!", "?" and "%", « » quotes,
a comma for decimals and a space between thousands.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

from scanner.errors import UsageError

LANGUAGES = ("en", "fr")
DOMAIN = "smscan"
LOCALE_DIR = Path(__file__).with_name("locale")
_NBSP = "\u00a0"
_NARROW_NBSP = "\u202f"


def N_(message: str) -> str:
    """Marks a message for extraction where it is written; it is translated where it is shown."""
    return message


@cache
def translation(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def tr(language: str, message: str, /, **values: object) -> str:
    """The message in `language`, with its {placeholders} filled (numbers written the language's way)."""
    text = translation(language).gettext(message)
    return _filled(language, text, values)


def ntr(language: str, singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural message for `n`, translated and filled ({n} is available)."""
    text = translation(language).ngettext(singular, plural, n)
    return _filled(language, text, {"n": n, **values})


def _filled(language: str, text: str, values: dict[str, object]) -> str:
    if values:
        shown = {k: number(language, v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                 for k, v in values.items()}
        text = text.format(**shown)
    return typeset(language, text)


def typeset(language: str, text: str) -> str:
    """French spacing before two-part punctuation and %; English unchanged."""
    if language != "fr":
        return text
    for mark in (":", ";", "!", "?"):
        text = text.replace(f" {mark}", f"{_NBSP}{mark}")
    text = text.replace("« ", f"«{_NBSP}").replace(" »", f"{_NBSP}»")
    return text.replace(" %", f"{_NARROW_NBSP}%")


def number(language: str, value: float, decimals: int | None = None) -> str:
    """1,234.5 in English, 1 234,5 in French."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    if language == "fr":
        text = text.replace(",", _NARROW_NBSP).replace(".", ",")
    return text


def percent(language: str, fraction: float) -> str:
    value = number(language, round(fraction * 100))
    return f"{value}{_NARROW_NBSP}%" if language == "fr" else f"{value}%"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def parse_language(value: str) -> str:
    """en or fr from what a person typed (en, fr, fr_CA, French...); anything else is refused."""
    key = value.strip().lower().replace("-", "_")
    for language, names in (("en", ("en", "english", "anglais")), ("fr", ("fr", "french", "français", "francais"))):
        if key in names or key.startswith(f"{language}_"):
            return language
    raise UsageError(f"unknown language {value!r}: smscan speaks en (English) and fr (French)")


def default_language() -> str:
    """From SMSCAN_LANG, then the locale variables; English when none says French."""
    for variable in ("SMSCAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"
