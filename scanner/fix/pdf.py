"""The copy of a PDF: true redaction where the scan found something, then metadata and hidden content
removed.

Findings' boxes are in pixels of the page raster at ingest's RENDER_DPI (findings on embedded
images already carry their box on the page), converted here to PDF points. For each region:

* the text under it is removed from the text layer (PyMuPDF redactions, not a rectangle drawn over
  selectable text). MuPDF removes every character whose box touches the redaction, and a line's
  character boxes are taller than the line spacing, so the text is redacted through the middle band
  of the region only: a full-height redaction of one line also took letters of the lines above and
  below (measured on 11 pt text at 14 pt spacing);
* the pixels of every image under it are blanked in the image itself, and vector art it covers is
  removed;
* what the region looked like, painted (a box, a blur, a pixelation), is put back on top as a
  picture, so the page still reads.

Hidden text the metadata check reported is redacted from the text layer without painting. After
saving, the text under every region is extracted again: any left is a failure, not a copy.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pymupdf
from PIL import Image

from scanner.fix.paint import Style, cover, region
from scanner.ingest.errors import IngestError
from scanner.ingest.pdf import PDF_LOCK, RENDER_DPI
from scanner.model import Finding

_POINTS_PER_PIXEL = 72 / RENDER_DPI
_TEXT_BAND_INSET = 4.0  # points cut from the top and bottom of a region for text removal (see above)
_BLACK = (0, 0, 0)

StyleOf = Callable[[Finding], Style]


@dataclass(frozen=True)
class _Region:
    rect: pymupdf.Rect  # points
    style: Style


def fix_pdf(data: bytes, findings: Sequence[Finding], style_of: StyleOf) -> bytes:
    with PDF_LOCK:
        doc = pymupdf.open(stream=data, filetype="pdf")
        try:
            for page in doc:
                here = [f for f in findings if f.page == page.number + 1 and f.part is None]
                _remove_hidden_text(page, [f for f in here if f.kind == "metadata" and f.label == "hidden-text"])
                _delete_annotations(page)
                _redact(page, [_region(page, f, style_of(f)) for f in here if f.kind != "metadata"])
            _scrub(doc)
            copy = doc.tobytes(garbage=4, deflate=True, clean=True)
        finally:
            doc.close()
        _verify(copy, findings)
    return copy


def _region(page: pymupdf.Page, finding: Finding, style: Style) -> _Region | None:
    size = (round(page.rect.width / _POINTS_PER_PIXEL), round(page.rect.height / _POINTS_PER_PIXEL))
    box = region(finding, size)
    if box is None:
        return None
    return _Region(pymupdf.Rect(*(v * _POINTS_PER_PIXEL for v in box)) & page.rect, style)


def _text_band(rect: pymupdf.Rect) -> pymupdf.Rect:
    inset = min(_TEXT_BAND_INSET, rect.height * 0.35)
    return pymupdf.Rect(rect.x0, rect.y0 + inset, rect.x1, rect.y1 - inset)


def _redact(page: pymupdf.Page, regions: list[_Region | None]) -> None:
    regions = [r for r in regions if r is not None and not r.rect.is_empty]
    if not regions:
        return
    painted = [(r, _painted(page, r)) for r in regions]  # drawn before anything is removed
    _delete_fields_under(page, [r.rect for r in regions])
    for r in regions:
        page.add_redact_annot(_text_band(r.rect))
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                          text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    for r in regions:
        page.add_redact_annot(r.rect, fill=False)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                          graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED, text=pymupdf.PDF_REDACT_TEXT_NONE)
    for r, picture in painted:
        if picture is None:
            page.draw_rect(r.rect, color=None, fill=_BLACK, overlay=True)
        else:
            page.insert_image(r.rect, stream=picture, overlay=True)


def _delete_fields_under(page: pymupdf.Page, rects: list[pymupdf.Rect]) -> None:
    """A form field under a redaction goes whole, with its value: a value cannot be cut in part."""
    for widget in list(page.widgets() or []):
        if any(widget.rect.intersects(rect) for rect in rects):
            page.delete_widget(widget)


def _painted(page: pymupdf.Page, r: _Region) -> bytes | None:
    """The region as the scan saw it (rendered at its resolution), painted; None for a plain box."""
    if r.style is Style.BOX:
        return None
    pixmap = page.get_pixmap(clip=r.rect, dpi=RENDER_DPI, alpha=False, colorspace=pymupdf.csRGB)
    rgb = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width, pixmap.n)[:, :, :3].copy()
    cover(rgb, (0, 0, rgb.shape[1], rgb.shape[0]), r.style)
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def _remove_hidden_text(page: pymupdf.Page, hidden: list[Finding]) -> None:
    """Text a reader cannot see, as the metadata check found it: out of the text layer, nothing painted."""
    for finding in hidden:
        if finding.bbox:
            rect = pymupdf.Rect(*(v * _POINTS_PER_PIXEL for v in finding.bbox))
            page.add_redact_annot(_text_band(rect))
    if hidden:
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)


def _delete_annotations(page: pymupdf.Page) -> None:
    """Comments, notes and stamps: the metadata check reports them, and they are not the document."""
    annot = page.first_annot
    while annot is not None:
        following = annot.next
        page.delete_annot(annot)
        annot = following


def _scrub(doc: pymupdf.Document) -> None:
    doc.scrub(
        metadata=True,
        xml_metadata=True,
        attached_files=True,  # files attached to it are removed, whatever the scan found in them
        embedded_files=True,
        javascript=True,
        thumbnails=True,
        reset_responses=True,
        hidden_text=False,  # hidden text is what the metadata check reported, removed above
        redactions=False,
        clean_pages=True,
        remove_links=False,  # links are public addresses, not personal data
        reset_fields=False,
    )
    doc.set_metadata({})


def _verify(copy: bytes, findings: Sequence[Finding]) -> None:
    """Extract the text again under every redaction: a character left there means the copy is not clean."""
    with pymupdf.open(stream=copy, filetype="pdf") as doc:
        for finding in findings:
            if finding.part is not None or not finding.bbox or finding.page > doc.page_count:
                continue
            page = doc[finding.page - 1]
            rect = pymupdf.Rect(*(v * _POINTS_PER_PIXEL for v in finding.bbox))
            left = page.get_textbox(_text_band(rect)).strip()
            if left:
                raise IngestError("the text under a redaction on page {page} is still in the PDF",
                                  page=finding.page)
