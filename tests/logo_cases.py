"""Compose logo test images: official or drawn artwork placed into synthetic scenes with
the distortions of real pictures, and decoys that must not be taken for GC symbols."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pymupdf

from scanner.detectors.logo import draw
from scanner.detectors.logo.locations import template_dir
from scanner.detectors.logo.templates import load_raster
from scanner.ingest.page import Page


@dataclass(frozen=True)
class Distortion:
    width_fraction: float = 0.3  # logo width / scene width
    angle: float = 0.0  # degrees, counter-clockwise
    tilt: float = 0.0  # perspective: 0 none, 0.2 = far edge 20% shorter
    blur: float = 0.0  # Gaussian sigma in scene pixels
    jpeg: int | None = None  # JPEG quality
    invert: bool = False  # white artwork on a dark plate
    keep: float = 1.0  # fraction of the logo's width left visible (rest cut by the edge)


def scene(width: int = 1600, height: int = 1200, seed: int = 0) -> np.ndarray:
    """A photo-like background: smooth lighting, texture and a few soft shapes."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = rng.uniform(90, 200, 3).astype(np.float32)
    light = 0.75 + 0.25 * np.sin(xx / width * 3 + rng.uniform(0, 6)) * np.cos(yy / height * 2)
    image = base[None, None, :] * light[..., None]
    for _ in range(12):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.integers(20, 200)), int(rng.integers(20, 200)))
        colour = [float(c) for c in rng.uniform(40, 230, 3)]
        cv2.ellipse(image, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
    image = cv2.GaussianBlur(image, (0, 0), 3)
    image += rng.normal(0, 6, image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def official_artwork(name: str, width: int = 900) -> np.ndarray | None:
    """Gray artwork of an installed official template, or None when not installed."""
    path = template_dir() / f"{name}.svg"
    return load_raster(path, width) if path.is_file() else None


def statcan_artwork(width: int = 900) -> np.ndarray:
    gray = cv2.cvtColor(draw.statcan_signature(height=200, colour=draw.BLACK), cv2.COLOR_RGB2GRAY)
    return cv2.resize(gray, (width, round(gray.shape[0] * width / gray.shape[1])), interpolation=cv2.INTER_AREA)


def colour_flag_artwork(gray: np.ndarray) -> np.ndarray:
    """RGB artwork: dark parts of the flag-symbol zone in FIP red, the rest as drawn.

    Used on signatures/wordmarks whose flag is black in the SVG: the bars and leaf are the
    only dark pixels that are not text, so we colour the symbol's bounding zone."""
    rgb = cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    red = np.array(draw.FIP_RED_RGB, np.float32)
    ink = (255 - gray.astype(np.float32)) / 255
    zone = np.zeros(gray.shape, bool)
    h = gray.shape[0]
    zone[:, : int(h * 2.2)] = True  # signatures start with the flag symbol
    tinted = rgb * (1 - ink[..., None]) + red * ink[..., None]
    rgb[zone] = tinted[zone].astype(np.uint8)
    return rgb


def compose(artwork: np.ndarray, distortion: Distortion, background: np.ndarray | None = None) -> np.ndarray:
    """Place artwork (gray or RGB, dark on white) on a plate in the scene, distorted."""
    canvas = scene() if background is None else background.copy()
    height, width = canvas.shape[:2]
    art = artwork if artwork.ndim == 3 else cv2.cvtColor(artwork, cv2.COLOR_GRAY2RGB)
    if distortion.invert:
        art = 255 - art
    pad = max(4, art.shape[0] // 5)
    plate = cv2.copyMakeBorder(
        art, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0) if distortion.invert else (255, 255, 255)
    )
    scale = distortion.width_fraction * width / art.shape[1]
    ph, pw = plate.shape[:2]
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    shrink = distortion.tilt * ph / 2
    dst = np.float32([[0, 0], [pw, shrink], [pw, ph - shrink], [0, ph]]) * scale
    rotation = cv2.getRotationMatrix2D((0, 0), distortion.angle, 1.0)
    dst = dst @ rotation[:, :2].T
    dst -= dst.min(axis=0)
    logo_w, logo_h = dst.max(axis=0)
    # A partly hidden logo is pushed over the right edge; others sit right of centre.
    left = width - logo_w * distortion.keep if distortion.keep < 1 else (width - logo_w) * 0.6
    dst += np.float32([left, (height - logo_h) * 0.4])
    warp = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(plate, warp, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), warp, (width, height))
    alpha = (mask.astype(np.float32) / 255)[..., None]
    image = (canvas * (1 - alpha) + warped * alpha).astype(np.uint8)
    return degrade(image, distortion)


def screen_photo(image: np.ndarray, seed: int = 1) -> np.ndarray:
    """A phone photo of a monitor: colour cast, uneven brightness, scan-line banding, blur."""
    rng = np.random.default_rng(seed)
    height, width = image.shape[:2]
    rows = np.arange(height, dtype=np.float32)[:, None, None]
    banding = 1.0 + 0.06 * np.sin(rows * 2 * np.pi / 3.3)
    vignette = np.linspace(0.8, 1.05, width, dtype=np.float32)[None, :, None]
    cast = np.array([0.92, 1.0, 1.12], np.float32)
    shot = image.astype(np.float32) * cast * banding * vignette + 12
    shot = cv2.GaussianBlur(shot, (0, 0), 1.0) + rng.normal(0, 4, shot.shape).astype(np.float32)
    return degrade(np.clip(shot, 0, 255).astype(np.uint8), Distortion(jpeg=60))


def degrade(image: np.ndarray, distortion: Distortion) -> np.ndarray:
    if distortion.blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), distortion.blur)
    if distortion.jpeg is not None:
        ok, data = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, distortion.jpeg])
        assert ok
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(image)


def page_of(rgb: np.ndarray) -> Page:
    return Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0]))


# --- decoys -------------------------------------------------------------------------------

FLAG_RED = (210, 16, 52)


def peru_flag(height: int = 300) -> np.ndarray:
    """Three equal vertical fields, red-white-red (3:2)."""
    flag = np.full((height, height * 3 // 2, 3), 255, np.uint8)
    third = flag.shape[1] // 3
    flag[:, :third] = FLAG_RED
    flag[:, 2 * third :] = FLAG_RED
    return flag


def austria_flag(height: int = 300) -> np.ndarray:
    """Three equal horizontal fields, red-white-red (3:2)."""
    flag = np.full((height, height * 3 // 2, 3), 255, np.uint8)
    third = height // 3
    flag[:third] = (200, 16, 46)
    flag[2 * third :] = (200, 16, 46)
    return flag


def red_bars(height: int = 300, count: int = 3) -> np.ndarray:
    """Solid red bars on white, each twice as tall as wide, one bar width apart."""
    bar = height // 2
    image = np.full((height, bar * (2 * count - 1), 3), 255, np.uint8)
    for i in range(count):
        image[:, 2 * i * bar : (2 * i + 1) * bar] = FLAG_RED
    return image


def flag_without_leaf(height: int = 300) -> np.ndarray:
    """The flag's 1:2:1 red-white-red layout with an empty middle: bars, not the symbol."""
    flag = np.full((height, height * 2, 3), 255, np.uint8)
    flag[:, : height // 2] = FLAG_RED
    flag[:, -height // 2 :] = FLAG_RED
    return flag


def text_lines(
    lines: list[str], size: float = 40, colour: tuple[int, int, int] = (0, 0, 0), framed: bool = False
) -> np.ndarray:
    """Text in Helvetica (MuPDF built-in), as on a document or a slide; framed, a rubber stamp."""
    width = max(pymupdf.get_text_length(t, "helv", size) for t in lines) + size
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=size * (1.3 * len(lines) + 0.6))
    ink = tuple(c / 255 for c in colour)
    if framed:
        inset = size / 8
        page.draw_rect(pymupdf.Rect(inset, inset, width - inset, page.rect.height - inset), color=ink, width=size / 10)
    for row, text in enumerate(lines):
        page.insert_text((size / 2, size * (1.2 + 1.3 * row)), text, fontname="helv", fontsize=size, color=ink)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(2, 2), colorspace=pymupdf.csRGB)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, 3).copy()


def national_flag(height: int = 300) -> np.ndarray:
    """The national flag in flag red (our drawn symbol: same 1:2:1 layout and leaf)."""
    return draw.flag_symbol(height=height, colour=tuple(c / 255 for c in FLAG_RED), margin=0.0)


# --- artwork of the training generator, drawn by the FIP rules or as decoys ---------------


def artwork_rgb(
    art, flag: tuple[int, int, int] = draw.FIP_RED_RGB, text: tuple[int, int, int] = (20, 20, 20)
) -> np.ndarray:
    """An `tools.logo.artwork.Artwork` painted dark on white (flag in `flag`, words in `text`)."""
    rgb = np.full((*art.flag.shape, 3), 255, np.float32)
    if art.fixed is not None:
        alpha = art.fixed[..., 3:4] / 255
        rgb = rgb * (1 - alpha) + art.fixed[..., :3] * alpha
    for ink, colour in ((art.flag, flag), (art.text, text)):
        rgb = rgb * (1 - ink[..., None]) + np.float32(colour) * ink[..., None]
    return np.clip(rgb, 0, 255).astype(np.uint8)
