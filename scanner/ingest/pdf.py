"""PDF pages through PyMuPDF: text layer, rendered raster, embedded images, metadata."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pymupdf

from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.limits import Limits
from scanner.ingest.page import Document, Page, Word
from scanner.model import BBox

# MuPDF is not thread-safe: every call into it goes through this lock.
PDF_LOCK = threading.RLock()

# 200 dpi keeps 8-point text legible for OCR while a page stays under 4 megapixels.
RENDER_DPI = 200
# A page whose images cover this much of it is treated as a scan and OCR'd.
SCANNED_IMAGE_COVER = 0.25
# An embedded image is scanned on its own when it holds this much more detail than the render.
EMBEDDED_DETAIL_GAIN = 1.8
MIN_EMBEDDED_SIDE = 48
_WHITE_LEVEL = 0.92


def load_pdf(data: bytes, limits: Limits) -> Document:
    with PDF_LOCK:
        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as error:  # MuPDF raises its own types for every kind of damage
            raise IngestError(f"unreadable PDF: {one_line(error)}") from None
        if doc.needs_pass:
            raise IngestError("encrypted PDF: it needs a password, so its content cannot be checked")
        if doc.page_count == 0:
            raise IngestError("PDF has no pages")
        if doc.page_count > limits.max_pages:
            raise IngestError(f"too many pages: {doc.page_count} (limit {limits.max_pages})")
        info = {k: v for k, v in (doc.metadata or {}).items() if v}
        pages: list[Page] = []
        for page in doc:
            try:
                pages.extend(_page_and_images(doc, page, info if page.number == 0 else {}))
            except IngestError:
                raise
            except Exception as error:
                raise IngestError(f"damaged PDF page {page.number + 1}: {one_line(error)}") from None
    return Document("pdf", pages, {"pdf_info": info})


def _page_and_images(doc: pymupdf.Document, page: pymupdf.Page, info: dict[str, str]) -> list[Page]:
    scale = RENDER_DPI / 72
    number = page.number + 1
    words = _text_layer(page, scale)
    images = [i for i in page.get_image_info(xrefs=True) if _area(i["bbox"]) > 0]
    cover = min(1.0, sum(_area(i["bbox"]) for i in images) / max(_area(page.rect), 1e-9))
    metadata: dict[str, Any] = {
        "annotations": _annotations(page, scale),
        "hidden_text": _hidden_text(page, scale),
    }
    if info:
        metadata["pdf_info"] = info
    size = (round(page.rect.width * scale), round(page.rect.height * scale))
    page_ocr = not words or cover >= SCANNED_IMAGE_COVER
    rendered = Page(
        number,
        "pdf-page",
        _page_renderer(doc, page.number),
        size,
        text_layer=words,
        needs_ocr=page_ocr,
        metadata=metadata,
    )
    return [rendered, *_embedded_images(doc, number, images, scale, page_ocr)]


def _text_layer(page: pymupdf.Page, scale: float) -> tuple[Word, ...]:
    words = []
    for x0, y0, x1, y1, text, block, line, _ in page.get_text("words", sort=True):
        box = (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale))
        words.append(Word(text, box, 1.0, block * 10_000 + line, "text-layer"))
    return tuple(words)


def _page_renderer(doc: pymupdf.Document, index: int):
    def render() -> np.ndarray:
        with PDF_LOCK:
            pixmap = doc[index].get_pixmap(dpi=RENDER_DPI, alpha=False, colorspace=pymupdf.csRGB)
            return _pixmap_array(pixmap)

    return render


def _embedded_images(
    doc: pymupdf.Document, number: int, images: list[dict[str, Any]], scale: float, page_ocr: bool
) -> list[Page]:
    """Embedded images the page render does not cover well enough, as pages of their own.

    On an OCR'd page, those with more detail than the render (photos in reports), with no OCR
    of their own. On a text-layer page, which is not OCR'd, every one of them, read by OCR:
    a pasted screenshot may say CONFIDENTIAL where the text layer does not.
    """
    pages = []
    for info in images:
        x0, y0, x1, y1 = info["bbox"]
        shown_width = (x1 - x0) * scale
        if info.get("xref", 0) <= 0 or min(info["width"], info["height"]) < MIN_EMBEDDED_SIDE:
            continue
        if page_ocr and info["width"] < EMBEDDED_DETAIL_GAIN * shown_width:
            continue
        placement: BBox = (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale))
        pages.append(
            Page(
                number,
                "pdf-image",
                _image_renderer(doc, info["xref"]),
                (info["width"], info["height"]),
                needs_ocr=not page_ocr,
                placement=placement,
            )
        )
    return pages


def _image_renderer(doc: pymupdf.Document, xref: int):
    def render() -> np.ndarray:
        with PDF_LOCK:
            pixmap = pymupdf.Pixmap(doc, xref)
            if pixmap.alpha or pixmap.colorspace is None or pixmap.colorspace.n != 3:
                pixmap = pymupdf.Pixmap(pymupdf.csRGB, pixmap, 0)
            return _pixmap_array(pixmap)

    return render


def _pixmap_array(pixmap: pymupdf.Pixmap) -> np.ndarray:
    array = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, pixmap.n)
    return np.ascontiguousarray(array[:, :, :3])


def _annotations(page: pymupdf.Page, scale: float) -> list[dict[str, Any]]:
    found = []
    for annot in page.annots() or []:
        info = annot.info or {}
        found.append(
            {
                "type": annot.type[1],
                "content": info.get("content", ""),
                "author": info.get("title", ""),
                "bbox": _scaled(annot.rect, scale),
            }
        )
    return found


def _hidden_text(page: pymupdf.Page, scale: float) -> list[dict[str, Any]]:
    """Text a reader does not see: invisible (render mode 3), white, or painted over by an image."""
    hidden = []
    for span in page.get_texttrace():
        text = "".join(chr(char[0]) for char in span["chars"]).strip()
        if not text:
            continue
        reason = None
        if span["type"] == 3 or span["opacity"] == 0:
            reason = "invisible"
        elif _is_white(span["color"]):
            reason = "white"
        if reason:
            hidden.append({"text": text, "reason": reason, "bbox": _scaled(span["bbox"], scale)})
    hidden.extend(_text_under_images(page, scale))
    return hidden


def text_under_images(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """Text drawn before an image that then covers it (the bbox log is in painting order)."""
    log = page.get_bboxlog()
    covered = []
    for position, (kind, rect) in enumerate(log):
        if kind != "fill-text":
            continue
        text_rect = pymupdf.Rect(rect)
        if any(k == "fill-image" and pymupdf.Rect(r).contains(text_rect) for k, r in log[position + 1 :]):
            covered.append(text_rect)
    return covered


def _text_under_images(page: pymupdf.Page, scale: float) -> list[dict[str, Any]]:
    found = []
    for rect in text_under_images(page):
        text = page.get_textbox(rect).strip()
        if text:
            found.append({"text": text, "reason": "under-image", "bbox": _scaled(rect, scale)})
    return found


def _is_white(color: Any) -> bool:
    if not color:
        return False
    return all(channel >= _WHITE_LEVEL for channel in color)


def _scaled(rect: Any, scale: float) -> list[int]:
    x0, y0, x1, y1 = tuple(rect)
    return [round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale)]


def _area(rect: Any) -> float:
    x0, y0, x1, y1 = tuple(rect)
    return max(0.0, x1 - x0) * max(0.0, y1 - y0)
