"""Raster images: every frame of PNG, JPEG, GIF, WebP, TIFF, BMP and HEIF files."""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.limits import Limits
from scanner.ingest.page import Document, Page

# We enforce our own pixel limit with a clear message instead of Pillow's warning.
Image.MAX_IMAGE_PIXELS = None

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def load_image(data: bytes, kind: str, limits: Limits) -> Document:
    if kind == "heif":
        import pillow_heif

        pillow_heif.register_heif_opener()
    image = _open(data)
    if image.width * image.height > limits.max_pixels:
        raise IngestError(
            f"image too large: {image.width}x{image.height} pixels "
            f"(limit {limits.max_pixels / 1e6:.0f} megapixels)"
        )
    frame_count = getattr(image, "n_frames", 1)
    if frame_count > limits.max_pages:
        raise IngestError(f"too many frames: {frame_count} (limit {limits.max_pages})")
    metadata = image_metadata(image)
    _decode_first_frame(image)
    lock = threading.Lock()  # frames share one decoder, which is not re-entrant
    pages = []
    for index in range(frame_count):
        width, height = _oriented_size(image)
        pages.append(
            Page(
                index + 1,
                "image" if frame_count == 1 else "frame",
                _frame_renderer(image, index, lock),
                (width, height),
                metadata=metadata if index == 0 else {},
            )
        )
    return Document("image", pages, metadata)


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise IngestError(f"unreadable image: {one_line(error)}") from None


def _decode_first_frame(image: Image.Image) -> None:
    """Decode now, so that a truncated or corrupt file fails at ingest, not mid-scan."""
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise IngestError(f"corrupt or truncated image: {one_line(error)}") from None


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation in (5, 6, 7, 8):  # these EXIF orientations swap width and height
        return image.height, image.width
    return image.width, image.height


def _frame_renderer(image: Image.Image, index: int, lock: threading.Lock):
    def render() -> np.ndarray:
        with lock:
            try:
                image.seek(index)
                frame = ImageOps.exif_transpose(image.copy())
            except (OSError, ValueError, SyntaxError, EOFError) as error:
                raise IngestError(f"corrupt frame {index + 1}: {one_line(error)}") from None
        return to_rgb_array(frame)

    return render


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
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


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
