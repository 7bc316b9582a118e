"""The drop page and its API, end to end: a real server, real files, real Chromium (Debian's,
driven by Playwright), axe-core for accessibility. Screenshots go to out/ui/ (not committed);
SMSCAN_SCREENSHOT_DOCS=1 also writes docs/drop-page.png, the README's picture."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from PIL import ExifTags, Image

from samplegen.documents import encoded, memo_pdf, photo_like
from scanner.policy import Policy
from scanner.ui.app import DropPage, create_app
from scanner.ui.jobs import PoolScans, Scanned, ScanService
from scanner.ui.messages import PAGE_MESSAGES, page_messages
from tests.test_report import elements

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "out" / "ui"
AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Markings and metadata only: real checks that take milliseconds, and metadata is fixable.
QUICK_CHECKS = Policy.from_toml('[detectors]\ndisabled = ["face", "logo", "pii", "conduct"]')
LIMIT_MB = 1
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ZOOM_400 = {"width": 320, "height": 256}  # 1280 x 1024 at 400 %
LONG_NAME = "Quarterly_Labour_Force_Survey_regional-breakdown.FINAL.approved_2024-03-15_v12.pdf"
UNBROKEN_NAME = "x" * 90 + ".pdf"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gate:
    """The real worker pool (one worker) behind a gate the test closes: files stay queued and
    checking for as long as a test looks at those states."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()

    def service(self, policy: Policy) -> ScanService:
        pool = PoolScans(policy, workers=1)
        gate = self

        class Gated:
            workers = pool.workers

            def scan(self, *job) -> Future[Scanned]:
                gated: Future[Scanned] = Future()

                def when_open() -> None:
                    gate.open.wait(timeout=120)
                    scanned = pool.scan(*job)
                    scanned.add_done_callback(lambda done: gated.set_result(done.result()))

                threading.Thread(target=when_open, daemon=True).start()
                return gated

            def worker_config(self):
                return pool.worker_config()

            def close(self) -> None:
                pool.close()

        return Gated()


@dataclass
class Running:
    app: DropPage
    port: int
    gate: Gate

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth(self) -> dict[str, str]:
        return {"X-Smscan-Token": self.app.token}

    def page_url(self, lang: str = "en") -> str:
        return f"{self.base}/?lang={lang}&token={self.app.token}"


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    port = free_port()
    gate = Gate()
    app = create_app(QUICK_CHECKS, "en", max_upload_mb=LIMIT_MB, port=port, service=gate.service)
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not running.started and time.time() < deadline:
        time.sleep(0.05)
    yield Running(app, port, gate)
    gate.open.set()
    running.should_exit = True
    thread.join(timeout=10)


def photo_with_metadata() -> bytes:
    """A photo as a phone writes it: GPS position and the owner's name in EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Jane Doe"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({ExifTags.GPS.GPSLatitudeRef: "N",
                                               ExifTags.GPS.GPSLatitude: (45.0, 25.0, 12.5),
                                               ExifTags.GPS.GPSLongitudeRef: "W",
                                               ExifTags.GPS.GPSLongitude: (75.0, 41.0, 3.2)})  # fmt: skip
    return encoded(photo_like(640, 420), "JPEG", exif=exif, quality=85)


# ---------------------------------------------------------------------------- the API


def test_api_returns_the_same_objects_as_json_lines(server):
    files = [("files", ("memo.pdf", memo_pdf(header="PROTECTED B"), "application/pdf")),
             ("files", ("clean.pdf", memo_pdf(), "application/pdf"))]
    response = httpx.post(f"{server.base}/api/scan", files=files, headers=server.auth, timeout=120)
    assert response.status_code == 200
    memo, clean = response.json()
    assert memo["path"] == "memo.pdf" and memo["verdict"] == "block"
    assert memo["findings"][0]["label"] == "protected-b" and memo["findings"][0]["section"] == "2.6"
    assert clean["verdict"] == "pass" and clean["error"] is None and "previews" not in clean


def test_api_errors_are_clear(server):
    response = httpx.post(f"{server.base}/api/scan", data={"nothing": "here"}, headers=server.auth, timeout=30)
    assert response.status_code == 400 and "files" in response.json()["error"]
    big = [("files", ("big.png", b"\x89PNG" + b"0" * (2 * 2**20), "image/png"))]
    response = httpx.post(f"{server.base}/api/scan", files=big, headers=server.auth, timeout=30)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    broken = [("files", ("broken.jpg", b"\xff\xd8\xff\xe0 broken", "image/jpeg"))]
    result = httpx.post(f"{server.base}/api/scan", files=broken, headers=server.auth, timeout=30).json()[0]
    assert result["verdict"] == "block" and "damaged JPEG" in result["error"]


def test_uploads_wait_in_one_line_with_their_place_shown(server):
    server.gate.open.clear()
    try:
        with httpx.Client(base_url=server.base, headers=server.auth, timeout=30) as client:
            answers = [client.post("/api/jobs", files={"file": (f"m{i}.pdf", memo_pdf(), "application/pdf")}).json()
                       for i in range(4)]  # fmt: skip
            assert all(a["state"] == "queued" for a in answers)
            line = client.get("/api/queue").json()
            ids = [a["id"] for a in answers]
            # One worker here: the first file is being checked, the others wait in the order sent.
            assert line["checking"] == ids[:1] and line["queued"] == ids[1:]
            assert client.get(f"/api/jobs/{ids[3]}").json() == {"id": ids[3], "name": "m3.pdf", "state": "queued",
                                                                "position": 3}  # fmt: skip
            server.gate.open.set()
            deadline = time.time() + 60
            while client.get("/api/queue").json()["queued"] and time.time() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            done = client.get(f"/api/jobs/{ids[3]}").json()
            assert done["state"] == "done" and done["result"]["verdict"] == "pass"
    finally:
        server.gate.open.set()


def test_fix_answers_the_copy_with_its_own_verdict(server):
    files = {"file": ("holiday photo.jpg", photo_with_metadata(), "image/jpeg")}
    original = httpx.post(f"{server.base}/api/scan", files={"files": files["file"]}, headers=server.auth,
                          timeout=60).json()[0]  # fmt: skip
    assert original["verdict"] == "block" and {f["kind"] for f in original["findings"]} == {"metadata"}
    response = httpx.post(f"{server.base}/api/fix", files=files, headers=server.auth, timeout=120)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["name"] == "holiday photo-shareable.jpg" and envelope["media_type"] == "image/jpeg"
    copy = base64.b64decode(envelope["data"])
    assert Image.open(io.BytesIO(copy)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert envelope["report"]["verdict"] == "pass" and envelope["report"]["findings"] == []
    assert envelope["outcome"] == "passes" and envelope["changes"]["en"] and envelope["changes"]["fr"]
    broken = httpx.post(f"{server.base}/api/fix", files={"file": ("x.png", b"\x89PNG broken", "image/png")},
                        headers=server.auth, timeout=60)  # fmt: skip
    assert broken.status_code == 422 and broken.json()["code"] == "fix_failed"
    assert set(broken.json()["why"]) == {"en", "fr"} and "could not be checked" in broken.json()["why"]["en"]
    marked = httpx.post(f"{server.base}/api/fix", files={"file": ("m.pdf", memo_pdf(header="SECRET"))},
                        headers=server.auth, timeout=60)  # fmt: skip
    assert marked.status_code == 422 and "no copy made" in marked.json()["why"]["en"]


# ---------------------------------------------------------------------------- security


def test_hostile_host_origin_and_missing_key_are_refused(server):
    port, token = server.port, server.app.token
    good = {"Host": f"127.0.0.1:{port}", "X-Smscan-Token": token}
    with httpx.Client(base_url=server.base, timeout=10) as client:
        assert client.get("/", params={"token": token}).status_code == 200
        for host in ("localhost", "[::1]"):
            assert client.get("/api/queue", headers={**good, "Host": f"{host}:{port}"}).status_code == 200
        # DNS rebinding: a hostile name that resolves to 127.0.0.1 still sends its own name.
        for host in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}", f"127.0.0.1:{port + 1}",
                     "127.0.0.1", ""):  # fmt: skip
            for path in ("/", "/api/queue", "/static/page.js"):
                refused = client.get(path, params={"token": token}, headers={**good, "Host": host})
                assert refused.status_code == 403, (host, path)
        memo = {"file": ("memo.pdf", memo_pdf(), "application/pdf")}
        for origin in ("http://evil.example", "null", f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}"):
            refused = client.post("/api/jobs", files=memo, headers={**good, "Origin": origin})
            assert refused.status_code == 403 and refused.json()["code"] == "bad_origin", origin
        cross_site = client.post("/api/jobs", files=memo, headers={**good, "Sec-Fetch-Site": "cross-site"})
        assert cross_site.status_code == 403
        same_origin = client.post("/api/jobs", files=memo, headers={**good, "Origin": f"http://localhost:{port}"})
        assert same_origin.status_code == 202
        # The key: the page, the messages and every API call need it; the script and style do not.
        for path in ("/", "/api/queue", "/api/messages/en", f"/api/jobs/{same_origin.json()['id']}"):
            assert client.get(path).status_code == 403, path
            assert client.get(path, headers={"X-Smscan-Token": token[:-1] + "x"}).status_code == 403, path
            assert client.get(path, headers={"X-Smscan-Token": token}).status_code == 200, path
        assert client.post("/api/jobs", files=memo).status_code == 403
        assert client.post("/api/fix", files=memo).status_code == 403
        assert client.get("/static/page.css").status_code == 200
        assert "smscan ui printed" in client.get("/").text  # a person without the key is told what to do
    assert create_app(QUICK_CHECKS, port=port).token != create_app(QUICK_CHECKS, port=port).token


def test_every_answer_forbids_framing_sniffing_referrers_and_inline_script(server):
    token = server.app.token
    with httpx.Client(base_url=server.base, timeout=10) as client:
        answers = [client.get("/", params={"token": token}), client.get("/static/page.js"),
                   client.get("/api/queue", headers=server.auth), client.get("/api/jobs/nope", headers=server.auth),
                   client.get("/"), client.get("/", headers={"Host": "evil.example"}),
                   client.post("/api/jobs", headers=server.auth, files={"file": ("big", b"0" * 2**21)})]  # fmt: skip
        assert [a.status_code for a in answers] == [200, 200, 200, 404, 403, 403, 413]
        for answer in answers:
            policy = answer.headers["content-security-policy"]
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
            assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
            assert directives["default-src"] == "'none'" and "unsafe" not in policy
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"
        page = answers[0].text
    tags = elements(page)
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts and all(attrs.get("src", "").startswith("static/") for attrs in scripts)
    assert re.search(r"<script[^>]*>\s*[^<\s]", page) is None  # no inline script body
    assert not any(name.startswith("on") or name == "style" for _, attrs in tags for name in attrs)
    assert "<style" not in page


def raw_request(port: int, head: str, body_chunks: Iterator[bytes] | None = None) -> tuple[str, int, bool]:
    """Send a request by hand: (the answer's status line, body bytes sent, whether the server cut
    us off before the body was all sent)."""
    sent = 0
    cut_off = False
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(head.encode())
        try:
            for chunk in body_chunks or ():
                connection.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            cut_off = True
        connection.settimeout(20)
        answer = b""
        try:
            while b"\r\n" not in answer:
                piece = connection.recv(4096)
                if not piece:
                    break
                answer += piece
        except ConnectionResetError:
            pass
    return answer.split(b"\r\n", 1)[0].decode(), sent, cut_off


def test_oversized_uploads_are_refused_before_the_body_and_leave_nothing_on_disk(tmp_path):
    """A real `smscan ui` process with its own temporary folder, so whatever it writes is seen."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    (tmp_path / "quick.toml").write_text('[detectors]\ndisabled = ["face", "logo", "pii", "conduct"]\n')
    port = free_port()
    process, token = start_smscan_ui(port, temp, "--policy", str(tmp_path / "quick.toml"), "--max-upload-mb", "1")
    try:
        head = (f"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Smscan-Token: {token}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\n")  # fmt: skip
        # 400 MB declared, not a byte sent: the answer comes at once.
        status, _, _ = raw_request(port, head + f"Content-Length: {400 * 2**20}\r\n\r\n")
        assert status == "HTTP/1.1 413 Request Entity Too Large"
        # Chunked (no length said): cut off at the limit; a 1 MiB limit never reads 64 MiB.
        part = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n\r\n"
        chunks = (f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in [part, *[b"\0" * 2**20] * 64])
        status, sent, cut_off = raw_request(port, head + "Transfer-Encoding: chunked\r\n\r\n", chunks)
        assert status == "HTTP/1.1 413 Request Entity Too Large"
        assert cut_off and sent < 32 * 2**20, sent
        assert all(path.is_dir() for path in temp.rglob("*")), list(temp.rglob("*"))  # no file, whole or part
        # A client that goes away half-way through leaves nothing either.
        with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
            connection.sendall((head + f"Content-Length: {800 * 1024}\r\n\r\n").encode() + part + b"\0" * 300_000)
            deadline = time.time() + 10
            while not any(path.is_file() for path in temp.rglob("*")) and time.time() < deadline:
                time.sleep(0.05)
            assert any(path.is_file() for path in temp.rglob("*"))  # the part received is on disk ...
        deadline = time.time() + 10
        while any(path.is_file() for path in temp.rglob("*")) and time.time() < deadline:
            time.sleep(0.1)
        assert all(path.is_dir() for path in temp.rglob("*")), list(temp.rglob("*"))  # ... until it breaks off
        # An upload under the limit still works.
        answer = httpx.post(f"http://127.0.0.1:{port}/api/scan", headers={"X-Smscan-Token": token}, timeout=60,
                            files={"files": ("memo.pdf", memo_pdf(header="SECRET"), "application/pdf")})  # fmt: skip
        assert answer.status_code == 200 and answer.json()[0]["verdict"] == "block"
        assert all(path.is_dir() for path in temp.rglob("*"))  # the scanned upload is gone too
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert list(temp.iterdir()) == []  # the spool folder is removed at exit


def start_smscan_ui(port: int, temp: Path, *options: str):
    """`smscan ui` as a person starts it; the key is read from the address it prints."""
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "scanner.cli", "ui", "--no-browser", "--port", str(port),
                                *options], stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    line = process.stderr.readline()
    match = re.search(rf"http://127\.0\.0\.1:{port}/\?token=([\w-]+)", line)
    assert match, line
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/static/page.css", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    threading.Thread(target=process.stderr.read, daemon=True).start()  # keep the pipe from filling
    return process, match.group(1)


def test_the_page_speaks_both_languages_through_the_catalogue():
    english, french = page_messages("en"), page_messages("fr")
    assert set(english) == set(french) == set(PAGE_MESSAGES)
    for key, value in french.items():
        assert set(re.findall(r"\{(\w+)\}", value)) == set(re.findall(r"\{(\w+)\}", english[key])), key
    translated = [key for key in english if english[key] != french[key]]
    assert len(translated) >= len(english) - 2  # "Page {page}" reads the same in both
    script = (ROOT / "scanner" / "ui" / "static" / "page.js").read_text()
    used = set(re.findall(r"""\bt\(\s*["'`]([\w.]+)["'`]""", script))
    assert used and used <= set(PAGE_MESSAGES), used - set(PAGE_MESSAGES)


# ---------------------------------------------------------------------------- the page in Chromium


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make install installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture()
def open_page(browser, server):
    """A page of the running server; fails the test on any script error or CSP refusal."""
    opened = []

    def open_(lang: str = "en", viewport: dict | None = None, **context_options):
        context = browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True, **context_options)
        context.set_default_timeout(90_000)  # a hang guard only: the machine may be busy with other work
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.goto(server.page_url(lang))
        page.wait_for_selector("body[data-ready=true]")
        opened.append(page)
        return page

    yield open_
    for page in opened:
        errors = [e for e in page.errors if "favicon" not in e]
        page.context.close()
        assert errors == []


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


def wait_done(page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('.result[data-verdict=pass], .result[data-verdict=block]')"
                           f".length === {count}", timeout=120_000)  # fmt: skip


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def said(locator) -> str:
    """The text shown, with French no-break spaces read as spaces."""
    return locator.inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_dropped_files_show_verdicts_reasons_in_plain_words_and_numbered_boxes(open_page):
    page = open_page()
    drop_files(page, {"memo.pdf": memo_pdf(header="PROTECTED B", footer="CONFIDENTIAL"), "clean.pdf": memo_pdf()})
    wait_done(page, 2)
    blocked = page.locator(".result[data-verdict=block]")
    assert blocked.locator("h3").inner_text().endswith("memo.pdf")
    reasons = blocked.locator(".findings > li")
    assert reasons.count() == 2
    first = reasons.first.inner_text()
    assert first.startswith("Security marking “PROTECTED B” (guideline 2.6: confidential information): ")
    assert "Page 1" in first
    assert not reasons.first.locator("details").evaluate("d => d.open")  # evidence folded away
    assert blocked.locator("img").count() == 1 and "numbered" in blocked.locator("img").get_attribute("alt")
    assert page.locator(".result[data-verdict=pass] .badge").inner_text() == "PASS"
    assert page.locator(".result[data-verdict=pass] img").count() == 0  # passed files stay compact
    assert blocked.locator("button.fix").count() == 0  # fix does not touch markings: no copy to offer
    assert page.locator("#counter").inner_text() == "2 of 2 checked, 1 blocked"
    assert page.locator("#announce").inner_text() == "All 2 checked: 1 blocked, 1 passed."
    page.click("#lang")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    assert blocked.locator(".badge").inner_text() == "BLOQUÉ"
    french = said(blocked.locator(".findings > li").first)
    assert french.startswith("Marque de sécurité « PROTECTED B » (directive 2.6 : information confidentielle)")
    assert said(page.locator("#counter")) == "Vérifiés : 2 sur 2 ; bloqués : 1"
    assert page.locator("#lang").inner_text() == "English"


def test_a_folder_shows_counters_from_the_start_waiting_places_and_a_blocked_only_filter(server, open_page, tmp_path):
    folder = tmp_path / "slides"
    (folder / "inner").mkdir(parents=True)
    for i in range(27):
        (folder / f"notes-{i:02}.pdf").write_bytes(memo_pdf(title=f"Notes {i}"))
    (folder / "inner" / "secret.pdf").write_bytes(memo_pdf(header="SECRET"))
    (folder / "inner" / "embargoed.pdf").write_bytes(memo_pdf(stamp="EMBARGOED UNTIL 8:30"))
    (folder / "photo.jpg").write_bytes(photo_with_metadata())
    server.gate.open.clear()
    try:
        page = open_page("fr")
        page.set_input_files("#pick-folder", str(folder))
        page.wait_for_function("() => document.querySelectorAll('.result').length === 30")
        page.wait_for_function("() => document.querySelector('.result[data-verdict=checking]') !== null")
        page.wait_for_function("() => [...document.querySelectorAll('.state')].some(s => /rang 2[0-9] dans la file/"
                               ".test(s.textContent))")  # fmt: skip
        assert said(page.locator("#counter")).startswith("Vérifiés : 0 sur 30 ; bloqués : 0 ; en cours : 1")
        assert page.locator(".result[data-verdict=checking]").count() == 1  # one worker: one checking, the rest wait
        shot(page, "checking-fr-desktop")
    finally:
        server.gate.open.set()
    wait_done(page, 30)
    assert said(page.locator("#counter")) == "Vérifiés : 30 sur 30 ; bloqués : 3"
    assert said(page.locator("#announce")) == "Les 30 fichiers sont vérifiés : 3 bloqués, 27 acceptés."
    names = page.locator(".result[data-verdict=block] .name").all_inner_texts()
    assert sorted(names) == ["slides/inner/embargoed.pdf", "slides/inner/secret.pdf", "slides/photo.jpg"]
    page.check("#blocked-only")
    assert page.locator(".result:visible").count() == 3
    shot(page, "results-blocked-only-fr-desktop")
    page.uncheck("#blocked-only")
    assert page.locator(".result:visible").count() == 30
    heights = page.locator(".result[data-verdict=pass]").evaluate_all("cards => cards.map(c => c.offsetHeight)")
    assert max(heights) < 60  # passed files are one line each


def test_a_folder_of_500_files_is_counted_through_to_the_end(open_page, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    clean, marked = memo_pdf(lines=["Minutes."]), memo_pdf(lines=["Minutes."], header="PROTECTED B")
    for i in range(500):
        (folder / f"minutes-{i:03}.pdf").write_bytes(marked if i % 100 == 7 else clean)
    page = open_page()
    page.set_input_files("#pick-folder", str(folder))
    page.wait_for_function("() => document.querySelectorAll('.result').length === 500")
    assert re.fullmatch(r"\d+ of 500 checked, \d+ blocked; \d being checked, \d+ waiting",
                        page.locator("#counter").inner_text())  # fmt: skip
    wait_done(page, 500)
    assert page.locator("#counter").inner_text() == "500 of 500 checked, 5 blocked"
    page.check("#blocked-only")
    assert page.locator(".result:visible").count() == 5
    assert page.locator(".result:visible .name").all_inner_texts() == [
        f"archive/minutes-{i:03}.pdf" for i in (7, 107, 207, 307, 407)]


def test_damaged_files_and_a_failing_server_read_as_reasons_not_script_errors(server, open_page):
    page = open_page()
    drop_files(page, {"damaged.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "too-big.pdf": b"%PDF" + b"0" * 2**21})
    wait_done(page, 2)
    damaged = page.locator(".result", has_text="damaged.png").inner_text()
    assert "BLOCK" in damaged and "Could not be checked: " in damaged
    big = page.locator(".result", has_text="too-big.pdf").inner_text()
    assert "The file is too large: the limit is 1 MB." in big
    # The server answering something that is not JSON (a proxy's error page, a crash).
    page.route("**/api/jobs", lambda route: route.fulfill(status=500, body="Internal Server Error"))
    drop_files(page, {"later.pdf": memo_pdf()})
    wait_done(page, 3)
    later = page.locator(".result", has_text="later.pdf").inner_text()
    assert "The checker could not handle this file (HTTP 500)." in later
    page.route("**/api/jobs", lambda route: route.abort())
    drop_files(page, {"offline.pdf": memo_pdf()})
    wait_done(page, 4)
    assert "is not answering" in page.locator(".result", has_text="offline.pdf").inner_text()
    text = page.locator("body").inner_text()
    assert "SyntaxError" not in text and "Unexpected token" not in text and "undefined" not in text
    page.errors.clear()  # the aborted request is logged by the browser itself


def test_keyboard_alone_picks_files_fixes_one_and_downloads_the_copy(open_page, tmp_path):
    page = open_page()
    # Listening from the start turns on Playwright's interception of file choosers before the
    # key is pressed (turned on by expect_file_chooser alone, it can come too late).
    page.on("filechooser", lambda _: None)
    page.evaluate("1")
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(photo_with_metadata())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "lang"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "choose-files"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus visible
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(photo))
    wait_done(page, 1)
    card = page.locator(".result[data-verdict=block]")
    assert "A person's name in the file's properties (Jane Doe)" in card.inner_text()
    page.keyboard.press("Tab")  # choose a folder
    page.keyboard.press("Tab")  # the filter
    assert page.evaluate("document.activeElement.id") == "blocked-only"
    for _ in range(4):  # the evidence of each finding folds away behind a summary
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "fix":
            break
    assert page.evaluate("document.activeElement.textContent") == "Make a shareable copy"
    page.keyboard.press("Enter")
    copy = card.locator(".copy")
    copy.locator("h4").wait_for(timeout=120_000)
    assert page.evaluate("document.activeElement.tagName") == "H4"  # focus follows to the copy
    assert copy.locator("h4").inner_text() == "PASS Shareable copy: holiday-shareable.jpg"
    assert "metadata and hidden content: removed" in copy.inner_text() and "The copy passes." in copy.inner_text()
    assert page.locator("#announce").inner_text() == "Shareable copy of holiday.jpg: PASS."
    shot(page, "fixed-en-desktop")
    with page.expect_download() as download:
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "holiday-shareable.jpg"
    assert Image.open(saved).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert photo.read_bytes() == photo_with_metadata()  # the original is untouched


@pytest.mark.parametrize("viewport", [PHONE, ZOOM_400], ids=["phone", "zoom-400"])
def test_long_names_wrap_at_separators_and_nothing_scrolls_sideways(open_page, viewport):
    page = open_page("fr", viewport=viewport)
    assert no_sideways_scrolling(page)
    drop_files(page, {LONG_NAME: memo_pdf(header="PROTECTED B"), UNBROKEN_NAME: memo_pdf()})
    wait_done(page, 2)
    assert no_sideways_scrolling(page)
    name = page.locator(".name", has_text="Quarterly")
    assert name.locator("wbr").count() >= 10  # break opportunities after / _ - .
    lines = name.evaluate("""n => {
        const range = document.createRange(); range.selectNodeContents(n);
        return [...range.getClientRects()].length; }""")
    assert lines >= 2
    broken_words = name.evaluate(r"""n => {
        const words = new Set(n.textContent.split(/[\/_\-.]/).filter(w => w.length > 3));
        const range = document.createRange(); const pieces = [];
        for (const node of n.childNodes) if (node.nodeType === 3) { range.selectNodeContents(node);
            if (range.getClientRects().length > 1) pieces.push(node.textContent); }
        return pieces.filter(p => words.has(p.replace(/[\/_\-.]$/, ''))); }""")
    assert broken_words == []  # no word of the name is split across lines
    kind = "phone" if viewport is PHONE else "zoom-400"
    shot(page, f"results-fr-{kind}")


def run_axe(page) -> list[dict]:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE.relative_to(ROOT)} (make test installs it)")
    page.evaluate(AXE.read_text())
    return page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))""")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_no_violations_empty_checking_and_with_results(server, open_page, lang):
    page = open_page(lang)
    assert run_axe(page) == [], "empty"
    server.gate.open.clear()
    try:
        drop_files(page, {"memo.pdf": memo_pdf(header="PROTECTED B"), LONG_NAME: memo_pdf(),
                          "photo.jpg": photo_with_metadata(), "damaged.png": b"\x89PNG\r\n\x1a\n"})  # fmt: skip
        page.wait_for_function("() => document.querySelector('.result[data-verdict=checking]') !== null")
        page.wait_for_function("() => document.querySelectorAll('.result .state').length === 4")
        assert run_axe(page) == [], "checking"
    finally:
        server.gate.open.set()
    wait_done(page, 4)
    page.locator(".findings details").first.click()  # evidence unfolded too
    assert run_axe(page) == [], "results"
    page.locator("button.fix").first.click()
    page.locator(".copy h4").first.wait_for(timeout=120_000)
    assert run_axe(page) == [], "with a shareable copy"
    phone = open_page(lang, viewport=PHONE)
    drop_files(phone, {"memo.pdf": memo_pdf(header="PROTECTED B")})
    wait_done(phone, 1)
    assert run_axe(phone) == [], "phone"
    shot(page, f"results-{lang}-desktop")
    shot(phone, f"results-{lang}-phone")


def test_screenshot_for_the_readme(server, open_page):
    """One picture of the page for the README: a folder checked, a blocked memo with its boxes."""
    page = open_page("en", viewport={"width": 1100, "height": 800})
    drop_files(page, {
        "briefing/memo-2024-03.pdf": memo_pdf(header="PROTECTED B", stamp="EMBARGOED UNTIL 8:30"),
        "briefing/holiday-photo.jpg": photo_with_metadata(),
        "briefing/notes.pdf": memo_pdf(), "briefing/agenda.pdf": memo_pdf(title="Agenda"),
    })  # fmt: skip
    wait_done(page, 4)
    path = shot(page, "drop-page")
    assert Image.open(path).width == 1100
    if os.environ.get("SMSCAN_SCREENSHOT_DOCS") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "drop-page.png"), full_page=True)


def test_a_hostile_file_name_is_shown_as_text(open_page):
    page = open_page()
    hostile = '<img src=x onerror="document.title=1">.pdf'
    drop_files(page, {hostile: memo_pdf(header="SECRET")})
    wait_done(page, 1)
    assert page.locator(".result .name").inner_text() == hostile
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert page.title() == "smscan: check before you share"
