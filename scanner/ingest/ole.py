"""OLE2 compound files that are not Outlook messages (legacy .doc, .xls, .ppt; Office files
encrypted with a password) are not read: they are blocked with a reason that says what to do."""

from __future__ import annotations

from scanner.ingest.errors import IngestError

_ENCRYPTED_OFFICE = "EncryptedPackage".encode("utf-16-le")


def ole_refusal(data: bytes, name: str | None = None) -> IngestError:
    """Why an OLE2 file that is not an Outlook message is not read."""
    where = name or ""
    if _ENCRYPTED_OFFICE in data:
        return IngestError("{where}encrypted Office document: its content cannot be checked; share an unprotected copy",
                           where=f"{where}: " if where else "")
    return IngestError("{where}legacy Office file (.doc, .xls, .ppt) or other OLE file: not read; save it as .docx, "
                       ".xlsx or .pptx and check that", where=f"{where}: " if where else "")
