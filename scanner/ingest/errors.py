from __future__ import annotations

from scanner.errors import EXIT_UNCHECKED, SmscanError
from scanner.i18n import LANGUAGES, tr


class IngestError(SmscanError):
    """A file that cannot be checked; the message is one line a person can act on.

    Written as a message id with placeholders, `IngestError("page {page} is {width} x {height} px",
    page=1, width=..., height=...)`, it can be shown translated; a finished sentence works too
    (shown as written in every language unless the catalogue has it)."""

    exit_code = EXIT_UNCHECKED

    def __init__(self, message: str, /, **values: object) -> None:
        self.template = message
        self.values = values
        super().__init__(tr("en", message, **values) if values else message)

    def translated(self, language: str) -> str:
        if not self.values:
            return tr(language, self.template)
        return tr(language, self.template, **self.values)

    def localised(self) -> dict[str, str]:
        return {language: self.translated(language) for language in LANGUAGES}


def one_line(error: BaseException) -> str:
    """An exception's message folded onto one line, for a person to read."""
    return " ".join(str(error).split()) or type(error).__name__
