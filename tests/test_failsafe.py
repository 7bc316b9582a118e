"""Issue 11, ingest side: one test per case that crashed, passed silently or gave a reason a person
cannot use. Every file is made here by the test."""

from __future__ import annotations

import io
import re
import struct
import zlib
from email.message import EmailMessage
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from samplegen.documents import encoded, memo_pdf, photo_like
from scanner import Scanner
from scanner.ingest import IngestError, Limits, load, sniff
from scanner.ingest.errors import one_line
from tools.fuzz import damage
from tools.fuzz.run import unusable_reason
from tools.fuzz.seeds import zipped

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def light_scanner() -> Scanner:
    """Metadata and faces: cheap, and the face check draws every page."""
    return Scanner(detectors=["metadata", "face"], ocr=False)


def _blocked_because(scanner: Scanner, data: bytes, name: str, reason: str) -> str:
    report = scanner.scan_bytes(data, filename=name)
    assert report.verdict == "block", report
    assert report.error is not None and re.search(reason, report.error), report.error
    assert not unusable_reason(report.error), report.error
    return report.error


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


# --- crashes: metadata was read before the guarded decode ------------------------------------------


def test_a_png_with_damaged_image_data_blocks_instead_of_raising(light_scanner):
    png = bytearray(encoded(photo_like(200, 150), "PNG"))
    data_start = png.find(b"IDAT") + 4
    png[data_start + 500 : data_start + 516] = b"\xff" * 16  # Pillow does not check an IDAT's CRC
    _blocked_because(light_scanner, bytes(png), "photo.png", r"^damaged PNG: the image data is corrupt")


def test_a_tiff_without_dimensions_blocks_instead_of_raising(light_scanner):
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 262, 3, 1, 2) + struct.pack("<I", 0)  # photometric only
    _blocked_because(light_scanner, b"II*\x00" + struct.pack("<I", 8) + ifd, "scan.tif", r"^damaged TIFF")


@pytest.mark.parametrize("cut", [40, 100, 1000, -30, -5])
def test_a_cut_png_blocks_with_words_not_an_exception(light_scanner, cut):
    png = encoded(photo_like(200, 150), "PNG")
    _blocked_because(light_scanner, png[:cut], "photo.png", r"^damaged PNG: ")


def test_an_unidentifiable_image_says_so_without_a_memory_address(light_scanner):
    error = _blocked_because(light_scanner, b"II*\x00" + bytes(60), "scan.tif", r"^damaged TIFF")
    assert "BytesIO" not in error and "0x" not in error


def test_one_line_drops_object_reprs_addresses_and_class_names():
    text = one_line(ValueError("cannot identify image file <_io.BytesIO object at 0x7f3a2b1c0d90>"))
    assert text == "cannot identify image file the file"
    assert one_line("FzErrorFormat: code=2: object is not a stream") == "object is not a stream"


# --- silent passes -----------------------------------------------------------------------------------


def test_the_first_third_of_an_embargoed_report_blocks_as_damaged(marking_scanner):
    report = memo_pdf(pages=8, marked_page=3, header="EMBARGOED UNTIL 8:30 A.M.")
    assert marking_scanner.scan_bytes(report, filename="report.pdf").verdict == "block"
    _blocked_because(marking_scanner, report[: len(report) // 3], "report.pdf",
                     r"damaged PDF: repaired by the reader, content may be missing")


def test_a_pdf_whose_page_content_is_damaged_blocks(light_scanner):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Quarterly note")
    xref = page.get_contents()[0]
    doc.update_stream(xref, b"BT /F1 12 Tf 72 720 Td (Quarterly) Tj ET q 1 0 0 1 0 0 cm /Missing Do Q")
    _blocked_because(light_scanner, doc.tobytes(), "note.pdf", r"damaged PDF: page 1 cannot be read completely")


def test_every_frame_of_a_tiff_is_held_to_the_pixel_limit(light_scanner):
    data = damage.tiff_with_huge_page(16_000)
    assert Image.open(io.BytesIO(data)).size == (8, 8)  # what a check of the first frame sees
    _blocked_because(light_scanner, data, "pages.tif", r"frame 2 is 16,000 x 16,000 px, over the 120 MP limit")


def test_a_tiny_jpeg_claiming_110_megapixels_blocks_at_once(light_scanner):
    data = damage.jpeg_without_data(11_000, 10_000)
    assert len(data) < 1000
    _blocked_because(light_scanner, data, "photo.jpg", r"cannot hold the 11,000 x 10,000 px it claims")


def test_a_jpeg_whose_header_lies_about_its_size_blocks(light_scanner):
    _blocked_because(light_scanner, damage.jpeg_claiming(11_000, 10_000), "photo.jpg", r"^damaged JPEG: .* cannot hold")


def test_files_attached_to_a_pdf_are_read_as_members(marking_scanner):
    clean = memo_pdf()
    memo = memo_pdf(header="PROTECTED B")
    doc = pymupdf.open(stream=clean, filetype="pdf")
    doc.embfile_add("memo.pdf", memo, filename="memo.pdf")
    report = marking_scanner.scan_bytes(doc.tobytes(), filename="cover.pdf")
    assert report.verdict == "block" and report.error is None
    assert any(f.label == "protected-b" and f.part == "memo.pdf" for f in report.findings)

    doc = pymupdf.open(stream=clean, filetype="pdf")
    doc[0].add_file_annot(pymupdf.Point(500, 40), memo, filename="annex.pdf")
    report = marking_scanner.scan_bytes(doc.tobytes(), filename="cover.pdf")
    assert any(f.label == "protected-b" and f.part == "annex.pdf" for f in report.findings)


def test_a_damaged_file_attached_to_a_pdf_blocks_it(light_scanner):
    doc = pymupdf.open(stream=memo_pdf(), filetype="pdf")
    doc.embfile_add("photo.png", encoded(photo_like(200, 150), "PNG")[:500], filename="photo.png")
    _blocked_because(light_scanner, doc.tobytes(), "cover.pdf", r"^photo\.png: damaged PNG")


def test_the_gc_signature_svg_in_a_zip_is_seen_as_an_image():
    from scanner.detectors.logo.locations import template_dir

    signature = template_dir() / "sig-blk-en.svg"
    if not signature.is_file():
        pytest.skip("official artwork not installed (smscan setup templates)")
    scanner = Scanner(detectors=["logo"], ocr=False)
    report = scanner.scan_bytes(zipped({"art/signature.svg": signature.read_bytes()}), filename="bundle.zip")
    assert report.verdict == "block" and report.error is None
    assert any(f.label == "gc-signature" and f.part == "art/signature.svg" for f in report.findings)


def test_an_svg_is_drawn_and_its_text_kept(marking_scanner):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
           b'<rect width="300" height="100" fill="#fff"/><text x="10" y="50">PROTECTED B</text></svg>')
    document = load(zipped({"poster.svg": svg}))
    kinds = [page.kind for page in document.pages]
    assert kinds[0] == "image" and "text" in kinds
    assert document.pages[0].rgb.shape[1] == 1600  # drawn: the long side at SVG_RENDER_SIDE
    report = marking_scanner.scan_bytes(zipped({"poster.svg": svg}), filename="bundle.zip")
    assert any(f.label == "protected-b" for f in report.findings)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://example.com/a.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://example.com/x)"/></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">'
        b"<text>&a;</text></svg>",
    ],
    ids=["file", "web", "css-url", "entity"],
)
def test_an_svg_pointing_outside_itself_is_blocked_not_fetched(svg):
    assert sniff(svg) == "svg"
    with pytest.raises(IngestError, match=r"^SVG (links|style|declares)"):
        load(svg, "drawing.svg")


def test_a_cut_svg_blocks():
    svg = damage.make.svg()
    assert sniff(svg) == "svg"
    with pytest.raises(IngestError, match="damaged SVG"):
        load(svg[: len(svg) // 2], "drawing.svg")


def test_half_an_encrypted_pdf_attached_to_a_mail_blocks(light_scanner):
    _blocked_because(light_scanner, damage.mail_with_half_encrypted_pdf(), "mail.eml", r"^secret\.pdf: .*PDF")


def test_binary_with_mail_headers_in_front_is_not_read_as_mail(light_scanner):
    data = damage.mail_headers_on_binary()
    assert sniff(data) is None
    _blocked_because(light_scanner, data, "photo.eml", r"unsupported or unrecognised")


def test_a_mail_cut_short_blocks(light_scanner):
    mail = damage.make.eml({"note.pdf": (memo_pdf(), "application/pdf")})
    _blocked_because(light_scanner, mail[: len(mail) - 40], "mail.eml", r"damaged e-mail")
    _blocked_because(light_scanner, mail[:60], "mail.eml", r"damaged e-mail: its header never ends")


def test_a_pdf_sent_as_text_plain_is_read_as_a_pdf(marking_scanner):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "a@example.org", "b@example.com", "figures"
    mail.set_content("See attached.")
    mail.add_attachment(memo_pdf(header="EMBARGOED UNTIL 8:30 A.M."), maintype="text", subtype="plain",
                        filename="report.txt")
    report = marking_scanner.scan_bytes(mail.as_bytes(), filename="mail.eml")
    assert any(f.label == "embargo" and f.part == "report.txt" for f in report.findings)


def test_a_utf16_office_part_declaring_entities_is_refused(light_scanner):
    _blocked_because(light_scanner, damage.docx_utf16_entities(), "note.docx", r"declares a DTD")


# --- reasons a person can use --------------------------------------------------------------------------


def test_a_zip_whose_directory_lies_about_sizes_says_so(light_scanner):
    data = damage.zip_lying_sizes()
    assert len(data) < 1024
    _blocked_because(light_scanner, data, "bundle.zip", r"^damaged ZIP archive: its directory says a\.txt unpacks to")


def test_a_page_too_large_to_draw_is_refused_at_ingest_with_its_size(light_scanner):
    data = damage.pdf_with_page(20_000, 20_000)
    _blocked_because(light_scanner, data, "poster.pdf", r"^page 1 is 55,556 x 55,556 px, over the 120 MP limit")


def test_a_huge_image_on_a_pdf_page_is_refused_at_ingest():
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(72, 72, 144, 126), stream=encoded(photo_like(2400, 1800), "JPEG"))
    with pytest.raises(IngestError, match=r"an image on page 1 is 2,400 x 1,800 px, over the 4 MP limit"):
        list(load(doc.tobytes(), limits=Limits(max_pixels=4_000_000)).pages)  # pages are read as they are reached


def test_mupdf_writes_nothing_on_stdout(light_scanner, capfd):
    pdf = memo_pdf()
    broken = pdf.replace(b"stream", b"strxam", 1)
    report = light_scanner.scan_bytes(broken, filename="broken.pdf")
    assert report.verdict == "block"
    assert capfd.readouterr().out == ""


# --- memory ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: memo_pdf(pages=2), lambda: encoded(photo_like(300, 200), "PNG")],
                         ids=["pdf", "png"])
def test_a_released_page_drops_its_rasters_and_draws_again_when_asked(make):
    page = load(make()).pages[0]
    first = page.rgb.copy()
    _ = page.gray
    page.release()
    assert "rgb" not in page.__dict__ and "gray" not in page.__dict__
    assert np.array_equal(page.rgb, first)


def test_every_frame_of_an_animation_draws_again_after_release():
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    pages = load(buffer.getvalue()).pages
    colours = [tuple(page.rgb[5, 5]) for page in pages]
    for page in pages:
        page.release()
    assert [tuple(page.rgb[5, 5]) for page in reversed(pages)] == colours[::-1]


def test_a_huge_jpeg_is_decoded_at_half_size(monkeypatch):
    import scanner.ingest.image as image

    monkeypatch.setattr(image, "DRAFT_ABOVE_PIXELS", 50_000)
    page = load(encoded(photo_like(400, 300), "JPEG")).pages[0]
    assert (page.width, page.height) == (200, 150)
    assert page.rgb.shape == (150, 200, 3)
