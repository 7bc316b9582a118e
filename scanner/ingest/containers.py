"""Containers (ZIP archives, Office documents, e-mail) as the pages of all their members, recursively.

Everything stays in memory and nothing is extracted to disk. Each member is decompressed
through a byte cap set by the file's Budget, so neither a lying header nor extreme compression
(a zip bomb) can make it cost more than the policy's limits. A member that cannot be checked
(encrypted, damaged, of an unknown binary type) blocks the whole file.
"""

from __future__ import annotations

from scanner.i18n import N_
from scanner.ingest.budget import Budget
from scanner.ingest.eml import eml_pages
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.limits import Limits
from scanner.ingest.odf import odf_pages
from scanner.ingest.ooxml import ooxml_pages
from scanner.ingest.page import Document, Page
from scanner.ingest.sniff import CONTAINER_TYPES, IMAGE_TYPES, sniff
from scanner.ingest.textual import text_content_pages, text_of
from scanner.ingest.zip import listed_members, open_zip, zip_pages

_DAMAGED_CONTAINER = {
    "zip": N_("damaged ZIP archive: {why}"),
    "ooxml": N_("damaged Office document: {why}"),
    "eml": N_("damaged e-mail: {why}"),
}


def load_container(data: bytes, kind: str, limits: Limits) -> Document:
    """A ZIP, Office document or e-mail as the pages of all its members, recursively."""
    try:
        pages = container_pages(kind, data, "", 1, Budget(limits))
    except (IngestError, MemoryError):
        raise
    except Exception as error:  # fail closed: a container we could not take apart is not checked
        raise IngestError(_DAMAGED_CONTAINER[kind], why=one_line(error)) from None
    office = next((p.metadata["office_info"] for p in pages if "office_info" in p.metadata), None)
    return Document(kind, pages, {"office_info": office} if office else {})


def load_pdf_document(data: bytes, limits: Limits) -> Document:
    """A PDF, with the files attached to it read as its members."""
    from scanner.ingest.pdf import load_pdf  # PyMuPDF is loaded only for files that need it

    return load_pdf(data, limits, _attachment_reader("", 1, Budget(limits)))


def _attachment_reader(prefix: str, depth: int, budget: Budget):
    def read(data: bytes, name: str) -> list[Page]:
        full = prefix + name
        if depth + 1 > budget.limits.max_depth:
            raise IngestError("files attached too deeply: level {level} (limit max_depth {limit}), at {member}",
                              level=depth + 1, limit=budget.limits.max_depth, member=full)
        budget.count_member(full)
        budget.spend(len(data), full)
        return member_pages(data, full, depth + 1, budget)

    return read


def container_pages(kind: str, data: bytes, prefix: str, depth: int, budget: Budget) -> list[Page]:
    if depth > budget.limits.max_depth:
        where = prefix.rstrip("/") or "top level"
        raise IngestError(f"containers nested too deeply: level {depth} (limit max_depth {budget.limits.max_depth}), "
                          f"at {where}")
    if kind == "eml":
        return eml_pages(data, prefix, depth, budget, member_pages)
    if kind == "msg":
        from scanner.ingest.msg import msg_pages  # extract-msg is loaded only for Outlook messages

        return msg_pages(data, prefix, depth, budget, member_pages)
    archive = open_zip(data, prefix)
    with archive:
        members = listed_members(archive, prefix, budget)
        if kind == "ooxml":
            return ooxml_pages(archive, members, prefix, depth, budget, member_pages)
        if kind == "odf":
            return odf_pages(archive, members, prefix, depth, budget, member_pages)
        return zip_pages(archive, members, prefix, depth, budget, member_pages)


def member_pages(data: bytes, name: str, depth: int, budget: Budget, kind: str | None = None) -> list[Page]:
    """One member of a container: a nested container, an image, a PDF, or text; anything else blocks."""
    if not data:
        return []  # an empty member holds nothing to check
    kind = kind or sniff(data)
    if kind in CONTAINER_TYPES:
        return container_pages(kind, data, f"{name}/", depth + 1, budget)
    if kind in ("pdf", "svg") or kind in IMAGE_TYPES:
        pages = list(_leaf_document(data, kind, name, depth, budget).pages)
    else:
        text = text_of(data, kind, name)
        if text is None:
            raise IngestError("cannot check member {name}: not a format smscan reads", name=name)
        return text_content_pages(text, name, depth, budget, member_pages)  # counts its own pages
    for page in pages:
        page.part = name
    budget.count_pages(len(pages), name)
    return pages


def _leaf_document(data: bytes, kind: str, name: str, depth: int, budget: Budget) -> Document:
    limits = budget.limits
    try:
        if kind == "pdf":
            from scanner.ingest.pdf import load_pdf  # PyMuPDF is loaded only for files that need it

            return load_pdf(data, limits, _attachment_reader(f"{name}/", depth, budget))
        if kind == "svg":
            from scanner.ingest.svg import load_svg

            return load_svg(data, limits)
        from scanner.ingest.image import load_image

        return load_image(data, kind, limits)
    except IngestError as error:
        if str(error).startswith(f"{name}/") or f", at {name}/" in str(error):
            raise  # an attached file's own reason already names where it is
        raise IngestError(f"{name}: {error}") from None
