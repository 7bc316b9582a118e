"""Logo templates: official artwork installed at set-up, user artwork, and drawn ones, as grey pictures.

Each file in a template folder (scanner.detectors.logo.locations says where) becomes a template
labelled from its name; templates we draw ourselves (flag symbol, Statistics Canada signature)
are always available.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from scanner.detectors.logo import draw
from scanner.detectors.logo.diskcache import disk_cache, mupdf_version
from scanner.detectors.logo.locations import template_dirs

IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
RENDER_WIDTH = 640  # pixels; enough detail for features, small enough to match fast

# Official file stems map to the symbol they are; any other file is labelled by its stem.
_LABEL_PREFIXES = (("sig-", "gc-signature"), ("wmms-", "canada-wordmark"))


@dataclass(frozen=True)
class LogoTemplate:
    label: str  # symbol name reported in findings
    source: str  # file name, or "drawn"
    gray: np.ndarray  # dark artwork on a white background, uint8


def label_for(stem: str) -> str:
    for prefix, label in _LABEL_PREFIXES:
        if stem.startswith(prefix):
            return label
    return stem


_VIEWBOX = re.compile(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')
_RELATIVE_SIZE = re.compile(rb'\s(width|height)="[\d.]*%"')


def _absolute_size(data: bytes) -> bytes:
    """Give an SVG with width/height="100%" the size of its viewBox (MuPDF would use A4)."""
    box = _VIEWBOX.search(data)
    if box is None or not _RELATIVE_SIZE.search(data):
        return data
    sizes = {b"width": box.group(1), b"height": box.group(2)}
    return _RELATIVE_SIZE.sub(lambda m: b' %s="%s"' % (m.group(1), sizes[m.group(1)]), data)


def render_svg(data: bytes, width: int = RENDER_WIDTH) -> np.ndarray:
    """Rasterise SVG artwork to gray on white (transparent parts become white), from the disk cache
    when this renderer drew the same file at the same width before."""
    key = ("svg", mupdf_version(), str(width), data)
    return disk_cache().kept(key, lambda: {"gray": _rendered(data, width)}, "gray")["gray"]


def _rendered(data: bytes, width: int) -> np.ndarray:
    import pymupdf

    with pymupdf.open(stream=_absolute_size(data), filetype="svg") as doc:
        page = doc[0]
        zoom = width / page.rect.width
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=True)
    rgba = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)
    return _flatten_on_white(rgba)


def _flatten_on_white(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels
    colour = pixels[..., :3].astype(np.float32)
    if pixels.shape[2] == 4:
        alpha = pixels[..., 3:4].astype(np.float32) / 255.0
        colour = colour * alpha + 255.0 * (1.0 - alpha)
    return cv2.cvtColor(colour.astype(np.uint8), cv2.COLOR_RGB2GRAY)


def load_raster(path: Path, width: int = RENDER_WIDTH) -> np.ndarray:
    """Gray on white at `width` pixels, from an SVG or a raster file (alpha respected)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        return render_svg(data, width)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise ValueError(f"cannot decode {path}")
    if decoded.ndim == 3:  # OpenCV decodes BGR(A); flip to RGB(A)
        decoded = decoded[..., [2, 1, 0, 3][: decoded.shape[2]]]
    if decoded.dtype != np.uint8:
        decoded = (decoded / 257).astype(np.uint8)
    gray = _flatten_on_white(decoded)
    scale = width / gray.shape[1]
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _file_templates(folders: list[Path]) -> Iterable[LogoTemplate]:
    seen: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES or path.name.startswith(".") or path.name in seen:
                continue
            seen.add(path.name)
            try:
                gray = load_raster(path)
            except (ValueError, RuntimeError, OSError):
                continue  # unreadable artwork must not stop the scanner; it is just skipped
            yield LogoTemplate(label_for(path.stem), path.name, gray)


def drawn_templates() -> list[LogoTemplate]:
    rgb = draw.kept(draw.statcan_signature, height=round(RENDER_WIDTH * 0.125))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = RENDER_WIDTH / gray.shape[1]
    gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return [LogoTemplate("statcan-signature", "drawn", gray)]


def load_templates(folder: Path | None = None) -> list[LogoTemplate]:
    """Every template: installed and user files first, then the drawn ones."""
    return list(_file_templates([folder] if folder else template_dirs())) + drawn_templates()
