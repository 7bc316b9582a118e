"""What a finding and a report say to a person, in each language, from the checks' declarations.

One finding: "Security marking “PROTECTED B” (guideline 2.6: confidential information): a document
marked this way must not be shared; share the released version instead."
One report, on one line: "security marking “PROTECTED B” (2.6); 2 faces of people (2.4)".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scanner.detectors import SECTION_TITLES, KindSpec, Message, Registry, registry
from scanner.i18n import LANGUAGES, N_, capitalized, ntr, tr, typeset
from scanner.model import Finding, LocalText

N_("personal use of social media")
N_("privacy")
N_("conduct")
N_("confidential information")


def section_reference(language: str, section: str) -> str:
    title = SECTION_TITLES.get(section)
    if title is None:
        return tr(language, "guideline {section}", section=section)
    return tr(language, "guideline {section}: {title}", section=section, title=tr(language, title))


def found(language: str, message: Message, n: int, excerpt: str) -> str:
    """'a face of a person' / '3 faces of people', in the language asked."""
    if message.fr is not None and language == "fr":
        text = message.fr.found if n == 1 else message.fr.found_plural
        return text.format(n=n, excerpt=excerpt)
    return ntr(language, message.found, message.found_plural, n, excerpt=excerpt)


def todo(language: str, message: Message) -> str:
    if message.fr is not None and language == "fr":
        return message.fr.todo
    return tr(language, message.todo)


def finding_message(kind: KindSpec, label: str, excerpt: str, language: str) -> str:
    message = kind.message(label)
    what = capitalized(found(language, message, 1, excerpt))
    return tr(language, "{what} ({section}): {todo}.", what=what, section=section_reference(language, kind.section),
              todo=todo(language, message))


def localised(kind: KindSpec, label: str, excerpt: str) -> LocalText:
    return {language: finding_message(kind, label, excerpt, language) for language in LANGUAGES}


@dataclass(frozen=True)
class Group:
    """Findings of one kind and label, counted: they make one phrase of a reason."""

    kind: KindSpec
    label: str
    count: int
    excerpt: str  # the first one's, shown when there is only one

    def phrase(self, language: str) -> str:
        return found(language, self.kind.message(self.label), self.count, self.excerpt)

    def sentence(self, language: str) -> str:
        what = capitalized(self.phrase(language))
        return tr(language, "{what} ({section}): {todo}.", what=what,
                  section=section_reference(language, self.kind.section),
                  todo=todo(language, self.kind.message(self.label)))


def grouped(findings: Iterable[Finding], known: Registry | None = None) -> list[Group]:
    known = known or registry()
    counts: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        counts.setdefault((finding.kind, finding.label), []).append(finding)
    return [Group(known.kinds[kind], label, len(items), items[0].excerpt) for (kind, label), items in counts.items()
            if kind in known.kinds]


def reason(blocking: Iterable[Finding], error_text: str | None, language: str) -> str:
    """Why a file is blocked, on one line; '' when it is not."""
    if error_text is not None:
        return tr(language, "could not be checked: {why}", why=error_text)
    phrases = [tr(language, "{what} (guideline {section})", what=group.phrase(language), section=group.kind.section)
               for group in grouped(blocking)]
    return typeset(language, " ; " if language == "fr" else "; ").join(phrases)


def localised_reason(blocking: tuple[Finding, ...], error_texts: LocalText | None) -> LocalText:
    if not blocking and not error_texts:
        return {}
    return {language: reason(blocking, error_texts.get(language) if error_texts else None, language)
            for language in LANGUAGES}
