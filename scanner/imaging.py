"""Small image operations shared by OCR and detectors."""

from __future__ import annotations

import cv2
import numpy as np


def rotated_on_canvas(image: np.ndarray, angle: float, border: int = 255) -> tuple[np.ndarray, np.ndarray]:
    """The image turned counter-clockwise by `angle` degrees on a canvas that holds all of it,
    and the 2x3 affine matrix that carried it there."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_width, new_height = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_width / 2 - width / 2
    matrix[1, 2] += new_height / 2 - height / 2
    turned = cv2.warpAffine(image, matrix, (new_width, new_height), flags=cv2.INTER_LINEAR, borderValue=border)
    return turned, matrix
