"""Zero-mean, unit-norm pixel values: what every correlation of the logo check compares."""

from __future__ import annotations

import cv2
import numpy as np


def zero_mean_unit(values: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """float32 values with zero mean and unit norm over the kept pixels (all by default); the
    others set to 0, so that a dot product with another such array is their correlation."""
    values = values.astype(np.float32)
    if keep is None:
        values -= values.mean()
    else:
        values -= values[keep].mean()
        values[~keep] = 0.0
    # OpenCV's norm: NumPy's is an OpenBLAS dot product, whose threads spin on after it.
    norm = cv2.norm(values)
    return values / norm if norm > 0 else values
