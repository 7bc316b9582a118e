"""SVG drawings: rendered as an image (a logo drawn in SVG is a logo) and read as text.

Before MuPDF draws anything, the XML is parsed without entities and without external
references (defusedxml), and every link must stay inside the file: a fragment (`#id`) or a
`data:` URI. A drawing that points outside itself (a file on this machine, a web address) is
blocked, not fetched: what it would show cannot be checked. The raster is bounded: its longer
side is SVG_RENDER_SIDE pixels whatever size the file declares.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import defusedxml
import defusedxml.ElementTree as SafeTree
import numpy as np
import pymupdf

from scanner.ingest.errors import IngestError, one_line, over_pixel_limit
from scanner.ingest.limits import Limits
from scanner.ingest.mupdf import PDF_LOCK, clear_messages, damage_reported
from scanner.ingest.page import Document, Page
from scanner.ingest.text import markup_lines, text_pages

# Long side of the raster: vector art has no pixel size of its own; 1600 px shows a signature or
# wordmark as large as a photographed one and keeps a page of SVG under 3 megapixels.
SVG_RENDER_SIDE = 1600
_LINK_ATTRIBUTES = {"href", "src"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!#|data:)[^)'\"\s]", re.I)
_CSS_IMPORT = re.compile(r"@import", re.I)


def load_svg(data: bytes, limits: Limits) -> Document:
    root = _parse(data)
    _refuse_outside_links(root)
    sized = _sized(data, _render_size(root))
    zoom, size = _measure(sized)
    if size[0] * size[1] > limits.max_pixels:  # only with a tiny max_megapixels: the side is bounded
        raise over_pixel_limit("svg", size[0], size[1], limits.max_pixels)
    text = data.decode("utf-16" if _utf16(data) else "utf-8", "replace")
    pages = [Page(1, "image", _renderer(sized, zoom), size), *text_pages(markup_lines(text), None)]
    for number, page in enumerate(pages, 1):
        page.number = number
    return Document("image", pages, {})


def _utf16(data: bytes) -> bool:
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")


def _parse(data: bytes) -> ElementTree.Element:
    try:
        return SafeTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise IngestError("SVG declares entities or external references, which are not followed") from None
    except ElementTree.ParseError as error:
        raise IngestError("damaged SVG: not well-formed XML ({why})", why=one_line(error)) from None


def _refuse_outside_links(root: ElementTree.Element) -> None:
    for element in root.iter():
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            target = value.strip()
            if local in _LINK_ATTRIBUTES and target and not target.startswith(("#", "data:")):
                raise IngestError("SVG links to something outside the file ({target}), which is not fetched",
                                  target=target[:60])
            if local == "style" and _CSS_URL.search(value):
                raise IngestError("SVG style links to something outside the file, which is not fetched")
        tag = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if tag == "style" and element.text and (_CSS_URL.search(element.text) or _CSS_IMPORT.search(element.text)):
            raise IngestError("SVG style sheet links to something outside the file, which is not fetched")


_LENGTH = re.compile(r"^\s*([\d.]+)\s*(px)?\s*$")


def _declared_size(root: ElementTree.Element) -> tuple[float, float]:
    """The drawing's size in user units: width/height in px, else the viewBox, else 300 x 150 (CSS default)."""
    width = _LENGTH.match(root.get("width", ""))
    height = _LENGTH.match(root.get("height", ""))
    if width and height:
        return float(width.group(1)), float(height.group(1))
    box = [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if _is_number(v)]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        return box[2], box[3]
    return 300.0, 150.0


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _render_size(root: ElementTree.Element) -> tuple[int, int]:
    width, height = _declared_size(root)
    width, height = max(width, 1e-3), max(height, 1e-3)
    scale = SVG_RENDER_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _sized(data: bytes, size: tuple[int, int]) -> bytes:
    """The file with width/height set to the raster size (MuPDF would lay a relative size on A4)."""
    text = data.decode("utf-16" if _utf16(data) else "utf-8", "replace")
    opening = re.search(r"<svg\b[^>]*>", text)
    if opening is None:
        return data
    tag = re.sub(r"\s(width|height)\s*=\s*(['\"]).*?\2", "", opening.group(0))
    tag = tag.replace("<svg", f'<svg width="{size[0]}" height="{size[1]}"', 1)
    if "viewBox" not in tag:  # keep the drawing's own coordinates, scaled to the new size
        return data
    return (text[: opening.start()] + tag + text[opening.end() :]).encode("utf-8")


def _measure(sized: bytes) -> tuple[float, tuple[int, int]]:
    """The zoom that gives the drawing SVG_RENDER_SIDE pixels on its long side, and the raster's size."""
    with PDF_LOCK:
        clear_messages()
        try:
            with pymupdf.open(stream=sized, filetype="svg") as doc:
                rect = doc[0].rect
        except Exception as error:
            raise IngestError("damaged SVG: it cannot be read ({why})", why=one_line(error)) from None
        damage = damage_reported()
    if damage:
        raise IngestError("damaged SVG: {why}", why=damage)
    zoom = SVG_RENDER_SIDE / max(rect.width, rect.height, 1e-3)
    box = (rect * pymupdf.Matrix(zoom, zoom)).irect
    return zoom, (max(1, box.width), max(1, box.height))


def _renderer(sized: bytes, zoom: float):
    def render() -> np.ndarray:
        with PDF_LOCK:
            clear_messages()
            try:
                with pymupdf.open(stream=sized, filetype="svg") as doc:
                    pixmap = doc[0].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=True)
            except Exception as error:
                raise IngestError("damaged SVG: it cannot be drawn ({why})", why=one_line(error)) from None
            damage = damage_reported()
            if damage:
                raise IngestError("damaged SVG: it cannot be drawn completely ({why})", why=damage)
        return _on_white(pixmap)

    return render


def _on_white(pixmap: pymupdf.Pixmap) -> np.ndarray:
    pixels = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width, pixmap.n)
    colour = pixels[..., :3].astype(np.float32)
    if pixmap.n < 4:
        return np.ascontiguousarray(pixels[..., :3])
    alpha = pixels[..., 3:4].astype(np.float32) / 255.0
    return np.ascontiguousarray((colour * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8))
