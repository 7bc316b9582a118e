"""`smscan fix` built on the scan: every fixable finding of the file is gone from its copy, the copy
passes, and the redacted strings cannot be recovered (text extracted from PDFs, OCR of images).

The files are composed by samplegen/fixable.py: a chat screenshot with an e-mail address and a
phone number, a scanned form (PDF and PNG) with the GC signature, a phone number and an e-mail
address, a memo PDF with a SIN, and an event photo with the GC signature on a banner and two faces.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from functools import cache
from pathlib import Path

import numpy as np
import pymupdf
import pytesseract
import pytest
from PIL import ExifTags, Image

from samplegen import fixable
from samplegen.documents import encoded, memo_pdf
from samplegen.mail import docx
from scanner.engine.scanner import Scanner
from scanner.fix import FIXABLE_KINDS, FixResult, Outcome, Style, fix_bytes
from scanner.fix.paint import cover
from scanner.geometry import overlaps
from scanner.ingest import load, sniff
from scanner.model import Finding
from tests.conftest import SHARED
from tests.test_metadata import pdf_with_leaks

SHARED_FACES = SHARED / "faces"  # photos of people, for tests only (../shared/data)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@cache
def sample(name: str) -> bytes:
    if name == "event.jpg":
        if not SHARED_FACES.is_dir():
            pytest.skip("../shared/data is not beside the project")
        return fixable.event_photo(Image.open(SHARED_FACES / "two_people.jpg"))
    return {
        "screenshot.png": fixable.screenshot_with_contacts,
        "form.pdf": fixable.scanned_form_pdf,
        "form.png": fixable.scanned_form_png,
        "memo.pdf": fixable.memo_with_sin,
    }[name]()


# What each file holds that must not be recoverable from its copy.
SECRETS = {
    "screenshot.png": [fixable.EMAIL, fixable.PHONE],
    "form.pdf": [fixable.FORM_EMAIL, fixable.FORM_PHONE],
    "form.png": [fixable.FORM_EMAIL, fixable.FORM_PHONE],
    "memo.pdf": [fixable.SIN],
    "event.jpg": [],
}
# What the scan must find in each, so that the test says something: kind -> how many.
EXPECTED = {
    "screenshot.png": {"pii": 2},
    "form.pdf": {"logo": 1, "pii": 2},
    "form.png": {"logo": 1, "pii": 2},
    "memo.pdf": {"pii": 1},
    "event.jpg": {"face": 2, "logo": 1},
}
_results: dict[tuple[str, Style | None], FixResult] = {}


def fixed(scanner: Scanner, name: str, style: Style | None = None) -> FixResult:
    if (name, style) not in _results:
        _results[name, style] = fix_bytes(scanner, sample(name), name, style=style)
    return _results[name, style]


def fixable_findings(findings: tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.kind in FIXABLE_KINDS]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def recovered_text(data: bytes) -> str:
    """Everything a person could get back from the copy: the text layer of a PDF, and OCR of every
    page and image, by Tesseract's own page reader (not the scanner's)."""
    texts = []
    if sniff(data) == "pdf":
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            texts += [page.get_text() for page in doc]
    for page in load(data).pages:
        if page.kind != "text":
            texts.append(pytesseract.image_to_string(Image.fromarray(page.rgb), lang="eng"))
    return flat("\n".join(texts))


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_scan_finds_what_the_file_holds(scanner: Scanner, name: str) -> None:
    result = fixed(scanner, name)
    found: dict[str, int] = {}
    for finding in fixable_findings(result.before.findings):
        found[finding.kind] = found.get(finding.kind, 0) + 1
    assert found == EXPECTED[name]
    for secret in SECRETS[name]:  # the strings are readable in the file, so their absence below means something
        assert flat(secret) in recovered_text(sample(name))


# Every file in the default style; the other styles on a photo, a screenshot, a text PDF and a scan.
CASES = [(name, None) for name in EXPECTED] + [("event.jpg", Style.BOX)] + [
    (name, style) for name in ("screenshot.png", "memo.pdf", "form.pdf") for style in (Style.BLUR, Style.PIXELATE)]


@pytest.mark.parametrize(("name", "style"), CASES)
def test_fix_removes_what_the_scan_reported(scanner: Scanner, name: str, style: Style | None) -> None:
    result = fixed(scanner, name, style)
    assert result.outcome is Outcome.PASSES, result.why_not("en")
    assert result.exit_code == 0 and not result.after.blocked
    before = fixable_findings(result.before.findings)
    assert before and all(f in result.fixed for f in before)
    for finding in before:  # by construction: no finding of the file is found again in its copy
        assert not [f for f in result.after.findings if f.kind == finding.kind and f.page == finding.page
                    and f.bbox and finding.bbox and overlaps(f.bbox, finding.bbox)], finding
    assert sniff(result.data) == sniff(sample(name))


@pytest.mark.parametrize(("name", "style"), [(name, style) for name, style in CASES if SECRETS[name]])
def test_redacted_strings_cannot_be_recovered(scanner: Scanner, name: str, style: Style | None) -> None:
    text = recovered_text(fixed(scanner, name, style).data)
    for secret in SECRETS[name]:
        assert flat(secret) not in text
        assert flat(secret)[-4:] not in text  # not even the end of the number or address


def test_pdf_text_is_removed_from_the_text_layer_not_painted_over(scanner: Scanner) -> None:
    result = fixed(scanner, "memo.pdf")
    with pymupdf.open(stream=result.data, filetype="pdf") as doc:
        text = doc[0].get_text()
        words = [w[4] for w in doc[0].get_text("words")]
    assert "130" not in text and "692" not in text and "544" not in text
    # The lines around it are whole: the redaction took the number, not its neighbours.
    assert "The pay file for the new interviewer was returned by the pay centre." in text
    assert "The methodology section describes the weighting and variance estimation." in text
    assert "Employee" in words and "correct" in words


def test_scanned_pdf_image_is_rewritten_under_the_redaction(scanner: Scanner) -> None:
    result = fixed(scanner, "form.pdf")
    with pymupdf.open(stream=result.data, filetype="pdf") as doc:
        images = doc[0].get_images(full=True)
        original = [info for info in images if pymupdf.Pixmap(doc, info[0]).width > 1000]
    assert original  # the scan is still one page-sized image, whose pixels under the boxes were blanked
    phone = next(f for f in result.before.findings if f.label == "phone")
    page = next(p for p in load(result.data).pages if p.kind == "pdf-page")
    x0, y0, x1, y1 = phone.bbox
    assert page.rgb[y0:y1, x0:x1].mean() < 40  # covered


def test_a_marked_document_gets_no_copy(scanner: Scanner) -> None:
    data = memo_pdf([f"Employee SIN: {fixable.SIN}"], header="PROTECTED B")
    result = fix_bytes(scanner, data, "memo.pdf")
    assert result.outcome is Outcome.REFUSED and result.data is None and result.exit_code == 1
    assert "PROTECTED B" in result.why_not("en") and "does not remove" in result.why_not("en")
    assert "marque de sécurité" in result.why_not("fr")


def test_abuse_toward_the_agency_gets_no_copy(scanner: Scanner) -> None:
    data = memo_pdf(["StatCan are a bunch of f***ing idiots", f"call me at {fixable.PHONE}"])
    result = fix_bytes(scanner, data, "rant.pdf")
    assert result.outcome is Outcome.REFUSED and result.data is None
    assert {f.kind for f in result.untouched} == {"conduct"}


def test_kept_kinds_stay_and_the_copy_says_it_still_blocks(scanner: Scanner) -> None:
    result = fix_bytes(scanner, sample("memo.pdf"), "memo.pdf", kinds=["face", "logo"])
    assert result.outcome is Outcome.STILL_BLOCKED and result.exit_code == 1
    assert [f.label for f in result.after.blocking] == ["sin"]
    assert "as asked" in result.why_not("en")
    with pymupdf.open(stream=result.data, filetype="pdf") as doc:
        assert fixable.SIN in doc[0].get_text()


def test_consent_keeps_faces_and_the_copy_passes(scanner: Scanner) -> None:
    consenting = Scanner(scanner.policy.with_consent(["faces"]))
    consenting._built = scanner._built  # the same checks, already loaded
    result = fix_bytes(consenting, sample("event.jpg"), "event.jpg")
    assert result.outcome is Outcome.PASSES
    assert {f.kind for f in result.fixed} == {"logo"}
    assert result.after.count("face") == 2  # still there, with consent


def test_photo_copy_is_upright_without_metadata_and_the_input_is_untouched(scanner: Scanner) -> None:
    upright = Image.open(io.BytesIO(sample("event.jpg")))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Artist] = "Jane Doe"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({ExifTags.GPS.GPSLatitude: (45.0, 25.0, 1.0),
                                               ExifTags.GPS.GPSLongitude: (75.0, 41.0, 2.0)})  # fmt: skip
    data = encoded(upright.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90, exif=exif)
    digest = hashlib.sha256(data).hexdigest()
    result = fix_bytes(scanner, data, "phone.jpg")
    assert result.outcome is Outcome.PASSES
    assert {(f.kind, f.label) for f in result.before.findings} >= {("metadata", "gps"), ("face", "face")}
    assert not [f for f in result.after.findings if f.kind in ("metadata", "face")]
    with Image.open(io.BytesIO(result.data)) as copy:
        assert copy.size == upright.size  # the orientation is in the pixels now
        assert not copy.getexif() and "xmp" not in copy.info
    assert hashlib.sha256(data).hexdigest() == digest
    assert "metadata and hidden content: removed" in result.changes("en")


def test_png_transparency_is_kept_outside_what_was_covered(scanner: Scanner) -> None:
    shot = Image.open(io.BytesIO(sample("screenshot.png"))).convert("RGBA")
    pixels = np.array(shot)
    pixels[:40, :40, 3] = 100  # a half-transparent corner
    result = fix_bytes(scanner, encoded(Image.fromarray(pixels), "PNG"), "shot.png")
    assert result.outcome is Outcome.PASSES
    with Image.open(io.BytesIO(result.data)) as copy:
        assert copy.mode == "RGBA" and copy.getpixel((5, 5))[3] == 100
        email = next(f for f in result.before.findings if f.label == "email")
        assert copy.getpixel((email.bbox[0] + 5, email.bbox[1] + 5))[3] == 255


def test_heic_stays_heic(scanner: Scanner) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    data = encoded(Image.open(io.BytesIO(sample("screenshot.png"))).convert("RGB"), "HEIF", quality=90)
    result = fix_bytes(scanner, data, "shot.heic")
    assert result.outcome is Outcome.PASSES and result.suffix == ".heic"
    assert sniff(result.data) == "heif"
    assert flat(fixable.EMAIL) not in recovered_text(result.data)


@pytest.mark.parametrize("fmt", ["WEBP", "TIFF"])
def test_other_image_types_keep_their_type(scanner: Scanner, fmt: str) -> None:
    data = encoded(Image.open(io.BytesIO(sample("screenshot.png"))).convert("RGB"), fmt)
    result = fix_bytes(scanner, data, f"shot.{fmt.lower()}")
    assert result.outcome is Outcome.PASSES and sniff(result.data) == sniff(data)


def test_an_image_can_be_written_as_another_type(scanner: Scanner) -> None:
    result = fix_bytes(scanner, sample("screenshot.png"), "shot.png", out_kind="jpeg")
    assert result.outcome is Outcome.PASSES and sniff(result.data) == "jpeg" and result.suffix == ".jpg"


def test_pdf_metadata_annotations_and_hidden_text_go(scanner: Scanner) -> None:
    result = fix_bytes(scanner, pdf_with_leaks(), "report.pdf")
    assert {f.label for f in result.before.findings if f.kind == "metadata"} >= {"author", "hidden-text", "annotation"}
    assert result.outcome is Outcome.PASSES
    assert not [f for f in result.after.findings if f.kind == "metadata"]
    with pymupdf.open(stream=result.data, filetype="pdf") as doc:
        text = doc[0].get_text()
        assert "Quarterly report" in text and "Banner title in white" in text  # visible text stays
        assert "Elm St" not in text
        assert not doc.metadata.get("author") and doc[0].first_annot is None and doc[0].first_link is not None


def test_faces_in_an_embedded_pdf_photo_are_blurred(scanner: Scanner, shared_data: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 60), "Our team", fontsize=14)
    page.insert_image(pymupdf.Rect(72, 80, 540, 355), stream=(SHARED_FACES / "two_people.jpg").read_bytes())
    result = fix_bytes(scanner, doc.tobytes(), "team.pdf")
    assert result.before.count("face") >= 2
    assert result.outcome is Outcome.PASSES and result.after.count("face") == 0


def test_office_documents_are_pointed_to_the_pdf_route(scanner: Scanner) -> None:
    result = fix_bytes(scanner, docx([f"Call Jane at {fixable.PHONE}"]), "note.docx")
    assert result.outcome is Outcome.CANNOT and result.data is None and result.exit_code == 1
    assert "export it to PDF" in result.why_not("en")
    clean = docx(["The tables are ready."])
    passing = fix_bytes(scanner, clean, "clean.docx")
    assert passing.outcome is Outcome.PASSES and passing.data == clean  # nothing to remove: the file is its copy


def test_a_file_that_cannot_be_checked_gets_no_copy(scanner: Scanner) -> None:
    result = fix_bytes(scanner, sample("memo.pdf")[:600], "cut.pdf")
    assert result.outcome is Outcome.UNCHECKED and result.exit_code == 2 and result.data is None


def test_every_style_leaves_no_detail_in_a_region() -> None:
    rng = np.random.default_rng(3)
    for style in Style:
        image = rng.integers(0, 256, (200, 300, 3), dtype=np.uint8)
        original = image.copy()
        cover(image, (50, 50, 250, 150), style)
        patch = image[50:150, 50:250].astype(np.int16)
        # Neighbouring pixels inside are nearly equal: no edges, so no features or letters, are left.
        assert np.abs(np.diff(patch, axis=1)).mean() < 8, style
        assert np.array_equal(image[:50], original[:50]) and np.array_equal(image[150:], original[150:])


def test_the_readme_picture(scanner: Scanner, tmp_path: Path) -> None:
    """docs/fix-before-after.png: the scanned form with boxes on what the scan found, beside its copy.
    Written to docs/ with SMSCAN_WRITE_DOCS=1; otherwise made and checked in a temporary folder."""
    from scanner.report.previews import drawn

    result = fixed(scanner, "form.png")
    before = next(drawn(load(sample("form.png")).pages, result.before, 800))[1]
    after = next(drawn(load(result.data).pages, result.after, 800))[1]
    crop = (0, 0, before.width, round(before.height * 0.5))  # the filled-in half of the form
    picture = Image.new("RGB", (2 * before.width + 24, crop[3]), (255, 255, 255))
    picture.paste(before.crop(crop), (0, 0))
    picture.paste(after.crop(crop), (before.width + 24, 0))
    target = Path("docs") if os.environ.get("SMSCAN_WRITE_DOCS") == "1" else tmp_path
    target.mkdir(exist_ok=True)
    picture.save(target / "fix-before-after.png", optimize=True)
    assert result.outcome is Outcome.PASSES and not result.after.findings
