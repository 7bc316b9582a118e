"""Drawn faces (engravings, clip art, emoji) are told from photographs: reported, not blocking."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from samplegen.drawings import book_page_with, engraving
from scanner.detectors.face.detector import FaceDetector
from scanner.detectors.face.drawn import FEATURES, MODEL_FILE, drawn_threshold, face_patch, features
from scanner.ingest.image import to_rgb_array
from scanner.ingest.page import Page
from scanner.policy import Policy


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def labels_on(detector: FaceDetector, rgb: np.ndarray) -> list[str]:
    return [f.label for f in detector.detect(Page(1, "image", lambda: rgb, (rgb.shape[1], rgb.shape[0])))]


def photo(shared: Path, name: str) -> np.ndarray:
    with Image.open(shared / name) as image:
        return to_rgb_array(ImageOps.exif_transpose(image))


@pytest.mark.parametrize("name", ["faces/obama.jpg", "faces/biden.jpg"])
def test_an_engraved_portrait_in_a_book_page_is_a_drawn_face(detector, shared_data: Path, name: str) -> None:
    picture = photo(shared_data, name)
    assert labels_on(detector, picture) == ["face"]  # the photograph itself
    engraved = labels_on(detector, book_page_with(engraving(picture)))
    assert engraved == ["drawn"]


def test_a_drawn_face_is_reported_without_blocking() -> None:
    policy = Policy()
    assert policy.level("face", "drawn") is None
    assert policy.level("face", "face") == 0.5


def test_every_labelled_face_photo_stays_a_photograph(detector, shared_data: Path) -> None:
    """The drawn stage must cost no face recall: every face in the labelled photos stays `face`."""
    for manifest in (shared_data / "labels.csv", shared_data / "real" / "labels.csv"):
        with open(manifest, newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if "face" in r["kinds"].split(";")]
        for row in rows:
            path = manifest.parent / row["path"]
            labels = labels_on(detector, photo(path.parent, path.name))
            assert "face" in labels, (row["path"], labels)


def test_features_are_bounded_and_named() -> None:
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)
    values = features(face_patch(noise, (100, 50, 180, 130)))
    assert values.shape == (len(FEATURES),) and np.all((values >= 0) & (values <= 1))
    flat = np.full((200, 300, 3), 200, np.uint8)
    flat_values = dict(zip(FEATURES, features(face_patch(flat, (100, 50, 180, 130))), strict=True))
    assert flat_values["flat"] == 1.0 and flat_values["colours"] < 0.01


def test_the_shipped_model_matches_the_features() -> None:
    model = json.loads(MODEL_FILE.read_text())
    assert model["features"] == list(FEATURES)
    assert len(model["weights"]) == len(FEATURES) and 0.5 <= drawn_threshold() < 1.0
