"""A PDF printed from a web page paints icons through stencil masks (images with no colour
space); such a file is valid and must be checked, not refused."""

from __future__ import annotations

import numpy as np
import pymupdf

from scanner import Scanner
from scanner.ingest import load


def web_page_pdf_with_a_stencil() -> bytes:
    """A4 page with a text layer and an 800 px 1-bit image mask painted in blue, as browsers
    print icons and glyph images."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    side = 800
    bits = np.zeros((side, side), np.uint8)
    bits[100:700, 100:700] = 1  # sample 1 leaves the page unpainted: a frame is painted around it
    packed = np.packbits(bits, axis=1).tobytes()
    mask = doc.get_new_xref()
    doc.update_object(
        mask,
        f"<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ImageMask true /BitsPerComponent 1 >>",
    )
    doc.update_stream(mask, packed, new=True)
    contents = doc.get_new_xref()
    doc.update_object(contents, "<< >>")
    doc.update_stream(contents, b"q 0 0 1 rg 150 0 0 150 60 500 cm /Im1 Do Q\n", new=True)
    doc.xref_set_key(page.xref, "Resources", f"<< /XObject << /Im1 {mask} 0 R >> >>")
    doc.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    doc[0].insert_text((60, 80), "Weather forecast for Ottawa, printed from the web", fontsize=12)
    data = doc.tobytes()
    doc.close()
    return data


def test_a_stencil_mask_is_read_as_dark_ink_on_white() -> None:
    pages = load(web_page_pdf_with_a_stencil(), "forecast.pdf").pages
    (stencil,) = [p for p in pages if p.kind == "pdf-image"]
    rgb = stencil.rgb
    assert rgb.shape == (800, 800, 3)
    assert rgb[10, 10].tolist() == [0, 0, 0]  # painted
    assert rgb[400, 400].tolist() == [255, 255, 255]  # left unpainted


def test_a_web_page_pdf_with_a_stencil_is_checked_and_passes() -> None:
    report = Scanner(detectors=["marking", "pii"]).scan_bytes(web_page_pdf_with_a_stencil(), filename="forecast.pdf")
    assert report.checked, report.error
    assert not report.blocked
