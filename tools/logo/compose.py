"""Scenes for the logo training and held-out sets: artwork placed on photos, screenshots and
plain or textured backgrounds, in the colours, poses and degradations of real pictures.

Photo sources are split: the training set uses Debian's desktop wallpapers under
/usr/share/wallpapers (plasma-workspace-wallpapers, desktop-base), the held-out set the photos
under /usr/share/backgrounds (ukui-wallpapers, sway-backgrounds, lomiri-wallpapers). GNOME and
MATE backgrounds (used by the shared development set) are never used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from scanner.detectors.logo import draw
from tools.logo.artwork import DECOY, Artwork

FIP_RED = np.array(draw.FIP_RED_RGB, np.float32)
PHOTO_SIDE = 1600  # backgrounds are kept at most this long side, in memory
TRAIN_PHOTOS = ("/usr/share/wallpapers",)
HELD_OUT_PHOTOS = ("/usr/share/backgrounds",)
# The Debian packages that put photos under each root.
PHOTO_PACKAGES = {
    TRAIN_PHOTOS: "plasma-workspace-wallpapers desktop-base",
    HELD_OUT_PHOTOS: "ukui-wallpapers sway-backgrounds lomiri-wallpapers",
}
_EXCLUDED = ("gnome", "mate")


def photo_files(roots: tuple[str, ...]) -> list[Path]:
    """One file per wallpaper theme (its largest rendition), sorted for reproducibility."""
    best: dict[Path, Path] = {}
    for root in map(Path, roots):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png") or any(x in str(path).lower() for x in _EXCLUDED):
                continue
            if "logo" in path.name.lower() or path.stat().st_size < 100_000:
                continue
            theme = path.parent.parent.parent if path.parent.name == "images" else path
            if theme not in best or path.stat().st_size > best[theme].stat().st_size:
                best[theme] = path
    return sorted(best.values())


def missing_photos(roots: tuple[str, ...]) -> str:
    """What to tell someone who builds a set without the photos it is composed on."""
    return f"no photos under {', '.join(roots)}: apt-get install {PHOTO_PACKAGES[roots]}"


def load_photos(paths: list[Path]) -> list[np.ndarray]:
    photos = []
    for path in paths:
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            continue
        scale = min(1.0, PHOTO_SIDE / max(bgr.shape[:2]))
        bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        photos.append(np.ascontiguousarray(bgr[..., ::-1]))
    return photos


def text_pages(
    rng: np.random.Generator, count: int, fonts: tuple[str, ...] = ("helv", "tiro", "cour")
) -> list[np.ndarray]:
    """Screenshot-like pages: headings, paragraphs and coloured bands in a few fonts."""
    words = [
        "the",
        "of",
        "and",
        "to",
        "in",
        "for",
        "statistics",
        "data",
        "report",
        "table",
        "figure",
        "survey",
        "results",
        "census",
        "program",
        "service",
    ]
    pages = []
    for _ in range(count):
        doc = pymupdf.open()
        page = doc.new_page(width=800, height=600)
        if rng.random() < 0.6:
            band = rng.uniform(0, 1, 3)
            page.draw_rect(pymupdf.Rect(0, 0, 800, rng.uniform(40, 120)), color=None, fill=tuple(band))
        y = float(rng.uniform(60, 140))
        while y < 580:
            size = float(rng.choice([9, 10, 11, 12, 14, 18, 24]))
            line = " ".join(rng.choice(words, int(rng.integers(3, 14))))
            page.insert_text((rng.uniform(10, 80), y), line, fontname=str(rng.choice(fonts)), fontsize=size)
            if rng.random() < 0.1:
                page.draw_rect(
                    pymupdf.Rect(40, y + 4, 400, y + 60), color=(0.3, 0.3, 0.3), fill=tuple(rng.uniform(0.6, 1, 3))
                )
                y += 60
            y += size * rng.uniform(1.3, 2.2)
        pix = page.get_pixmap(matrix=pymupdf.Matrix(1.5, 1.5))
        pages.append(np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, 3).copy())
    return pages


def procedural(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Smooth lighting, soft shapes, stripes and noise: a stand-in for busy photos."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = rng.uniform(10, 240, 3).astype(np.float32)
    light = 0.7 + 0.3 * np.sin(xx / width * rng.uniform(1, 6) + rng.uniform(0, 6)) * np.cos(
        yy / height * rng.uniform(1, 4)
    )
    image = base[None, None, :] * light[..., None]
    for _ in range(int(rng.integers(3, 30))):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = [float(c) for c in rng.uniform(0, 255, 3)]
        if rng.random() < 0.6:
            axes = (int(rng.integers(3, max(4, width // 3))), int(rng.integers(3, max(4, height // 3))))
            cv2.ellipse(image, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
        else:
            end = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.line(image, centre, end, colour, int(rng.integers(1, 12)))
    image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.5, 4)))
    image += rng.normal(0, rng.uniform(0, 15), image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


@dataclass
class Sources:
    photos: list[np.ndarray]
    pages: list[np.ndarray] = field(default_factory=list)

    def background(self, rng: np.random.Generator, width: int, height: int) -> tuple[np.ndarray, str]:
        """A background and its kind: photo, page, plain (light or dark) or procedural."""
        pick = rng.random()
        # Pages are a third: text is what a symbol finder most easily mistakes for titles.
        if pick < 0.4 and self.photos:
            return _crop(rng, self.photos[int(rng.integers(len(self.photos)))], width, height), "photo"
        if pick < 0.72 and self.pages:
            return _crop(rng, self.pages[int(rng.integers(len(self.pages)))], width, height), "page"
        if pick < 0.87:
            tone = rng.choice([rng.uniform(200, 255), rng.uniform(0, 60), rng.uniform(60, 200)])
            plain = np.full((height, width, 3), tone, np.float32) + rng.normal(0, 20, 3).astype(np.float32)
            plain += rng.normal(0, rng.uniform(0, 6), plain.shape).astype(np.float32)
            return np.clip(plain, 0, 255).astype(np.uint8), "plain"
        return procedural(rng, width, height), "procedural"


def _crop(rng: np.random.Generator, image: np.ndarray, width: int, height: int) -> np.ndarray:
    """A random region of `image` resized to width x height (zoomed in up to 3x, or out)."""
    fit = min(image.shape[1] / width, image.shape[0] / height)  # source px per output px at most
    per_pixel = min(fit, float(np.exp(rng.uniform(np.log(0.35), np.log(max(fit, 0.36))))))
    w, h = max(2, round(width * per_pixel)), max(2, round(height * per_pixel))
    y = int(rng.integers(0, image.shape[0] - h + 1))
    x = int(rng.integers(0, image.shape[1] - w + 1))
    region = image[y : y + h, x : x + w]
    out = cv2.resize(region, (width, height), interpolation=cv2.INTER_AREA if per_pixel > 1 else cv2.INTER_LINEAR)
    return np.ascontiguousarray(out[:, ::-1] if rng.random() < 0.5 else out)


@dataclass(frozen=True)
class Placed:
    """Where a piece of artwork ended up in a scene."""

    role: str
    name: str
    quad: np.ndarray | None  # flag symbol corners in the scene, TL TR BR BL
    box: tuple[int, int, int, int]  # the whole artwork's bounding box in the scene
    scheme: str

    @property
    def flag_height(self) -> float:
        q = self.quad
        return float((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2) if q is not None else 0.0

    @property
    def centre(self) -> np.ndarray:
        if self.quad is not None:
            return self.quad.mean(axis=0)
        x0, y0, x1, y1 = self.box
        return np.float32([(x0 + x1) / 2, (y0 + y1) / 2])

    @property
    def angle(self) -> float:
        """Radians, of the flag's top edge (positive = clockwise on screen, y down)."""
        q = self.quad
        if q is None:
            return 0.0
        top = (q[1] - q[0]) + (q[2] - q[3])
        return float(np.arctan2(top[1], top[0]))


SCHEMES = ("colour", "black", "white", "reversed", "mono", "translucent")


def _inks(rng: np.random.Generator, scheme: str, backdrop: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Flag and text colours and opacity for a colour scheme, readable on `backdrop` (mean RGB)."""
    light = float(backdrop.mean()) > 110
    dark_ink = rng.uniform(0, 50, 3).astype(np.float32)
    white_ink = rng.uniform(215, 255, 3).astype(np.float32)
    red = np.clip(FIP_RED + rng.normal(0, 12, 3), 0, 255).astype(np.float32)
    plain = dark_ink if light else white_ink
    if scheme == "colour":
        return red, plain, 1.0
    if scheme in ("black", "white"):
        return plain, plain, 1.0
    if scheme == "reversed":
        return red, white_ink if not light else dark_ink, 1.0
    if scheme == "mono":
        tone = rng.uniform(0, 255, 3).astype(np.float32)
        if abs(float(tone.mean()) - float(backdrop.mean())) < 70:
            tone = plain
        return tone, tone, 1.0
    return (red if rng.random() < 0.5 else plain), plain, float(rng.uniform(0.45, 0.8))


def _pose(
    rng: np.random.Generator, width: float, height: float, scale: float, angle_deg: float, tilt: float
) -> np.ndarray:
    """Artwork pixel -> scene offset (before translation): scale, perspective tilt, rotation."""
    src = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    shrink = tilt * height / 2
    if rng.random() < 0.5:  # the near edge on the left or on the right
        dst = np.float32([[0, 0], [width, shrink], [width, height - shrink], [0, height]])
    else:
        dst = np.float32([[0, shrink], [width, 0], [width, height], [0, height - shrink]])
    if rng.random() < 0.3:  # seen from below or above: vertical keystone
        k = float(rng.uniform(-0.12, 0.12)) * width
        dst += np.float32([[k, 0], [-k, 0], [0, 0], [0, 0]])
    dst *= scale
    theta = np.deg2rad(angle_deg)
    rotation = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    dst = dst @ rotation.T
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def place(
    rng: np.random.Generator,
    scene: np.ndarray,
    art: Artwork,
    flag_height: float,
    centre: tuple[float, float],
    angle: float = 0.0,
    tilt: float = 0.0,
    scheme: str | None = None,
    plate: str | None = None,
) -> Placed:
    """Draw `art` into `scene` (in place) so that its flag is `flag_height` px tall, centred at
    `centre` (the artwork's middle for decoys), rotated by `angle` degrees."""
    height, width = art.flag.shape
    own_flag = float(np.linalg.norm(art.quad[3] - art.quad[0])) if art.quad is not None else height * 0.8
    scale = flag_height / own_flag
    # Shrink with area averaging first: a warp alone would alias thin strokes.
    pre = min(1.0, scale * 1.5)
    flag_ink, text_ink = art.flag, art.text
    fixed = art.fixed
    if pre < 1.0:
        size = (max(2, round(width * pre)), max(2, round(height * pre)))
        flag_ink = cv2.resize(flag_ink, size, interpolation=cv2.INTER_AREA)
        text_ink = cv2.resize(text_ink, size, interpolation=cv2.INTER_AREA)
        fixed = cv2.resize(fixed, size, interpolation=cv2.INTER_AREA) if fixed is not None else None
    sx, sy = flag_ink.shape[1] / width, flag_ink.shape[0] / height
    plate = plate or str(rng.choice(["none", "light", "dark", "colour"], p=[0.45, 0.3, 0.15, 0.1]))
    pad = 0.0 if plate == "none" else float(rng.uniform(0.1, 0.6)) * own_flag * pre
    ph, pw = flag_ink.shape[0] + 2 * pad, flag_ink.shape[1] + 2 * pad
    warp = _pose(rng, pw, ph, scale / pre, angle, tilt)
    corners = cv2.perspectiveTransform(
        np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]).reshape(-1, 1, 2), warp
    ).reshape(4, 2)
    anchor = (
        (np.float32(art.quad).mean(axis=0) * [sx, sy] + pad) if art.quad is not None else np.float32([pw / 2, ph / 2])
    )
    moved = cv2.perspectiveTransform(anchor.reshape(1, 1, 2), warp).reshape(2)
    shift = np.float32(centre) - moved
    warp = np.float64([[1, 0, shift[0]], [0, 1, shift[1]], [0, 0, 1]]) @ warp
    size = (scene.shape[1], scene.shape[0])

    def warped(layer: np.ndarray) -> np.ndarray:
        padded = cv2.copyMakeBorder(layer, round(pad), round(pad), round(pad), round(pad), cv2.BORDER_CONSTANT, value=0)
        return cv2.warpPerspective(padded, warp, size, flags=cv2.INTER_LINEAR)

    a_flag, a_text = warped(flag_ink)[..., None], warped(text_ink)[..., None]
    out = scene.astype(np.float32)
    backdrop = _backdrop(rng, plate, out, corners + shift)
    if plate != "none":
        board = warped(np.ones(flag_ink.shape, np.float32))[..., None]
        out = out * (1 - board) + backdrop * board
    if fixed is not None:
        colours = cv2.warpPerspective(
            cv2.copyMakeBorder(fixed, round(pad), round(pad), round(pad), round(pad), cv2.BORDER_CONSTANT, value=0),
            warp,
            size,
            flags=cv2.INTER_LINEAR,
        ).astype(np.float32)
        alpha = colours[..., 3:4] / 255
        jitter = rng.uniform(0.8, 1.1)
        out = out * (1 - alpha) + np.clip(colours[..., :3] * jitter, 0, 255) * alpha
        backdrop = np.float32([255, 255, 255])
    scheme = scheme or str(rng.choice(SCHEMES, p=[0.35, 0.2, 0.15, 0.1, 0.1, 0.1]))
    if art.role != DECOY and fixed is not None:
        scheme = "colour"  # the national flag is red on white
    flag_colour, text_colour, opacity = _inks(rng, scheme, backdrop)
    out = out * (1 - a_flag * opacity) + flag_colour * a_flag * opacity
    out = out * (1 - a_text * opacity) + text_colour * a_text * opacity
    np.copyto(scene, np.clip(out, 0, 255).astype(np.uint8))
    quad = None
    if art.quad is not None:
        own = (np.float32(art.quad) * [sx, sy] + pad).reshape(-1, 1, 2)
        quad = cv2.perspectiveTransform(own, warp).reshape(4, 2)
    box_corners = corners + shift
    x0, y0 = np.floor(box_corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(box_corners.max(axis=0)).astype(int)
    return Placed(art.role, art.name, quad, (int(x0), int(y0), int(x1), int(y1)), scheme)


def _backdrop(rng: np.random.Generator, plate: str, scene: np.ndarray, corners: np.ndarray) -> np.ndarray:
    if plate == "light":
        return rng.uniform(225, 255, 3).astype(np.float32)
    if plate == "dark":
        return rng.uniform(0, 50, 3).astype(np.float32)
    if plate == "colour":
        return rng.uniform(0, 255, 3).astype(np.float32)
    h, w = scene.shape[:2]
    x0, y0 = np.clip(corners.min(axis=0), 0, [w - 1, h - 1]).astype(int)
    x1, y1 = np.clip(corners.max(axis=0), 1, [w, h]).astype(int)
    region = scene[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)]
    return region.reshape(-1, 3).mean(axis=0) if region.size else np.float32([128, 128, 128])


def degrade(rng: np.random.Generator, image: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Camera and file damage: colour cast, contrast, blur, noise, JPEG."""
    out = image.astype(np.float32)
    if rng.random() < 0.5 * strength:
        out = out * rng.uniform(0.85, 1.15, 3) + rng.uniform(-20, 20)
    if rng.random() < 0.3 * strength:
        out = 128 + (out - 128) * rng.uniform(0.5, 1.0)  # washed-out, low contrast
    if rng.random() < 0.5 * strength:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 1.6)))
    if rng.random() < 0.4 * strength:
        out += rng.normal(0, rng.uniform(2, 10), out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.6 * strength:
        _, data = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 95))])
        out = cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(out)
