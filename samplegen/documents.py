"""Documents our tests and samples are made of: memo pages, scans of them, stamps.

Everything here is drawn by our own code with PyMuPDF's built-in fonts and Pillow.
"""

from __future__ import annotations

import io

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

A4 = (595, 842)
BODY = [
    "The census team finished the field test in two rural areas last month.",
    "Data quality indicators are attached for the labour market tables.",
    "A reminder that the dissemination schedule changes in the new year.",
    "L'équipe a terminé la vérification des microdonnées du trimestre.",
    "The methodology section describes the weighting and variance estimation.",
    "Metadata for the new series will be loaded into the catalogue on Monday.",
]
RED = (0.8, 0.1, 0.1)


def memo_pdf(
    lines: list[str] | None = None,
    *,
    title: str = "Briefing note",
    header: str | None = None,
    footer: str | None = None,
    stamp: str | None = None,
    stamp_angle: float = 18.0,
    stamp_colour: tuple[float, float, float] = RED,
    pages: int = 1,
    marked_page: int = 1,
) -> bytes:
    """A text-layer PDF memo. Header, footer and stamp go on `marked_page` only."""
    doc = pymupdf.open()
    body = lines if lines is not None else BODY * 3
    for number in range(1, pages + 1):
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_text((60, 90), title, fontname="hebo", fontsize=16)
        for i, line in enumerate(body):
            page.insert_text((60, 125 + 17 * i), line, fontname="helv", fontsize=11)
        if number == marked_page:
            if header:
                _centred(page, header, 45, 13)
            if footer:
                _centred(page, footer, A4[1] - 35, 12)
            if stamp:
                draw_stamp(page, stamp, (330, 430), stamp_angle, stamp_colour)
    data = doc.tobytes()
    doc.close()
    return data


def _centred(page: pymupdf.Page, text: str, y: float, size: float) -> None:
    width = pymupdf.get_text_length(text, fontname="hebo", fontsize=size)
    page.insert_text(((A4[0] - width) / 2, y), text, fontname="hebo", fontsize=size)


def draw_stamp(
    page: pymupdf.Page, text: str, centre: tuple[float, float], angle: float, colour: tuple[float, ...] = RED
) -> None:
    """A rubber stamp: bold capitals in a frame, rotated by `angle` degrees."""
    size = 30
    width = pymupdf.get_text_length(text, fontname="hebo", fontsize=size)
    pivot = pymupdf.Point(*centre)
    morph = (pivot, pymupdf.Matrix(-angle))
    origin = pymupdf.Point(centre[0] - width / 2, centre[1] + size * 0.35)
    page.insert_text(origin, text, fontname="hebo", fontsize=size, color=colour, morph=morph)
    frame = pymupdf.Rect(centre[0] - width / 2 - 10, centre[1] - size * 0.6, centre[0] + width / 2 + 10,
                         centre[1] + size * 0.6)
    shape = page.new_shape()
    shape.draw_quad(frame.quad.morph(pivot, pymupdf.Matrix(angle)))
    shape.finish(color=colour, width=3)
    shape.commit()


def render(pdf: bytes, dpi: int = 200, page: int = 0) -> np.ndarray:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        pixmap = doc[page].get_pixmap(dpi=dpi, alpha=False)
        return np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width, 3).copy()


def scanned(rgb: np.ndarray, *, skew: float = 0.7, blur: float = 0.6, noise: float = 6.0, seed: int = 1) -> Image.Image:
    """What a flatbed scan of a printed page looks like: slight skew, blur and grain."""
    image = Image.fromarray(rgb).rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(blur))
    grain = np.random.default_rng(seed).normal(0, noise, (image.height, image.width, 1))
    return Image.fromarray(np.clip(np.asarray(image, np.float32) + grain, 0, 255).astype(np.uint8))


def encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def image_pdf(image: Image.Image, dpi: int = 200) -> bytes:
    """A PDF holding one page-sized image and no text layer, as scanners write them."""
    doc = pymupdf.open()
    page = doc.new_page(width=image.width * 72 / dpi, height=image.height * 72 / dpi)
    page.insert_image(page.rect, stream=encoded(image, "JPEG", quality=85))
    data = doc.tobytes()
    doc.close()
    return data


def scanned_pdf(pages: int, marked_page: int = 1, dpi: int = 200) -> bytes:
    """An image-only PDF of `pages` scanned memo pages, the marking on `marked_page`, as a scanner writes it."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        header = "PROTECTED B" if number == marked_page else None
        image = scanned(render(memo_pdf(header=header), dpi=dpi), seed=number)
        page = doc.new_page(width=image.width * 72 / dpi, height=image.height * 72 / dpi)
        page.insert_image(page.rect, stream=encoded(image, "JPEG", quality=85))
    data = doc.tobytes()
    doc.close()
    return data


def photo_like(width: int = 1200, height: int = 800, seed: int = 3) -> Image.Image:
    """A smooth landscape-like picture with no text, symbol or face in it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack([120 + 60 * y / height, 160 + 40 * y / height, 230 - 40 * y / height], axis=-1)
    hills = (y > height * 0.55 + 40 * np.sin(x / 97.0)).astype(np.float32)[..., None]
    ground = np.stack([60 + 0 * x, 120 + 20 * np.sin(x / 31.0), 50 + 0 * x], axis=-1)
    picture = sky * (1 - hills) + ground * hills + rng.normal(0, 4, (height, width, 1))
    return Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))


def rotate_degrees(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(255, 255, 255))


__all__ = [
    "A4", "BODY", "draw_stamp", "encoded", "image_pdf", "memo_pdf", "photo_like", "render",
    "rotate_degrees", "scanned",
]
