"""Face check: real photos from ../shared (skipped when absent) and synthetic edge cases."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

import scanner.detectors.face
from scanner.detectors.face.centerface import (
    FaceBox,
    model_path,
    non_max_suppression,
    search_scales,
    tile_overlap,
    tile_spans,
)
from scanner.detectors.face.detector import FaceDetector
from scanner.detectors.face.weights import MODEL_SHA256
from scanner.ingest.image import to_rgb_array
from scanner.ingest.page import Page

TWO_FACES = {"faces/two_people.jpg", "faces/kit_with_rose.jpg"}
# Negatives that once scored as faces at a low threshold (circles, pixel art): kept as regressions.
HARD_NEGATIVES = [f"dev/logo/photo_{n:02d}.jpg" for n in (4, 5, 8, 39)]


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def rgb_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return to_rgb_array(ImageOps.exif_transpose(image))


def page_of(rgb: np.ndarray) -> Page:
    return Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0]))


def labelled(shared: Path, wanted) -> list[str]:
    with open(shared / "labels.csv", newline="") as handle:
        return [row["path"] for row in csv.DictReader(handle) if wanted(row)]


def test_model_is_the_pinned_one_in_the_package_data() -> None:
    """The model travels in smscan's own package (tests/test_install.py installs the wheel)."""
    path = model_path()
    assert path.parent == Path(scanner.detectors.face.__file__).parent / "data"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256


def test_search_scales_keep_small_faces_on_big_photos() -> None:
    fine, *rest = search_scales(4000, 3000)
    assert 0.6 <= fine < 1.0  # a 20 px face still reaches the network at >= 12 px
    assert rest and rest[0] < fine  # plus a coarse pass for faces filling the frame
    assert search_scales(320, 240)[0] > 1.0  # thumbnails are enlarged, not shrunk


def test_nms_keeps_the_best_of_overlapping_boxes() -> None:
    kept = non_max_suppression(
        [FaceBox(0, 0, 100, 100, 0.6), FaceBox(5, 5, 105, 105, 0.9), FaceBox(300, 300, 340, 340, 0.7)], 0.3
    )
    assert [b.score for b in kept] == [0.9, 0.7]


@pytest.mark.parametrize("shape", [(4, 4, 3), (50, 3000, 3), (600, 800, 3)])
def test_no_faces_in_flat_or_degenerate_images(detector: FaceDetector, shape: tuple[int, int, int]) -> None:
    assert detector.detect(page_of(np.full(shape, 200, np.uint8))) == []


def test_no_faces_in_noise(detector: FaceDetector) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (900, 1200, 3), dtype=np.uint8)
    assert detector.detect(page_of(noise)) == []


def test_every_labelled_face_photo_has_its_faces(detector: FaceDetector, shared_data: Path) -> None:
    missed = []
    for rel in labelled(shared_data, lambda r: "face" in r["kinds"].split("|") or r["group"].startswith("face")):
        findings = detector.detect(page_of(rgb_of(shared_data / rel)))
        expected = 2 if rel in TWO_FACES else 1
        if len(findings) < expected:
            missed.append((rel, len(findings)))
        for finding in findings:
            assert finding.kind == "face" and finding.label == "face"
            assert finding.bbox is not None and 0 < finding.confidence <= 1
    assert not missed


def test_no_faces_on_negative_photos_documents_and_logos(detector: FaceDetector, shared_data: Path) -> None:
    # Every negative photo, one of each decoy kind, two documents (the full sweep is in eval).
    images = labelled(shared_data, lambda r: r["group"] == "neg-photo")
    for group in ("neg-decoy-austria", "neg-decoy-bars", "neg-decoy-peru", "neg-decoy-text"):
        images += labelled(shared_data, lambda r, g=group: r["group"] == g)[:1]
    images += labelled(shared_data, lambda r: r["group"] == "neg-doc" and r["path"].endswith(".png"))[:2]
    flagged = []
    for rel in [*images, *HARD_NEGATIVES]:
        if (shared_data / rel).is_file() and detector.detect(page_of(rgb_of(shared_data / rel))):
            flagged.append(rel)
    assert images and not flagged


def _small_faces_scene(shared: Path, face_width: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A 12 MP JPEG with five real faces pasted at about `face_width` px across."""
    background = Image.open(shared / "dev/neg/photo_00.jpg").convert("RGB").resize((4000, 3000))
    canvas = np.asarray(background).copy()
    sources = [("faces/obama.jpg", 251), ("faces/biden.jpg", 288), ("faces/johnsnow_test1.jpg", 176),
               ("faces/rose_leslie.jpg", 239), ("dev/face/astronaut_2.jpg", 198)]  # fmt: skip
    placed = []
    for index, (rel, width_in_source) in enumerate(sources):
        image = Image.open(shared / rel).convert("RGB")
        scale = face_width / width_in_source
        small = np.asarray(image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS))
        x, y = 300 + index * 700, 1000 + (index % 2) * 800
        canvas[y : y + small.shape[0], x : x + small.shape[1]] = small
        placed.append((x, y, x + small.shape[1], y + small.shape[0]))
    buffer = io.BytesIO()
    Image.fromarray(canvas).save(buffer, "JPEG", quality=70)
    return np.asarray(Image.open(buffer).convert("RGB")), placed


def test_small_faces_in_a_large_jpeg(detector: FaceDetector, shared_data: Path) -> None:
    rgb, placed = _small_faces_scene(shared_data, face_width=22)
    findings = detector.detect(page_of(rgb))
    centres = [((f.bbox[0] + f.bbox[2]) / 2, (f.bbox[1] + f.bbox[3]) / 2) for f in findings if f.bbox]
    found = [any(x0 <= cx <= x1 and y0 <= cy <= y1 for cx, cy in centres) for x0, y0, x1, y1 in placed]
    assert sum(found) == len(placed)
    assert len(findings) == len(placed)  # and nothing else in the scene


@pytest.mark.parametrize("angle", [30, 90])
def test_turned_and_rotated_faces(detector: FaceDetector, shared_data: Path, angle: int) -> None:
    image = Image.open(shared_data / "faces/two_people.jpg").convert("RGB")
    assert len(detector.detect(page_of(np.asarray(image.rotate(angle, expand=True))))) == 2
    squeezed = image.resize((image.width // 2, image.height))  # a face seen from the side is narrower
    assert len(detector.detect(page_of(np.asarray(squeezed)))) == 2


def test_detect_is_thread_safe(detector: FaceDetector, shared_data: Path) -> None:
    rgb = rgb_of(shared_data / "faces/two_people.jpg")
    results: list[int] = []

    def work() -> None:
        results.append(len(detector.detect(page_of(rgb))))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [2, 2, 2]


@pytest.mark.parametrize("length", [1, 640, 1024, 1025, 1100, 1837, 2450, 5000, 7371])
def test_tiles_cover_the_image_and_share_the_overlap(length: int) -> None:
    spans = tile_spans(length, 1024, 128)
    assert spans[0][0] == 0 and spans[-1][1] == length
    assert all(end - start <= 1024 for start, end in spans)
    assert all(previous[1] - start >= 128 for previous, (start, _) in itertools.pairwise(spans))


@pytest.mark.parametrize("face_width", [90, 500])  # smaller and larger than the tiles' overlap
def test_a_face_across_a_tile_border_is_found_once(detector: FaceDetector, shared_data: Path, face_width: int) -> None:
    width, height = 4000, 3000
    scales = search_scales(width, height)
    fine = scales[0]
    (_, border), *_ = tile_spans(round(width * fine), 1024, tile_overlap(scales))  # end of the first tile
    assert border < width * fine, "the scene must be cut into tiles for this test to mean anything"
    face = Image.open(shared_data / "faces/obama.jpg").convert("RGB")  # the face is 251 px across
    scale = face_width / 251
    face = face.resize((round(face.width * scale), round(face.height * scale)), Image.LANCZOS)
    background = Image.open(shared_data / "dev/neg/photo_00.jpg").convert("RGB").resize((width, height))
    centre_x = round(border / fine)
    background.paste(face, (centre_x - face.width // 2, 1000))
    findings = detector.detect(page_of(np.asarray(background)))
    assert len(findings) == 1
    x0, _, x1, _ = findings[0].bbox
    assert x0 < centre_x < x1
