"""Faces (guideline 2.4, privacy): every face in a photo, page render or embedded image.

Consent and blocking are the policy's business; this only says where faces are, and whether
a face is photographed (`face`) or drawn (`drawn`: engraving, cartoon, clip art, emoji),
told apart by a second stage (drawn.py) that looks at the face's surroundings.
"""

from __future__ import annotations

import numpy as np

from scanner.detectors import Detector
from scanner.detectors.face.centerface import CenterFace, FaceBox
from scanner.detectors.face.drawn import is_drawn
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
    drawn, probability = is_drawn(page.rgb, (x0, y0, x1, y1))
    return Finding(
        kind="face",
        label="drawn" if drawn else "face",
        confidence=round(box.score, 3),
        page=page.number,
        bbox=(x0, y0, x1, y1),
        detail=f"face {x1 - x0}x{y1 - y0} px, score {box.score:.2f}, drawn {probability:.2f}",
    )
