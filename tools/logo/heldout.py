"""Build the held-out logo set: full-size pictures composed from photos never used in training
(Debian's /usr/share/backgrounds), titles never drawn for training, a fixed seed. Never tune on it.

    python -m tools.logo.heldout build/logo-heldout --logos 240 --decoys 120
    python tools/logo/evaluate.py build/logo-heldout/labels.csv --by size,background,symbol,colour,pose

Each logo picture varies one artwork's width (10-70 % of the picture), the background (light:
pages and plain light; dark; busy: photos), colours (colour, monochrome, inverted on a dark
plate, translucent), angle (±20°), perspective, blur and JPEG quality (40-90). Decoys are placed
the same way.

`--split validation` builds the same kind of set from the training photos and titles with
another seed: the set to look at and tune on, so that the held-out one stays unseen.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import cv2
import numpy as np

from tools.logo import artwork, compose

SIZES = (0.10, 0.15, 0.20, 0.30, 0.45, 0.70)
SYMBOLS = ("gc-signature", "canada-wordmark", "statcan-signature", "departmental-signature", "flag-symbol")
DECOYS = (
    "peru",
    "austria",
    "lebanon",
    "red-bars",
    "bars-without-leaf",
    "maple-leaf",
    "crest",
    "other-wordmark",
    "canada-text",
    "government-text",
    "national-flag",
)
COLOURS = ("colour", "monochrome", "inverted", "translucent")
BACKGROUNDS = ("light", "dark", "busy")


def _logo_artwork(
    rng: np.random.Generator, symbol: str, flag_h: float, departments: tuple[tuple[str, str], ...]
) -> artwork.Artwork:
    if symbol == "gc-signature":
        art = artwork.official(str(rng.choice(["sig-blk-en", "sig-blk-fr"])), flag_h)
    elif symbol == "canada-wordmark":
        art = artwork.official(str(rng.choice(["wmms-spl-en", "wmms-spl-fr"])), flag_h)
    else:
        art = None
    if art is not None:
        return art
    if symbol == "canada-wordmark":
        return artwork.drawn_wordmark(artwork._fonts("serif")[0], flag_h)
    if symbol == "flag-symbol":
        return artwork.symbol(flag_h)
    font = artwork._fonts("sans")[0]
    if symbol == "statcan-signature":
        return artwork.signature([("Statistics", "Canada"), ("Statistique", "Canada")], font, flag_h)
    english, french = departments[int(rng.integers(len(departments)))]
    layout = rng.random()
    if layout < 0.5:
        titles = [artwork.two_lines(english), artwork.two_lines(french)]
        return artwork.signature(titles if rng.random() < 0.6 else titles[::-1], font, flag_h)
    return artwork.signature([(english,), (french,)], font, flag_h, columns=False)


def _decoy_artwork(
    rng: np.random.Generator, kind: str, flag_h: float, departments: tuple[tuple[str, str], ...]
) -> artwork.Artwork:
    serif, sans = artwork._fonts("serif"), artwork._fonts("sans")
    makers = {
        "peru": lambda: artwork.peru(flag_h, arms=bool(rng.random() < 0.5)),
        "austria": lambda: artwork.austria(flag_h),
        "lebanon": lambda: artwork.lebanon(flag_h),
        "red-bars": lambda: artwork.red_bars(flag_h, int(rng.integers(2, 5)), 1.0),
        "bars-without-leaf": lambda: artwork.red_bars(flag_h, 2, 2.0),
        "maple-leaf": lambda: artwork.maple_leaf(flag_h, str(rng.choice(["none", "circle", "square"]))),
        "crest": lambda: artwork.crest(rng, flag_h, str(rng.choice(artwork.OTHER_GOVERNMENTS)), sans[-1]),
        "other-wordmark": lambda: artwork.other_wordmark(
            rng, str(rng.choice(artwork.OTHER_GOVERNMENTS[:8])), serif[-1], flag_h
        ),
        "canada-text": lambda: artwork.words(("Canada",), str(rng.choice(serif + sans)), flag_h * 2.5, "canada"),
        "government-text": lambda: artwork.words(("Government of Canada", "Gouvernement du Canada"), sans[-1], flag_h),
        "national-flag": lambda: artwork.national_flag(flag_h),
    }
    return makers[kind]()


def _background(
    rng: np.random.Generator, kind: str, width: int, height: int, photos: list[np.ndarray], pages: list[np.ndarray]
) -> np.ndarray:
    if kind == "busy":
        photo = photos[int(rng.integers(len(photos)))]
        return cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA)
    if kind == "light":
        if rng.random() < 0.6:
            page = pages[int(rng.integers(len(pages)))]
            return cv2.resize(page, (width, height), interpolation=cv2.INTER_LINEAR)
        tone = rng.uniform(200, 250, 3)
    else:
        if rng.random() < 0.5:  # a photo at night: dark and still textured
            photo = photos[int(rng.integers(len(photos)))]
            return (cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA) * rng.uniform(0.15, 0.35)).astype(
                np.uint8
            )
        tone = rng.uniform(5, 55, 3)
    plain = np.full((height, width, 3), tone, np.float32) + rng.normal(0, 3, (height, width, 3)).astype(np.float32)
    return np.clip(plain, 0, 255).astype(np.uint8)


def _paint(colour: str) -> tuple[str, str]:
    """compose.place's scheme and plate for a colour version."""
    return {
        "colour": ("colour", "none"),
        "monochrome": ("black", "none"),
        "inverted": ("white", "dark"),
        "translucent": ("translucent", "none"),
    }[colour]


SPLITS = {  # photos and departmental titles
    "held-out": (compose.HELD_OUT_PHOTOS, artwork.HELD_OUT_DEPARTMENTS),
    "validation": (compose.TRAIN_PHOTOS, artwork.DEPARTMENTS),
}


def build(folder: Path, logos: int, decoys: int, seed: int = 2024, split: str = "held-out") -> None:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    roots, departments = SPLITS[split]
    photos = compose.load_photos(compose.photo_files(roots))
    if not photos:
        raise SystemExit(compose.missing_photos(roots))
    pages = compose.text_pages(rng, 8, fonts=("tiro", "cour", "helv"))
    rows = []
    for index in range(logos + decoys):
        is_logo = index < logos
        width = int(rng.choice([1024, 1600, 2400, 4000], p=[0.3, 0.35, 0.25, 0.1]))
        height = int(width * rng.choice([0.75, 0.5625, 1.33]))
        size = float(SIZES[index % len(SIZES)])
        background = str(BACKGROUNDS[(index // len(SIZES)) % len(BACKGROUNDS)])
        colour = str(rng.choice(COLOURS, p=[0.4, 0.3, 0.15, 0.15]))
        what = str(rng.choice(SYMBOLS, p=[0.25, 0.25, 0.15, 0.25, 0.1])) if is_logo else DECOYS[index % len(DECOYS)]
        if what == "flag-symbol" and colour in ("colour", "translucent"):
            colour = "monochrome"  # a red flag alone is the national flag: reported, not blocked
        scene = _background(rng, background, width, height, photos, pages)
        make = _logo_artwork if is_logo else _decoy_artwork
        probe = make(np.random.default_rng([seed, index]), what, 48, departments)
        own_flag = (
            float(np.linalg.norm(probe.quad[3] - probe.quad[0])) if probe.quad is not None else probe.size[1] * 0.8
        )
        flag_h = size * width * own_flag / probe.size[0]
        # The same drawing, sharper.
        art = make(np.random.default_rng([seed, index]), what, min(flag_h, 160), departments)
        angle = float(rng.uniform(-20, 20))
        tilt = float(rng.uniform(0.1, 0.3)) if rng.random() < 0.5 else 0.0
        half_w, half_h = size * width / 2, size * width * probe.size[1] / probe.size[0] / 2
        centre = (
            float(rng.uniform(half_w, max(half_w + 1, width - half_w))),
            float(rng.uniform(half_h + 2, max(half_h + 3, height - half_h - 2))),
        )
        if art.quad is not None:  # place() centres the flag symbol: move from artwork middle to flag
            offset = (art.quad.mean(axis=0) - np.float32(art.size) / 2) * (size * width / art.size[0])
            centre = (centre[0] + float(offset[0]), centre[1] + float(offset[1]))
        scheme, plate = _paint(colour)
        placed = compose.place(rng, scene, art, flag_h, centre, angle, tilt, scheme, plate)
        blur = float(rng.choice([0.0, 0.8, 1.5, 2.5])) * width / 1600
        if blur > 0:
            scene = cv2.GaussianBlur(scene, (0, 0), blur)
        quality = int(rng.choice([40, 60, 90]))
        name = f"{'logo' if is_logo else 'decoy'}_{index:03d}.jpg"
        cv2.imwrite(str(folder / name), scene[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        pose = "perspective" if tilt else ("rotated" if abs(angle) > 10 else "upright")
        rows.append(
            {
                "path": name,
                "expect": "block" if is_logo and what else "pass",
                "kinds": "logo" if is_logo else "",
                "group": f"{'logo' if is_logo else 'decoy'}-{what}",
                "size": f"{size:.2f}" if is_logo else "-",
                "background": background,
                "symbol": what,
                "colour": colour if is_logo else "-",
                "pose": pose,
                "blur": f"{blur:.1f}",
                "jpeg": str(quality),
                # Where the flag symbol is (pixels), to tell which stage of the check missed it.
                "flag_x": f"{placed.centre[0]:.0f}",
                "flag_y": f"{placed.centre[1]:.0f}",
                "flag_height": f"{placed.flag_height:.1f}",
            }
        )
    with open(folder / "labels.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} pictures in {folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--logos", type=int, default=240)
    parser.add_argument("--decoys", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--split", choices=tuple(SPLITS), default="held-out")
    args = parser.parse_args(argv)
    build(args.folder, args.logos, args.decoys, args.seed, args.split)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
