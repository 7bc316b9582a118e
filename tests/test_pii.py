"""Personal data in text: e-mail, North American phone numbers, Luhn-checked SINs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from scanner.detectors.pii.detector import PiiDetector, find_pii, luhn_valid
from scanner.ingest.page import Page, Word


def labels(text: str, context: str = "") -> list[str]:
    return sorted(m.label for m in find_pii(text, context))


@pytest.mark.parametrize(
    "text",
    [
        "Write to jane.doe@example.com for the file",
        "Contact: marc-andre.tremblay@statcan.gc.ca",
        "OCR spacing: john @ gmail.com",
    ],
)
def test_email_addresses(text: str) -> None:
    assert labels(text) == ["email"]


@pytest.mark.parametrize(
    "text",
    [
        "Call me at (613) 555-0199",
        "cell 613-555-0199 ext 23",
        "+1 613 555 0199",
        "1-819-555-0142",
        "613.555.0199",
    ],
)
def test_phone_numbers(text: str) -> None:
    assert labels(text) == ["phone"]


def test_bare_ten_digits_need_a_phone_word() -> None:
    assert labels("Tel: 6135550199") == ["phone"]
    assert labels("Record 6135550199 updated") == []


@pytest.mark.parametrize("text", ["SIN: 123 456 782", "My SIN is 123-456-782", "NAS 123456782", "123-456-782"])
def test_social_insurance_numbers(text: str) -> None:
    assert labels(text) == ["sin"]


def test_sin_keyword_on_previous_line_counts() -> None:
    assert labels("123456782", context="Social insurance number") == ["sin"]


@pytest.mark.parametrize(
    "text",
    [
        "123-456-783",  # fails Luhn
        "046-454-286",  # starts with 0: never issued to a person
        "Ref 123456782",  # nine bare digits, no SIN word
        "Population 123 456 782 in 2021",  # a number with thousands separators
        "Table 1 123 456 789 2 345",
        "Total 613 555 0199 1234",
        "2021-05-11 and 2023",
        "up 19.5% from 1 234 567 890",
        "ISBN 978-0-660-12345-6",
        "Catalogue no. 11-627-M2023001",
        "Tables 98-10-0001-01 and 36-10-0104-01",
        "GDP 2 123 456 7890",
    ],
)
def test_ordinary_numbers_are_not_personal(text: str) -> None:
    assert labels(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Questions? 1-800-263-1136 or infostats@statcan.gc.ca",
        "Media: 613-951-4636",
        "TTY 1-800-363-7629",
    ],
)
def test_the_agencys_public_contacts_are_not_reported(text: str) -> None:
    assert labels(text) == []


def test_luhn() -> None:
    assert luhn_valid("123456782") and not luhn_valid("123456789")


def test_detector_reports_boxes_and_masks_numbers() -> None:
    words = [Word(t, (i * 100, 10, i * 100 + 90, 30), 1.0, 1, "text-layer") for i, t in enumerate(
        ["SIN:", "123", "456", "782", "mail", "a.b@example.org"])]  # fmt: skip
    page = Page(1, "pdf-page", lambda: np.zeros((50, 700, 3), np.uint8), (700, 50), text_layer=tuple(words))
    findings = {f.label: f for f in PiiDetector().detect(page)}
    assert set(findings) == {"sin", "email"}
    assert findings["sin"].bbox == (100, 10, 390, 30)
    assert findings["sin"].kind == "pii"
    assert "123456" not in findings["sin"].excerpt + findings["sin"].detail  # the report must not re-leak the number
    assert findings["email"].bbox == (500, 10, 590, 30)


def _rendered(lines: list[str]) -> np.ndarray:
    image = Image.new("RGB", (1600, 120 * len(lines) + 80), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for index, line in enumerate(lines):
        draw.text((60, 60 + index * 120), line, fill="black", font=font)
    return np.asarray(image)


def test_pii_read_by_ocr_from_an_image() -> None:
    ocr = pytest.importorskip("scanner.ocr")
    try:
        reader = ocr.TesseractReader()
    except ocr.OcrUnavailable as missing:
        pytest.skip(str(missing))
    rgb = _rendered(["Reach Jane at jane.doe@example.com", "or call (613) 555-0199 today.", "Sales rose 4.5% in 2023."])
    page = Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0]))
    page.attach_reader(reader)
    assert sorted(f.label for f in PiiDetector().detect(page)) == ["email", "phone"]
