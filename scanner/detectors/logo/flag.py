"""The flag symbol found by its shape: two solid bars, each twice as tall as wide, three bar
widths apart, with a maple leaf in the square between them (the 1:2:1 layout).

Works on the shape, not the colour: dark-on-light (colour or black artwork), light-on-dark
(inverted) and red regions are searched alike. Each candidate is checked by warping it onto
a drawn flag symbol and correlating. Other striped flags fail the layout (Peru's bars are
two bar widths apart, Austria's are horizontal and long) or the leaf check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from scanner.detectors.logo import draw
from scanner.detectors.logo.normalise import zero_mean_unit

CANON_H = 32  # the symbol is compared at 64 x 32 pixels
MIN_BAR_WIDTH = 2.5  # pixels at the working scale
MIN_SIMILARITY = 0.55
MIN_SHAPE_AREA = 10  # pixels; smaller components cannot be told apart from noise
MIN_BLOB_HEIGHT, MAX_BLOB_HEIGHT = 5.0, 40.0  # pixels, for symbols whose parts have merged
RED_INK_SHARE = 0.5  # of a symbol's ink clearly red: in the national flag's colours
CLEARLY_RED = 155  # redness below it: red exceeds green and blue by more than 50 of 255
MIN_RED_CHANNEL = 110  # and red itself is this bright: a dark maroon reads as black ink


@dataclass(frozen=True)
class FlagSymbol:
    corners: np.ndarray  # 4 x 2: top-left, top-right, bottom-right, bottom-left (upright)
    similarity: float  # correlation with the drawn symbol, -1..1
    red: bool  # in the national flag's red (`in_flag_red`), not black, white or another colour
    polarity: str  # "dark", "light" or "red"

    @property
    def inverted(self) -> bool:
        return self.polarity == "light"

    @property
    def height(self) -> float:
        return float(np.linalg.norm(self.corners[3] - self.corners[0]))


@dataclass(frozen=True)
class _Bar:
    centre: np.ndarray
    width: float  # short side
    length: float  # long side
    axis: np.ndarray  # unit vector along the long side


def _canonical_symbol() -> np.ndarray:
    rgb = draw.kept(draw.flag_symbol, height=CANON_H * 4, colour=draw.BLACK, margin=0.0)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(gray, (2 * CANON_H, CANON_H), interpolation=cv2.INTER_AREA)
    return zero_mean_unit(small)


_SYMBOL = _canonical_symbol()
_MIDDLE = slice(CANON_H // 2 + 2, CANON_H * 3 // 2 - 2)  # the leaf's square, inside the bars
_LEAF = zero_mean_unit(_SYMBOL[:, _MIDDLE])
_INK = np.less(_SYMBOL, _SYMBOL.min() / 2)  # the drawn bars and leaf, inside their blurred edges


def redness(rgb: np.ndarray) -> np.ndarray:
    """255 where neutral, darker the redder: red artwork reads as dark on light."""
    channels = rgb.astype(np.int16)
    red = channels[..., 0] - np.maximum(channels[..., 1], channels[..., 2])
    return (255 - np.clip(red * 2, 0, 255)).astype(np.uint8)


def masks(gray: np.ndarray, red: np.ndarray) -> dict[str, np.ndarray]:
    """Candidate foreground masks: darker, lighter or redder than the surroundings.

    Each compares a pixel with a broad local mean, so that a logo on a brownish or
    reddish photo still stands out, where a fixed colour threshold would merge them."""
    window = max(31, (min(gray.shape) // 6) | 1)
    level = gray.astype(np.int16) - cv2.blur(gray, (window, window)).astype(np.int16)
    red_level = red.astype(np.int16) - cv2.blur(red, (window, window)).astype(np.int16)
    return {
        "dark": (level < -20).astype(np.uint8),
        "light": (level > 20).astype(np.uint8),
        "red": ((red_level < -40) & (red < 160)).astype(np.uint8),
    }


@dataclass(frozen=True)
class _Shape:
    centre: tuple[float, float]
    size: tuple[float, float]  # minAreaRect sides, pixel centres to pixel centres
    angle: float
    fill: float  # contour area / rectangle area


def _shapes(mask: np.ndarray) -> list[_Shape]:
    """Rotated rectangles of the mask's components that could be a bar or a small symbol.

    Specks and huge regions are dropped first, vectorised: textured photos have tens of
    thousands of specks, and looping over them in Python would cost most of the budget."""
    _count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = (area >= MIN_SHAPE_AREA) & (side <= max(mask.shape) // 2)
    keep[0] = False  # the background label
    if not keep.any():
        return []
    cleaned = keep[labels].astype(np.uint8)
    contours, _ = cv2.findContours(cleaned, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    shapes = []
    for contour in contours:
        if len(contour) < 4:
            continue
        centre, size, angle = cv2.minAreaRect(contour)
        fill = cv2.contourArea(contour) / max(size[0] * size[1], 1e-3)
        shapes.append(_Shape(centre, size, angle, fill))
    return shapes


def _bars(shapes: list[_Shape]) -> list[_Bar]:
    bars = []
    for shape in shapes:
        if shape.fill < 0.7:  # a bar is a solid rectangle
            continue
        w, h = shape.size[0] + 1, shape.size[1] + 1  # add the pixel's own size
        width, length = min(w, h), max(w, h)
        if width < MIN_BAR_WIDTH or not 1.4 <= length / width <= 2.7:
            continue
        theta = np.deg2rad(shape.angle)
        along_w = np.array([np.cos(theta), np.sin(theta)])
        axis = along_w if w >= h else np.array([-along_w[1], along_w[0]])
        bars.append(_Bar(np.array(shape.centre), width, length, axis))
    return bars


def _pair_corners(a: _Bar, b: _Bar) -> np.ndarray | None:
    """Corners of the whole symbol if the two bars are its outer fields, else None."""
    if not 0.75 <= a.width / b.width <= 1.33 or not 0.75 <= a.length / b.length <= 1.33:
        return None
    if abs(float(a.axis @ b.axis)) < 0.94:  # not parallel (> ~20 degrees apart)
        return None
    gap = b.centre - a.centre
    distance = float(np.linalg.norm(gap))
    width = (a.width + b.width) / 2
    length = (a.length + b.length) / 2
    # Centres are 3 bar widths (1.5 bar lengths) apart. Thresholding blurred artwork thins
    # the bars by a pixel or so, which inflates distance/width more than distance/length.
    if not 2.5 <= distance / width <= 4.3 or not 1.25 <= distance / length <= 2.2:
        return None
    across = gap / distance
    if abs(float(across @ a.axis)) > 0.35:  # side by side, not end to end
        return None
    down = np.array([-across[1], across[0]])  # perpendicular, pointing down the image
    if down[1] < 0:
        down = -down
        across_left, across_right = b.centre, a.centre
        across = -across
    else:
        across_left, across_right = a.centre, b.centre
    bar = distance / 3  # true bar width, from the spacing that thinning does not change
    thinning = max(0.0, (bar - width) / 2)
    half_len = length / 2 + thinning
    left = across_left - across * bar / 2
    right = across_right + across * bar / 2
    return np.float32(
        [left - down * half_len, right - down * half_len, right + down * half_len, left + down * half_len]
    )


def _canonical(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The region whose first three corners are given, laid on the drawn symbol's 64 x 32 frame."""
    target = np.float32([[0, 0], [2 * CANON_H, 0], [2 * CANON_H, CANON_H]])
    warp = cv2.getAffineTransform(np.float32(corners[:3]), target)
    return cv2.warpAffine(image, warp, (2 * CANON_H, CANON_H), flags=cv2.INTER_AREA)


def symbol_similarity(gray: np.ndarray, corners: np.ndarray, polarity: str) -> float:
    """Correlation of the region whose first three corners are given with the symbol.

    The lower of two scores: the whole symbol, and its middle square alone, so that a
    pair of bars with nothing (or a blob) between them does not pass for the flag."""
    patch = _canonical(gray, corners)
    if polarity == "light":
        patch = 255 - patch
    values = patch.astype(np.float32)
    return min(_correlation(values, _SYMBOL), _correlation(np.ascontiguousarray(values[:, _MIDDLE]), _LEAF))


def _correlation(values: np.ndarray, pattern: np.ndarray) -> float:
    """Correlation of float32 `values` with a zero-mean, unit-norm `pattern` of the same shape.

    One dot product and OpenCV's deviation instead of normalising the patch: under half the time,
    and this runs ~160 times per picture (the symbol's fit tries 27 poses per proposal); the same
    values within 5e-6. The pattern sums to zero, so the patch's mean need not be subtracted."""
    _, deviation = cv2.meanStdDev(values)
    spread = float(deviation[0, 0]) * math.sqrt(values.size)
    return float(np.dot(values.ravel(), pattern.ravel())) / spread if spread > 0 else 0.0


def box_pixels(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The pixels of `image` inside the quadrilateral `corners` (any channel count)."""
    x, y, w, h = cv2.boundingRect(np.round(corners).astype(np.int32))
    x0, y0 = max(x, 0), max(y, 0)
    window = image[y0 : y + h, x0 : x + w]
    box = np.zeros(window.shape[:2], np.uint8)
    cv2.fillConvexPoly(box, np.round(corners - [x0, y0]).astype(np.int32), 1)
    return window[box.astype(bool)]


def in_flag_red(rgb: np.ndarray, corners: np.ndarray) -> bool:
    """The symbol's own ink, where the drawn symbol has its bars and leaf, is mostly the national
    flag's red. A symbol in black, white or another colour is the corporate symbol, never the
    national flag. Judged on the ink, not on the box: a black symbol on a red and orange photo had
    29 % of its box red (unseen seed 2027, logo_107)."""
    ink = _canonical(rgb, corners)[_INK]
    red = (redness(ink) < CLEARLY_RED) & (ink[:, 0] > MIN_RED_CHANNEL)
    return float(red.mean()) >= RED_INK_SHARE


def _bar_pairs(contours: list[np.ndarray]) -> list[np.ndarray]:
    bars = sorted(_bars(contours), key=lambda bar: bar.centre[0])
    found = []
    for i, a in enumerate(bars):
        reach = 4.3 * 1.33 * a.width  # the farthest a partner bar's centre can be
        for b in bars[i + 1 :]:
            if b.centre[0] - a.centre[0] > reach:
                break  # sorted by x: every later bar is farther still
            if abs(b.centre[1] - a.centre[1]) > reach or not 0.75 <= a.width / b.width <= 1.33:
                continue
            corners = _pair_corners(a, b)
            if corners is not None:
                found.append(corners)
    return found


def _small_blobs(shapes: list[_Shape]) -> list[np.ndarray]:
    """Whole-symbol candidates: when the symbol is a few pixels tall, blur and JPEG merge
    bars and leaf into one 2:1 blob. Both upright readings of its rectangle are returned."""
    found = []
    for shape in shapes:
        w, h = shape.size[0] + 1, shape.size[1] + 1  # add the pixel's own size
        short, long = min(w, h), max(w, h)
        if not MIN_BLOB_HEIGHT <= short <= MAX_BLOB_HEIGHT or not 1.6 <= long / short <= 2.6:
            continue
        if not 0.45 <= shape.fill <= 0.95:
            continue
        box = cv2.boxPoints((shape.centre, (w, h), shape.angle))
        # Order so that the first edge is a long one and the box reads upright (y down).
        start = 0 if np.linalg.norm(box[1] - box[0]) >= np.linalg.norm(box[2] - box[1]) else 1
        box = np.roll(box, -start, axis=0)
        for corners in (box, np.roll(box, 2, axis=0)):
            down = corners[3] - corners[0]
            if down[1] > 0:  # keep the reading whose "down" edge points down the image
                found.append(np.float32(corners))
    return found


def find_flag_symbols(rgb: np.ndarray, gray: np.ndarray, red: np.ndarray | None = None) -> list[FlagSymbol]:
    """Every verified flag symbol, strongest first, overlapping repeats removed. `red`: the
    picture's `redness`, where the caller has it already."""
    red = redness(rgb) if red is None else red
    layers = masks(gray, red)
    found: list[FlagSymbol] = []
    for polarity, mask in layers.items():
        check = "light" if polarity == "light" else "dark"
        # Red on a background of the same brightness only stands out by its colour.
        seen = red if polarity == "red" else gray
        shapes = _shapes(mask)
        for corners in _bar_pairs(shapes) + _small_blobs(shapes):
            similarity = symbol_similarity(seen, corners, check)
            if similarity >= MIN_SIMILARITY:
                found.append(FlagSymbol(corners, similarity, in_flag_red(rgb, corners), polarity))
    return _distinct(found)


def _distinct(found: list[FlagSymbol]) -> list[FlagSymbol]:
    kept: list[FlagSymbol] = []
    for flag in sorted(found, key=lambda f: -f.similarity):
        centre = flag.corners.mean(axis=0)
        if all(np.linalg.norm(centre - k.corners.mean(axis=0)) > k.height / 2 for k in kept):
            kept.append(flag)
    return kept


def fit_symbol(rgb: np.ndarray, gray: np.ndarray, corners: np.ndarray) -> tuple[float, np.ndarray, str]:
    """The drawn symbol's best correlation near a rough pose: the dark, light and red readings
    are tried, then sizes ±15 % and shifts of ±15 % of the height for the best one.
    Returns the similarity, the refined corners and the polarity ("dark", "light" or "red")."""
    centre = corners.mean(axis=0)
    grown = centre + (corners - centre) * 1.6
    x, y, w, h = cv2.boundingRect(np.round(grown).astype(np.int32))
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, gray.shape[1]), min(y + h, gray.shape[0])
    if x1 - x0 < 4 or y1 - y0 < 4:
        return -1.0, corners, "dark"
    local = corners - np.float32([x0, y0])
    readings = {
        "dark": (gray[y0:y1, x0:x1], "dark"),
        "light": (gray[y0:y1, x0:x1], "light"),
        "red": (redness(rgb[y0:y1, x0:x1]), "dark"),
    }
    polarity = max(readings, key=lambda p: symbol_similarity(readings[p][0], local, readings[p][1]))
    image, reading = readings[polarity]
    down = (local[3] - local[0]) / 2 + (local[2] - local[1]) / 2
    across = (local[1] - local[0]) / 2 + (local[2] - local[3]) / 2
    middle = local.mean(axis=0)
    best = (-1.0, local)
    for size in (0.87, 1.0, 1.15):
        for dx in (-0.15, 0.0, 0.15):
            for dy in (-0.15, 0.0, 0.15):
                moved = middle + (across * dx + down * dy) * 0.5
                candidate = np.float32(moved + (local - middle) * size)
                score = symbol_similarity(image, candidate, reading)
                if score > best[0]:
                    best = (score, candidate)
    return best[0], best[1] + np.float32([x0, y0]), polarity
