"""Conduct (2.5): abuse aimed at the Agency/GoC and severe profanity, in English and French."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from scanner.detectors.conduct.detector import ConductDetector, canonical, find_conduct, masked_severity
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
