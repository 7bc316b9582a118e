"""The drop page and JSON API, end to end: a real server, real files, real Chromium."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from samplegen.documents import memo_pdf
from scanner.policy import Policy
from scanner.ui.app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ONLY_MARKINGS = Policy.from_toml('[detectors]\ndisabled = ["face", "logo", "pii", "metadata", "conduct"]')
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    config = uvicorn.Config(create_app(ONLY_MARKINGS, "en", max_upload_mb=1), host="127.0.0.1", port=port,
                            log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not running.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def test_api_returns_the_same_objects_as_json_lines(server):
    files = [("files", ("memo.pdf", memo_pdf(header="PROTECTED B"), "application/pdf")),
             ("files", ("clean.pdf", memo_pdf(), "application/pdf"))]
    response = httpx.post(f"{server}/api/scan", files=files, timeout=120)
    assert response.status_code == 200
    memo, clean = response.json()
    assert memo["path"] == "memo.pdf" and memo["verdict"] == "block"
    assert memo["findings"][0]["label"] == "protected-b" and memo["findings"][0]["section"] == "2.6"
    assert clean["verdict"] == "pass" and clean["error"] is None and "previews" not in clean


def test_api_errors_are_clear(server):
    response = httpx.post(f"{server}/api/scan", data={"nothing": "here"}, timeout=30)
    assert response.status_code == 400 and "files" in response.json()["error"]
    big = [("files", ("big.png", b"\x89PNG" + b"0" * (2 * 2**20), "image/png"))]
    response = httpx.post(f"{server}/api/scan", files=big, timeout=30)
    assert response.status_code == 413 and "too large" in response.json()["error"]
    broken = [("files", ("broken.jpg", b"\xff\xd8\xff\xe0 broken", "image/jpeg"))]
    result = httpx.post(f"{server}/api/scan", files=broken, timeout=30).json()[0]
    assert result["verdict"] == "block" and "damaged JPEG" in result["error"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make install installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def drop_files(page, files: dict[str, bytes]) -> None:
    payload = [{"name": name, "b64": base64.b64encode(data).decode()} for name, data in files.items()]
    page.evaluate(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name));
            }
            const zone = document.getElementById("drop");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        payload,
    )


def test_dropped_files_show_verdicts_reasons_and_previews(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    assert page.locator("#drop").is_visible()
    drop_files(page, {"memo.pdf": memo_pdf(footer="CONFIDENTIAL"), "clean.pdf": memo_pdf()})
    page.wait_for_function("document.querySelectorAll('.result[data-verdict=pass], .result[data-verdict=block]')"
                           ".length === 2", timeout=120_000)
    blocked = page.locator(".result[data-verdict=block]")
    assert blocked.locator("h2").inner_text().endswith("memo.pdf")
    assert "marking confidential" in blocked.locator("li").first.inner_text()
    assert blocked.locator("img").count() >= 1
    assert page.locator(".result[data-verdict=pass] .verdict").inner_text() == "PASS"
    page.click("#lang")
    assert blocked.locator(".verdict").inner_text() == "BLOQUÉ"
    assert "information confidentielle" in blocked.locator("li").first.inner_text()
    page.close()


def test_a_folder_chosen_in_the_page_is_scanned_file_by_file(server, browser, tmp_path):
    folder = tmp_path / "slides"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "secret.pdf").write_bytes(memo_pdf(header="SECRET"))
    (folder / "notes.pdf").write_bytes(memo_pdf())
    page = browser.new_page()
    page.goto(server + "/?lang=fr")
    assert page.locator("h1").inner_text().startswith("smscan : vérifier")
    page.set_input_files("#pick-folder", str(folder))
    page.wait_for_function("document.querySelectorAll('.result[data-verdict=pass], .result[data-verdict=block]')"
                           ".length === 2", timeout=120_000)
    titles = json.loads(page.evaluate("JSON.stringify([...document.querySelectorAll('.result h2')]"
                                      ".map(h => h.textContent))"))
    assert any(t.startswith("BLOQUÉ") and t.endswith("inner/secret.pdf") for t in titles), titles
    assert any(t.startswith("ACCEPTÉ") and t.endswith("notes.pdf") for t in titles), titles
    page.close()
