from __future__ import annotations

from pathlib import Path

import pytest

from scanner import Scanner

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "labels.csv").is_file():
        pytest.skip("../shared/data is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def marking_scanner() -> Scanner:
    """Only the markings check: real Tesseract, nothing else to wait for."""
    return Scanner(detectors=["marking"])
