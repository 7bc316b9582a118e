"""Train the drawn-face second stage (scanner/detectors/face/drawn_model.json), reproducibly.

Material, all from packages (never from evaluation files):
  drawn:  Debian `openclipart-png` (people, playing-card figures), `fonts-noto-color-emoji` (faces
          rendered by this script), the cartoon Megamind.avi in Debian `opencv-doc`, and line
          engravings (samplegen.drawings) made from the photos below;
  photos: photos of people in the scikit-image and matplotlib wheels (`pip download --no-deps
          scikit-image matplotlib`, unpacked into --wheels), Debian `opencv-doc` sample photos and
          its pedestrian video vtest.avi. (Wallpapers were left out: many are paintings or
          digital art, and CenterFace's hits on them are no faces of people.)
Faces are those CenterFace finds (the detector's own boxes); each is measured as found, in grey,
as a book scan (grey, blur, grain) and as a JPEG at quality 30, so that a scanned engraving and a
scanned photo are both seen. A logistic regression over scanner.detectors.face.drawn.FEATURES is
fitted; its threshold is the highest P(drawn) any photo face gets in 5-fold cross-validation
(folds by source file), plus a margin, so no photo measured would be called drawn. Line
engravings, few among the drawings, get a cut-off of their own: a black-and-white face whose edge
density is above every photo face's (plus a margin).

    python -m tools.faces.train_drawn --wheels /path/to/unpacked/wheels [--out FILE]
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samplegen.drawings import book_page_with, engraving
from scanner.detectors.face.detector import FaceDetector
from scanner.detectors.face.drawn import FEATURES, MODEL_FILE, face_patch, features, judged

OPENCLIPART = Path("/usr/share/openclipart/png")
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
PHOTOS_IN_WHEELS = ("skimage/data/astronaut.png", "skimage/data/camera.png",
                    "matplotlib/mpl-data/sample_data/grace_hopper.jpg")  # fmt: skip
OPENCV_PHOTOS = ("messi5.jpg", "basketball1.png", "basketball2.png", "home.jpg", "pca_test1.jpg")
EMOJI_FACES = [chr(code) for code in range(0x1F600, 0x1F64F + 1)] + [chr(c) for c in range(0x1F910, 0x1F92F + 1)]
MARGIN = 0.05  # added to the highest photo probability
ENGRAVING_MARGIN = 0.05  # added to the highest edge density of a photo face
ENGRAVING_GREY = 0.9  # share of colourless pixels from which a picture counts as black and white
SEED = 12


def rgb_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            ground = Image.new("RGBA", image.size, "white")
            ground.alpha_composite(image)
            image = ground
        return np.asarray(image.convert("RGB"))


def frames(video: Path, every: int) -> Iterator[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            return
        if index % every == 0:
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        index += 1


def emoji_sheets() -> Iterator[tuple[str, np.ndarray]]:
    """Emoji faces drawn on white, eight to a sheet, at the font's bitmap size (109 px)."""
    font = ImageFont.truetype(str(EMOJI_FONT), 109)
    for start in range(0, len(EMOJI_FACES), 8):
        sheet = Image.new("RGB", (8 * 160 + 40, 220), "white")
        draw = ImageDraw.Draw(sheet)
        for column, char in enumerate(EMOJI_FACES[start : start + 8]):
            draw.text((20 + 160 * column, 50), char, font=font, embedded_color=True)
        yield f"emoji-{start}", np.asarray(sheet)


def engravings(wheels: Path) -> Iterator[tuple[str, np.ndarray]]:
    """Each photo of people engraved in a few manners: fine or coarse, straight or slanted, crossed."""
    manners = ((4.0, 0.0, False), (6.0, 30.0, False), (5.0, -45.0, True), (3.5, 80.0, False), (7.0, 10.0, True))
    for name, rgb in photos_of_people(wheels):
        for period, angle, cross in manners:
            yield f"engraved-{name}", book_page_with(engraving(rgb, period, angle, cross))


def drawn_sources(wheels: Path) -> Iterator[tuple[str, np.ndarray]]:
    for folder in (OPENCLIPART / "people", OPENCLIPART / "recreation" / "games" / "cards"):
        for path in sorted(folder.rglob("*.png")):
            yield str(path), rgb_of(path)
    yield from emoji_sheets()
    for number, frame in enumerate(frames(OPENCV_DATA / "Megamind.avi", every=10)):
        yield f"megamind-{number // 6}", frame  # frames of one scene share a fold
    yield from engravings(wheels)


def photos_of_people(wheels: Path) -> Iterator[tuple[str, np.ndarray]]:
    for name in PHOTOS_IN_WHEELS:
        yield name, rgb_of(wheels / name)
    for name in OPENCV_PHOTOS:
        yield name, rgb_of(OPENCV_DATA / name)


def photo_sources(wheels: Path) -> Iterator[tuple[str, np.ndarray]]:
    yield from photos_of_people(wheels)
    for number, frame in enumerate(frames(OPENCV_DATA / "vtest.avi", every=20)):
        yield f"vtest-{number // 8}", frame


def variants(rgb: np.ndarray, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """As found, in grey, as a book scan, as a poor JPEG."""
    yield rgb
    grey = cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    yield grey
    scan = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 0.8) + rng.normal(0, 6, grey.shape[:2])[..., None]
    yield np.clip(scan, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=30)
    yield np.asarray(Image.open(buffer).convert("RGB"))


def measured(
    sources: Iterator[tuple[str, np.ndarray]],
    detector: FaceDetector,
    rng: np.random.Generator,
    scales: tuple[float, ...],
) -> list[tuple[str, np.ndarray]]:
    rows = []
    for source, rgb in sources:
        for scale in scales:
            image = rgb if scale == 1.0 else cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            for box in detector.boxes(image):
                face = box.int_box(image.shape[1], image.shape[0])
                if not judged(face):
                    continue  # too small to tell: such a face is always taken for a photo
                for variant in variants(image, rng):
                    rows.append((source, features(face_patch(variant, face))))
    return rows


def measure_all(wheels: Path, cache: Path | None) -> tuple[list[tuple[str, np.ndarray]], list[tuple[str, np.ndarray]]]:
    if cache and cache.exists():
        saved = np.load(cache, allow_pickle=False)
        return _rows(saved["drawn_sources"], saved["drawn"]), _rows(saved["photo_sources"], saved["photo"])
    rng = np.random.default_rng(SEED)
    detector = FaceDetector()
    drawn = measured(drawn_sources(wheels), detector, rng, scales=(1.0, 0.5))
    photos = measured(photo_sources(wheels), detector, rng, scales=(1.0, 0.6, 0.35))  # fewer photos: more sizes
    if cache:
        np.savez(cache, drawn_sources=[s for s, _ in drawn], drawn=np.array([f for _, f in drawn]),
                 photo_sources=[s for s, _ in photos], photo=np.array([f for _, f in photos]))
    return drawn, photos


def _rows(sources: np.ndarray, values: np.ndarray) -> list[tuple[str, np.ndarray]]:
    return [(str(s), v) for s, v in zip(sources, values, strict=True)]


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method with an L2 penalty, classes weighted equally."""
    balance = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(x.shape[1] + 1)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(design @ theta)))
        gradient = design.T @ (balance * (p - y)) + l2 * np.r_[theta[:-1], 0]
        hessian = (design * (balance * p * (1 - p))[:, None]).T @ design + l2 * np.diag(np.r_[np.ones(x.shape[1]), 0])
        theta -= np.linalg.solve(hessian, gradient)
    weights, bias = theta[:-1], float(theta[-1])
    return weights, bias


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheels", type=Path, required=True, help="folder where the two wheels are unpacked")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--cache", type=Path, help="measured faces are kept here (.npz) to refit without detecting")
    args = parser.parse_args()
    drawn, photos = measure_all(args.wheels, args.cache)
    sources = [s for s, _ in drawn] + [s for s, _ in photos]
    x = np.array([f for _, f in drawn] + [f for _, f in photos])
    y = np.r_[np.ones(len(drawn)), np.zeros(len(photos))]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    folds = {s: i % 5 for i, s in enumerate(sorted(set(sources)))}
    fold = np.array([folds[s] for s in sources])
    held_out = np.zeros(len(y))
    for k in range(5):
        weights, bias = fit(z[fold != k], y[fold != k])
        held_out[fold == k] = 1 / (1 + np.exp(-(z[fold == k] @ weights + bias)))
    threshold = min(0.99, max(0.5, float(held_out[y == 0].max()) + MARGIN))
    weights, bias = fit(z, y)
    # Line engravings are few among the drawings, so the model above barely learns them; a
    # grey picture this full of edges is one, measured against every photo face and variant.
    edges = FEATURES.index("edges")
    engraving_edges = float(x[y == 0, edges].max()) + ENGRAVING_MARGIN
    engraved = np.array(["engraved" in s for s in sources])
    print(f"engravings: highest photo edge density {x[y == 0, edges].max():.3f} -> cut-off {engraving_edges:.3f}; "
          f"engraved faces above it {np.mean(x[engraved, edges] >= engraving_edges):.1%} "
          f"(grey at least {ENGRAVING_GREY})")
    print(f"faces measured: drawn {len(drawn)} (from {len({s for s, _ in drawn})} sources), "
          f"photo {len(photos)} (from {len({s for s, _ in photos})} sources), 4 variants each")
    print(f"cross-validated: highest photo P(drawn) {held_out[y == 0].max():.3f} -> threshold {threshold:.3f}")
    print(f"cross-validated: drawn faces above the threshold {np.mean(held_out[y == 1] >= threshold):.1%}, "
          f"photos above it {np.mean(held_out[y == 0] >= threshold):.1%}")
    model = {
        "features": list(FEATURES),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "weights": weights.round(6).tolist(),
        "bias": round(bias, 6),
        "threshold": round(threshold, 4),
        "engraving_edges": round(engraving_edges, 4),
        "engraving_grey": ENGRAVING_GREY,
        "trained_on": {"drawn_faces": len(drawn), "photo_faces": len(photos)},
    }
    args.out.write_text(json.dumps(model, indent=1) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
