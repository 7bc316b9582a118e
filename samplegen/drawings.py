"""Drawings made from pictures, for the drawn-face stage's training and tests: line engravings
as old books print portraits. Drawn by our own code."""

from __future__ import annotations

import cv2
import numpy as np


def engraving(rgb: np.ndarray, period: float = 5.0, angle: float = 0.0, cross: bool = False) -> np.ndarray:
    """Black ink on paper: wavy parallel hatching at `angle` degrees whose strokes thicken with the
    darkness of the picture (a second, crossing set in the darkest parts when `cross`), plus
    contour lines."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
    height, width = gray.shape
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    inked = _hatching(x, y, gray, period, angle)
    if cross:
        inked |= _hatching(x, y, np.clip(gray * 2, 0, 1), period, angle + 60)
    inked |= cv2.Canny((gray * 255).astype(np.uint8), 60, 140) > 0
    return cv2.cvtColor(np.where(inked, 20, 245).astype(np.uint8), cv2.COLOR_GRAY2RGB)


def _hatching(x: np.ndarray, y: np.ndarray, gray: np.ndarray, period: float, angle: float) -> np.ndarray:
    theta = np.deg2rad(angle)
    across = -x * np.sin(theta) + y * np.cos(theta)
    along = x * np.cos(theta) + y * np.sin(theta)
    phase = (across + 1.5 * np.sin(along / 9.0)) % period
    distance = np.abs(phase - period / 2) / (period / 2)
    return distance < (1 - gray) * 0.95


def book_page_with(picture: np.ndarray, seed: int = 4) -> np.ndarray:
    """A scanned book page (grey paper, grain) with the picture as its plate, 1100 px on its long side."""
    page = np.full((2200, 1700, 3), 238, np.uint8)
    scale = 1100 / max(picture.shape[:2])
    shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    plate = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=shrink)
    top, left = 300, (1700 - plate.shape[1]) // 2
    page[top : top + plate.shape[0], left : left + plate.shape[1]] = np.minimum(plate, 238)
    grain = np.random.default_rng(seed).normal(0, 5, page.shape[:2])[..., None]
    return np.clip(page + grain, 0, 255).astype(np.uint8)
