"""Files with what `smscan fix` removes: a screenshot with a colleague's contact details, a scanned
form, a memo PDF with a Social Insurance Number, an event photo with the GC signature on a banner.

Each composer returns the file's bytes; the strings it holds are module constants, so a test can
look for them in the copy. Drawn with PyMuPDF's built-in fonts and our own signature artwork.
"""

from __future__ import annotations

import io

import numpy as np
import pymupdf
from PIL import Image

from samplegen.documents import encoded, image_pdf, memo_pdf, render, scanned
from scanner.detectors.logo import draw

EMAIL = "jane.doe@example.com"
PHONE = "613-555-0142"
SIN = "130-692-544"  # passes the Luhn check; not a real person's
FORM_NAME = "Marie Tremblay"
FORM_PHONE = "(819) 555-0199"
FORM_EMAIL = "m.tremblay@example.org"
GC_TITLES = (("Government", "of Canada"), ("Gouvernement", "du Canada"))


def _page_png(page_width: float, page_height: float, paint, zoom: float = 2.0) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=page_width, height=page_height)
    paint(page)
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    doc.close()
    return pixmap.tobytes("png")


def screenshot_with_contacts() -> bytes:
    """A chat window at 2x (a laptop's screenshot) in which a colleague's e-mail and phone appear."""

    def paint(page: pymupdf.Page) -> None:
        page.draw_rect(pymupdf.Rect(0, 0, 640, 28), color=None, fill=(0.2, 0.25, 0.35))
        page.insert_text((12, 19), "Team chat - Census field test", fontname="hebo", fontsize=11, color=(1, 1, 1))
        page.draw_rect(pymupdf.Rect(0, 28, 150, 400), color=None, fill=(0.93, 0.94, 0.96))
        for row, channel in enumerate(("# general", "# field-test", "# methods", "# random")):
            page.insert_text((14, 56 + 22 * row), channel, fontname="helv", fontsize=10)
        messages = [
            ("Alex", "Morning! The tables for the labour release are ready for review."),
            ("Sam", "Thanks. Who should I call about the field test in the north?"),
            ("Alex", f"Jane handles it: write to {EMAIL}"),
            ("Alex", f"or call her at {PHONE} before noon."),
            ("Sam", "Great, I will reach out today."),
        ]
        for row, (who, text) in enumerate(messages):
            y = 60 + 46 * row
            page.insert_text((170, y), who, fontname="hebo", fontsize=10)
            page.insert_text((170, y + 16), text, fontname="helv", fontsize=10)
        page.draw_rect(pymupdf.Rect(165, 360, 630, 390), color=(0.7, 0.7, 0.7), fill=(1, 1, 1))
        page.insert_text((175, 379), "Write a message...", fontname="helv", fontsize=10, color=(0.55, 0.55, 0.55))

    return _page_png(640, 400, paint)


def _signature_png(height: int) -> bytes:
    rgb = draw.signature(*GC_TITLES, height=height)
    return encoded(Image.fromarray(rgb), "PNG")


def form_pdf() -> bytes:
    """A one-page federal form with the GC signature in its header, filled in by hand (typed)."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(pymupdf.Rect(48, 36, 308, 76), stream=_signature_png(160))
    page.insert_text((48, 118), "Application for a replacement card", fontname="hebo", fontsize=15)
    fields = [
        ("Name of applicant", FORM_NAME),
        ("Telephone", FORM_PHONE),
        ("E-mail", FORM_EMAIL),
        ("Reason", "Card lost while moving"),
    ]
    for row, (label, value) in enumerate(fields):
        y = 160 + 44 * row
        page.insert_text((48, y), label, fontname="helv", fontsize=10, color=(0.3, 0.3, 0.3))
        page.draw_rect(pymupdf.Rect(200, y - 14, 560, y + 8), color=(0.5, 0.5, 0.5), width=0.6)
        page.insert_text((208, y + 2), value, fontname="cour", fontsize=12)
    page.insert_text((48, 380), "Signature of applicant", fontname="helv", fontsize=10, color=(0.3, 0.3, 0.3))
    page.draw_line((200, 384), (560, 384), color=(0.5, 0.5, 0.5), width=0.6)
    data = doc.tobytes()
    doc.close()
    return data


def scanned_form_pdf() -> bytes:
    """The filled form, printed and scanned: an image-only PDF at 200 dpi, no text layer."""
    return image_pdf(scanned(render(form_pdf(), dpi=200), skew=0.4, seed=5))


def scanned_form_png() -> bytes:
    return encoded(scanned(render(form_pdf(), dpi=200), skew=0.4, seed=5), "PNG")


def memo_with_sin() -> bytes:
    """A text-layer memo PDF that quotes an employee's Social Insurance Number."""
    lines = [
        "The pay file for the new interviewer was returned by the pay centre.",
        f"Employee SIN: {SIN} (please correct the date of hire).",
        "The methodology section describes the weighting and variance estimation.",
        "Metadata for the new series will be loaded into the catalogue on Monday.",
    ]
    return memo_pdf(lines, title="Pay file correction")


def event_photo(people: Image.Image) -> bytes:
    """A photo of people at an event, under a banner that carries the GC signature (JPEG, as phones
    write them). `people` is the photo of the people; the banner and the room are drawn here."""
    width = 1600
    photo = people.convert("RGB")
    photo = photo.resize((width, round(photo.height * width / photo.width)))
    banner_height = 300
    canvas = Image.new("RGB", (width, banner_height + photo.height), (96, 86, 80))
    wall = np.asarray(canvas, np.float32) + np.random.default_rng(7).normal(0, 5, (canvas.height, width, 1))
    canvas = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8))
    banner = Image.new("RGB", (1100, 220), (250, 250, 248))
    signature = Image.open(io.BytesIO(_signature_png(150)))
    banner.paste(signature, ((banner.width - signature.width) // 2, (banner.height - signature.height) // 2))
    canvas.paste(banner, ((width - banner.width) // 2, 40))
    canvas.paste(photo, (0, banner_height))
    return encoded(canvas, "JPEG", quality=90)
