"""Checks: each declares itself, and the registry knows them all.

A check is a subpackage (or a plug-in) whose `CHECK` is a `CheckSpec`: its name, version, the
guideline section and default block level of each finding kind it reports, its messages to
people in plain words, and where its `Detector` class lives (imported only when a Scanner
needs it, so declaring costs nothing). A Detector turns a Page into Findings: no I/O, no policy.

Built-in checks are listed in BUILT_IN; plug-ins are published under the `smscan.checks`
entry-point group, each entry point naming a CheckSpec. Two checks claiming one name or one
kind, or a check whose detector reports a kind it did not declare, are errors.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from scanner.errors import RegistryError

if TYPE_CHECKING:
    from scanner.ingest.page import Page
    from scanner.model import Finding

BUILT_IN = (
    "scanner.detectors.marking",
    "scanner.detectors.logo",
    "scanner.detectors.face",
    "scanner.detectors.pii",
    "scanner.detectors.metadata",
    "scanner.detectors.conduct",
    "scanner.detectors.disclaimer",
    "scanner.detectors.microdata",
)
ENTRY_POINT_GROUP = "smscan.checks"


@dataclass(frozen=True)
class Message:
    """What a finding says to a person, in English; French comes from the gettext catalogue, or
    from `fr` for a plug-in that ships its own words. `found` may use {excerpt}; `found_plural`
    takes {n}; `todo` says what to do about it."""

    found: str
    found_plural: str
    todo: str
    fr: Message | None = None


@dataclass(frozen=True)
class Level:
    """A default block level: the confidence from which a finding blocks (None: reported only),
    with the reason from the guideline, shown by `smscan policy show`."""

    block_at: float | None
    why: str


@dataclass(frozen=True)
class KindSpec:
    name: str  # as findings and policies say it: "face"
    plural: str  # as people type it: "faces" (--consent faces)
    section: str  # guideline section: "2.4"
    default: Level
    messages: Mapping[str, Message]  # by label; "*" for any other label
    label_levels: Mapping[str, Level] = field(default_factory=dict)  # a label's own default level
    labels: tuple[str, ...] = ()  # labels it reports; a policy naming another label is refused
    open_labels: bool = False  # labels beyond `labels` may appear (logo templates a user adds)

    def message(self, label: str) -> Message:
        return self.messages.get(label) or self.messages["*"]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    version: str
    description: str
    kinds: tuple[KindSpec, ...]
    detector: str | Callable[[], Detector]  # "module:Class", imported when first built
    reads_text: bool = False  # uses page.words: the page's OCR is run before it
    # "module:function" -> what the check cannot do as well as usual on this installation (missing
    # artwork...), cheap and without building the check, so every scan can say it, built or not.
    preflight: str | None = None
    pixels_only: bool = False  # it only looks at pixels: nothing for it on a text page (e-mail body, .txt)

    def warnings(self) -> tuple[str, ...]:
        if self.preflight is None:
            return ()
        module, _, attribute = self.preflight.partition(":")
        return tuple(getattr(importlib.import_module(module), attribute)())

    def build(self) -> Detector:
        factory = self.detector
        if isinstance(factory, str):
            module, _, attribute = factory.partition(":")
            factory = getattr(importlib.import_module(module), attribute)
        detector = factory()
        detector.name = self.name
        detector.spec = self
        return detector


class Detector:
    """What a check runs. Models are loaded in `__init__`, once per Scanner; `detect` must be
    safe to call from several threads."""

    name: str = ""
    spec: CheckSpec

    def detect(self, page: Page) -> list[Finding]:
        raise NotImplementedError


# Guideline sections and their titles, as people see them. A plug-in's new section is shown
# by its number alone.
SECTION_TITLES: dict[str, str] = {
    "2.3": "personal use of social media",
    "2.4": "privacy",
    "2.5": "conduct",
    "2.6": "confidential information",
}


@dataclass(frozen=True)
class Registry:
    checks: Mapping[str, CheckSpec]
    kinds: Mapping[str, KindSpec]
    check_of_kind: Mapping[str, str]

    def kind(self, word: str, where: str = "") -> KindSpec:
        """The kind named by `word` ("face" or "faces"); an unknown word is refused with a suggestion."""
        key = word.strip().lower()
        for spec in self.kinds.values():
            if key in (spec.name, spec.plural):
                return spec
        raise RegistryError(_unknown("finding kind", word, [*self.kinds, *(k.plural for k in self.kinds.values())],
                                     where))

    def check(self, word: str, where: str = "") -> CheckSpec:
        key = word.strip().lower()
        if key in self.checks:
            return self.checks[key]
        raise RegistryError(_unknown("check", word, list(self.checks), where))


def _unknown(what: str, word: str, known: Iterable[str], where: str) -> str:
    known = sorted(set(known))
    close = difflib.get_close_matches(word.strip().lower(), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    place = f"{where}: " if where else ""
    return f"{place}unknown {what} {word!r}{hint} (known: {', '.join(known)})"


def make_registry(specs: Iterable[CheckSpec]) -> Registry:
    checks: dict[str, CheckSpec] = {}
    kinds: dict[str, KindSpec] = {}
    owner: dict[str, str] = {}
    for spec in specs:
        if spec.name in checks:
            raise RegistryError(f"two checks are named {spec.name!r}")
        checks[spec.name] = spec
        for kind in spec.kinds:
            for word in (kind.name, kind.plural):
                if word in owner and owner[word] != spec.name:
                    raise RegistryError(f"checks {owner[word]!r} and {spec.name!r} both declare the kind {word!r}")
                owner[word] = spec.name
            if "*" not in kind.messages:
                raise RegistryError(f"check {spec.name!r}: kind {kind.name!r} has no message for '*' (any label)")
            kinds[kind.name] = kind
    return Registry(checks, kinds, {k: owner[k] for k in kinds})


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Built-in checks, then plug-ins; loaded once per process."""
    return make_registry([*map(_built_in, BUILT_IN), *_plug_ins()])


def _built_in(module: str) -> CheckSpec:
    return importlib.import_module(module).CHECK


def _plug_ins() -> list[CheckSpec]:
    from importlib.metadata import entry_points

    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = entry.load()
        except Exception as error:  # a broken plug-in is an installation problem, said once
            raise RegistryError(f"plug-in check {entry.name!r} cannot be loaded: {error}") from error
        if not isinstance(spec, CheckSpec):
            raise RegistryError(f"plug-in {entry.name!r} ({entry.value}) is not a scanner.detectors.CheckSpec")
        found.append(spec)
    return found
