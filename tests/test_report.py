"""The HTML report (--report) and the pictures of findings: names read from files are text, never
markup; captions of findings close together do not cover each other."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from samplegen.documents import memo_pdf
from samplegen.mail import message, zipped
from scanner.model import Finding
from scanner.report.previews import _free_spot, _overlap, _tag_candidates, draw_boxes

ROOT = Path(__file__).resolve().parents[1]
ONLY_MARKINGS = '[detectors]\ndisabled = ["face", "logo", "pii", "metadata", "conduct"]\n'
HOSTILE_MEMBER = "<img src=x onerror=alert(1)>.txt"
HOSTILE_ATTACHMENT = '"><svg onload=alert(2)>.pdf'
HOSTILE_FILE = "<script>alert(3)<!--.pdf"


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {name: value or "" for name, value in attrs}))

    Collect().feed(html)
    return found


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "policy.toml").write_text(ONLY_MARKINGS)
    (folder / "in").mkdir()
    (folder / "in" / "archive.zip").write_bytes(zipped({HOSTILE_MEMBER: b"PROTECTED B\nquarterly figures\n"}))
    mail = message(attachments={HOSTILE_ATTACHMENT: (memo_pdf(header="SECRET"), "application/pdf")})
    (folder / "in" / "mail.eml").write_bytes(mail.as_bytes())
    (folder / "in" / HOSTILE_FILE).write_bytes(memo_pdf(footer="CONFIDENTIAL"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "scanner.cli", "in", "--report", "report.html", "--policy",
                             "policy.toml", "--json"], cwd=folder, env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 1, result.stderr
    return (folder / "report.html").read_text()


def test_names_from_files_are_text_in_the_report(report_html):
    for name in (HOSTILE_MEMBER, HOSTILE_ATTACHMENT, HOSTILE_FILE):
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
        assert escaped in report_html, name
    tags = elements(report_html)
    assert {tag for tag, _ in tags} <= {"html", "head", "meta", "title", "style", "body", "h1", "p", "section", "h2",
                                        "span", "ol", "li", "b", "div", "figure", "img", "figcaption"}  # fmt: skip
    assert all(attrs["src"].startswith("data:image/jpeg;base64,") for tag, attrs in tags if tag == "img")
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert report_html.count('<section class="file"') == 3
    policy = next(attrs["content"] for tag, attrs in tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "script" not in policy


def test_the_report_runs_nothing_in_a_browser(report_html, tmp_path):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian's chromium is not installed (make install installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    (tmp_path / "report.html").write_text(report_html)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless=new", "--no-sandbox"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((tmp_path / "report.html").as_uri())
        assert page.evaluate("document.querySelectorAll('img[src=x], svg, script').length") == 0
        titles = page.locator("section h2").all_inner_texts()
        browser.close()
    assert dialogs == []
    assert any(title.endswith(HOSTILE_FILE) for title in titles), titles


def finding(box: tuple[int, int, int, int], label: str = "confidential") -> Finding:
    return Finding("marking", label, 0.9, 1, box, "", "2.6")


def test_captions_of_findings_close_together_do_not_cover_each_other():
    # A memo's header lines, 14 px apart: every caption wants the same spot above its box.
    boxes = [(100, 40 + 14 * i, 400, 52 + 14 * i) for i in range(5)] + [(380, 45, 560, 60)]
    placed: list[tuple[int, int, int, int]] = []
    for box in boxes:
        placed.append(_free_spot(_tag_candidates(box, 120, 18, 2), placed, (600, 800)))
    assert all(not _overlap(a, b) for i, a in enumerate(placed) for b in placed[i + 1 :]), placed
    assert all(x0 >= 0 and x1 <= 600 and y0 >= 0 and y1 <= 800 for x0, y0, x1, y1 in placed)
    # Drawn: the tags are really there, in the finding's colour, not one on top of another.
    picture = draw_boxes(Image.new("RGB", (600, 800), "white"), [(str(n), finding(b)) for n, b in enumerate(boxes, 1)])
    red = np.all(np.asarray(picture) == (220, 30, 30), axis=2).sum()
    assert red > 6 * 200
