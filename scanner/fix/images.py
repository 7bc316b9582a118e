"""The copy of an image: drawn from the very pixels the scan looked at, written in a fresh file.

Ingest reads the file (the same frames, EXIF orientation, size limits and colour conversion as the
scan), so a box a check reported is painted where the check saw it. The copy is built from pixels
alone: EXIF, GPS, XMP and text chunks stay behind; only the colour profile comes along (colours,
not people), and the orientation is baked into the pixels. Transparency is kept outside painted
regions, which are made opaque so that nothing shows through them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

from scanner.fix.paint import Style, cover, region
from scanner.geometry import BBox
from scanner.ingest.image import load_image, to_rgb_array, upright
from scanner.ingest.limits import Limits
from scanner.ingest.page import Page
from scanner.model import Finding

# Sniffed kind -> Pillow's writer, and the file suffix a copy of that kind gets.
WRITERS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP", "tiff": "TIFF", "bmp": "BMP", "heif": "HEIF"}
SUFFIXES = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp", "tiff": ".tif", "bmp": ".bmp",
            "heif": ".heic"}
_SEVERAL_FRAMES = {"GIF", "WEBP", "TIFF", "PNG", "HEIF"}  # writers that keep an animation or a multi-page file
_NO_ALPHA = {"JPEG", "BMP"}
_COLOUR_PROFILE = {"JPEG", "PNG", "WEBP", "TIFF", "HEIF"}

StyleOf = Callable[[Finding], Style]


def fix_image(data: bytes, kind: str, findings: Sequence[Finding], style_of: StyleOf, limits: Limits,
              out_kind: str | None = None) -> tuple[bytes, int]:
    """The copy's bytes, in `out_kind` (default: the input's kind), and how many frames its format
    could not hold (an animation written as JPEG keeps its first frame)."""
    document = load_image(data, kind, limits)
    writer = WRITERS[out_kind or kind]
    with Image.open(io.BytesIO(data)) as source:
        frames = [_painted_frame(source, page, [f for f in findings if f.page == page.number], style_of)
                  for page in document.pages]
        kept = frames if writer in _SEVERAL_FRAMES else frames[:1]
        return _encoded(kept, writer, source), len(frames) - len(kept)


def _painted_frame(source: Image.Image, page: Page, findings: list[Finding], style_of: StyleOf) -> Image.Image:
    canvas = page.rgb.copy()  # as the scan saw it: upright, converted, composited on white
    size = (page.width, page.height)
    boxes = [(box, style_of(f)) for f in findings if (box := region(f, size))]
    for box, style in boxes:
        cover(canvas, box, style)
    page.release()
    source.seek(page.number - 1)
    frame = upright(source)
    if not _transparent(frame) or frame.size != size:
        return Image.fromarray(canvas, "RGB")
    return Image.fromarray(_with_opaque_regions(np.array(frame.convert("RGBA")), canvas, [b for b, _ in boxes]),
                           "RGBA")


def _transparent(frame: Image.Image) -> bool:
    return frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info


def _with_opaque_regions(rgba: np.ndarray, canvas: np.ndarray, boxes: list[BBox]) -> np.ndarray:
    """The frame's own colours and transparency, but the painted regions from the canvas, opaque."""
    for x0, y0, x1, y1 in boxes:
        rgba[y0:y1, x0:x1, :3] = canvas[y0:y1, x0:x1]
        rgba[y0:y1, x0:x1, 3] = 255
    return rgba


def _encoded(frames: list[Image.Image], writer: str, source: Image.Image) -> bytes:
    if writer in _NO_ALPHA:
        frames = [Image.fromarray(to_rgb_array(f), "RGB") if f.mode == "RGBA" else f for f in frames]
    options: dict[str, object] = {}
    icc = source.info.get("icc_profile")
    if icc and writer in _COLOUR_PROFILE:
        options["icc_profile"] = icc
    if writer in ("JPEG", "WEBP", "HEIF"):
        options["quality"] = 92
    if writer == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:])
        for key in ("duration", "loop"):
            if key in source.info:
                options[key] = source.info[key]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=writer, **options)
    return buffer.getvalue()
