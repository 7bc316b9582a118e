"""Seconds per 12 MP photo for the logo check on one core (`cv2.setNumThreads(1)`).

Scenes are composed like the tests: a textured 4000 x 3000 photo with, in turn, nothing,
a signature 10% wide, and an inverted wordmark; the page's RGB is decoded beforehand so that
only the detector is timed (ingest is measured elsewhere).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REPEATS = 3
SIZE = (4000, 3000)  # 12 MP


def _scenes() -> dict[str, object]:
    import numpy as np

    from tests.logo_cases import Distortion, compose, official_artwork, scene, statcan_artwork

    background = scene(*SIZE, seed=3)
    rng = np.random.default_rng(5)  # fine texture, as in real photos, gives SIFT work to do
    background = np.clip(background + rng.normal(0, 10, background.shape), 0, 255).astype(np.uint8)
    signature = official_artwork("sig-blk-en")
    wordmark = official_artwork("wmms-spl-en")
    return {
        "no logo": background,
        "signature 10% wide": compose(
            signature if signature is not None else statcan_artwork(), Distortion(0.1, 8, jpeg=80), background
        ),
        "wordmark inverted": compose(
            wordmark if wordmark is not None else statcan_artwork(),
            Distortion(0.25, -10, invert=True, jpeg=80),
            background,
        ),
    }


def bench_logo() -> dict:
    import cv2

    from scanner.detectors.logo.detector import LogoDetector
    from tests.logo_cases import page_of

    cv2.setNumThreads(1)
    started = time.perf_counter()
    detector = LogoDetector()
    load_seconds = time.perf_counter() - started
    per_scene = {}
    for name, image in _scenes().items():
        page = page_of(image)
        cpu, wall, findings = [], [], []
        for _ in range(REPEATS):
            began, began_cpu = time.perf_counter(), time.process_time()
            findings = detector.detect(page)
            cpu.append(time.process_time() - began_cpu)
            wall.append(time.perf_counter() - began)
        per_scene[name] = {
            "cpu_seconds": round(min(cpu), 3),
            "wall_seconds": round(min(wall), 3),
            "labels": [f.label for f in findings],
        }
    # CPU time of this (single-threaded) process; wall time also counts waiting for a busy machine.
    worst = max(s["cpu_seconds"] for s in per_scene.values())
    return {
        "logo_seconds_per_12mp_photo": worst,
        "target_seconds": 0.3,
        "template_load_seconds": round(load_seconds, 3),
        "scenes": per_scene,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_logo(), indent=2))
