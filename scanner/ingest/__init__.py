"""bytes -> Document of Pages. The type comes from the content, never the file name.

`load`, `Page`, `Document` and `Word` are imported on first use: `scanner.ingest.errors`, which
every layer uses, must not pull in numpy and the image libraries."""

from __future__ import annotations

from typing import TYPE_CHECKING

# Light, and bound now: a name that is also a submodule's ("sniff") would otherwise be replaced by
# the module as soon as someone imports the submodule.
from scanner.ingest.errors import IngestError
from scanner.ingest.limits import Limits
from scanner.ingest.sniff import sniff
from scanner.lazy import lazy_exports

if TYPE_CHECKING:
    from scanner.ingest.dispatch import load
    from scanner.ingest.page import Document, Page, TextReader, Word

_WHERE = {
    "load": "scanner.ingest.dispatch",
    "Document": "scanner.ingest.page",
    "Page": "scanner.ingest.page",
    "TextReader": "scanner.ingest.page",
    "Word": "scanner.ingest.page",
}
__all__ = ["Document", "IngestError", "Limits", "Page", "TextReader", "Word", "load", "sniff"]

__getattr__ = lazy_exports(__name__, _WHERE)
