"""Conduct (2.5): abuse aimed at the Agency/GoC and severe profanity, in English and French."""

from __future__ import annotations

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from scanner import Scanner
from scanner.detectors.conduct.detector import (
    ConductDetector,
    canonical,
    find_conduct,
    is_quoted_or_literary,
    masked_severity,
)
from scanner.ingest.page import Page, Word


def found(text: str) -> list[tuple[str, str]]:
    return [(m.label, m.severity) for m in find_conduct(text.split())]


@pytest.mark.parametrize(
    "text",
    [
        "StatCan are a bunch of f***ing idiots",
        "Statistique Canada, bande de c***",
        "Statistique Canada, bande de cons",
        "@StatCan_eng you are st*pid",
        "STATCAN = F*CK1NG CL0WNS",
        "Statistics Canada rnorons",  # OCR read m as rn
        "Stat1stics Canada idlots",  # OCR damage on both words
        "statcan fuuuuck you",
        "Le gouvernement du Canada : tabarnak de voleurs",
        "Statistique Canada, espèce de crétins",
        "The census is crap",
        "Statistics Canada c'est de la marde",
    ],
)
def test_abuse_aimed_at_the_agency(text: str) -> None:
    assert any(label == "abuse" for label, _ in found(text)), found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I disagree with Statistics Canada's methodology",
        "Statistics Canada: pros and cons of the new method",
        "Je ne suis pas d'accord avec la méthode de Statistique Canada",
        "StatCan's numbers are wrong and the revision was badly explained",
        "Dick Smith presented the census results",
        "Assessment of the cocktail shift at Scunthorpe",
        "Idiot-proof guide to the census",
        "Our report on waste: garbage collection in Canada",
        "Q1 2024 results: S&P 500 up; A#1 quality",
        "Les caves à vin du Québec, selon le recensement",
    ],
)
def test_criticism_and_ordinary_words_pass(text: str) -> None:
    assert found(text) == []


def test_severe_profanity_anywhere_is_reported_without_a_target() -> None:
    assert found("This is fucking great news") == [("profanity", "severe")]
    assert found("What the f.u.c.k") == [("profanity", "severe")]
    assert found("you idiots") == []  # an insult with no target named is not ours to judge


def test_severity_is_labelled() -> None:
    assert ("abuse", "severe") in found("StatCan are f***ing idiots")
    assert ("abuse", "insult") in found("StatCan are idiots")
    assert found("StatCan sucks") == [("abuse", "mild")]


def test_masks_and_lookalikes() -> None:
    assert masked_severity("f***ing") == "severe"
    assert masked_severity("sh#t") is not None
    assert masked_severity("A#1") is None
    assert canonical("1D10T") == canonical("idiot")
    assert canonical("fvck") == canonical("fuck")


def test_target_far_away_is_not_a_target() -> None:
    far = "Statistics Canada released the tables today " + "and then " * 10 + "my cat is stupid"
    assert found(far) == []


def _page_from_text(words: list[str]) -> Page:
    layer = tuple(Word(t, (i * 80, 0, i * 80 + 70, 20), 1.0, 1, "text-layer") for i, t in enumerate(words))
    return Page(1, "pdf-page", lambda: np.zeros((30, 900, 3), np.uint8), (900, 30), text_layer=layer)


def test_detector_finding_shape() -> None:
    findings = ConductDetector().detect(_page_from_text(["StatCan", "are", "a", "bunch", "of", "f***ing", "idiots"]))
    assert [f.label for f in findings] == ["abuse", "abuse"]
    first = findings[0]
    assert first.kind == "conduct" and first.confidence >= 0.9
    assert first.bbox == (400, 0, 470, 20)
    assert "StatCan" in first.detail and "severe" in first.detail
    assert first.excerpt == "f******"  # the word itself is not repeated in logs


def test_abuse_read_by_ocr() -> None:
    ocr = pytest.importorskip("scanner.ocr")
    try:
        reader = ocr.TesseractReader()
    except ocr.OcrUnavailable as missing:
        pytest.skip(str(missing))
    image = Image.new("RGB", (1700, 260), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=52)
    draw.text((50, 50), "StatCan are a bunch of f***ing idiots", fill="black", font=font)
    draw.text((50, 150), "I disagree with the methodology.", fill="black", font=font)
    rgb = np.asarray(image)
    page = Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0]))
    page.attach_reader(reader)
    assert {f.label for f in ConductDetector().detect(page)} == {"abuse"}


# A page of a novel as people scan and share them: long running prose, the rude word in a
# character's mouth. (Our own text, written in the manner of a 19th-century novel.)
NOVEL_PAGE = (
    "CHAPTER XII. The morning came grey and cold upon the village, and the miller's boy went "
    "down to the landing before the sun had cleared the hills. He had slept but little, for the "
    "quarrel of the evening lay heavy on his mind, and he turned it over and over as he walked. "
    "The river was high with the rains of the week, and the ferry-man stood by his rope, looking "
    "at the water with the air of a man who expects no good of it. “You are late,” said he, "
    "without turning his head. “The old bastard at the mill kept me,” answered the boy, and then "
    "was sorry he had said it, for the ferry-man was the miller's cousin, and a proud man besides. "
    "Nothing more was said between them while the boat crossed, and when they touched the farther "
    "bank the boy leaped out and ran up the path toward the church, where the bell was already "
    "ringing for the early service, and the women of the parish were gathering at the gate in their "
    "Sunday shawls, talking low of the fever that had come to the houses by the marsh."
)


def _scanned_page(text: str) -> bytes:
    from samplegen.documents import encoded, render, scanned

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_textbox(pymupdf.Rect(60, 70, 535, 780), text, fontname="tiro", fontsize=12)
    pdf = doc.tobytes()
    return encoded(scanned(render(pdf)), "PNG")


def test_a_rude_word_in_a_scanned_novel_page_is_reported_as_quoted_not_blocked() -> None:
    scanner = Scanner(detectors=["conduct"])
    report = scanner.scan_bytes(_scanned_page(NOVEL_PAGE), filename="chapter12.png")
    assert not report.blocked
    assert [f.label for f in report.findings] == ["quoted"]
    assert report.findings[0].excerpt.startswith("b*")


def test_the_same_word_in_ones_own_post_blocks() -> None:
    report = Scanner(detectors=["conduct"]).scan_text("The old bastard at the mill kept me late again")
    assert report.blocked and [f.label for f in report.blocking] == ["profanity"]


def test_abuse_at_the_agency_blocks_even_in_a_long_text() -> None:
    text = NOVEL_PAGE + " Statistics Canada are a bunch of f***ing idiots."
    report = Scanner(detectors=["conduct"]).scan_text(text)
    assert report.blocked and {f.label for f in report.blocking} == {"abuse"}


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("He said “you fucking idiot” and left", True),
        ("He said “hello” and fucking left", False),
        ('This is "fucking" great', True),
        ("« putain » dit-il", True),
        ("fucking great news", False),
    ],
)
def test_quotation_marks_make_it_quoted(text: str, quoted: bool) -> None:
    tokens = text.split()
    index = next(i for i, t in enumerate(tokens) if "fuck" in t or "putain" in t)
    assert is_quoted_or_literary(tokens, index) is quoted


def _ocr_line(words: list[tuple[str, float]]) -> Page:
    layer = tuple(Word(t, (i * 80, 0, i * 80 + 70, 20), c, 1, "ocr") for i, (t, c) in enumerate(words))
    return Page(1, "image", lambda: np.zeros((30, 1700, 3), np.uint8), (1700, 30), text_layer=layer)


def test_ocr_fragments_of_another_script_are_not_slurs() -> None:
    # As Tesseract (eng+fra) reads a Hebrew scan: short fragments, a question mark, low confidence.
    hebrew_read_as_latin = [("way", 0.73), ("ONT", 0.12), ("NP?", 0.43), ("Pra", 0.23), ("nig?", 0.45),
                            ("OTST", 0.26), ("N?", 0.52), ("nn?", 0.34), ("DR", 0.68)]
    assert ConductDetector().detect(_ocr_line(hebrew_read_as_latin)) == []
    # even read confidently, a lone trailing "?" is punctuation, not a mask
    assert masked_severity("nig?") is None and masked_severity("N?") is None
    assert masked_severity("f**?") == "severe"


def test_lines_in_a_non_latin_script_are_not_read() -> None:
    words = [("בְּרֵאשִׁית", 0.9), ("בָּרָא", 0.9), ("f***ing", 0.95), ("אֱלֹהִים", 0.9), ("אֵת", 0.9)]
    assert ConductDetector().detect(_ocr_line(words)) == []


def test_confident_profanity_in_an_ocr_line_still_counts() -> None:
    words = [("This", 0.95), ("is", 0.96), ("fucking", 0.93), ("great", 0.95)]
    assert [f.label for f in ConductDetector().detect(_ocr_line(words))] == ["profanity"]


def test_a_rendered_hebrew_scan_gives_no_conduct_finding() -> None:
    ocr = pytest.importorskip("scanner.ocr")
    try:
        reader = ocr.TesseractReader()
    except ocr.OcrUnavailable as missing:
        pytest.skip(str(missing))
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    verses = ["בְּרֵאשִׁית בָּרָא אֱלֹהִים אֵת הַשָּׁמַיִם וְאֵת הָאָרֶץ",
              "וְהָאָרֶץ הָיְתָה תֹהוּ וָבֹהוּ וְחֹשֶׁךְ עַל פְּנֵי תְהוֹם",
              "וְרוּחַ אֱלֹהִים מְרַחֶפֶת עַל פְּנֵי הַמָּיִם"] * 6
    image = Image.new("RGB", (1700, 80 * len(verses) + 100), "white")
    draw = ImageDraw.Draw(image)
    for row, verse in enumerate(verses):
        draw.text((60, 50 + 80 * row), verse, fill="black", font=font)
    rgb = np.asarray(image)
    page = Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0]))
    page.attach_reader(reader)
    assert ConductDetector().detect(page) == []
