"""The unit every detector reads: one page (or frame, or embedded image) of a document."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from scanner.model import BBox


@dataclass(frozen=True)
class Word:
    text: str
    bbox: BBox  # raster pixels of the page
    confidence: float  # 0..1; 1.0 for a PDF text layer
    line: int  # words sharing a line id are one line of text, in reading order
    source: str = "ocr"  # "ocr" or "text-layer"


class _cached_per_page:
    """functools.cached_property without Python 3.11's lock, which is one per class: every page
    in every thread waited on it, so two threads OCR'd no faster than one (fixed in 3.12). Each
    property of a page has a lock of its own, so a page's OCR (a second or more) does not hold up
    another thread that needs its grey raster meanwhile."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, page: Any, owner: type | None = None) -> Any:
        if page is None:
            return self
        values = page.__dict__
        if self.name not in values:
            with page._lock_of(self.name):
                if self.name not in values:
                    values[self.name] = self.compute(page)
        return values[self.name]


class TextReader(Protocol):
    """What a page needs from OCR: words with boxes, in the raster's pixels."""

    def read(self, rgb: np.ndarray, *, block: bool = False) -> list[Word]: ...


class Page:
    """A raster rendered on demand, words from the text layer and/or OCR, and metadata.

    `number` is 1-based, as shown to users. `placement` is set on an embedded image:
    where it sits on its parent page's raster, so that boxes can be reported there.
    `part` names the container member (zip entry, attachment) the page comes from.
    """

    def __init__(
        self,
        number: int,
        kind: str,
        render: Callable[[], np.ndarray],
        size: tuple[int, int],
        *,
        text_layer: tuple[Word, ...] = (),
        needs_ocr: bool = True,
        metadata: Mapping[str, Any] | None = None,
        placement: BBox | None = None,
        part: str | None = None,
        pictures: bool = True,
    ) -> None:
        self.number = number
        self.kind = kind
        self.width, self.height = size
        self.text_layer = text_layer
        self.needs_ocr = needs_ocr
        self.metadata: Mapping[str, Any] = metadata or {}
        self.placement = placement
        self.part = part  # member of a container this page comes from, if any
        # False when the page's raster can hold no picture (plain text; a PDF page of text alone,
        # whose pictures are pages of their own): checks that only look at pixels skip it.
        self.pictures = pictures
        self._render = render
        self._reader: TextReader | None = None
        # One page's raster, grey and words are computed once each, under a lock per property.
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def attach_reader(self, reader: TextReader | None) -> None:
        self._reader = reader

    def _lock_of(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def release(self) -> None:
        """Drop the page's rasters (they are rendered again if asked for): a long document then
        holds one page's pixels at a time, not all of them. Words are kept; they are small."""
        for name in ("rgb", "gray"):
            with self._lock_of(name):
                self.__dict__.pop(name, None)

    @_cached_per_page
    def rgb(self) -> np.ndarray:
        """H x W x 3 uint8, EXIF orientation already applied."""
        image = self._render()
        assert image.ndim == 3 and image.shape[2] == 3, image.shape
        return image

    @_cached_per_page
    def gray(self) -> np.ndarray:
        import cv2

        return cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)

    @_cached_per_page
    def ocr_words(self) -> tuple[Word, ...]:
        if not self.needs_ocr or self._reader is None:
            return ()
        return tuple(self._reader.read(self.rgb))

    @_cached_per_page
    def words(self) -> tuple[Word, ...]:
        """Text-layer words plus OCR words (OCR only where the page needs it)."""
        return self.text_layer + self.ocr_words

    def read_block(self, image: np.ndarray) -> list[Word]:
        """OCR one cropped block (a stamp, a label) with the page's reader; [] without one."""
        if self._reader is None:
            return []
        return self._reader.read(image, block=True)

    def lines(self) -> tuple[tuple[Word, ...], ...]:
        """Words grouped into lines, each source kept apart, in reading order."""
        return self._lines

    @_cached_per_page
    def _lines(self) -> tuple[tuple[Word, ...], ...]:
        # Once a page: four checks ask for them (a tenth of a long report's time when each grouped anew).
        grouped: dict[tuple[str, int], list[Word]] = {}
        for word in self.words:
            grouped.setdefault((word.source, word.line), []).append(word)
        return tuple(map(tuple, grouped.values()))

    def to_parent(self, bbox: BBox | None) -> BBox | None:
        """Map a box on this (embedded) image to its parent page's raster."""
        if bbox is None or self.placement is None:
            return bbox
        px0, py0, px1, py1 = self.placement
        sx = (px1 - px0) / max(self.width, 1)
        sy = (py1 - py0) / max(self.height, 1)
        x0, y0, x1, y1 = bbox
        return (
            round(px0 + x0 * sx),
            round(py0 + y0 * sy),
            round(px0 + x1 * sx),
            round(py0 + y1 * sy),
        )


class Pages:
    """A document's pages read as they are reached, so a long document never holds them all:
    iterating reads them afresh each time; `pages[i]` reads up to the one asked for."""

    def __init__(self, read: Callable[[], Iterator[Page]]) -> None:
        self._read = read

    def __iter__(self) -> Iterator[Page]:
        return self._read()

    def __getitem__(self, index: int) -> Page:
        try:
            return next(itertools.islice(self._read(), index, None))
        except StopIteration:
            raise IndexError(index) from None


@dataclass
class Document:
    kind: str  # "image", "pdf", "zip"...
    pages: Iterable[Page]  # read in order, once; a long PDF's pages are read as they are reached
    metadata: Mapping[str, Any]
