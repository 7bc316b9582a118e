"""Metadata (2.4): GPS, serials, owners/authors in photos; PDF authors, annotations, hidden text."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import ExifTags, Image, PngImagePlugin

from scanner.detectors.metadata.detector import MetadataDetector, person_likelihood
from scanner.ingest import load
from scanner.ingest.page import Page


def scan(data: bytes, name: str) -> list[tuple[int, str]]:
    detector = MetadataDetector()
    findings = [f for page in load(data, name).pages for f in detector.detect(page)]
    assert all(f.kind == "metadata" for f in findings)
    return sorted((f.page, f.label) for f in findings)


def jpeg_with_exif(
    gps: bool = True, serial: bool = True, artist: str = "Jane Doe", serial_number: str = "SN0123456"
) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R6"
    exif[ExifTags.Base.Orientation] = 6
    if artist:
        exif[ExifTags.Base.Artist] = artist
    if serial:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = serial_number
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.CameraOwnerName] = "Jane Doe"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: (45.0, 25.0, 12.5),
                ExifTags.GPS.GPSLongitudeRef: "W",
                ExifTags.GPS.GPSLongitude: (75.0, 41.0, 50.0),
            }
        )
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (120, 140, 160)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photo_gps_serial_owner_author() -> None:
    assert scan(jpeg_with_exif(), "photo.jpg") == [(1, "author"), (1, "camera-serial"), (1, "gps"), (1, "owner")]


def test_photo_with_only_camera_make_and_model_is_clean() -> None:
    assert scan(jpeg_with_exif(gps=False, serial=False, artist=""), "photo.jpg") == []


def test_organisation_as_artist_is_not_a_person() -> None:
    assert scan(jpeg_with_exif(gps=False, serial=False, artist="Statistics Canada"), "photo.jpg") == []


def test_zeroed_gps_is_no_position() -> None:
    meta = {"gps": {"GPSLatitude": "(0.0, 0.0, 0.0)", "GPSLongitude": "(0.0, 0.0, 0.0)"}}
    page = Page(1, "image", lambda: None, (1, 1), metadata=meta)  # type: ignore[arg-type, return-value]
    assert MetadataDetector().detect(page) == []


def test_png_text_chunks_and_xmp() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Marc-André Tremblay")
    info.add_text("Comment", "Taken at the Tremblay family reunion")
    info.add_text("Software", "GIMP 2.10")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG", pnginfo=info)
    assert scan(buffer.getvalue(), "x.png") == [(1, "author"), (1, "comment"), (1, "software")]
    xmp = '<x:xmpmeta><rdf:Description aux:SerialNumber="0987654"><dc:creator><rdf:Seq><rdf:li>Jane Doe</rdf:li>'
    xmp += "</rdf:Seq></dc:creator></rdf:Description></x:xmpmeta>"
    page = Page(1, "image", lambda: None, (1, 1), metadata={"xmp": xmp})  # type: ignore[arg-type, return-value]
    assert sorted(f.label for f in MetadataDetector().detect(page)) == ["author", "camera-serial"]


@pytest.mark.parametrize(
    ("value", "person"),
    [
        ("Jane Doe", True),
        ("jdoe", True),
        ("© 2024 John Smith", True),
        ("Statistics Canada", False),
        ("Microsoft Word - report.docx", False),
        ("Windows User", False),
        ("Adobe InDesign 18.0 (Windows)", False),
    ],
)
def test_person_likelihood(value: str, person: bool) -> None:
    assert (person_likelihood(value) > 0) is person


def pdf_with_leaks(author: str = "Jane Doe") -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 72), "Quarterly report", fontsize=14)
    page.insert_text((72, 120), "secret reviewer note: Jane's home is 12 Elm St", fontsize=11, color=(1, 1, 1))
    page.draw_rect(pymupdf.Rect(60, 180, 400, 220), color=(0, 0, 0.5), fill=(0, 0, 0.5))
    page.insert_text((72, 205), "Banner title in white", fontsize=14, color=(1, 1, 1))  # visible: dark ground
    page.insert_text((72, 260), "invisible OCR-ish layer text", fontsize=11, render_mode=3)
    note = page.add_text_annot((300, 300), "Check with Jane before publishing")
    note.set_info(title="Jane Doe")
    note.update()
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 400, 200, 420), "uri": "https://www.statcan.gc.ca"})
    doc.new_page()
    doc.set_metadata({"author": author, "creator": "Microsoft Word", "producer": "Adobe PDF Library", "title": "Q3"})
    return doc.tobytes()


def test_pdf_author_annotation_and_hidden_text() -> None:
    found = scan(pdf_with_leaks(), "report.pdf")
    assert found == [(1, "annotation"), (1, "author"), (1, "hidden-text"), (1, "hidden-text"), (1, "software"),
                     (1, "software")]


def test_pdf_by_the_agency_with_visible_white_banner_is_clean_of_authors() -> None:
    found = scan(pdf_with_leaks(author="Statistics Canada"), "report.pdf")
    assert (1, "author") not in found
    evidences = [
        f.detail for p in load(pdf_with_leaks(), "r.pdf").pages for f in MetadataDetector().detect(p)
    ]
    assert not any("Banner title" in e for e in evidences)  # white on dark blue is visible
    assert any("Elm St" in e for e in evidences) and any("invisible" in e for e in evidences)


def test_office_author_is_reported_and_software_is_not():
    from samplegen.mail import docx
    from scanner import Scanner

    scanner = Scanner(detectors=["metadata"], ocr=False)
    report = scanner.scan_bytes(docx(["Quarterly note"], creator="Jane Analyst"), filename="note.docx")
    authors = [f for f in report.findings if f.label == "author"]
    assert authors and authors[0].excerpt == "Jane Analyst" and authors[0].part
    assert authors[0].section == "2.4" and "Jane Analyst" in authors[0].message["fr"]
    clean = scanner.scan_bytes(docx(["Quarterly note"], creator="Microsoft Office User"), filename="note.docx")
    assert not [f for f in clean.findings if f.label == "author"]


def camera_photo(serial_number: str, gps: bool = False) -> bytes:
    """A camera JPEG as phones and cameras write it: make, model, software, serial in EXIF and
    XMP (aux:SerialNumber), the photographer as Artist, and a landscape in the pixels."""
    from samplegen.documents import photo_like

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "NIKON CORPORATION"
    exif[ExifTags.Base.Model] = "NIKON D750"
    exif[ExifTags.Base.Software] = "Ver.1.10"
    exif[ExifTags.Base.Artist] = "Paul Gagnon"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = serial_number
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (45.0, 25.0, 12.5),
             ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (75.0, 41.0, 50.0)}
        )
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description aux:SerialNumber="{serial_number}" '
           'xmp:CreatorTool="Adobe Lightroom"/></rdf:RDF></x:xmpmeta>').encode()
    buffer = io.BytesIO()
    photo_like(640, 480).save(buffer, "JPEG", exif=exif, xmp=xmp, quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize("placeholder", ["65535", "0", "4294967295", "0000000", "unknown"])
def test_placeholder_serials_are_not_reported(placeholder: str) -> None:
    assert "camera-serial" not in {label for _, label in scan(camera_photo(placeholder), "dsc.jpg")}


def test_a_camera_photo_with_a_serial_and_its_photographer_passes_and_says_so() -> None:
    from scanner import Scanner

    scanner = Scanner(detectors=["metadata"], ocr=False)
    for serial in ("65535", "2841137"):
        report = scanner.scan_bytes(camera_photo(serial), filename="dsc_0042.jpg")
        assert not report.blocked, [f.label for f in report.blocking]
        labels = {f.label for f in report.findings}
        assert {"author", "software"} <= labels  # reported, so fix and people see them
        assert ("camera-serial" in labels) is (serial != "65535")


def test_the_position_of_a_photo_blocks() -> None:
    from scanner import Scanner

    report = Scanner(detectors=["metadata"], ocr=False).scan_bytes(camera_photo("65535", gps=True), filename="a.jpg")
    assert report.blocked and [f.label for f in report.blocking] == ["gps"]


def test_every_default_says_why_from_the_guideline() -> None:
    from scanner.detectors.metadata import CHECK

    (kind,) = CHECK.kinds
    assert kind.default.block_at is not None  # gps, annotations, hidden text
    for label in ("author", "owner", "camera-serial", "software", "comment"):
        level = kind.label_levels[label]
        assert level.block_at is None and level.why.startswith("2.4")


def test_an_office_file_by_its_own_author_is_not_blocked() -> None:
    from samplegen.mail import docx
    from scanner import Scanner

    report = Scanner(detectors=["metadata"], ocr=False).scan_bytes(
        docx(["Quarterly note"], creator="Jane Analyst"), filename="note.docx"
    )
    assert not report.blocked
    assert [f.excerpt for f in report.findings if f.label == "author"] == ["Jane Analyst"]
