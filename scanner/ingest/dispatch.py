"""The one entry to ingest: bytes -> Document, dispatched on the type sniffed from the content.

Fail closed: whatever goes wrong while a file is read becomes an IngestError whose message is
one line a person can act on; nothing else leaves `load` (but MemoryError, which the engine
reports as such)."""

from __future__ import annotations

from pathlib import PurePath

from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.limits import Limits
from scanner.ingest.page import Document
from scanner.ingest.sniff import CONTAINER_TYPES, IMAGE_TYPES, sniff


def load(data: bytes, filename: str | None = None, limits: Limits | None = None) -> Document:
    limits = limits or Limits()
    if not data:
        raise IngestError("empty file")
    if len(data) > limits.max_file_bytes:
        raise IngestError("file too large: over {limit} MiB (limit max_file_mb)",
                          limit=round(limits.max_file_bytes / 2**20))
    try:
        return _load(data, sniff(data), filename, limits)
    except (IngestError, MemoryError):
        raise
    except Exception as error:  # fail closed: whatever a reader raised, this file was not checked
        raise IngestError("cannot read this file: {why}", why=one_line(error)) from None


def _load(data: bytes, kind: str | None, filename: str | None, limits: Limits) -> Document:
    if kind == "pdf":
        from scanner.ingest.containers import load_pdf_document

        return load_pdf_document(data, limits)
    if kind in IMAGE_TYPES:
        from scanner.ingest.image import load_image

        return load_image(data, kind, limits)
    if kind == "svg":
        from scanner.ingest.svg import load_svg

        return load_svg(data, limits)
    if kind in CONTAINER_TYPES:
        from scanner.ingest.containers import load_container

        return load_container(data, kind, limits)
    from scanner.ingest.textual import text_of

    text = text_of(data, kind, filename)
    if text is not None:
        return load_text(text, filename, limits)
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix:
        raise IngestError("unsupported or unrecognised file type (named {suffix}): the content is not a format "
                          "smscan reads", suffix=suffix)
    raise IngestError("unsupported or unrecognised file type: the content is not a format smscan reads")


def load_text(text: str, name: str | None = None, limits: Limits | None = None) -> Document:
    """Text (a file's, standard input's, a draft's): plain, Markdown, HTML, CSV/TSV, RTF; `name`, if
    any, is only a hint that the text is HTML (an e-mail's declared HTML body)."""
    from scanner.ingest.budget import Budget
    from scanner.ingest.containers import member_pages
    from scanner.ingest.textual import text_content_pages

    pages = text_content_pages(text, None, 1, Budget(limits or Limits()), member_pages, name=name)
    office = next((p.metadata["office_info"] for p in pages if "office_info" in p.metadata), None)
    return Document("text", pages, {"office_info": office} if office else {})
