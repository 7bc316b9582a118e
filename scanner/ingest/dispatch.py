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
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix:
        raise IngestError("unsupported or unrecognised file type (named {suffix}): the content is not a format "
                          "smscan reads", suffix=suffix)
    raise IngestError("unsupported or unrecognised file type: the content is not a format smscan reads")
