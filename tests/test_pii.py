"""Personal data in text: e-mail, phone numbers, SINs, dates of birth, health-card and passport
numbers, addresses; an organisation's contacts told from a person's."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from scanner.detectors.pii.detector import PiiDetector, find_pii, luhn_valid
from scanner.ingest.page import Page, Word


def labels(text: str, before: tuple[str, ...] = (), after: tuple[str, ...] = (), in_band: bool = False) -> list[str]:
    return sorted(m.label for m in find_pii(text, before, after, in_band=in_band))


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
    assert labels("123456782", before=("Social insurance number",)) == ["sin"]


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


# --- an organisation's contact is not a person's -------------------------------------------

@pytest.mark.parametrize(
    ("text", "before", "in_band", "expected"),
    [
        ("Sales: 1-888-555-0199", (), False, ["org-phone"]),  # toll-free
        ("Tel. (613) 555-0199  Fax (613) 555-0100", (), False, ["org-phone", "org-phone"]),
        ("Tél. : 819-555-0142", ("Siège social : 150, rue Principale",), False, ["org-phone"]),
        ("(818) 708-8131", ("Acme Data Systems Inc.",), True, ["org-phone"]),  # a brochure's footer
        ("info@acme-data.com", (), False, ["org-email"]),
        ("Media: media@example.org", (), False, ["org-email"]),
        ("Pour nous joindre : contact@exemple.ca", (), False, ["org-email"]),
        ("Feedback via email to R-devel@R-project.org is most welcome.", (), False, ["org-email"]),  # a list
        ("send a message to R-help@lists.R-project.org", (), False, ["org-email"]),
    ],
)
def test_an_organisations_contact_is_labelled_as_such(text, before, in_band, expected) -> None:
    assert labels(text, before, in_band=in_band) == expected


@pytest.mark.parametrize(
    ("text", "before", "in_band"),
    [
        ("Call me at (613) 555-0199", (), False),
        ("Jane's cell: 613-555-0199", ("Acme Data Systems Inc.",), True),  # a person's, even in a footer
        ("(613) 555-0199", (), True),  # one sign only: the band
        ("Tel: 613-555-0199", (), False),  # a label alone: business cards say it too
        ("jane.doe@example.com", (), False),
    ],
)
def test_a_persons_contact_stays_a_persons(text, before, in_band) -> None:
    assert labels(text, before, in_band=in_band)[0] in ("phone", "email")


def _rendered_page(body: list[str], header: list[str], footer: list[str], font: str = "helv") -> Page:
    """A scanned letter-size page: header block, body, footer block, read by real OCR."""
    import pymupdf

    from samplegen.documents import render, scanned

    ocr = pytest.importorskip("scanner.ocr")
    try:
        reader = ocr.TesseractReader()
    except ocr.OcrUnavailable as missing:
        pytest.skip(str(missing))
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for row, line in enumerate(header):
        page.insert_text((60, 50 + 14 * row), line, fontname="hebo" if row == 0 else font, fontsize=10)
    for row, line in enumerate(body):
        page.insert_text((60, 200 + 17 * row), line, fontname=font, fontsize=11)
    for row, line in enumerate(footer):
        page.insert_text((60, 740 + 13 * row), line, fontname=font, fontsize=9)
    rgb = np.asarray(scanned(render(doc.tobytes())))
    scan = Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0]))
    scan.attach_reader(reader)
    return scan


BROCHURE_BODY = [
    "The model 40 data logger records temperature and humidity every minute",
    "for up to ninety days, and hands its readings to any personal computer.",
    "Ask your dealer for the complete catalogue of sensors and accessories.",
]


def test_a_brochure_footer_with_the_companys_number_does_not_block() -> None:
    page = _rendered_page(
        BROCHURE_BODY, ["ACME DATA SYSTEMS"],
        ["Acme Data Systems Inc., 20501 Ventura Blvd, Woodland Hills, CA 91364", "(818) 708-8131"],
    )
    findings = PiiDetector().detect(page)
    assert {f.label for f in findings} >= {"org-phone"}
    assert not [f for f in findings if f.label in ("phone", "email", "address")]


def test_a_french_letterhead_is_an_organisations() -> None:
    page = _rendered_page(
        ["Madame, nous accusons réception de votre demande du 3 mars.",
         "Votre dossier sera traité dans les trente jours ouvrables."],
        ["Société d'habitation du Québec",
         "Siège social : 1054, rue Louis-Alexandre-Taschereau, Québec (Québec) G1R 5E7",
         "Tél. : 418-643-4035   Téléc. : 418-643-4560   info@habitation.exemple.ca"],
        [],
    )
    labels_found = sorted(f.label for f in PiiDetector().detect(page))
    assert "org-phone" in labels_found and "org-email" in labels_found
    assert not {"phone", "email", "address"} & set(labels_found)


def test_a_persons_number_in_a_letter_body_blocks() -> None:
    from scanner import Scanner

    page_lines = ["Our client Jane Tremblay asked to be called back on her cell at 613-555-0199",
                  "before Friday, about the survey she received last month."]
    report = Scanner(detectors=["pii"], ocr=False).scan_text("\n".join(page_lines))
    assert report.blocked and [f.label for f in report.blocking] == ["phone"]


# --- a name next to a date of birth ---------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("DAVIDSON DOUGLAS DOB: 06.16.1976", ()),
        ("DOB: 07.16.1953", ("MEYER STEPHANIE [F] 02.25.2012",)),
        ("MARTIN CHAD [U] 01.01.2000", ()),  # a patient caption: sex marker between name and date
        ("Date of birth: June 16, 1976", ("Name: John Smith",)),
        ("John Smith, born 16 June 1976, lives in Regina", ()),
        ("Date of birth: 1976-06-16 John Smith", ()),
        ("Jean Tremblay, né le 16 juin 1976 à Québec", ()),
        ("Marie Gagnon, née le 1er mars 1980", ()),
        ("Date de naissance : 16/06/1976", ("Nom : Marie Gagnon",)),
        ("DDN : 1976-06-16", ("GAGNON MARIE",)),
    ],
)
def test_a_name_next_to_a_date_of_birth_blocks(text, before) -> None:
    (match,) = [m for m in find_pii(text, before) if m.label == "dob"][:1]
    assert match.confidence >= 0.9
    assert not re.search(r"\d{2}", match.excerpt)  # masked: only the year's last digit


@pytest.mark.parametrize(
    "text",
    [
        "The report was released on June 16, 1976",
        "Il ne le savait pas le 16 juin 1976",  # "ne le" is not "né le"
        "Date: 2021-05-11",
        "Statistics Canada founded the survey in 1976-06-16 format",
        "Born in the USA, 1984",
    ],
)
def test_ordinary_dates_are_not_dates_of_birth(text) -> None:
    assert "dob" not in labels(text)


def test_a_date_of_birth_with_no_name_is_reported_below_the_block_level() -> None:
    (match,) = find_pii("Date of birth: 06.16.1976")
    assert match.label == "dob" and match.confidence < 0.6


def xray_with_caption(lines: list[str], seed: int = 7) -> np.ndarray:
    """A radiograph-like picture: dark surround, a bright noisy body, white caption burned into
    the top-left corner as imaging systems print it."""
    rng = np.random.default_rng(seed)
    height, width = 1800, 1500
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    body = 170 * np.exp(-(((x - width / 2) / (width * 0.33)) ** 2 + ((y - height * 0.6) / (height * 0.4)) ** 2))
    gray = np.clip(body + rng.normal(0, 12, (height, width)) + 15, 0, 255).astype(np.uint8)
    image = Image.fromarray(gray).convert("RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    for row, line in enumerate(lines):
        draw.text((12, 8 + 40 * row), line, fill=(235, 235, 235), font=font)
    return np.asarray(image)


def test_a_caption_burned_into_an_xray_is_read_and_blocks() -> None:
    from scanner import Scanner

    rgb = xray_with_caption(["DAVIDSON DOUGLAS [M] 03.14.2019", "DOB: 06.16.1976"])
    report = Scanner(detectors=["pii"]).scan_bytes(_png(rgb), filename="chest.png")
    assert report.blocked
    assert {f.label for f in report.blocking} == {"dob"}
    assert all("1976" not in f.excerpt and "06.16" not in f.excerpt for f in report.findings)


def test_only_the_light_strokes_of_a_dark_band_are_read() -> None:
    """A caption's part of the band is kept; a dark foreground with no light strokes is not read at all
    (a 12 MP sunset's cost 0.6 s of OCR for no word)."""
    from scanner.detectors.pii.detector import _light_marks_box

    caption = xray_with_caption(["DOB: 06.16.1976"])[:225, :, 0]
    x0, y0, x1, y1 = _light_marks_box(caption)
    assert x0 <= 12 and y0 <= 8 and 250 < x1 < 700 and y1 < 120  # the caption, not the whole band
    rng = np.random.default_rng(3)
    foreground = np.clip(rng.normal(40, 25, (300, 2000)), 0, 255).astype(np.uint8)
    foreground[rng.random(foreground.shape) < 0.0005] = 230  # specks: glints, noise
    assert _light_marks_box(foreground) is None


def _png(rgb: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


# --- health cards, passports ----------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Health card: 1234-567-890-AB",
        "OHIP 1234 567 890",
        "Numéro d'assurance maladie : TREJ 7606 1612",
        "RAMQ TREM 8262 1512",  # a woman's: birth month + 50
        "Carte santé 9876543210",
    ],
)
def test_health_card_numbers_with_their_keyword(text) -> None:
    (match,) = find_pii(text)
    assert match.label == "health-card" and match.confidence >= 0.9
    assert not re.search(r"\d{4}", match.excerpt)


def test_a_ramq_shaped_number_without_its_keyword_is_only_reported() -> None:
    (match,) = find_pii("Ref TREJ 7606 1612")
    assert match.label == "health-card" and match.confidence < 0.6
    assert find_pii("Ref TREJ 7613 1612") == []  # month 13: no birth date hidden in it


@pytest.mark.parametrize("text", ["Passport no. AB123456", "Numéro de passeport : GA 654321"])
def test_passport_numbers_with_their_keyword(text) -> None:
    (match,) = find_pii(text)
    assert match.label == "passport" and "123" not in match.excerpt[:-3]


@pytest.mark.parametrize("text", ["Product code AB123456", "Order 1234-567-890", "Model GA 654321"])
def test_look_alike_codes_without_a_keyword_are_not_reported(text) -> None:
    assert labels(text) == []


# --- street addresses -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("Home address: 45 Elm Avenue, Kanata, ON K2K 1X7", (), ()),
        ("123 Maple Street", ("Jane Smith",), ("Ottawa, ON K1A 0B1",)),
        ("12, rue des Érables, Gatineau (Québec) J8Y 3R5", ("Marie Gagnon",), ()),
        ("Adresse du domicile : 8, chemin du Lac, Chelsea (Québec) J9B 1A1", (), ()),
    ],
)
def test_a_persons_address_blocks(text, before, after) -> None:
    matches = [m for m in find_pii(text, before, after) if m.label == "address"]
    assert matches and matches[0].confidence >= 0.6
    assert not re.search(r"\d", matches[0].excerpt)


@pytest.mark.parametrize(
    ("text", "before", "in_band"),
    [
        ("1485 Reseda Blvd, Northridge, CA 91324", ("Acme Industries Inc.",), False),
        ("150 Tunney's Pasture Driveway, Ottawa, ON K1A 0T6", (), True),
        ("Siège social : 150, rue Principale, Gatineau (Québec) J8X 2A1", (), False),
    ],
)
def test_an_organisations_address_is_reported_only(text, before, in_band) -> None:
    assert labels(text, before, in_band=in_band) == ["org-address"]


def test_levels_of_the_new_labels() -> None:
    from scanner.policy import Policy

    policy = Policy()
    for label in ("dob", "health-card", "passport", "address", "phone", "email", "sin"):
        assert policy.level("pii", label) == 0.6
    for label in ("org-phone", "org-email", "org-address"):
        assert policy.level("pii", label) is None
