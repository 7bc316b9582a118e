"""`smscan fix` as a person runs it: exit codes, what it says, the copy and the before/after page."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pymupdf

from samplegen import fixable
from samplegen.documents import memo_pdf

SMSCAN = [sys.executable, "-m", "scanner.cli"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200"}
    return subprocess.run([*SMSCAN, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def test_a_copy_that_passes_exits_0_and_the_original_is_untouched(tmp_path: Path) -> None:
    original = tmp_path / "memo.pdf"
    original.write_bytes(fixable.memo_with_sin())
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    result = run("fix", "memo.pdf", "-o", "out/shareable.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a Social Insurance Number (******544): covered" in result.stdout
    assert "PASS  out/shareable.pdf" in result.stdout
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    again = run("--json", "out/shareable.pdf", cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout)["findings"] == []
    with pymupdf.open(tmp_path / "out/shareable.pdf") as doc:
        assert fixable.SIN not in doc[0].get_text()


def test_a_marked_file_gets_no_copy_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "memo.pdf").write_bytes(memo_pdf(header="PROTECTED B"))
    result = run("fix", "memo.pdf", "-o", "copy.pdf", cwd=tmp_path)
    assert result.returncode == 1 and not (tmp_path / "copy.pdf").exists()
    assert "no copy made: smscan fix does not remove security marking" in result.stdout
    french = run("fix", "memo.pdf", "-o", "copy.pdf", "--lang", "fr", cwd=tmp_path)
    assert "aucune copie" in french.stdout


def test_kept_kinds_give_a_copy_that_still_blocks(tmp_path: Path) -> None:
    (tmp_path / "memo.pdf").write_bytes(fixable.memo_with_sin())
    result = run("fix", "memo.pdf", "-o", "copy.pdf", "--keep", "pii", cwd=tmp_path)
    assert result.returncode == 1 and (tmp_path / "copy.pdf").exists()
    assert "BLOCK  copy.pdf" in result.stdout and "left in the copy, as asked" in result.stdout


def test_usage_mistakes_exit_64(tmp_path: Path) -> None:
    original = tmp_path / "memo.pdf"
    original.write_bytes(fixable.memo_with_sin())
    for args in (["-o", "memo.pdf"], ["-o", "./memo.pdf"], ["-o", "c.pdf", "--only", "markings"],
                 ["-o", "c.pdf", "--keep", "fcaes"], ["-o", "c.png"], ["-o", "c.pdf", "--style", "smudge"]):
        result = run("fix", "memo.pdf", *args, cwd=tmp_path)
        assert result.returncode == 64, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "c.pdf").exists()


def test_a_file_that_cannot_be_checked_exits_2(tmp_path: Path) -> None:
    (tmp_path / "cut.pdf").write_bytes(fixable.memo_with_sin()[:500])
    result = run("fix", "cut.pdf", "-o", "copy.pdf", cwd=tmp_path)
    assert result.returncode == 2 and not (tmp_path / "copy.pdf").exists()
    assert "could not be checked" in result.stdout and "Traceback" not in result.stderr


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.images += [dict(attrs)] if tag == "img" else []
        self.scripts += tag == "script"


def test_report_shows_the_file_and_its_copy_side_by_side(tmp_path: Path) -> None:
    name = "<script>alert(1)<.png"
    (tmp_path / name).write_bytes(fixable.screenshot_with_contacts())
    result = run("fix", name, "-o", "copy.png", "--report", "fix.html", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "fix.html").read_text("utf-8")
    parsed = _Images()
    parsed.feed(page)
    assert parsed.scripts == 0 and "&lt;script&gt;" in page  # the file's name is text, not markup
    sources = [image["src"] or "" for image in parsed.images]
    assert len(sources) == 2 and all(s.startswith("data:image/jpeg;base64,") for s in sources)
    assert sources[0] != sources[1]
    assert "2 e-mail addresses" not in page and "an e-mail address (j***@example.com): covered" in page
