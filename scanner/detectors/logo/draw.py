"""Templates drawn by our own code from published facts (no official artwork needed).

The flag symbol is three fields in the ratio 1:2:1 (red, white with an 11-point red maple
leaf, red). A departmental signature is the flag symbol followed by the department's applied
title, English then French, each on two lines, in a Helvetica-metric typeface. MuPDF's
built-in "helv" font (Nimbus Sans, metric-compatible with Helvetica) is used, so no system
font is required. The maple leaf outline below is our own approximation of the
published shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scanner.detectors.logo.diskcache import disk_cache, mupdf_version

if TYPE_CHECKING:
    import pymupdf

FIP_RED_RGB = (0xEA, 0x2D, 0x37)  # the Federal Identity Program's red, 8 bits per channel
FIP_RED = tuple(c / 255 for c in FIP_RED_RGB)
BLACK = (0.0, 0.0, 0.0)

# Right half of the maple leaf, from the top tip down to the stem, in the frame of the
# flag's middle square: x, y in [-1, 1], y pointing down. Mirrored for the left half.
_LEAF_RIGHT_HALF = (
    (0.00, -0.82),  # top tip
    (0.13, -0.56),
    (0.30, -0.63),  # central lobe, upper side point
    (0.22, -0.22),
    (0.46, -0.38),  # central lobe, lower side point
    (0.51, -0.25),
    (0.76, -0.31),  # side lobe, outer point
    (0.67, -0.05),
    (0.74, 0.01),
    (0.40, 0.30),  # lower lobe point
    (0.43, 0.44),
    (0.06, 0.39),
    (0.04, 0.80),  # stem
)


def kept(drawing: Callable[..., np.ndarray], **arguments: object) -> np.ndarray:
    """`drawing(**arguments)`, from the disk cache when this module and this MuPDF drew it before: the
    logo check draws two templates at every start, and importing MuPDF to draw them costs 0.11 CPU s."""
    key = ("drawn", drawing.__name__, repr(sorted(arguments.items())), mupdf_version(), _this_code())
    return disk_cache().kept(key, lambda: {"rgb": drawing(**arguments)}, "rgb")["rgb"]


@cache
def _this_code() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def maple_leaf_outline() -> list[tuple[float, float]]:
    """The closed leaf polygon (11 points plus stem) in the middle square's frame."""
    right = list(_LEAF_RIGHT_HALF)
    left = [(-x, y) for x, y in reversed(right[1:])]
    return right + left


def draw_flag(page: pymupdf.Page, x0: float, y0: float, height: float, colour: tuple) -> None:
    import pymupdf

    """Bars of height x height/2 either side of a height x height square with the leaf."""
    bar = height / 2
    for left in (x0, x0 + bar + height):
        page.draw_rect(pymupdf.Rect(left, y0, left + bar, y0 + height), color=None, fill=colour)
    cx, cy, half = x0 + bar + height / 2, y0 + height / 2, height / 2
    points = [pymupdf.Point(cx + x * half, cy + y * half) for x, y in maple_leaf_outline()]
    page.draw_polyline([*points, points[0]], color=None, fill=colour, closePath=True)


def _to_rgb(page: pymupdf.Page, scale: float) -> np.ndarray:
    import pymupdf

    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csRGB)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, 3).copy()


def flag_symbol(height: int = 100, colour: tuple = FIP_RED, margin: float = 0.15) -> np.ndarray:
    """RGB raster of the flag symbol on white, `height` pixels tall plus a white margin."""
    import pymupdf

    pad = height * margin
    doc = pymupdf.open()
    page = doc.new_page(width=2 * height + 2 * pad, height=height + 2 * pad)
    draw_flag(page, pad, pad, height, colour)
    return _to_rgb(page, 1.0)


def signature(
    english: tuple[str, str],
    french: tuple[str, str],
    height: int = 120,
    colour: tuple = FIP_RED,
) -> np.ndarray:
    """RGB raster of a departmental signature: flag symbol, English title, French title.

    Proportions follow the FIP signature: two text lines whose cap height is about 0.4 of
    the flag's height, the first title one flag width to the right of the flag.
    """
    import pymupdf

    flag_h = 100.0
    size = 0.52 * flag_h  # font size giving a cap height of ~0.37 flag heights
    pad = 0.15 * flag_h
    text_x = pad + 2 * flag_h + 0.55 * flag_h
    column = max(pymupdf.get_text_length(t, "helv", size) for t in english) + 0.45 * flag_h
    width = text_x + column + max(pymupdf.get_text_length(t, "helv", size) for t in french)
    doc = pymupdf.open()
    page = doc.new_page(width=width + pad, height=flag_h + 2 * pad)
    draw_flag(page, pad, pad, flag_h, colour)
    for column_x, lines in ((text_x, english), (text_x + column, french)):
        for row, text in enumerate(lines):
            baseline = pad + 0.40 * flag_h + row * 0.56 * flag_h
            page.insert_text((column_x, baseline), text, fontname="helv", fontsize=size, color=BLACK)
    return _to_rgb(page, height / (flag_h + 2 * pad))


STATCAN_TITLES = (("Statistics", "Canada"), ("Statistique", "Canada"))


def statcan_signature(height: int = 120, colour: tuple = FIP_RED) -> np.ndarray:
    return signature(*STATCAN_TITLES, height=height, colour=colour)
