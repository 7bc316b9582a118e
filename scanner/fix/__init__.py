"""`smscan fix FILE -o OUT`: write a copy that is safe to share as far as privacy goes.

Images: faces pixelated and blurred beyond recognition, all metadata dropped (EXIF, GPS,
XMP, text chunks; only the colour profile is kept), EXIF orientation baked into the
pixels. PDFs: document metadata and XMP removed, annotations deleted, hidden text (white
on white, invisible, under an image) redacted, faces in embedded images blurred.

The input is never modified: the caller passes its bytes and a different output path.
The copy is checked with the same face detector after it is written; a face that is
still found is blurred again (solid fill as the last resort).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pymupdf
from PIL import Image, ImageOps

from scanner.detectors.face.centerface import FaceBox
from scanner.detectors.face.detector import FaceDetector
from scanner.ingest.pdf import text_under_images

_SAVE_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
}
_WRITABLE = set(_SAVE_FORMATS.values())
_MAX_ROUNDS = 3  # blur, check, blur again...
_CELLS_ACROSS = 7  # pixelation: a face becomes at most this many blocks wide
_WHITE_BACKGROUND = 225  # as in the metadata check: white text on this or lighter is hidden


class FixError(RuntimeError):
    """The file cannot be fixed (encrypted, unreadable, unsupported)."""


@dataclass
class FixResult:
    out_path: Path
    kind: str  # "image" or "pdf"
    faces_blurred: int = 0
    removed: list[str] = field(default_factory=list)  # what was stripped, for the user
    notes: list[str] = field(default_factory=list)  # what could not be done


def write_fixed_copy(
    data: bytes,
    out_path: str | Path,
    *,
    filename: str | None = None,
    faces: FaceDetector | None = None,
) -> FixResult:
    """Write the shareable copy of `data` (the file's bytes) to `out_path`.

    `filename` is only used to refuse writing over the input and to pick a format when
    `out_path` has no known suffix. `faces` lets the CLI reuse a loaded detector.
    """
    out = Path(out_path)
    if filename and Path(filename).resolve() == out.resolve():
        raise FixError("the fixed copy must not overwrite the original; choose another -o path")
    detector = faces or FaceDetector()
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return _fix_pdf(data, out, detector)
    return _fix_image(data, out, filename, detector)


# ---------------------------------------------------------------- faces


def blur_region(rgb: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Pixelate, then blur, the box in place: no identity survives, only a smudge."""
    x0, y0, x1, y1 = box
    region = rgb[y0:y1, x0:x1]
    height, width = region.shape[:2]
    if height < 2 or width < 2:
        return
    cell = max(2, max(width, height) // _CELLS_ACROSS)
    small = cv2.resize(region, (max(1, width // cell), max(1, height // cell)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=0.7)  # mixes neighbouring cells too
    blocky = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    # A box filter costs the same at any size, unlike a Gaussian with a face-sized sigma.
    soft = max(3, cell // 2) | 1
    rgb[y0:y1, x0:x1] = cv2.blur(blocky, (soft, soft))


def expanded(box: FaceBox, width: int, height: int) -> tuple[int, int, int, int]:
    """The face box grown to cover hair, ears and chin, which identify people too."""
    grow_x, grow_up, grow_down = box.width * 0.3, box.height * 0.4, box.height * 0.25
    return (
        max(0, int(box.x0 - grow_x)),
        max(0, int(box.y0 - grow_up)),
        min(width, int(box.x1 + grow_x + 1)),
        min(height, int(box.y1 + grow_down + 1)),
    )


def blur_faces(rgb: np.ndarray, boxes: Sequence[FaceBox]) -> np.ndarray:
    """A copy of `rgb` with every box blurred beyond recognition."""
    out = rgb.copy()
    for box in boxes:
        blur_region(out, expanded(box, out.shape[1], out.shape[0]))
    return out


def fill_faces(rgb: np.ndarray, boxes: Sequence[FaceBox]) -> np.ndarray:
    """Last resort for a face that survives blurring: paint it over with its mean colour."""
    out = rgb.copy()
    for box in boxes:
        x0, y0, x1, y1 = expanded(box, out.shape[1], out.shape[0])
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = out[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0).astype(np.uint8)
    return out


def obscure_faces(rgb: np.ndarray, detector: FaceDetector, verify: bool = True) -> tuple[np.ndarray, int]:
    """Blur every face; with `verify`, look again until the detector finds none.

    Returns the image and the number of faces first found.
    """
    found = detector.boxes(rgb)
    count = len(found)
    if found:
        rgb = blur_faces(rgb, found)
    if verify and found:
        rgb = make_faceless(rgb, detector)
    return rgb, count


def make_faceless(rgb: np.ndarray, detector: FaceDetector) -> np.ndarray:
    """Blur again whatever still looks like a face; paint it over if blurring won't do."""
    for _ in range(_MAX_ROUNDS):
        left = detector.boxes(rgb)
        if not left:
            return rgb
        rgb = blur_faces(rgb, left)
    left = detector.boxes(rgb)
    return fill_faces(rgb, left) if left else rgb


# ---------------------------------------------------------------- images


def _fix_image(data: bytes, out: Path, filename: str | None, detector: FaceDetector) -> FixResult:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as error:  # Pillow raises many kinds for damaged files
        raise FixError(f"cannot read the image: {error}") from None
    fmt = _output_format(out, filename, image.format)
    result = FixResult(out, "image")
    result.removed.extend(_metadata_present(image))
    frames = _frames(image)
    fixed = []
    for frame in frames:
        pixels, alpha = _pixels(frame)
        pixels, count = obscure_faces(pixels, detector, verify=False)  # verified once saved
        result.faces_blurred += count
        fixed.append(_rebuild(pixels, alpha, fmt))
    _save(fixed, out, fmt, image)
    _recheck_saved(out, fmt, image, fixed, detector)
    if len(frames) > 1 and fmt not in ("GIF", "WEBP", "TIFF"):
        result.notes.append(f"only the first of {len(frames)} frames kept ({fmt} holds one)")
    return result


def _output_format(out: Path, filename: str | None, source_format: str | None) -> str:
    by_suffix = _SAVE_FORMATS.get(out.suffix.lower())
    if by_suffix:
        return by_suffix
    if source_format in _WRITABLE:
        return str(source_format)
    if filename and _SAVE_FORMATS.get(Path(filename).suffix.lower()):
        return _SAVE_FORMATS[Path(filename).suffix.lower()]
    return "PNG"  # HEIC and other formats we read but do not write


def _metadata_present(image: Image.Image) -> list[str]:
    present = []
    exif = image.getexif()
    if len(exif):
        present.append("EXIF")
        if exif.get_ifd(0x8825):
            present.append("GPS position")
    if image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"):
        present.append("XMP")
    texts = [k for k, v in image.info.items() if isinstance(v, str) and k not in ("xmp",)]
    if texts:
        present.append("text chunks (" + ", ".join(sorted(texts)) + ")")
    return present


def _frames(image: Image.Image) -> list[Image.Image]:
    """Every frame of an animation, upright (EXIF orientation applied)."""
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(ImageOps.exif_transpose(image.copy()))
    image.seek(0)
    return frames


def _pixels(frame: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """RGB pixels and, when the frame has transparency, its alpha channel."""
    if frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        frame = ImageOps.autocontrast(frame.convert("I").point(lambda v: v / 256).convert("L"))
    if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        rgba = np.asarray(frame.convert("RGBA"))
        return np.ascontiguousarray(rgba[:, :, :3]), np.ascontiguousarray(rgba[:, :, 3])
    return np.ascontiguousarray(np.asarray(frame.convert("RGB"))), None


def _rebuild(pixels: np.ndarray, alpha: np.ndarray | None, fmt: str) -> Image.Image:
    """A fresh image from pixels only: nothing of the original's metadata comes along."""
    if alpha is None:
        return Image.fromarray(pixels, "RGB")
    if fmt in ("JPEG", "BMP"):  # no transparency there: composite on white, as viewers do
        weight = alpha[:, :, None].astype(np.float32) / 255.0
        flat = pixels.astype(np.float32) * weight + 255.0 * (1.0 - weight)
        return Image.fromarray(flat.round().astype(np.uint8), "RGB")
    return Image.fromarray(np.dstack([pixels, alpha]), "RGBA")


def _save(frames: list[Image.Image], out: Path, fmt: str, source: Image.Image) -> None:
    options: dict[str, object] = {}
    icc = source.info.get("icc_profile")
    if icc and fmt in ("JPEG", "PNG", "WEBP", "TIFF"):
        options["icc_profile"] = icc  # colours, not people: kept so the copy looks the same
    if fmt == "JPEG":
        options.update(quality=92, optimize=True)
    if len(frames) > 1 and fmt in ("GIF", "WEBP", "TIFF"):
        options.update(save_all=True, append_images=frames[1:], loop=source.info.get("loop", 0))
        if "duration" in source.info:
            options["duration"] = source.info["duration"]
    out.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(out, format=fmt, **options)


def _recheck_saved(
    out: Path, fmt: str, source: Image.Image, frames: list[Image.Image], detector: FaceDetector
) -> None:
    """Check the written file itself, as the scanner will read it (compression included)."""
    for _ in range(_MAX_ROUNDS):
        with Image.open(out) as saved:
            first = np.ascontiguousarray(np.asarray(saved.convert("RGB")))
        if not detector.boxes(first):
            return
        pixels, alpha = _pixels(frames[0])
        frames[0] = _rebuild(make_faceless(pixels, detector), alpha, fmt)
        _save(frames, out, fmt, source)


# ---------------------------------------------------------------- PDFs


def _fix_pdf(data: bytes, out: Path, detector: FaceDetector) -> FixResult:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as error:
        raise FixError(f"cannot read the PDF: {error}") from None
    if doc.needs_pass:
        raise FixError("the PDF is encrypted; open it, save an unencrypted copy and fix that")
    result = FixResult(out, "pdf")
    if any(v for k, v in (doc.metadata or {}).items() if k not in ("format", "encryption")):
        result.removed.append("document metadata")
    notes = hidden = 0
    for page in doc:
        hidden += _redact_hidden_text(page)
        notes += _delete_annotations(page)
    result.faces_blurred = _blur_pdf_images(doc, detector)
    doc.scrub(
        metadata=True,
        xml_metadata=True,
        attached_files=True,
        embedded_files=True,
        javascript=True,
        thumbnails=True,
        reset_responses=True,
        hidden_text=True,
        redactions=True,
        clean_pages=True,
        remove_links=False,  # links are public addresses, not personal data
        reset_fields=False,
    )
    doc.set_metadata({})
    if notes:
        result.removed.append(f"{notes} annotation(s)")
    if hidden:
        result.removed.append(f"{hidden} piece(s) of hidden text")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out, garbage=4, deflate=True, clean=True)
    doc.close()
    return result


def _delete_annotations(page: pymupdf.Page) -> int:
    count = 0
    annot = page.first_annot
    while annot is not None:
        following = annot.next
        page.delete_annot(annot)
        count += 1
        annot = following
    return count


def _redact_hidden_text(page: pymupdf.Page) -> int:
    """Remove text a reader cannot see: invisible, white on a light ground, under an image."""
    rects = [pymupdf.Rect(s["bbox"]) for s in page.get_texttrace() if _invisible_span(page, s)]
    rects += text_under_images(page)
    for rect in rects:
        page.add_redact_annot(rect)
    if rects:
        page.apply_redactions(
            images=pymupdf.PDF_REDACT_IMAGE_NONE,
            graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
            text=pymupdf.PDF_REDACT_TEXT_REMOVE,
        )
    return len(rects)


def _invisible_span(page: pymupdf.Page, span: dict[str, Any]) -> bool:
    if not "".join(chr(c[0]) for c in span["chars"]).strip():
        return False
    if span["type"] == 3 or span["opacity"] == 0:
        return True
    color = span.get("color") or ()
    if color and all(channel >= 0.9 for channel in color):
        return _light_under(page, span["bbox"])
    return False


def _light_under(page: pymupdf.Page, bbox: Sequence[float]) -> bool:
    clip = pymupdf.Rect(bbox) & page.rect
    if clip.is_empty:
        return True
    pixmap = page.get_pixmap(clip=clip, dpi=72, colorspace=pymupdf.csGRAY, alpha=False)
    return float(np.frombuffer(pixmap.samples, dtype=np.uint8).mean()) >= _WHITE_BACKGROUND


def _blur_pdf_images(doc: pymupdf.Document, detector: FaceDetector) -> int:
    blurred, seen = 0, set()
    for page in doc:
        for info in page.get_images(full=True):
            xref = info[0]
            if xref in seen:
                continue
            seen.add(xref)
            pixmap = pymupdf.Pixmap(doc, xref)
            if pixmap.alpha or pixmap.colorspace is None or pixmap.colorspace.n != 3:
                pixmap = pymupdf.Pixmap(pymupdf.csRGB, pixmap, 0) if pixmap.colorspace else pixmap
            if pixmap.n < 3 or min(pixmap.width, pixmap.height) < 16:
                continue
            rgb = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, pixmap.n)
            rgb = np.ascontiguousarray(rgb[:, :, :3])
            fixed, count = obscure_faces(rgb, detector)
            if count:
                buffer = io.BytesIO()
                Image.fromarray(fixed, "RGB").save(buffer, format="JPEG", quality=92)
                page.replace_image(xref, stream=buffer.getvalue())
                blurred += count
    return blurred
