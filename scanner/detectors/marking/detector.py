"""Security markings (guideline 2.6): PROTECTED A/B/C, CONFIDENTIAL, SECRET, embargo notices...

Two readings of a page: its words (text layer and/or OCR), and coloured ink regions such as
rubber stamps, which are isolated from the black text under them, deskewed and read alone.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from scanner.detectors import Detector
from scanner.detectors.marking.phrases import FlatLine, PhraseMatch, find_phrases, flatten, is_label
from scanner.geometry import BBox, box_union, grown, overlaps, shifted
from scanner.imaging import rotated_on_canvas
from scanner.ingest.page import Page, Word
from scanner.model import Finding

_STAMP_WORK_SIDE = 1200  # long side of the downscaled page used to find ink regions
_MAX_STAMPS = 6
_MAX_COLOURED_SHARE = 0.12  # more coloured ink than this: a photo, not a document
_MIN_WORDS_OF_A_DOCUMENT = 20
_MAX_UNREAD_REGIONS = 4
_MARGIN_BAND = 0.15  # share of the page height at the top and bottom where headers and footers live
_LARGER_THAN_BODY = 1.8  # a line this much taller than the body text's words is a label or stamp


class MarkingDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        findings = []
        for words in page.lines():
            line = flatten(words)
            findings.extend(_finding(page, line, m) for m in find_phrases(line) if is_label(line, m))
        if page.needs_ocr:
            work = _work_copy(page.rgb)
            for box, ink in coloured_ink_regions(page.rgb, work):
                findings.extend(_read_region(page, box, ink, "stamp"))
            if len(page.ocr_words) >= _MIN_WORDS_OF_A_DOCUMENT:
                for box, ink in unread_ink_regions(page.rgb, page.ocr_words, work):
                    findings.extend(_read_region(page, box, ink, "second look"))
        return findings


def _read_region(page: Page, box: BBox, ink: np.ndarray, how: str) -> list[Finding]:
    """Read one ink region alone, deskewed; it may still be upside down, which its shape cannot tell."""
    upright = deskew(ink)
    for image in (upright, cv2.rotate(upright, cv2.ROTATE_180)):
        found = [
            _finding(page, line, match, box=box, how=how)
            for line in map(flatten, _lines_of(page.read_block(image)))
            for match in find_phrases(line)
            if how == "stamp" or is_label(line, match)  # a stamp is a label by nature
        ]
        if found:
            return found
    return []


def _finding(page: Page, line: FlatLine, match: PhraseMatch, box: BBox | None = None, how: str = "") -> Finding:
    words = line.words[match.first_word : match.last_word + 1]
    text = " ".join(w.text for w in words)
    reading = np.mean([w.confidence for w in words]) if words else 0.0
    base = 0.95 if match.phrase.strong else 0.85
    confidence = base * (0.6 + 0.4 * float(reading)) - 0.1 * match.edits
    source = how or words[0].source
    return Finding(
        kind="marking",
        label=match.label,
        confidence=max(0.05, min(1.0, confidence)),
        page=page.number,
        bbox=box or box_union(w.bbox for w in words),
        excerpt=text,
        detail=f"read from {source}",
    )


def _lines_of(words: list[Word]) -> list[list[Word]]:
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return list(lines.values())


def _work_copy(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The page shrunk to the size ink regions are looked for at, and the factor it was shrunk by."""
    scale = min(1.0, _STAMP_WORK_SIDE / max(rgb.shape[:2]))
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    return small, scale


def coloured_ink_regions(
    rgb: np.ndarray, work: tuple[np.ndarray, float] | None = None
) -> list[tuple[BBox, np.ndarray]]:
    """Saturated ink blobs on a document page, as black-on-white crops at full resolution."""
    small, scale = work or _work_copy(rgb)
    ink = _coloured(small)
    if not ink.any() or ink.mean() / 255 > _MAX_COLOURED_SHARE:
        return []
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 25)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    blobs = sorted(range(1, count), key=lambda i: -stats[i, cv2.CC_STAT_AREA])[:_MAX_STAMPS]
    regions = []
    for i in blobs:
        x, y, w, h, _ = stats[i]
        if max(w, h) < 40 * scale or min(w, h) < 8 * scale:
            continue
        box = grown((x / scale, y / scale, (x + w) / scale, (y + h) / scale), _size(rgb), 0.08, 0.08)
        crop = _coloured(rgb[box[1] : box[3], box[0] : box[2]])
        regions.append((box, np.where(crop > 0, 0, 255).astype(np.uint8)))
    return regions


def unread_ink_regions(
    rgb: np.ndarray, words: tuple[Word, ...], work: tuple[np.ndarray, float] | None = None
) -> list[tuple[BBox, np.ndarray]]:
    """Dark ink that page OCR returned no word for: a header its layout analysis dropped, a
    black stamp at an angle. Each comes back as a black-on-white crop at full resolution,
    holding only the unread ink (read words and coloured stamps are blanked out)."""
    small, scale = work or _work_copy(rgb)
    ink = _unread_dark_ink(small, words, scale, 3)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # specks and grain
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (21, 9)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    body_height = float(np.median([w.bbox[3] - w.bbox[1] for w in words])) * scale if words else 0.0
    regions = []
    for i in sorted(range(1, count), key=lambda i: -stats[i, cv2.CC_STAT_AREA]):
        x, y, w, h, _ = stats[i]
        if max(w, h) < 40 or w > 0.9 * small.shape[1] or h > 0.5 * small.shape[0]:
            continue
        # Judged on its rotated rectangle: a stamp at an angle is still a long, low run of text.
        (_, _), (long_side, short_side), _ = cv2.minAreaRect(cv2.findNonZero((labels == i).astype(np.uint8)))
        long_side, short_side = max(long_side, short_side), min(long_side, short_side)
        if short_side < 8 or long_side < 2.5 * short_side:
            continue
        # Markings sit in the header or footer, or stand out larger than the body text.
        in_margin = y + h < _MARGIN_BAND * small.shape[0] or y > (1 - _MARGIN_BAND) * small.shape[0]
        if not in_margin and short_side < _LARGER_THAN_BODY * body_height:
            continue
        box = grown((x / scale, y / scale, (x + w) / scale, (y + h) / scale), _size(rgb), 0.15, 0.15)
        crop = rgb[box[1] : box[3], box[0] : box[2]]
        moved = tuple(replace(w, bbox=shifted(w.bbox, box)) for w in words if overlaps(w.bbox, box))
        regions.append((box, 255 - _unread_dark_ink(crop, moved, 1.0, 2)))
        if len(regions) == _MAX_UNREAD_REGIONS:
            break
    return regions


def _unread_dark_ink(rgb: np.ndarray, words: tuple[Word, ...], scale: float, margin: int) -> np.ndarray:
    """255 where there is dark, uncoloured ink that no word box covers."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 25)
    ink[_coloured(rgb) > 0] = 0
    for word in words:
        x0, y0, x1, y1 = (round(v * scale) for v in word.bbox)
        ink[max(0, y0 - margin) : max(0, y1 + margin), max(0, x0 - margin) : max(0, x1 + margin)] = 0
    return ink






def _coloured(rgb: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    return ((hsv[:, :, 1] > 80) & (hsv[:, :, 2] > 60)).astype(np.uint8) * 255




def deskew(ink: np.ndarray) -> np.ndarray:
    """Rotate black-on-white ink so that its dominant direction is horizontal."""
    points = cv2.findNonZero(255 - ink)
    if points is None or len(points) < 20:
        return ink
    (_, _), (w, h), angle = cv2.minAreaRect(points)
    if w < h:
        angle -= 90
    if abs(angle) < 1:
        return ink
    return rotated_on_canvas(ink, angle)[0]


def _size(image: np.ndarray) -> tuple[int, int]:
    return image.shape[1], image.shape[0]
