"""The `smscan` command as a person or a script runs it: real processes, real files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from samplegen.documents import encoded, memo_pdf, photo_like

SMSCAN = [sys.executable, "-m", "scanner.cli"]
ONLY_MARKINGS = "[detectors]\ndisabled = [\"face\", \"logo\", \"pii\", \"metadata\", \"conduct\"]\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200"}
    return subprocess.run([*SMSCAN, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "memo.pdf").write_bytes(memo_pdf(header="PROTECTED B"))
    (tmp_path / "docs" / "clean.pdf").write_bytes(memo_pdf())
    (tmp_path / "landscape.jpg").write_bytes(encoded(photo_like(), "JPEG"))
    (tmp_path / "policy.toml").write_text(ONLY_MARKINGS)
    return tmp_path


def test_exit_codes_follow_clamav(folder):
    assert run("landscape.jpg", "--policy", "policy.toml", cwd=folder).returncode == 0
    assert run("docs", "--policy", "policy.toml", cwd=folder).returncode == 1
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run("--policy", "policy.toml", "broken.png", "landscape.jpg", cwd=folder)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr


def test_json_lines_one_object_per_file_with_the_path_as_given(folder):
    result = run("--json", "docs", "landscape.jpg", "--policy", "policy.toml", "--workers", "2", cwd=folder)
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    by_path = {o["path"]: o for o in objects}
    assert set(by_path) == {"docs/memo.pdf", "docs/clean.pdf", "landscape.jpg"}, (result.returncode, result.stderr)
    assert by_path["docs/memo.pdf"]["verdict"] == "block"
    assert by_path["docs/memo.pdf"]["findings"][0]["label"] == "protected-b"
    assert by_path["docs/clean.pdf"] == {**by_path["docs/clean.pdf"], "verdict": "pass", "findings": [], "error": None}


def test_explicit_scan_subcommand_and_french_output(folder):
    result = run("scan", "docs/memo.pdf", "--lang", "fr", "--policy", "policy.toml", cwd=folder)
    assert result.returncode == 1
    assert "BLOQUÉ" in result.stdout and "information confidentielle" in result.stdout


def test_bad_policy_and_missing_path_are_one_line_errors(folder):
    (folder / "bad.toml").write_text("[block]\nface = 7\n")
    result = run("landscape.jpg", "--policy", "bad.toml", cwd=folder)
    assert result.returncode == 78 and len(result.stderr.strip().splitlines()) == 1
    assert "bad.toml line 2: [block] 'face' must be a confidence" in result.stderr
    result = run("no-such-file.png", "--policy", "policy.toml", cwd=folder)
    assert result.returncode == 2 and "no such file" in result.stdout


def test_eval_prints_recall_and_false_block_rate(folder):
    (folder / "manifest.csv").write_text(
        "path,expect,kinds,group\ndocs/memo.pdf,block,marking,memo\n"
        "docs/clean.pdf,pass,,neg\nlandscape.jpg,pass,,neg\n"
    )
    result = run("eval", "manifest.csv", "--json", "--policy", "policy.toml", cwd=folder)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["recall"]["marking"] == {"rate": 1.0, "n": 1}
    assert figures["false_block_rate"] == 0.0 and figures["negatives"] == 2


def test_html_report_and_annotated_images_put_boxes_on_the_findings(folder):
    result = run("docs", "--json", "--report", "report.html", "--annotate", "marked", "--policy", "policy.toml",
                 cwd=folder)
    memo = next(json.loads(line) for line in result.stdout.splitlines() if "memo.pdf" in line)
    x0, y0, _, y1 = memo["findings"][0]["bbox"]
    html = (folder / "report.html").read_text()
    assert html.count('<section class="file"') == 2 and 'data-verdict="block"' in html
    assert html.count("data:image/jpeg;base64,") == 2 and "protected-b" in html
    from PIL import Image

    annotated = Image.open(folder / "marked" / "docs__memo.pdf.p1.png").convert("RGB")
    # The box is drawn just outside the finding's bbox, in the markings colour.
    left_edge = [annotated.getpixel((x0 - 3, y)) for y in range(y0, y1)]
    assert all(pixel == (220, 30, 30) for pixel in left_edge)
    assert not (folder / "marked" / "docs__clean.pdf.p1.png").exists()



@pytest.mark.parametrize("option", ["--report", "--annotate"])
def test_a_report_place_that_cannot_be_written_is_a_one_line_error(folder, option):
    (folder / "taken").write_text("a file where a folder is wanted")
    result = run("docs", option, "taken/out", "--policy", "policy.toml", cwd=folder)
    assert result.returncode == 64 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "taken/out" in result.stderr
    assert result.stdout == ""  # said before scanning, not after

def test_a_check_that_cannot_start_is_one_line_not_a_traceback(folder):
    # An empty folder stands in for missing Tesseract language data. Tesseract is loaded when a
    # file needs OCR (the photo), not before: the text-layer PDFs alone are checked without it.
    (folder / "empty-tessdata").mkdir()
    env = {**os.environ, "TESSDATA_PREFIX": str(folder / "empty-tessdata")}
    for workers in ("1", "2"):
        result = subprocess.run([*SMSCAN, "docs", "landscape.jpg", "--policy", "policy.toml", "--workers", workers],
                                cwd=folder,
                                capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 69, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Tesseract language data" in result.stderr and "tesseract-ocr-fra" in result.stderr


def test_options_with_values_before_the_command_are_not_paths(folder):
    (folder / "manifest.csv").write_text("path,expect,kinds,group\ndocs/memo.pdf,block,marking,memo\n")
    result = run("--workers", "1", "--policy", "policy.toml", "eval", "manifest.csv", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recall"]["marking"]["rate"] == 1.0
    helped = run("--lang", "fr", "ui", "--help", cwd=folder)
    assert helped.returncode == 0 and "--port" in helped.stdout


def test_usage_errors_are_one_line_and_exit_64(folder):
    for args in (["--lang", "xx", "landscape.jpg"], ["--workers", "many", "landscape.jpg"], ["--no-such-option", "x"],
                 ["policy"]):
        result = run(*args, cwd=folder)
        assert result.returncode == 64, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "smscan speaks en (English) and fr (French)" in run("--lang", "xx", "a.png", cwd=folder).stderr


def test_help_and_version(folder):
    from scanner import __version__

    assert run("-h", cwd=folder).returncode == 0
    version = run("--version", cwd=folder)
    assert version.returncode == 0 and version.stdout.splitlines()[0] == f"smscan {__version__}"
    assert "exit codes" in run("--help", cwd=folder).stdout


def test_standard_input_and_a_draft_post(folder):
    image = (folder / "landscape.jpg").read_bytes()
    piped = subprocess.run([*SMSCAN, "-", "--json", "--policy", "policy.toml"], input=image, capture_output=True,
                           cwd=folder, timeout=300)
    assert piped.returncode == 0 and json.loads(piped.stdout)["path"] == "-"
    draft = run("--text", "PROTECTED B: the draft table, do not post", "--json", "--policy", "policy.toml", cwd=folder)
    assert draft.returncode == 1 and json.loads(draft.stdout)["findings"][0]["label"] == "protected-b"


def test_the_summary_counts_an_unreadable_file_once(folder):
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run("broken.png", "landscape.jpg", "docs/memo.pdf", "--policy", "policy.toml", cwd=folder)
    assert "3 files: 1 passed, 1 blocked, 1 could not be checked" in result.stdout


def test_a_folder_is_read_for_its_regular_files_only(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.pdf"
    outside.write_bytes(memo_pdf(header="PROTECTED B"))
    (folder / "docs" / "link.pdf").symlink_to(outside)
    os.mkfifo(folder / "docs" / "pipe")
    (folder / "docs" / ".git").mkdir()
    (folder / "docs" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = run("docs", "--json", "--policy", "policy.toml", cwd=folder)
    by_path = {o["path"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert result.returncode == 2
    assert "symbolic link" in by_path["docs/link.pdf"]["error"] and by_path["docs/link.pdf"]["findings"] == []
    assert "named pipe" in by_path["docs/pipe"]["error"]
    assert "docs/.git/HEAD" not in by_path and "docs/.git: version-control folder, not read" in result.stderr


def test_json_output_follows_the_published_schema(folder):
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[1] / "scanner" / "report" / "schema.json").read_text())
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run("docs", "landscape.jpg", "broken.png", "--json", cwd=folder)
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 4
    for report in objects:
        jsonschema.validate(report, schema)
    assert {o["checked"] for o in objects} == {True, False}
