"""Covering a region of pixels: an opaque box, a blur, or a pixelation, each strong enough that
neither the face network nor OCR finds anything under it (the copy is scanned again to prove it).

Regions are grown around what was found: a face box leaves hair, ears and chin, which identify
people too; an OCR or text-layer word box hugs the glyphs, and anti-aliased edges left outside it
can still be read."""

from __future__ import annotations

from enum import StrEnum

import cv2
import numpy as np

from scanner.geometry import BBox, grown
from scanner.model import Finding

_CELLS_ACROSS = 7  # blur: a region becomes at most this many cells across its longer side
_BOX_COLOUR = (0, 0, 0)  # a redaction that says so: nobody takes a black box for the picture


class Style(StrEnum):
    BOX = "box"
    BLUR = "blur"
    PIXELATE = "pixelate"


# Faces are blurred by default, as they always were (the picture still reads as a photo of people);
# text and symbols get a black box, the redaction readers recognise.
DEFAULT_STYLES = {"face": Style.BLUR}


def style_for(kind: str, chosen: Style | None) -> Style:
    return chosen or DEFAULT_STYLES.get(kind, Style.BOX)


def region(finding: Finding, size: tuple[int, int]) -> BBox | None:
    """Where to paint for a finding on a raster of `size` (width, height); None when it has no place."""
    if not finding.bbox:
        return None
    x0, y0, x1, y1 = finding.bbox
    if x1 <= x0 or y1 <= y0:
        return None
    if finding.kind == "face":
        return grown(finding.bbox, size, 0.3, 0.4, 0.3, 0.25)
    if finding.kind == "logo":
        return grown(finding.bbox, size, 0.04, 0.08)
    # Text: a margin of a quarter of the line height (at least 3 px) on every side.
    margin = max(3.0, 0.25 * (y1 - y0))
    return grown(finding.bbox, size, margin / (x1 - x0), margin / (y1 - y0))


def cover(rgb: np.ndarray, box: BBox, style: Style) -> None:
    """Paint the box of `rgb` (H x W x 3 uint8) in place."""
    x0, y0, x1, y1 = box
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(rgb.shape[1], x1), min(rgb.shape[0], y1)
    if x1 <= x0 or y1 <= y0:
        return
    if style is Style.BOX or min(x1 - x0, y1 - y0) < 4:
        rgb[y0:y1, x0:x1] = _BOX_COLOUR
    elif style is Style.BLUR:
        rgb[y0:y1, x0:x1] = _smudged(rgb[y0:y1, x0:x1])
    else:
        rgb[y0:y1, x0:x1] = _pixelated(rgb[y0:y1, x0:x1])


def _cells(region: np.ndarray, cell: int) -> np.ndarray:
    height, width = region.shape[:2]
    small = cv2.resize(region, (max(1, width // cell), max(1, height // cell)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)


def _pixelated(region: np.ndarray) -> np.ndarray:
    """Blocks as tall as the region's shorter side allows (at most 7 across the longer one): a line of
    text becomes one row of flat blocks, a face a 7 x 7 mosaic."""
    height, width = region.shape[:2]
    cell = max(2, max(width, height) // _CELLS_ACROSS, min(width, height) // 2)
    return _cells(region, cell)


def _smudged(region: np.ndarray) -> np.ndarray:
    """Pixelated, then blurred: no identity survives, only a smudge of the colours that were there."""
    height, width = region.shape[:2]
    cell = max(2, max(width, height) // _CELLS_ACROSS)
    small = cv2.resize(region, (max(1, width // cell), max(1, height // cell)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=0.7)  # mixes neighbouring cells too
    blocky = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    # A box filter costs the same at any size, unlike a Gaussian with a face-sized sigma.
    soft = max(3, cell // 2) | 1
    return cv2.blur(blocky, (soft, soft))
