"""Faces (guideline 2.4, privacy): every face in a photo, page render or embedded image.

Consent and blocking are the policy's business; this only says where faces are.
"""

from __future__ import annotations

import numpy as np

from scanner.detectors import Detector
from scanner.detectors.face.centerface import CenterFace, FaceBox
from scanner.ingest.page import Page
from scanner.model import Finding


class FaceDetector(Detector):

    def __init__(self) -> None:
        self.model = CenterFace()

    def boxes(self, rgb: np.ndarray) -> list[FaceBox]:
        """Face boxes in an RGB array's pixels; the fix-it copy blurs these."""
        return self.model.detect(rgb)

    def detect(self, page: Page) -> list[Finding]:
        return [_finding(page, box) for box in self.boxes(page.rgb)]


def _finding(page: Page, box: FaceBox) -> Finding:
    x0, y0, x1, y1 = box.int_box(page.rgb.shape[1], page.rgb.shape[0])
    return Finding(
        kind="face",
        label="face",
        confidence=round(box.score, 3),
        page=page.number,
        bbox=(x0, y0, x1, y1),
        detail=f"face {x1 - x0}x{y1 - y0} px, score {box.score:.2f}",
    )
