"""Raster images: every frame of PNG, JPEG, GIF, WebP, TIFF, BMP and HEIF files.

At ingest, before a page exists: the framing is checked (structure.py), every frame's size is
held against the pixel limit before it is decoded, and every frame is decoded once, so that a
damaged file is blocked here whatever checks run later. Frame 1's decoded image is handed to
its first render; after that a page re-decodes from the bytes when asked again (the engine frees
rasters between pages), so a document never holds more than the pages being checked.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from scanner.ingest.errors import IngestError, one_line, over_pixel_limit
from scanner.ingest.limits import Limits
from scanner.ingest.page import Document, Page
from scanner.ingest.structure import check_complete

# We enforce our own pixel limit with a clear message instead of Pillow's warning.
Image.MAX_IMAGE_PIXELS = None

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "tiff": "TIFF", "bmp": "BMP",
                "heif": "HEIF/HEIC"}
# JPEGs over this many pixels are decoded at half size by libjpeg's DCT scaling (draft mode):
# a quarter of the memory and time. Faces, logos and text in such a photo are still many pixels
# tall at half size; nothing in the evaluation sets is this large.
DRAFT_ABOVE_PIXELS = 48_000_000
# EXIF orientations that swap width and height, and the transpose that shows each upright.
_SWAPPED = {5, 6, 7, 8}
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def load_image(data: bytes, kind: str, limits: Limits) -> Document:
    name = FORMAT_NAMES.get(kind, kind.upper())
    check_complete(data, kind)
    with _readable(name):
        if kind == "heif":
            import pillow_heif

            pillow_heif.register_heif_opener()
        frames = _Frames(data, name)
        image = frames.open()
        frame_count = getattr(image, "n_frames", 1)
        if frame_count > limits.max_pages:
            raise IngestError("too many frames: {frames} (limit max_pages {limit})", frames=frame_count,
                              limit=limits.max_pages)
        sizes = [frames.validate(image, 0, limits)]
        metadata = image_metadata(image)  # after the size check: Pillow decodes a PNG to find its EXIF
        sizes += [frames.validate(image, index, limits) for index in range(1, frame_count)]
        if frame_count == 1:
            frames.ready = image
    kind_of_page = "image" if frame_count == 1 else "frame"
    pages = [
        Page(index + 1, kind_of_page, frames.renderer(index), size, metadata=metadata if index == 0 else {})
        for index, size in enumerate(sizes)
    ]
    return Document("image", pages, metadata)


@contextmanager
def _readable(name: str) -> Iterator[None]:
    """Whatever a decoder raises becomes one line that says what is wrong with the file."""
    try:
        yield
    except (IngestError, MemoryError):
        raise
    except UnidentifiedImageError:
        raise IngestError("damaged {format}: not a readable {format} image (its header is not valid)",
                          format=name) from None
    except (EOFError, OSError) as error:
        if "truncated" in str(error).lower() or isinstance(error, EOFError):
            raise IngestError("damaged {format}: data ends early (the file is cut short or corrupt)",
                              format=name) from None
        # The decoder's own words ("broken data stream") say where; they are kept as evidence.
        raise IngestError("damaged {format}: the image data is corrupt ({why})", format=name,
                          why=one_line(error)) from None
    except Exception:  # struct, Syntax, Index, Type errors of Pillow's plugins: their words say nothing
        raise IngestError("damaged {format}: the image data is corrupt", format=name) from None


class _Frames:
    """Decodes the frames of one image file; the decoder is not re-entrant, hence one lock."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name
        self.lock = threading.Lock()
        self.reduce: dict[int, tuple[int, int]] = {}  # frame -> size requested from draft mode
        self.ready: Image.Image | None = None  # frame 1, decoded at ingest, for its first render

    def open(self) -> Image.Image:
        return Image.open(io.BytesIO(self.data))

    def validate(self, image: Image.Image, index: int, limits: Limits) -> tuple[int, int]:
        """Seek, hold the size against the limit before decoding, then decode; the page's size."""
        image.seek(index)
        if image.width * image.height > limits.max_pixels:
            if getattr(image, "n_frames", 1) == 1:
                raise over_pixel_limit("image", image.width, image.height, limits.max_pixels)
            raise over_pixel_limit("frame", image.width, image.height, limits.max_pixels, frame=index + 1)
        self._draft(image, index)
        image.load()
        return _oriented_size(image)

    def _draft(self, image: Image.Image, index: int) -> None:
        if image.format == "JPEG" and image.width * image.height > DRAFT_ABOVE_PIXELS:
            size = ((image.width + 1) // 2, (image.height + 1) // 2)
            image.draft("RGB", size)
            self.reduce[index] = size

    def renderer(self, index: int):
        def render() -> np.ndarray:
            with self.lock, _readable(self.name):
                image = self._decoded(index)
                try:
                    return to_rgb_array(upright(image))
                finally:
                    image.close()  # the decoded pixels go now; the page keeps only its array

        return render

    def _decoded(self, index: int) -> Image.Image:
        if index == 0 and self.ready is not None:
            image, self.ready = self.ready, None
            return image
        image = self.open()
        image.seek(index)
        if index in self.reduce:
            image.draft("RGB", self.reduce[index])
        image.load()
        return image


def _orientation(image: Image.Image) -> int:
    return image.getexif().get(ExifTags.Base.Orientation, 1)


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    if _orientation(image) in _SWAPPED:
        return image.height, image.width
    return image.width, image.height


def upright(image: Image.Image) -> Image.Image:
    """The frame as viewers show it (EXIF orientation applied), without a copy when upright."""
    method = _UPRIGHT.get(_orientation(image))
    return image if method is None else image.transpose(method)


def to_rgb_array(image: Image.Image) -> np.ndarray:
    """Any Pillow mode to RGB uint8; transparency is composited on white, as viewers show it."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        span = max(values.max() - values.min(), 1e-9)
        gray = ((values - values.min()) * (255.0 / span)).astype(np.uint8)
        return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode != "RGB":  # convert() of an RGB image would be a copy of it
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def image_metadata(image: Image.Image) -> dict[str, Any]:
    """EXIF, GPS, XMP and text chunks as plain strings, for the metadata detector."""
    exif = image.getexif()
    tags = {**dict(exif.items()), **dict(exif.get_ifd(_EXIF_IFD).items())}
    metadata: dict[str, Any] = {
        "format": image.format or "",
        "exif": _named(tags, ExifTags.TAGS),
        "gps": _named(dict(exif.get_ifd(_GPS_IFD).items()), ExifTags.GPSTAGS),
        "info": {k: v for k, v in image.info.items() if isinstance(v, str) and k != "xmp"},
    }
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if xmp:
        metadata["xmp"] = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else str(xmp)
    return metadata


def _named(tags: dict[int, Any], names: dict[int, str]) -> dict[str, str]:
    named = {}
    for tag, value in tags.items():
        if tag in (_EXIF_IFD, _GPS_IFD):
            continue
        if isinstance(value, bytes):
            if len(value) > 256:  # maker notes and thumbnails: not readable text
                continue
            value = value.decode("utf-16-le" if names.get(tag, "").startswith("XP") else "latin-1", "replace")
        named[names.get(tag, f"tag-{tag}")] = str(value).strip("\x00 ")
    return named
