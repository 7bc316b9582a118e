"""Face check speed on one core: seconds per megapixel, and for a 12 MP photo.

The photos are made here (no data files needed): a textured 12 MP scene with no faces
measures the search itself, a 3 MP one the usual phone-crop size. Each figure is the
best of a few runs, after one warm-up (OpenCV plans the network on first use).
"""

from __future__ import annotations

import os

import cv2
import numpy as np

from bench.timing import best_of


def _scene(width: int, height: int, seed: int = 7) -> np.ndarray:
    """A photo-like image: smooth gradients and blobs plus sensor-like noise."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 64 + 1, width // 64 + 1, 3), dtype=np.uint8)
    base = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    noise = rng.normal(0, 8, (height, width, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def bench_face(repeats: int = 3) -> dict[str, float]:
    from scanner.detectors.face.detector import FaceDetector

    threads = cv2.getNumThreads()
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cv2.setNumThreads(1)
    if affinity:
        os.sched_setaffinity(0, {sorted(affinity)[0]})
    try:
        detector = FaceDetector()
        figures: dict[str, float] = {}
        for name, (width, height) in {"12mp": (4000, 3000), "3mp": (2000, 1500)}.items():
            rgb = _scene(width, height)
            detector.boxes(rgb)  # warm-up
            seconds = best_of(lambda rgb=rgb: detector.boxes(rgb), repeats)
            figures[f"seconds_{name}"] = round(seconds, 3)
            figures[f"seconds_per_mp_{name}"] = round(seconds / (width * height / 1e6), 3)
        return figures
    finally:
        cv2.setNumThreads(threads)
        if affinity:
            os.sched_setaffinity(0, affinity)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(bench_face())
