"""Tesseract OCR (English + French) behind one small interface: image in, words with boxes out.

In-process tesserocr, one API object per thread (Tesseract's API is not re-entrant), reading
the traineddata of Debian's tesseract-ocr-eng/-fra packages.
"""

from __future__ import annotations

import os

# Tesseract's OpenMP threads fight our own parallelism and slow a page down 2-3x.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import threading
from pathlib import Path

import cv2
import numpy as np
import tesserocr
from PIL import Image

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


class OcrUnavailable(RuntimeError):
    pass


def find_tessdata(languages: str) -> str:
    wanted = [f"{lang}.traineddata" for lang in languages.split("+")]
    env = os.environ.get("TESSDATA_PREFIX")
    for folder in ([env] if env else []) + list(_TESSDATA_CANDIDATES):
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

    def _api(self, block: bool) -> tesserocr.PyTessBaseAPI:
        attribute = "block_api" if block else "page_api"
        api = getattr(self._local, attribute, None)
        if api is None:
            psm = tesserocr.PSM.SINGLE_BLOCK if block else tesserocr.PSM.AUTO
            api = tesserocr.PyTessBaseAPI(
                path=self.tessdata, lang=self.languages, psm=psm, oem=tesserocr.OEM.LSTM_ONLY
            )
            # Inverted-line retries double the time and our pages are dark-on-light once normalised.
            api.SetVariable("tessedit_do_invert", "0")
            setattr(self._local, attribute, api)
        return api

    def read(self, rgb: np.ndarray, *, block: bool = False) -> list[Word]:
        """Words of a page (or, with block=True, of one cropped block such as a stamp)."""
        gray = rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        scale = 1.0 if block else _ocr_scale(gray.shape)
        if scale != 1.0:
            interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation)
        api = self._api(block)
        api.SetImage(Image.fromarray(gray))
        api.Recognize()
        return _words(api, 1.0 / scale)


def _ocr_scale(shape: tuple[int, ...]) -> float:
    long_side = max(shape[:2])
    if long_side > _MAX_LONG_SIDE:
        return _MAX_LONG_SIDE / long_side
    if long_side < _MIN_LONG_SIDE:
        return min(2.0, _MIN_LONG_SIDE / long_side)
    return 1.0


def _words(api: tesserocr.PyTessBaseAPI, back: float) -> list[Word]:
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
            x0, y0, x1, y1 = (round(v * back) for v in box)
            words.append(Word(text.strip(), (x0, y0, x1, y1), iterator.Confidence(level) / 100.0, line))
        if not iterator.Next(level):
            return words
