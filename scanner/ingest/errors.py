"""The one error of ingest, and how a library's message becomes words a person can read."""

from __future__ import annotations

import re

from scanner.errors import EXIT_UNCHECKED, SmscanError
from scanner.i18n import LANGUAGES, N_, tr


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


def one_line(error: BaseException | str) -> str:
    """A message folded onto one line, without what means nothing to a person: object reprs and
    memory addresses (`<_io.BytesIO object at 0x7f…>`, different on every run), exception class
    names and MuPDF's `code=N:` prefixes."""
    text = " ".join(str(error).split())
    text = _OBJECT_REPR.sub("the file", text)
    text = _ADDRESS.sub("", text)
    text = _CLASS_NAME.sub("", text)
    text = _MUPDF_CODE.sub("", text)
    return " ".join(text.split()).strip(" :;,") or "no detail given"


_OBJECT_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_CLASS_NAME = re.compile(r"\b(?:[a-z_]+\.)*(?:Fz[A-Z]\w*|[A-Z][A-Za-z]*(?:Error|Exception))\b:?")
_MUPDF_CODE = re.compile(r"\bcode=\d+:?")


# What is over the pixel limit -> the sentence that says so ("page 1 is 55,556 x 55,556 px, ...").
_OVER_PIXEL_LIMIT = {
    "image": N_("the image is {width} x {height} px, over the {limit} MP limit (max_megapixels)"),
    "frame": N_("frame {frame} is {width} x {height} px, over the {limit} MP limit (max_megapixels)"),
    "page": N_("page {page} is {width} x {height} px, over the {limit} MP limit (max_megapixels)"),
    "embedded": N_("an image on page {page} is {width} x {height} px, over the {limit} MP limit (max_megapixels)"),
    "svg": N_("the SVG drawing would be {width} x {height} px, over the {limit} MP limit (max_megapixels)"),
}


def over_pixel_limit(what: str, width: int, height: int, max_pixels: int, **where: int) -> IngestError:
    """`what` is "image", "frame" (with frame=N), "page" or "embedded" (with page=N), or "svg"."""
    return IngestError(_OVER_PIXEL_LIMIT[what], width=width, height=height, limit=max_pixels / 1e6, **where)
