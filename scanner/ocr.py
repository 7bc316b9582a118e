"""Tesseract OCR (English + French) behind one small interface: image in, words with boxes out.

In-process tesserocr, one API object per thread (Tesseract's API is not re-entrant), reading
the traineddata of Debian's tesseract-ocr-eng/-fra packages.
"""

from __future__ import annotations

import ctypes
import os

# Tesseract's OpenMP threads fight our own parallelism and slow a page down 2-3x.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import threading
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import tesserocr
from PIL import Image

from scanner.errors import SetupError
from scanner.imaging import rotated_on_canvas
from scanner.ingest.page import Word

_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
# OCR works on a page whose long side is in this range: A4 at ~140-170 dpi (measured: the
# same words as at 200 dpi on our pages, 15 % faster; below 1600 px small print suffers).
_MIN_LONG_SIDE = 1600
_MAX_LONG_SIDE = 2000


# A mark that could be a printed character, at the scale Tesseract reads: at least this tall (its
# smallest legible x-height is ~8 px) and this many pixels, darker than its 31 px neighbourhood by
# this much (JPEG noise on a smooth sky stays under it). A page with fewer such marks holds no word.
_GLYPH_BLOCK = 31
_GLYPH_CONTRAST = 12
_MIN_GLYPH_HEIGHT = 6
_MIN_GLYPH_AREA = 12
_MIN_GLYPHS = 3

# A page with this many words read at this mean confidence or less is probably sideways
# or upside down (measured: upright scans read at 0.95, turned ones at 0.42).
_TURNED_MIN_WORDS = 15
_TURNED_MAX_CONFIDENCE = 0.6
# What turns a page upright, by the clockwise rotation Tesseract's OSD reports.
_UPRIGHT = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


# Skew search: pages photographed or scanned up to this many degrees off are straightened.
_MAX_SKEW = 20.0
_MIN_SKEW = 0.8
_SKEW_WORK_SIDE = 700


class OcrUnavailable(SetupError):
    pass


_LEPTONICA_SEVERITY_NONE = 6  # leptonica's environ.h: L_SEVERITY_NONE


def quiet_leptonica() -> None:
    """Leptonica, under Tesseract, prints "Error in boxClipToRectangle: box outside rectangle" on
    stderr when Tesseract hands it a box it then clips itself (2 to 4 lines for some photos): harmless,
    but a terminal or a mail log filling with "Error" reads as failure. Its messages are turned off
    in the leptonica this process loaded (tesserocr's wheel bundles its own; a source build links
    the system's)."""
    for path in loaded_leptonica():
        try:
            ctypes.CDLL(path).setMsgSeverity(_LEPTONICA_SEVERITY_NONE)
        except (OSError, AttributeError):
            continue


def loaded_leptonica() -> set[str]:
    """Paths of the leptonica libraries this process has loaded; none where /proc is not (not Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            return {line.split()[-1] for line in maps if "lept" in line.rsplit("/", 1)[-1]}
    except OSError:
        return set()


def find_tessdata(languages: str) -> str:
    wanted = [f"{lang}.traineddata" for lang in languages.split("+")]
    env = os.environ.get("TESSDATA_PREFIX")
    # TESSDATA_PREFIX, when set, is where the user says the data is: only there.
    for folder in [env] if env else _TESSDATA_CANDIDATES:
        if all((Path(folder) / name).is_file() for name in wanted):
            return folder
    raise OcrUnavailable(
        f"Tesseract language data {', '.join(wanted)} not found; "
        "install tesseract-ocr-eng and tesseract-ocr-fra (make install)"
    )


class TesseractReader:
    def __init__(self, languages: str = "eng+fra") -> None:
        self.languages = languages
        self.tessdata = find_tessdata(languages)
        self._local = threading.local()
        quiet_leptonica()

    def _api(self) -> tesserocr.PyTessBaseAPI:
        """This thread's API. One serves every layout mode: loading the language data costs
        0.1 s, and a worker would otherwise pay it once per mode on its first pages."""
        api = getattr(self._local, "api", None)
        if api is None:
            api = tesserocr.PyTessBaseAPI(path=self.tessdata, lang=self.languages, oem=tesserocr.OEM.LSTM_ONLY)
            # Inverted-line retries double the time and our pages are dark-on-light once normalised.
            api.SetVariable("tessedit_do_invert", "0")
            self._local.api = api
        return api

    def read(self, rgb: np.ndarray, *, block: bool = False) -> list[Word]:
        """Words of a page (or, with block=True, of one cropped block such as a stamp)."""
        gray = rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        scale = 1.0 if block else _ocr_scale(gray.shape)
        if scale != 1.0:
            interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation)
        if block:
            # Each mode reads some regions the other returns nothing for (measured on stamps).
            return self._recognise(gray, tesserocr.PSM.SINGLE_BLOCK) or self._recognise(
                gray, tesserocr.PSM.SPARSE_TEXT
            )
        if not holds_print(gray):
            return []  # nothing shaped like printed characters: Tesseract (0.12 s to load) would read nothing
        words = self._read_straightened(gray)
        if _reads_like_a_turned_page(words):
            words = self._read_upright(gray) or words
        return [_scaled(word, 1.0 / scale) for word in words]

    def _read_straightened(self, gray: np.ndarray) -> list[Word]:
        """Read a page rotated by a few degrees (a phone photo of a document) as if it were straight."""
        angle = estimate_skew(gray)
        if abs(angle) < _MIN_SKEW:
            return self._recognise(gray, tesserocr.PSM.AUTO)
        straight, matrix = rotated_on_canvas(gray, angle)
        back = cv2.invertAffineTransform(matrix)
        return [_moved(word, back) for word in self._recognise(straight, tesserocr.PSM.AUTO)]

    def _recognise(self, gray: np.ndarray, psm: int) -> list[Word]:
        api = self._api()
        api.SetPageSegMode(psm)
        api.SetImage(Image.fromarray(gray))
        api.Recognize()
        return _words(api)

    def _read_upright(self, gray: np.ndarray) -> list[Word] | None:
        """Turn a sideways or upside-down page upright with Tesseract's OSD and read it again."""
        osd = getattr(self._local, "osd_api", None)
        if osd is None:
            osd = tesserocr.PyTessBaseAPI(path=self.tessdata, lang="osd", psm=tesserocr.PSM.OSD_ONLY)
            self._local.osd_api = osd
        osd.SetImage(Image.fromarray(gray))
        found = osd.DetectOrientationScript()
        turn = _UPRIGHT.get(int(found["orient_deg"])) if found else None
        if turn is None:
            return None
        words = self._recognise(cv2.rotate(gray, turn), tesserocr.PSM.AUTO)
        height, width = gray.shape
        return [_turned_back(word, turn, width, height) for word in words]


def holds_print(gray: np.ndarray) -> bool:
    """Whether a picture, at the scale Tesseract reads it, has at least _MIN_GLYPHS marks shaped like
    printed characters, dark on light or light on dark. A sky, a blank or smooth picture has none
    and is not read. Words need several such marks; one edge (a horizon) is one mark, and a textured
    photo has plenty, so it is read as before."""
    for ink in (gray, 255 - gray):
        marks = cv2.adaptiveThreshold(ink, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                      _GLYPH_BLOCK, _GLYPH_CONTRAST)
        _, _, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
        widths, heights = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
        areas = stats[1:, cv2.CC_STAT_AREA]
        glyphs = (heights >= _MIN_GLYPH_HEIGHT) & (widths <= 4 * heights) & (areas >= _MIN_GLYPH_AREA)
        if int(np.count_nonzero(glyphs)) >= _MIN_GLYPHS:
            return True
    return False


def _ocr_scale(shape: tuple[int, ...]) -> float:
    long_side = max(shape[:2])
    if long_side > _MAX_LONG_SIDE:
        return _MAX_LONG_SIDE / long_side
    if long_side < _MIN_LONG_SIDE:
        return min(2.0, _MIN_LONG_SIDE / long_side)
    return 1.0


def estimate_skew(gray: np.ndarray) -> float:
    """Degrees to turn the page counter-clockwise so that its text lines are horizontal.

    Projection profile: rows of a straight page alternate between ink and paper, so the
    variance of the row sums peaks at the right angle. Coarse search, then a fine one.
    """
    scale = _SKEW_WORK_SIDE / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    if ink.mean() < 0.005:  # a blank page or a smooth photo: nothing to straighten
        return 0.0
    ink = ink.astype(np.float32)

    def sharpness(angle: float) -> float:
        turned, _ = rotated_on_canvas(ink, angle, border=0)
        return float(np.var(turned.sum(axis=1)))

    coarse = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 0.5, 1.0), key=sharpness)
    fine = max(np.arange(coarse - 1.0, coarse + 1.01, 0.2), key=sharpness)
    # Only trust a clear improvement over leaving the page as it is.
    return float(fine) if sharpness(fine) > 1.1 * sharpness(0.0) else 0.0


def _moved(word: Word, matrix: np.ndarray) -> Word:
    """The word's box carried by an affine transform (its corners' bounding box)."""
    x0, y0, x1, y1 = word.bbox
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
    moved = corners @ matrix.T
    box = (round(moved[:, 0].min()), round(moved[:, 1].min()), round(moved[:, 0].max()), round(moved[:, 1].max()))
    return replace(word, bbox=box)


def _reads_like_a_turned_page(words: list[Word]) -> bool:
    if len(words) < _TURNED_MIN_WORDS:
        return False
    return sum(w.confidence for w in words) / len(words) <= _TURNED_MAX_CONFIDENCE


def _turned_back(word: Word, turn: int, width: int, height: int) -> Word:
    """A box read on the upright page, mapped back onto the page as it was given (width x height)."""
    u0, v0, u1, v1 = word.bbox
    if turn == cv2.ROTATE_180:
        box = (width - u1, height - v1, width - u0, height - v0)
    elif turn == cv2.ROTATE_90_COUNTERCLOCKWISE:  # upright (u, v) was given (width - v, u)
        box = (width - v1, u0, width - v0, u1)
    else:  # ROTATE_90_CLOCKWISE: upright (u, v) was given (v, height - u)
        box = (v0, height - u1, v1, height - u0)
    return replace(word, bbox=box)


def _scaled(word: Word, factor: float) -> Word:
    if factor == 1.0:
        return word
    return replace(word, bbox=tuple(round(v * factor) for v in word.bbox))


def _words(api: tesserocr.PyTessBaseAPI) -> list[Word]:
    words: list[Word] = []
    iterator = api.GetIterator()
    if iterator is None:
        return words
    level = tesserocr.RIL.WORD
    line = 0
    while True:
        if iterator.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            line += 1
        text = "" if iterator.Empty(level) else iterator.GetUTF8Text(level)
        box = iterator.BoundingBox(level)
        if text.strip() and box:
            words.append(Word(text.strip(), tuple(box), iterator.Confidence(level) / 100.0, line))
        if not iterator.Next(level):
            return words
