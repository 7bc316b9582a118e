"""Markings read by real Tesseract from pages rendered, scanned, stamped and compressed here."""

import numpy as np
import pytest
from PIL import Image, ImageFilter

from samplegen.documents import BODY, encoded, image_pdf, memo_pdf, render, rotate_degrees, scanned


def labels_of(report) -> set[str]:
    return {f.label for f in report.findings if f.kind == "marking"}


def scan_image(scanner, image: Image.Image, fmt: str = "PNG", **options):
    return scanner.scan_bytes(encoded(image, fmt, **options), filename=f"page.{fmt.lower()}")


@pytest.mark.parametrize(
    ("placement", "text", "label"),
    [
        ("header", "PROTECTED B", "protected-b"),
        ("footer", "PROTÉGÉ A", "protected-a"),
        ("header", "CONFIDENTIEL", "confidential"),
        ("footer", "FOR INTERNAL USE ONLY", "internal-use"),
        ("header", "SOUS EMBARGO JUSQU'À 8 H 30", "embargo"),
    ],
)
def test_scanned_page_markings_are_read(marking_scanner, placement, text, label):
    page = scanned(render(memo_pdf(**{placement: text})))
    report = scan_image(marking_scanner, page, "JPEG", quality=60)
    assert label in labels_of(report), report.findings
    finding = next(f for f in report.findings if f.label == label)
    assert finding.section == "2.6" and finding.page == 1
    y_middle = (finding.bbox[1] + finding.bbox[3]) / 2
    assert (y_middle < page.height / 5) if placement == "header" else (y_middle > page.height * 4 / 5)


@pytest.mark.parametrize(("text", "angle"), [("CONFIDENTIAL", 20), ("TOP SECRET", -25), ("PROTÉGÉ B", 12)])
def test_red_rotated_stamp_over_text_is_read(marking_scanner, text, angle):
    page = scanned(render(memo_pdf(stamp=text, stamp_angle=angle)))
    report = marking_scanner.scan_bytes(image_pdf(page))
    assert report.blocked, report.findings
    assert any(f.detail == "read from stamp" for f in report.findings)


def test_marking_deep_in_a_text_pdf_is_found_on_its_page(marking_scanner):
    report = marking_scanner.scan_bytes(memo_pdf(footer="CONFIDENTIAL", pages=6, marked_page=5))
    assert [f.page for f in report.findings] == [5]
    assert report.blocked


def test_photo_of_a_page_turned_slightly(marking_scanner):
    page = rotate_degrees(scanned(render(memo_pdf(header="SECRET"))), 4)
    assert "secret" in labels_of(scan_image(marking_scanner, page, "JPEG", quality=75))


def test_ordinary_memo_with_prose_about_confidentiality_passes(marking_scanner):
    prose = [*BODY, "All information you provide is kept confidential under the law.",
             "Vos renseignements demeurent confidentiels et sont protégés par la loi."]
    for data in (memo_pdf(prose, header="UNCLASSIFIED / NON CLASSIFIÉ"),
                 encoded(scanned(render(memo_pdf(prose, footer="UNCLASSIFIED"))), "JPEG", quality=70)):
        report = marking_scanner.scan_bytes(data)
        assert not report.blocked, report.findings


def test_shared_marking_documents(marking_scanner, shared_data):
    """Real marking documents nobody on the team made: every one must be caught."""
    cases = sorted((shared_data / "dev" / "marking").glob("doc_0[0-9].*"))
    missed = [c.name for c in cases if not marking_scanner.scan_path(c).blocked]
    assert cases and missed == []
    negatives = sorted((shared_data / "dev" / "neg").glob("doc_0[0-9].*"))
    wrong = [c.name for c in negatives if marking_scanner.scan_path(c).blocked]
    assert negatives and wrong == []


@pytest.mark.parametrize("turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270])
def test_page_scanned_sideways_or_upside_down(marking_scanner, turn):
    upright = scanned(render(memo_pdf(header="PROTECTED B")))
    page = upright.transpose(turn)
    report = scan_image(marking_scanner, page, "JPEG", quality=80)
    finding = next(f for f in report.findings if f.label == "protected-b")
    # The box is on the page as given: the header sits along the edge the page's top turned to.
    x0, _, x1, y1 = finding.bbox
    edges = {Image.Transpose.ROTATE_90: x0 < page.width / 5, Image.Transpose.ROTATE_180: y1 > page.height * 4 / 5,
             Image.Transpose.ROTATE_270: x1 > page.width * 4 / 5}
    assert edges[turn], (turn, finding.bbox, page.size)


def _perspective(image: Image.Image, lean: float = 0.15) -> Image.Image:
    """A phone photo taken from the side: the far edge shrinks, the background shows."""
    import cv2
    import numpy as np

    pixels = np.asarray(image)
    height, width = pixels.shape[:2]
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    target = np.float32([[width * lean, height * 0.05], [width * (1 - lean / 2), 0], [width, height],
                         [0, height * 0.95]])
    matrix = cv2.getPerspectiveTransform(source, target)
    return Image.fromarray(cv2.warpPerspective(pixels, matrix, (width, height), borderValue=(90, 90, 90)))


@pytest.mark.parametrize(
    ("name", "text", "make"),
    [
        ("blurred", "SECRET", lambda page: page.filter(ImageFilter.GaussianBlur(2))),
        ("photographed at an angle", "SECRET", _perspective),
        ("skewed 8 degrees", "CONFIDENTIAL", lambda page: rotate_degrees(page, 8)),
        ("skewed -12 degrees", "PROTECTED B", lambda page: rotate_degrees(page, -12)),
        ("screen resolution", "PROTÉGÉ A", lambda page: page.resize((page.width * 96 // 200, page.height * 96 // 200))),
    ],
)
def test_hard_photos_of_pages(marking_scanner, name, text, make):
    page = make(scanned(render(memo_pdf(header=text))))
    assert scan_image(marking_scanner, page, "JPEG", quality=70).blocked, name


def test_black_stamp_at_an_angle_over_text(marking_scanner):
    page = scanned(render(memo_pdf(stamp="TOP SECRET", stamp_angle=-22, stamp_colour=(0, 0, 0))))
    report = scan_image(marking_scanner, page, "JPEG", quality=75)
    assert "top-secret" in labels_of(report), report.findings


def test_marking_inside_an_image_on_a_text_pdf_page(marking_scanner):
    import pymupdf

    label = scanned(render(memo_pdf([], title="", header="CONFIDENTIAL"))).crop((0, 0, 1654, 300))
    doc = pymupdf.open(stream=memo_pdf(), filetype="pdf")
    doc[0].insert_image(pymupdf.Rect(60, 500, 540, 587), stream=encoded(label, "PNG"))
    report = marking_scanner.scan_bytes(doc.tobytes())
    finding = next(f for f in report.findings if f.label == "confidential")
    # Reported on the page, where the image sits (200 dpi raster: y 500-587 pt is 1389-1631 px).
    assert finding.page == 1 and 1389 <= finding.bbox[1] < finding.bbox[3] <= 1631


def test_leptonica_is_silenced_once_tesseract_is_loaded():
    """Its "Error in boxClipToRectangle" lines on stderr are harmless and read as failure."""
    import ctypes

    from scanner.ocr import TesseractReader, loaded_leptonica

    TesseractReader()
    paths = loaded_leptonica()
    assert paths
    for path in paths:
        library = ctypes.CDLL(path)
        assert library.setMsgSeverity(6) == 6  # it returns the severity it replaces: already none


def _word_picture(text: str, size: int, *, dark_on_light: bool = True, blur: float = 0.0,
                  canvas: tuple[int, int] = (900, 260)) -> np.ndarray:
    from PIL import ImageDraw, ImageFont

    ink, paper = ((20, 20, 20), (235, 232, 225)) if dark_on_light else ((240, 240, 240), (30, 40, 60))
    image = Image.new("RGB", canvas, paper)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", size)
    ImageDraw.Draw(image).text((20, canvas[1] // 3), text, fill=ink, font=font)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(image)


@pytest.mark.parametrize("case", ["small", "large", "light on dark", "blurred"])
def test_print_of_every_kind_is_read(case):
    """The gate before Tesseract lets through every picture with print, in any size or polarity."""
    from scanner.ocr import holds_print

    picture = {
        "small": lambda: _word_picture("PROTECTED B  SIN 046 454 286", 14),
        "large": lambda: _word_picture("SECRET", 150, canvas=(900, 300)),
        "light on dark": lambda: _word_picture("Protégé B", 40, dark_on_light=False),
        "blurred": lambda: _word_picture("CONFIDENTIAL", 36, blur=2.0),
    }[case]()
    assert holds_print(np.asarray(Image.fromarray(picture).convert("L")))


def test_a_picture_without_print_is_not_given_to_tesseract():
    """A sky over a hill has no mark shaped like a character: it is not read, and Tesseract's
    languages (0.12 s) are not even loaded; the same picture with a caption is read."""
    from samplegen.documents import photo_like
    from scanner.ocr import TesseractReader

    reader = TesseractReader()
    sky = np.asarray(photo_like(1200, 800).convert("RGB"))
    assert reader.read(sky) == [] and getattr(reader._local, "api", None) is None
    captioned = Image.fromarray(sky)
    from PIL import ImageDraw, ImageFont

    ImageDraw.Draw(captioned).text((60, 60), "PROTECTED B", fill=(0, 0, 0),
                                  font=ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 48))
    assert "PROTECTED" in {w.text for w in reader.read(np.asarray(captioned))}
