"""`smscan fix`: the copy has no faces and no metadata findings; the original is untouched."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import ExifTags, Image

from scanner.detectors.face.detector import FaceDetector
from scanner.detectors.metadata.detector import MetadataDetector
from scanner.fix import FixError, blur_region, write_fixed_copy
from scanner.ingest import load
from tests.test_metadata import jpeg_with_exif, pdf_with_leaks


@pytest.fixture(scope="module")
def faces() -> FaceDetector:
    return FaceDetector()


def findings(path: Path, faces: FaceDetector) -> list[tuple[str, str]]:
    found = []
    for page in load(path.read_bytes(), path.name).pages:
        found += [(f.kind, f.label) for f in MetadataDetector().detect(page)]
        found += [(f.kind, f.label) for f in faces.detect(page)]
    return found


def photo_with_faces(shared: Path) -> bytes:
    """two_people.jpg stored sideways with EXIF orientation 6 and a GPS position, as phones do."""
    upright = Image.open(shared / "faces/two_people.jpg").convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back upright
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Artist] = "Jane Doe"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({ExifTags.GPS.GPSLatitude: (45.0, 25.0, 1.0),
                                               ExifTags.GPS.GPSLongitude: (75.0, 41.0, 2.0)})  # fmt: skip
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def test_photo_copy_has_no_faces_no_metadata_and_is_upright(
    tmp_path: Path, faces: FaceDetector, shared_data: Path
) -> None:
    original = tmp_path / "photo.jpg"
    original.write_bytes(photo_with_faces(shared_data))
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    assert ("face", "face") in findings(original, faces)

    out = tmp_path / "photo-fixed.jpg"
    result = write_fixed_copy(original.read_bytes(), out, filename=str(original), faces=faces)

    assert result.faces_blurred == 2 and "GPS position" in result.removed
    assert findings(out, faces) == []
    with Image.open(out) as fixed:
        assert fixed.size == (1126, 661)  # orientation baked in: stored 661x1126 sideways
        assert not fixed.getexif() and "xmp" not in fixed.info
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before


def test_blurred_face_keeps_no_detail() -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (200, 200, 3), dtype=np.uint8)
    original = image.copy()
    blur_region(image, (50, 50, 150, 150))
    patch = image[50:150, 50:150].astype(np.int16)
    # Neighbouring pixels inside are nearly equal: no edges, so no features, are left.
    assert np.abs(np.diff(patch, axis=1)).mean() < 6
    assert np.array_equal(image[:50], original[:50]) and np.array_equal(image[150:], original[150:])


def test_metadata_only_jpeg_and_png_transparency(tmp_path: Path, faces: FaceDetector) -> None:
    out = tmp_path / "clean.jpg"
    write_fixed_copy(jpeg_with_exif(), out, faces=faces)
    assert findings(out, faces) == []
    with Image.open(out) as fixed:
        assert fixed.size == (64, 96)  # orientation 6 applied

    rgba = Image.new("RGBA", (50, 40), (10, 200, 30, 128))
    buffer = io.BytesIO()
    rgba.save(buffer, "PNG")
    png_out = tmp_path / "clean.png"
    write_fixed_copy(buffer.getvalue(), png_out, faces=faces)
    with Image.open(png_out) as fixed:
        assert fixed.mode == "RGBA" and fixed.getpixel((5, 5))[3] == 128


def test_refuses_to_overwrite_the_original(tmp_path: Path, faces: FaceDetector) -> None:
    original = tmp_path / "a.jpg"
    original.write_bytes(jpeg_with_exif())
    with pytest.raises(FixError):
        write_fixed_copy(original.read_bytes(), original, filename=str(original), faces=faces)


def test_pdf_copy_loses_author_annotations_hidden_text(tmp_path: Path, faces: FaceDetector) -> None:
    out = tmp_path / "report-fixed.pdf"
    result = write_fixed_copy(pdf_with_leaks(), out, faces=faces)
    assert result.kind == "pdf"
    assert findings(out, faces) == []
    with pymupdf.open(out) as doc:
        text = doc[0].get_text()
        assert "Quarterly report" in text and "Banner title in white" in text  # visible text stays
        assert "Elm St" not in text
        assert not doc.metadata.get("author") and doc[0].first_link is not None


def test_pdf_embedded_photo_faces_are_blurred(tmp_path: Path, faces: FaceDetector, shared_data: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 60), "Our team", fontsize=14)
    page.insert_image(pymupdf.Rect(72, 80, 540, 355), filename=str(shared_data / "faces/two_people.jpg"))
    source = doc.tobytes()
    before = [f for p in load(source, "t.pdf").pages for f in faces.detect(p)]
    assert before

    out = tmp_path / "team-fixed.pdf"
    result = write_fixed_copy(source, out, faces=faces)
    assert result.faces_blurred >= 2
    assert findings(out, faces) == []
