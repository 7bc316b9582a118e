"""The one entry to ingest: bytes -> Document, dispatched on the type sniffed from the content."""

from __future__ import annotations

from pathlib import PurePath

from scanner.ingest.errors import IngestError
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
    kind = sniff(data)
    if kind == "pdf":
        from scanner.ingest.pdf import load_pdf

        return load_pdf(data, limits)
    if kind in IMAGE_TYPES:
        from scanner.ingest.image import load_image

        return load_image(data, kind, limits)
    if kind in CONTAINER_TYPES:
        from scanner.ingest.containers import load_container

        return load_container(data, kind, limits)
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix:
        raise IngestError("unsupported or unrecognised file type (named {suffix}): the content is not a format "
                          "smscan reads", suffix=suffix)
    raise IngestError("unsupported or unrecognised file type: the content is not a format smscan reads")
