"""PDF pages through PyMuPDF: text layer, rendered raster, embedded images, metadata, attached files.

A PDF that MuPDF had to repair, or on whose pages it reports damage (while loading, reading the
text or drawing), is blocked: MuPDF repairs silently and draws what is left, so a truncated
report would otherwise be checked on its blank remains (26 of 113 damaged PDFs passed so).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pymupdf

from scanner.i18n import N_
from scanner.ingest.errors import IngestError, one_line, over_pixel_limit
from scanner.ingest.limits import Limits
from scanner.ingest.mupdf import PDF_LOCK, clear_messages, damage_reported
from scanner.ingest.page import Document, Page, Pages, Word
from scanner.model import BBox

__all__ = ["PDF_LOCK", "RENDER_DPI", "load_pdf", "text_under_images"]

# 200 dpi keeps 8-point text legible for OCR while a page stays under 4 megapixels.
RENDER_DPI = 200
# A page whose images cover this much of it is treated as a scan and OCR'd.
SCANNED_IMAGE_COVER = 0.25
# An embedded image is scanned on its own when it holds this much more detail than the render.
EMBEDDED_DETAIL_GAIN = 1.8
MIN_EMBEDDED_SIDE = 48
_WHITE_LEVEL = 0.92
_PICTURES = ("fill-image", "fill-imgmask")  # MuPDF's bbox device names for pictures and stencil masks
REPAIRED = N_("damaged PDF: repaired by the reader, content may be missing")

# A file attached to the PDF (name, bytes) -> its pages; the container dispatcher passes it in.
AttachmentReader = Callable[[bytes, str], list[Page]]


def load_pdf(data: bytes, limits: Limits, attachments: AttachmentReader | None = None) -> Document:
    """The document, its pages read one by one as the checks reach them (a 1,000-page report holds
    one page at a time); damage found on any page, or in an attached file, blocks the file."""
    with PDF_LOCK:
        clear_messages()
        doc = _open(data)
        if doc.page_count > limits.max_pages:
            raise IngestError("too many pages: {pages} (limit max_pages {limit})", pages=doc.page_count,
                              limit=limits.max_pages)
        info = {k: v for k, v in (doc.metadata or {}).items() if v}
    return Document("pdf", Pages(lambda: _pages(doc, limits, info, attachments)), {"pdf_info": info})


def _pages(doc: pymupdf.Document, limits: Limits, info: dict[str, str],
           attachments: AttachmentReader | None) -> Iterator[Page]:
    for index in range(doc.page_count):
        with PDF_LOCK:
            clear_messages()
            pages = _read_page(doc, index, limits, info if index == 0 else {})
        yield from pages
    with PDF_LOCK:
        clear_messages()
        _refuse_damage(doc)  # MuPDF may repair on first use of a broken object, not only at open
        try:
            attached = _attached_files(doc)
        except IngestError:
            raise
        except Exception as error:
            raise IngestError("damaged PDF: an attached file cannot be read ({why})", why=one_line(error)) from None
    if attached and attachments is None:
        raise IngestError("PDF carries {count} attached file(s), which cannot be checked here", count=len(attached))
    for name, content in attached:
        yield from attachments(content, name) if attachments else []


def _open(data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as error:  # MuPDF raises its own types for every kind of damage
        raise IngestError("damaged PDF: it cannot be opened ({why})", why=one_line(error)) from None
    if doc.needs_pass:
        raise IngestError("encrypted PDF: it needs a password, so its content cannot be checked")
    _refuse_damage(doc)
    if doc.page_count == 0:
        raise IngestError("PDF has no pages")
    return doc


_INCOMPLETE = {
    "document": N_("damaged PDF: {why}"),
    "page": N_("damaged PDF: page {page} cannot be read completely ({why})"),
    "page drawn": N_("damaged PDF: page {page} cannot be drawn completely ({why})"),
    "image drawn": N_("damaged PDF: an image on page {page} cannot be drawn completely ({why})"),
    "attachment": N_("damaged PDF: an attached file cannot be read completely ({why})"),
}


def _refuse_damage(doc: pymupdf.Document, what: str = "document", **where: int) -> None:
    """Block a PDF MuPDF repaired, or on which it reported damage since clear_messages()."""
    if doc.is_repaired:
        raise IngestError(REPAIRED)
    damage = damage_reported()
    if damage:
        raise IngestError(_INCOMPLETE[what], why=damage, **where)


def _read_page(doc: pymupdf.Document, index: int, limits: Limits, info: dict[str, str]) -> list[Page]:
    number = index + 1
    try:
        page = doc.load_page(index)
        width, height = _render_size(page)
        if width * height > limits.max_pixels:
            raise over_pixel_limit("page", width, height, limits.max_pixels, page=number)
        pages = _page_and_images(doc, page, info, limits)
    except IngestError:
        raise
    except Exception as error:
        raise IngestError("damaged PDF: page {page} cannot be read ({why})", page=number,
                          why=one_line(error)) from None
    _refuse_damage(doc, "page", page=number)
    return pages


def _render_size(page: pymupdf.Page) -> tuple[int, int]:
    """The page's raster in pixels at RENDER_DPI, computed before anything is drawn."""
    scale = RENDER_DPI / 72
    return round(page.rect.width * scale), round(page.rect.height * scale)


def _attached_files(doc: pymupdf.Document) -> list[tuple[str, bytes]]:
    """Files embedded in the document and files of file-attachment annotations."""
    found = []
    for index in range(doc.embfile_count()):
        info = doc.embfile_info(index)
        found.append((info.get("filename") or info.get("name") or f"attachment{index + 1}", doc.embfile_get(index)))
    for page in doc:
        for annot in page.annots(types=[pymupdf.PDF_ANNOT_FILE_ATTACHMENT]) or []:
            name = annot.file_info.get("filename") or f"page{page.number + 1}-attachment"
            found.append((name, annot.get_file()))
    _refuse_damage(doc, "attachment")
    return found


def _page_and_images(doc: pymupdf.Document, page: pymupdf.Page, info: dict[str, str], limits: Limits) -> list[Page]:
    scale = RENDER_DPI / 72
    number = page.number + 1
    text = page.get_textpage()  # one extraction serves the words and the hidden text
    log = page.get_bboxlog()  # what the page paints, in painting order
    words = _text_layer(text, scale)
    pictures = [pymupdf.Rect(rect) for kind, rect in log if kind in _PICTURES]
    images = _images(page, pictures)
    cover = min(1.0, sum(_area(i["bbox"]) for i in images) / max(_area(page.rect), 1e-9))
    metadata: dict[str, Any] = {
        "annotations": _annotations(page, scale),
        "hidden_text": _hidden_text(page, text, log, pictures, scale),
    }
    if info:
        metadata["pdf_info"] = info
    page_ocr = not words or cover >= SCANNED_IMAGE_COVER
    regions = [] if page_ocr else _art_regions(page, log)
    whole = page_ocr or regions is None  # a scan, or a page that is mostly vector art: look at all of it
    rendered = Page(number, "pdf-page", _page_renderer(doc, page.number), _render_size(page), text_layer=words,
                    needs_ocr=page_ocr, metadata=metadata, pictures=whole)
    drawn = [] if whole else [_region_page(doc, number, rect, scale) for rect in regions]
    return [rendered, *drawn, *_embedded_images(doc, number, images, scale, page_ocr, limits)]


def _text_layer(text: pymupdf.TextPage, scale: float) -> tuple[Word, ...]:
    """Words in reading order: blocks top to bottom, then left to right; lines and words as written.
    (MuPDF's own sort=True costs 1.6 ms a page for the same order.)"""
    found = text.extractWORDS()
    tops: dict[int, tuple[float, float]] = {}
    for x0, y0, _x1, _y1, _text, block, _line, _word in found:
        top = tops.get(block)
        tops[block] = (min(y0, top[0]), min(x0, top[1])) if top else (y0, x0)
    found.sort(key=lambda w: (tops[w[5]], w[5], w[6], w[7]))
    return tuple(
        Word(text, (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale)), 1.0,
             block * 10_000 + line, "text-layer")
        for x0, y0, x1, y1, text, block, line, _ in found
    )


# Vector art (official signatures are often drawn, not pasted as pictures) is looked at where it is:
# filled shapes, grouped when closer than ART_GAP points or than their own height (the flag and the
# words of a signature stand a letter's height apart), at least ART_MIN_SIDE points across. A page
# whose art covers more than ART_PAGE_SHARE of it, or with more than MAX_ART_REGIONS groups, is looked
# at whole, as before.
_ART = ("fill-path", "fill-shade")  # pictures, stencils included, are checked as embedded images
ART_GAP = 6.0
ART_MIN_SIDE = 8.0
ART_PAGE_SHARE = 0.4
MAX_ART_REGIONS = 6
MAX_ART_SHAPES = 150  # grouping compares every pair: 11,000 pairs at most
ART_MARGIN = 0.15


def _art_regions(page: pymupdf.Page, log: list[tuple[str, tuple[float, ...]]]) -> list[pymupdf.Rect] | None:
    """Where the page's vector art is; [] for a page of text alone, None to look at the whole page."""
    boxes = [pymupdf.Rect(rect) for kind, rect in log if kind in _ART]
    boxes = [box & page.rect for box in boxes if box.width >= 1.5 and box.height >= 1.5]  # rules are not art
    boxes = [box for box in boxes if not box.is_empty]
    if len(boxes) > MAX_ART_SHAPES:
        return None  # a chart or an illustration: the page is looked at whole
    groups = _grouped(boxes)
    regions = [g for g in groups if g.width >= ART_MIN_SIDE and g.height >= ART_MIN_SIDE]
    if len(regions) > MAX_ART_REGIONS or sum(_area(r) for r in regions) > ART_PAGE_SHARE * _area(page.rect):
        return None
    return [_padded(region, page.rect) for region in regions]


def _grouped(boxes: list[pymupdf.Rect]) -> list[pymupdf.Rect]:
    """Boxes joined when any two of them are near each other, transitively (union-find over pairs)."""
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(boxes)), 2):
        a, b = boxes[i], boxes[j]
        if _gap(a, b) <= max(ART_GAP, min(a.height, b.height)):
            parent[root(j)] = root(i)
    groups: dict[int, pymupdf.Rect] = {}
    for i, box in enumerate(boxes):
        key = root(i)
        groups[key] = groups[key] | box if key in groups else pymupdf.Rect(box)
    return list(groups.values())


def _gap(a: pymupdf.Rect, b: pymupdf.Rect) -> float:
    return max(a.x0 - b.x1, b.x0 - a.x1, a.y0 - b.y1, b.y0 - a.y1, 0.0)


def _padded(rect: pymupdf.Rect, page: pymupdf.Rect) -> pymupdf.Rect:
    margin = ART_MARGIN * max(rect.width, rect.height)
    return pymupdf.Rect(rect.x0 - margin, rect.y0 - margin, rect.x1 + margin, rect.y1 + margin) & page


def _region_page(doc: pymupdf.Document, number: int, rect: pymupdf.Rect, scale: float) -> Page:
    placement: BBox = (round(rect.x0 * scale), round(rect.y0 * scale), round(rect.x1 * scale), round(rect.y1 * scale))
    size = (placement[2] - placement[0], placement[3] - placement[1])
    return Page(number, "pdf-art", _page_renderer(doc, number - 1, rect), size, needs_ocr=False,
                placement=placement)


def _page_renderer(doc: pymupdf.Document, index: int, clip: pymupdf.Rect | None = None):
    def render() -> np.ndarray:
        with PDF_LOCK:
            clear_messages()
            try:
                pixmap = doc[index].get_pixmap(dpi=RENDER_DPI, alpha=False, colorspace=pymupdf.csRGB, clip=clip)
            except Exception as error:
                raise IngestError("damaged PDF: page {page} cannot be drawn ({why})", page=index + 1,
                                  why=one_line(error)) from None
            _refuse_damage(doc, "page drawn", page=index + 1)
            return _pixmap_array(pixmap)

    return render


def _embedded_images(
    doc: pymupdf.Document, number: int, images: list[dict[str, Any]], scale: float, page_ocr: bool, limits: Limits
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
        if info["width"] * info["height"] > limits.max_pixels:  # drawing the page decodes it whole
            raise over_pixel_limit("embedded", info["width"], info["height"], limits.max_pixels, page=number)
        if page_ocr and info["width"] < EMBEDDED_DETAIL_GAIN * shown_width:
            continue
        placement: BBox = (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale))
        pages.append(
            Page(
                number,
                "pdf-image",
                _image_renderer(doc, info["xref"], number),
                (info["width"], info["height"]),
                needs_ocr=not page_ocr,
                placement=placement,
            )
        )
    return pages


def _image_renderer(doc: pymupdf.Document, xref: int, number: int):
    def render() -> np.ndarray:
        with PDF_LOCK:
            clear_messages()
            try:
                pixmap = pymupdf.Pixmap(doc, xref)
                if pixmap.colorspace is not None and (pixmap.alpha or pixmap.colorspace.n != 3):
                    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pixmap, 0)
            except Exception as error:
                raise IngestError("damaged PDF: an image on page {page} cannot be read ({why})", page=number,
                                  why=one_line(error)) from None
            _refuse_damage(doc, "image drawn", page=number)
            if pixmap.colorspace is None:  # a stencil mask: PyMuPDF has no RGB conversion for it
                return _stencil_array(pixmap)
            return _pixmap_array(pixmap)

    return render


def _stencil_array(pixmap: pymupdf.Pixmap) -> np.ndarray:
    """A stencil (image mask) has no colours, only where the fill paints: PyMuPDF refuses to
    convert it to RGB, so it is drawn here as dark ink (where painted) on white."""
    painted = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, pixmap.n)[:, :, -1]
    return np.ascontiguousarray(np.repeat((255 - painted)[:, :, None], 3, axis=2))


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


def _hidden_text(page: pymupdf.Page, text: pymupdf.TextPage, log: list, pictures: list[pymupdf.Rect],
                 scale: float) -> list[dict[str, Any]]:
    """Text a reader does not see: invisible (render mode 3), white, or painted over by an image."""
    hidden = []
    # The text page's spans carry colour and opacity (invisible text, render mode 3, has alpha 0): 0.24 ms
    # a page, where tracing the page's text again cost 0.56 ms (measured on the 200-page report).
    for span in _spans(text):
        reason = "invisible" if span["alpha"] == 0 else "white" if _is_white(_rgb(span["color"])) else None
        if reason == "invisible" and _over_a_picture(pymupdf.Rect(span["bbox"]), pictures):
            continue  # a scan's OCR layer: the picture under it shows the same words
        said = span["text"].strip() if reason else ""
        if said:
            hidden.append({"text": said, "reason": reason, "bbox": _scaled(span["bbox"], scale)})
    for rect in text_under_images(page, log):
        said = page.get_textbox(rect, textpage=text).strip()
        if said:
            hidden.append({"text": said, "reason": "under-image", "bbox": _scaled(rect, scale)})
    return hidden


def _spans(text: pymupdf.TextPage) -> Iterator[dict[str, Any]]:
    for block in text.extractDICT()["blocks"]:
        for line in block.get("lines", ()):
            yield from line["spans"]


def _over_a_picture(rect: pymupdf.Rect, pictures: list[pymupdf.Rect]) -> bool:
    area = _area(rect)
    return area > 0 and any(_area(rect & picture) >= 0.9 * area for picture in pictures)


def _rgb(colour: int) -> tuple[float, float, float]:
    return ((colour >> 16) & 255) / 255, ((colour >> 8) & 255) / 255, (colour & 255) / 255


def _images(page: pymupdf.Page, pictures: list[pymupdf.Rect]) -> list[dict[str, Any]]:
    """The page's pictures, asked of MuPDF only when its painting log shows one (0.37 ms a page)."""
    if not pictures:
        return []
    return [i for i in page.get_image_info(xrefs=True) if _area(i["bbox"]) > 0]


def text_under_images(page: pymupdf.Page, log: list | None = None) -> list[pymupdf.Rect]:
    """Text drawn before an image that then covers it (the bbox log is in painting order)."""
    log = page.get_bboxlog() if log is None else log
    covered = []
    images = []  # the images painted after each position, found walking backwards
    for kind, rect in reversed(log):
        if kind == "fill-image":
            images.append(pymupdf.Rect(rect))
        elif kind == "fill-text":
            text_rect = pymupdf.Rect(rect)
            if any(image.contains(text_rect) for image in images):
                covered.append(text_rect)
    covered.reverse()
    return covered


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
