"""`smscan doctor` and `smscan setup templates` as a person runs them: real processes, this
machine's real Tesseract, model, templates and npm; missing parts made by pointing smscan at
empty folders."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner import doctor
from scanner.detectors.logo.locations import OFFICIAL_SVGS, WITHOUT_TEMPLATES, missing_official
from scanner.errors import EXIT_INSTALLATION
from scanner.version import LICENSE, __version__

SMSCAN = [sys.executable, "-m", "scanner.cli"]


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LANG": "C.UTF-8", **env}
    return subprocess.run([*SMSCAN, *args], cwd=cwd, capture_output=True, text=True, env=environment, timeout=300)


def test_a_full_installation_is_healthy(tmp_path):
    """`make test` installs everything the scanner needs, so here the doctor finds nothing missing."""
    result = run("doctor", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"smscan {__version__} ({LICENSE}); source: ")
    for name in ("Tesseract OCR", "Tesseract language data", "face model", "logo models", "logo templates"):
        assert any(line.split()[0] == "ok" and f" {name}: " in line for line in lines), (name, result.stdout)
    assert lines[-1] == "smscan can run fully."


def test_missing_language_data_and_templates_exit_69_with_their_fixes(tmp_path):
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "logos").mkdir()
    result = run("doctor", cwd=tmp_path, TESSDATA_PREFIX=str(tmp_path / "tessdata"),
                 SMSCAN_LOGO_TEMPLATES=str(tmp_path / "logos"))
    assert result.returncode == EXIT_INSTALLATION == 69
    out = result.stdout
    assert "MISSING             Tesseract language data: eng, fra, osd not all found in" in out
    assert "fix: apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra" in out
    assert "MISSING             logo templates: sig-blk-en.svg" in out
    assert "fix: smscan setup templates" in out
    assert "ok                  face model" in out  # what is there is still said to be there
    assert out.splitlines()[-1] == "smscan cannot run fully: Tesseract language data, logo templates missing."


def test_json_says_the_same(tmp_path):
    (tmp_path / "logos").mkdir()
    result = run("doctor", "--json", cwd=tmp_path, SMSCAN_LOGO_TEMPLATES=str(tmp_path / "logos"))
    assert result.returncode == 69
    answer = json.loads(result.stdout)
    parts = {p["name"]: p for p in answer["parts"]}
    assert answer["healthy"] is False
    assert parts["logo templates"]["ok"] is False and parts["logo templates"]["required"] is True
    assert parts["face model"]["ok"] is True
    assert parts["Chromium"]["required"] is False  # optional parts never make the doctor fail


def test_a_missing_or_damaged_face_model_is_found(tmp_path, monkeypatch):
    import scanner.detectors.face.weights as weights

    monkeypatch.setattr(weights, "MODEL_PATH", tmp_path / "centerface.onnx")
    missing = doctor.face_model()
    assert not missing.ok and "is missing" in missing.detail and "make model" in missing.fix
    (tmp_path / "centerface.onnx").write_bytes(b"not the model")
    damaged = doctor.face_model()
    assert not damaged.ok and "damaged" in damaged.detail
    assert not doctor.healthy([damaged])


def test_missing_or_damaged_logo_networks_are_found(tmp_path, monkeypatch):
    import shutil

    from scanner.detectors.logo import learned

    shutil.copytree(learned.MODEL_DIR, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(learned, "MODEL_DIR", tmp_path)
    assert doctor.logo_models().ok
    (tmp_path / learned.VERIFIER_FILE).write_bytes(b"not the network")
    (tmp_path / learned.JUDGE_FILE).unlink()
    damaged = doctor.logo_models()
    assert not damaged.ok and damaged.detail.startswith("verifier.onnx, judge.onnx in ")
    assert "reinstall" in damaged.fix and not doctor.healthy([damaged])


def test_setup_templates_installs_then_leaves_them(tmp_path):
    """It installs the artwork, then prepares what the logo check derives from it in the user's cache
    (the first check after installing would otherwise pay for it)."""
    folder, cache = tmp_path / "logos", tmp_path / "cache"
    first = run("setup", "templates", cwd=tmp_path, SMSCAN_LOGO_TEMPLATES=str(folder), SMSCAN_CACHE_DIR=str(cache))
    assert first.returncode == 0, first.stderr
    assert not missing_official([folder])
    assert f"installed {', '.join(f'{n}.svg' for n in OFFICIAL_SVGS)} into {folder}" in first.stdout
    prepared = sorted(cache.glob("logo/*.npz"))
    # 4 rendered SVGs, 2 drawings, the SIFT features of every template and its inverted copy (the
    # English and French wordmarks draw the same pixels: one entry for both)
    assert len(prepared) == 4 + 2 + 2 * 4
    again = run("setup", "templates", cwd=tmp_path, SMSCAN_LOGO_TEMPLATES=str(folder), SMSCAN_CACHE_DIR=str(cache))
    assert again.returncode == 0 and "already in" in again.stdout
    assert sorted(cache.glob("logo/*.npz")) == prepared


def test_setup_templates_without_a_registry_fails_fast_with_one_line(tmp_path):
    """An unreachable registry and an empty npm cache: one line with npm's reason, exit 69, at
    once (npm's own retries would take 72 s; the guard here is only against a hang)."""
    result = run("setup", "templates", cwd=tmp_path, SMSCAN_LOGO_TEMPLATES=str(tmp_path / "logos"),
                 npm_config_registry="http://127.0.0.1:9/", npm_config_cache=str(tmp_path / "npm-cache"))
    assert result.returncode == 69
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "npm could not fetch @gcds-core/components@1.3.1: connect ECONNREFUSED 127.0.0.1:9" in lines[0]
    assert WITHOUT_TEMPLATES in lines[0]  # what the scanner will miss
    assert not (tmp_path / "logos").exists() or not any((tmp_path / "logos").iterdir())


def test_setup_templates_without_npm_says_so(tmp_path):
    python_only = str(Path(sys.executable).parent)  # no npm there
    result = run("setup", "templates", cwd=tmp_path, SMSCAN_LOGO_TEMPLATES=str(tmp_path / "logos"),
                 PATH=python_only)
    assert result.returncode == 69
    assert len(result.stderr.strip().splitlines()) == 1
    assert "npm, which fetches them, is not installed (Debian: apt-get install npm)" in result.stderr


@pytest.mark.parametrize("reason, stderr", [
    ("connect ECONNREFUSED 127.0.0.1:9", "npm error code ECONNREFUSED\nnpm error FetchError: request to "
                                         "http://127.0.0.1:9/x failed, reason: connect ECONNREFUSED 127.0.0.1:9\n"),
    ("code E404", "npm error code E404\nnpm error 404 Not Found - GET http://r/x\n"),
    ("no reason given", ""),
])
def test_npm_reason_is_the_line_a_person_can_act_on(reason, stderr):
    from scanner.setup import npm_reason

    assert npm_reason(stderr) == reason


def test_every_scan_without_templates_says_so_once_and_in_every_report(tmp_path):
    from samplegen.documents import encoded, photo_like

    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(encoded(photo_like(), "JPEG"))
    (tmp_path / "logos").mkdir()
    result = run("--json", "--workers", "2", "a.jpg", "b.jpg", cwd=tmp_path,
                 SMSCAN_LOGO_TEMPLATES=str(tmp_path / "logos"))
    assert result.returncode == 0, result.stderr
    warning = "smscan: warning: official logo templates are missing (sig-blk-en.svg, sig-blk-fr.svg, wmms-spl-en.svg"
    assert result.stderr.count(warning) == 1, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == 2 and all("run `smscan setup templates`" in r["warnings"][0] for r in reports)
    with_templates = run("--json", "a.jpg", cwd=tmp_path)  # the installed templates: nothing to say
    assert with_templates.returncode == 0 and "warning" not in with_templates.stderr
    assert json.loads(with_templates.stdout)["warnings"] == []
