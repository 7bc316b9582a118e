"""Is a face CenterFace found a photograph, or drawn (engraving, cartoon, clip art, emoji, icon)?

Guideline 2.4 is about pictures of real people; CenterFace also fires on drawn faces. This second
stage looks at the face's surroundings (the box grown by CONTEXT) at a fixed size and measures
what tells a camera's picture from a drawing:

* mid-tone share: skin in a photo is mid-grey; an engraving is ink and paper, a cartoon flat;
* flat share: a drawing has areas of one exact colour, a photo has grain everywhere;
* colour count: clip art and emoji use a few colours, a photo thousands;
* edge density and the share of the two darkest/lightest grey bins (hatching, outlines);
* saturation.

A logistic model over these (drawn_model.json, trained by tools/faces/train_drawn.py on
clip art, emoji, cartoon frames and photos from Debian and PyPI packages, never on evaluation
files) gives P(drawn). A face counts as drawn only above the model's threshold, set so that none of the photo faces
measured falls above it (see the script's output, quoted in the README). Line engravings,
few among the training drawings, are recognised by their own cut-off: black and white, and
denser in edges than any photo face measured. Faces under MIN_JUDGED_SIDE px are not judged.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

SIDE = 192  # px: the face and its surroundings are measured at most this large
# Faces smaller than this are not judged (always photographs): enlarged, a small photo face is as
# smooth as a drawing (measured: 20-30 px pedestrians in a video scored up to 0.94 drawn).
MIN_JUDGED_SIDE = 48
CONTEXT = 1.3  # the box grown by this factor, around its centre
MODEL_FILE = Path(__file__).with_name("drawn_model.json")
FEATURES = ("mid_tones", "flat", "colours", "edges", "extremes", "saturation", "grey")


def face_patch(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The face box grown by CONTEXT, clipped to the image, brought to SIDE x SIDE px only when
    larger: shrinking further would average an engraving's hatching into mid-tones (measured:
    at 96 px an engraved face read as a photo), and enlarging would smooth a photo into flat areas."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) * CONTEXT / 2
    height, width = rgb.shape[:2]
    left, top = max(0, round(cx - half)), max(0, round(cy - half))
    right, bottom = min(width, round(cx + half)), min(height, round(cy + half))
    if right - left < 4 or bottom - top < 4:
        left, top, right, bottom = 0, 0, width, height
    crop = np.ascontiguousarray(rgb[top:bottom, left:right])
    if max(crop.shape[:2]) <= SIDE:
        return crop
    scale = SIDE / max(crop.shape[:2])
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def features(patch: np.ndarray) -> np.ndarray:
    """The measures listed in FEATURES, each in 0..1, of one RGB patch (shares, so any size)."""
    gray = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0)
    mid_tones = float(np.mean((smooth >= 60) & (smooth <= 200)))
    values = gray.astype(np.float32)
    mean = cv2.blur(values, (3, 3))
    spread = np.sqrt(np.maximum(cv2.blur(values * values, (3, 3)) - mean * mean, 0))
    flat = float(np.mean(spread < 1.5))
    quantised = (patch >> 4).astype(np.int32)
    codes = quantised[..., 0] * 256 + quantised[..., 1] * 16 + quantised[..., 2]
    colours = min(1.0, len(np.unique(codes)) / 400.0 * (SIDE * SIDE / codes.size) ** 0.5)
    edges = float(np.mean(cv2.Canny(gray, 80, 160) > 0))
    histogram = np.bincount((gray >> 5).ravel(), minlength=8) / gray.size
    extremes = float(histogram[0] + histogram[7])
    hsv = cv2.cvtColor(patch, cv2.COLOR_RGB2HSV)
    saturation = float(np.mean(hsv[..., 1])) / 255.0
    channels = patch.astype(np.int16)
    grey = float(np.mean(np.ptp(channels, axis=2) < 12))
    return np.array([mid_tones, flat, colours, edges, extremes, saturation, grey], dtype=np.float64)


@lru_cache(maxsize=1)
def _model() -> dict[str, object]:
    return json.loads(MODEL_FILE.read_text())


def judged(box: tuple[int, int, int, int]) -> bool:
    return min(box[2] - box[0], box[3] - box[1]) >= MIN_JUDGED_SIDE


def drawn_threshold() -> float:
    return float(_model()["threshold"])  # type: ignore[arg-type]


def is_drawn(rgb: np.ndarray, box: tuple[int, int, int, int]) -> tuple[bool, float]:
    """(drawn?, P(drawn)): the model's verdict, or a line engraving: black and white and denser
    in edges than any photo face measured (the model's `engraving_*` cut-offs)."""
    if not judged(box):
        return False, 0.0
    model = _model()
    measured = features(face_patch(rgb, box))
    values = (measured - np.asarray(model["mean"])) / np.asarray(model["scale"])
    score = float(values @ np.asarray(model["weights"]) + float(model["bias"]))  # type: ignore[arg-type]
    probability = float(1.0 / (1.0 + np.exp(-score)))
    engraved = (measured[FEATURES.index("grey")] >= float(model["engraving_grey"])  # type: ignore[arg-type]
                and measured[FEATURES.index("edges")] >= float(model["engraving_edges"]))  # type: ignore[arg-type]
    return probability >= drawn_threshold() or engraved, probability
