"""PDF pages of text alone are not drawn for the picture checks; vector art on them (a signature drawn,
not pasted as a picture) is drawn where it is and still found."""

from __future__ import annotations

import pymupdf
import pytest

from samplegen.documents import memo_pdf
from scanner import Scanner
from scanner.detectors.logo.locations import template_dir
from scanner.ingest import load

SIGNATURE = template_dir() / "sig-blk-en.svg"


def with_vector_signature(width_pt: float) -> bytes:
    """A text memo with the official GC signature drawn on it as vector art (not as a picture)."""
    memo = pymupdf.open(stream=memo_pdf(), filetype="pdf")
    with pymupdf.open(SIGNATURE) as svg:
        art = pymupdf.open("pdf", svg.convert_to_pdf())
    page = memo[0]
    height = width_pt * art[0].rect.height / art[0].rect.width
    page.show_pdf_page(pymupdf.Rect(40, 20, 40 + width_pt, 20 + height), art, 0)
    return memo.tobytes()


def test_a_page_of_text_alone_has_no_pictures_to_look_at() -> None:
    pages = list(load(memo_pdf(pages=2), "memo.pdf").pages)
    assert [(p.kind, p.pictures) for p in pages] == [("pdf-page", False), ("pdf-page", False)]


@pytest.mark.skipif(not SIGNATURE.is_file(), reason="official templates not installed (make templates)")
def test_a_vector_signature_on_a_text_page_is_drawn_where_it_is_and_found() -> None:
    data = with_vector_signature(180)
    pages = list(load(data, "memo.pdf").pages)
    art = [p for p in pages if p.kind == "pdf-art"]
    assert pages[0].pictures is False and len(art) == 1
    assert art[0].width < pages[0].width / 2  # only the signature's region is drawn
    report = Scanner(detectors=["logo"], ocr=False).scan_bytes(data, filename="memo.pdf")
    assert report.blocked and report.blocking[0].label == "gc-signature"
    x0, y0, x1, _ = report.blocking[0].bbox
    assert x0 < 200 and y0 < 200 and x1 > 300  # on the page raster, where the art is (200 dpi)
