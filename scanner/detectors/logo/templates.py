"""Logo templates: official artwork installed at set-up, user artwork, and drawn ones.

Template folders hold the official SVGs that `smscan setup templates` installs and any PNG/SVG
a user drops there; each file becomes a template labelled from its name. They are looked for in
SMSCAN_LOGO_TEMPLATES alone when it is set; otherwise in a source checkout's `templates/logos/`,
then the user's data folder, then the system's (platformdirs: ~/.local/share/smscan/logos,
/usr/local/share/smscan/logos, /usr/share/smscan/logos on Linux). A file name found in two
folders is taken from the first. Templates we draw ourselves (flag symbol, Statistics Canada
signature) are always available.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import platformdirs
import pymupdf

from scanner.detectors.logo import draw

APP_NAME = "smscan"
_SOURCE_ROOT = Path(__file__).resolve().parents[3]
OFFICIAL_SVGS = ("sig-blk-en", "sig-blk-fr", "wmms-spl-en", "wmms-spl-fr")
IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
RENDER_WIDTH = 640  # pixels; enough detail for features, small enough to match fast

# Official file stems map to the symbol they are; any other file is labelled by its stem.
_LABEL_PREFIXES = (("sig-", "gc-signature"), ("wmms-", "canada-wordmark"))


@dataclass(frozen=True)
class LogoTemplate:
    label: str  # symbol name reported in findings
    source: str  # file name, or "drawn"
    gray: np.ndarray  # dark artwork on a white background, uint8


def template_dirs() -> list[Path]:
    """Where templates are looked for, first first (see the module's docstring)."""
    chosen = os.environ.get("SMSCAN_LOGO_TEMPLATES")
    if chosen:
        return [Path(chosen)]
    folders = []
    if (_SOURCE_ROOT / "pyproject.toml").is_file():  # a checkout, not site-packages
        folders.append(_SOURCE_ROOT / "templates" / "logos")
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False, multipath=True)
    folders.append(Path(dirs.user_data_dir) / "logos")
    folders += [Path(site) / "logos" for site in dirs.site_data_dir.split(os.pathsep) if site]
    return folders


def install_dir(system: bool = False) -> Path:
    """Where `smscan setup templates` puts the official artwork: SMSCAN_LOGO_TEMPLATES when set,
    else the user's data folder, or with `system` the first system one (for services)."""
    chosen = os.environ.get("SMSCAN_LOGO_TEMPLATES")
    if chosen:
        return Path(chosen)
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return Path(dirs.site_data_dir if system else dirs.user_data_dir) / "logos"


def template_dir() -> Path:
    """The folder holding the official templates (the first that has them all), else where they go."""
    folders = template_dirs()
    return next((f for f in folders if not missing_official([f])), install_dir())


def label_for(stem: str) -> str:
    for prefix, label in _LABEL_PREFIXES:
        if stem.startswith(prefix):
            return label
    return stem


def missing_official(folders: list[Path] | None = None) -> list[str]:
    """Official SVGs in none of the template folders."""
    folders = template_dirs() if folders is None else folders
    names = [f"{n}.svg" for n in OFFICIAL_SVGS]
    return [name for name in names if not any((folder / name).is_file() for folder in folders)]


# What the logo check misses without the official artwork. Measured on ../shared/data/real with
# SMSCAN_LOGO_TEMPLATES pointing at an empty folder: logo recall 8/19 instead of 15/19 (block
# recall 27/40 instead of 34/40); the GC signature, the wordmark and departmental signatures in
# page headers and forms go unfound, while the drawn StatCan signature still finds its own.
WITHOUT_TEMPLATES = (
    "without them the logo check finds GC and departmental signatures and the Canada wordmark only through a "
    "flag symbol large enough to recognise by its shape (on real samples 8 of 19 logos found instead of 15)"
)
MISSING_TEMPLATES_WARNING = "official logo templates are missing ({names}): {without}; run `smscan setup templates`"


def missing_templates_warnings() -> tuple[str, ...]:
    missing = missing_official()
    return (MISSING_TEMPLATES_WARNING.format(names=", ".join(missing), without=WITHOUT_TEMPLATES),) if missing else ()


_VIEWBOX = re.compile(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')
_RELATIVE_SIZE = re.compile(rb'\s(width|height)="[\d.]*%"')


def _absolute_size(data: bytes) -> bytes:
    """Give an SVG with width/height="100%" the size of its viewBox (MuPDF would use A4)."""
    box = _VIEWBOX.search(data)
    if box is None or not _RELATIVE_SIZE.search(data):
        return data
    sizes = {b"width": box.group(1), b"height": box.group(2)}
    return _RELATIVE_SIZE.sub(lambda m: b' %s="%s"' % (m.group(1), sizes[m.group(1)]), data)


def render_svg(data: bytes, width: int = RENDER_WIDTH) -> np.ndarray:
    """Rasterise SVG artwork to gray on white (transparent parts become white)."""
    with pymupdf.open(stream=_absolute_size(data), filetype="svg") as doc:
        page = doc[0]
        zoom = width / page.rect.width
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=True)
    rgba = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)
    return _flatten_on_white(rgba)


def _flatten_on_white(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels
    colour = pixels[..., :3].astype(np.float32)
    if pixels.shape[2] == 4:
        alpha = pixels[..., 3:4].astype(np.float32) / 255.0
        colour = colour * alpha + 255.0 * (1.0 - alpha)
    return cv2.cvtColor(colour.astype(np.uint8), cv2.COLOR_RGB2GRAY)


def load_raster(path: Path, width: int = RENDER_WIDTH) -> np.ndarray:
    """Gray on white at `width` pixels, from an SVG or a raster file (alpha respected)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        return render_svg(data, width)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise ValueError(f"cannot decode {path}")
    if decoded.ndim == 3:  # OpenCV decodes BGR(A); flip to RGB(A)
        decoded = decoded[..., [2, 1, 0, 3][: decoded.shape[2]]]
    if decoded.dtype != np.uint8:
        decoded = (decoded / 257).astype(np.uint8)
    gray = _flatten_on_white(decoded)
    scale = width / gray.shape[1]
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _file_templates(folders: list[Path]) -> Iterable[LogoTemplate]:
    seen: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES or path.name.startswith(".") or path.name in seen:
                continue
            seen.add(path.name)
            try:
                gray = load_raster(path)
            except (ValueError, RuntimeError, OSError):
                continue  # unreadable artwork must not stop the scanner; it is just skipped
            yield LogoTemplate(label_for(path.stem), path.name, gray)


def drawn_templates() -> list[LogoTemplate]:
    rgb = draw.statcan_signature(height=round(RENDER_WIDTH * 0.125))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = RENDER_WIDTH / gray.shape[1]
    gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return [LogoTemplate("statcan-signature", "drawn", gray)]


def load_templates(folder: Path | None = None) -> list[LogoTemplate]:
    """Every template: installed and user files first, then the drawn ones."""
    return list(_file_templates([folder] if folder else template_dirs())) + drawn_templates()
