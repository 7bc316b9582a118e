"""bytes -> Document of Pages. The type comes from the content, never the file name."""

from __future__ import annotations

from pathlib import PurePath

from scanner.ingest.errors import IngestError
from scanner.ingest.limits import Limits
from scanner.ingest.page import Document, Page, TextReader, Word
from scanner.ingest.sniff import CONTAINER_TYPES, IMAGE_TYPES, sniff

__all__ = ["Document", "IngestError", "Limits", "Page", "TextReader", "Word", "load", "sniff"]


def load(data: bytes, filename: str | None = None, limits: Limits | None = None) -> Document:
    limits = limits or Limits()
    if not data:
        raise IngestError("empty file")
    if len(data) > limits.max_file_bytes:
        raise IngestError(
            f"file too large: {len(data) / 2**20:.1f} MiB (limit {limits.max_file_bytes / 2**20:.0f} MiB)"
        )
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
    named = f" (named {suffix})" if suffix else ""
    raise IngestError(
        f"unsupported or unrecognised file type{named}: "
        "content is not an image, PDF, Office document, ZIP archive or e-mail"
    )
