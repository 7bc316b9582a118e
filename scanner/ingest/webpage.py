"""HTML as a person sees it: the visible text, the words that stand in for pictures (alt, title),
what a link preview shows (description, Open Graph title), the author named in the page's
properties, and the pictures carried inside the page itself (`data:` URIs, inline <svg>).

Pictures a saved page links to (`page_files/photo.jpg`) are separate files: they are checked
when the folder is scanned, not when the .html file alone is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from scanner.ingest.inline import DATA_URI, embedded_pictures

# Text inside these is never shown (nor is the <head>'s, but for its <title>).
_UNSHOWN = {"script", "style", "template"}
# Tags that end a line of text where they open or close.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
}  # fmt: skip
# Attributes whose words a reader sees or hears in place of (or beside) the element.
_SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
# <meta> names whose content a link preview or a search result shows.
_SHOWN_META = {"description", "keywords", "og:title", "og:description", "twitter:title", "twitter:description"}
_AUTHOR_META = {"author", "article:author", "dc.creator"}

_HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)


def looks_like_html(text: str) -> bool:
    return _HTML_START.search(text[:4096]) is not None


@dataclass
class Webpage:
    lines: list[str]
    author: str = ""
    pictures: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes)


def read_webpage(text: str) -> Webpage:
    reader = _VisibleText()
    reader.feed(DATA_URI.sub("data:", text))  # the parser need not wade through megabytes of base64
    reader.close()
    return Webpage(reader.finished_lines(), reader.author, embedded_pictures(text))


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.unshown = 0  # open <script>, <style>, <template>
        self.in_head = self.in_title = False
        self.author = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            self._meta(values)
        elif tag in _UNSHOWN:
            self.unshown += 1
        elif tag in ("head", "title", "body"):
            self.in_head = tag != "body" and (self.in_head or tag == "head")
            self.in_title = tag == "title"
        if tag in _BLOCKS:
            self._end_line()
        if self.unshown:
            return
        shown = [values[name] for name in sorted(_SHOWN_ATTRIBUTES) if values.get(name, "").strip()]
        if tag == "input" and values.get("type", "").lower() in ("submit", "button") and values.get("value"):
            shown.append(values["value"])
        if shown:
            self._end_line()
            self.lines.extend(shown)

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSHOWN:
            self.unshown = max(0, self.unshown - 1)
        elif tag == "head":
            self.in_head = False
        elif tag == "title":
            self.in_title = False
        if tag in _BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self.unshown and (self.in_title or not self.in_head):
            self.current.append(data)

    def _meta(self, values: dict[str, str]) -> None:
        key = (values.get("name") or values.get("property") or "").lower()
        content = " ".join(values.get("content", "").split())
        if not content:
            return
        if key in _AUTHOR_META and not self.author:
            self.author = content
        elif key in _SHOWN_META:
            self.lines.append(content)

    def _end_line(self) -> None:
        if self.current:
            self.lines.extend("".join(self.current).splitlines())
            self.current = []

    def finished_lines(self) -> list[str]:
        self._end_line()
        return [line for line in self.lines if line.strip()]
