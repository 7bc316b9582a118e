"""The library as a mail gateway uses it: scan_message part by part, the report cache, threads."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import pytest
from PIL import Image

from samplegen.documents import encoded, memo_pdf, photo_like, render, scanned
from samplegen.mail import docx, message
from scanner import Scanner
from scanner.detectors import CheckSpec, Detector, KindSpec, Level, Message
from scanner.engine.cache import ReportCache
from scanner.model import FileReport, MessageReport, Verdict
from scanner.policy import Policy

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture()
def cached_scanner() -> Scanner:
    return Scanner(detectors=["marking"], cache_size=64)


def scanned_memo_png(header: str = "PROTECTED B", seed: int = 1) -> bytes:
    return encoded(scanned(render(memo_pdf(header=header), dpi=150), seed=seed))


def test_clean_message_passes_with_a_report_per_part(marking_scanner):
    mail = message(html="<p>Hello, the tables are attached.</p>",
                   attachments={"landscape.jpg": (encoded(photo_like(), "JPEG"), "image/jpeg")})
    report = marking_scanner.scan_message(mail)
    assert isinstance(report, MessageReport) and report.verdict is Verdict.PASS
    assert [p.path for p in report.parts] == ["subject", "body.txt", "body.html", "landscape.jpg"]
    assert json.loads(json.dumps(report.to_dict()))["verdict"] == "pass"


@pytest.mark.parametrize(
    ("mail", "blocked"),
    [
        (message(subject="PROTECTED B - figures for Monday"), {"subject"}),
        (message(body="Hello,\n\nCONFIDENTIAL\n\nthe figures follow."), {"body.txt"}),
        (message(html="<p>Hello</p><p><b>SECRET</b></p>"), {"body.html"}),
        (message(attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"), "application/pdf")}), {"memo.pdf"}),
        (message(attachments={"note.docx": (docx(["Draft", "PROTÉGÉ B"]), DOCX)}), {"note.docx"}),
        (message(inline_images={"img1": scanned_memo_png()}), {"part2.png"}),
    ],
    ids=["subject", "text body", "html body", "pdf", "docx", "inline image"],
)
def test_each_kind_of_part_can_block_the_message(marking_scanner, mail, blocked):
    report = marking_scanner.scan_message(mail)
    assert report.blocked and {p.path for p in report.blocked_parts} == blocked
    assert "\n" not in report.reason() and report.reason().startswith(next(iter(blocked)))


def test_attached_email_is_opened(marking_scanner):
    inner = message(attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"), "application/pdf")})
    outer = message(subject="Fwd: figures")
    outer.add_attachment(inner)  # message/rfc822
    report = marking_scanner.scan_message(outer)
    (part,) = report.blocked_parts
    assert {f.part for f in part.blocking} == {"memo.pdf"}


def test_unreadable_attachment_blocks_the_message(marking_scanner):
    mail = message(attachments={"setup.exe": (b"MZ\x90\x00" + bytes(range(256)) * 8, "application/octet-stream")})
    report = marking_scanner.scan_message(mail)
    assert report.blocked and "unsupported" in report.blocked_parts[0].error


def test_message_with_an_unknown_charset_is_still_read(marking_scanner):
    mail = EmailMessage()
    mail["Subject"] = "Figures"
    mail.set_payload("CONFIDENTIAL\n", charset="utf-8")
    mail.replace_header("Content-Type", 'text/plain; charset="x-no-such-charset"')
    assert marking_scanner.scan_message(mail).blocked


def test_same_attachment_to_many_recipients_is_scanned_once(cached_scanner):
    attachment = scanned_memo_png()
    first = message(attachments={"memo.png": (attachment, "image/png")})
    started = time.perf_counter()
    cold = cached_scanner.scan_message(first)
    cold_seconds = time.perf_counter() - started
    second = message(subject="Again", attachments={"copy of memo.png": (attachment, "image/png")})
    started = time.perf_counter()
    warm = cached_scanner.scan_message(second)
    warm_seconds = time.perf_counter() - started
    assert cold.blocked and warm.blocked
    assert [p.path for p in warm.blocked_parts] == ["copy of memo.png"]  # re-labelled for this message
    assert warm.blocked_parts[0].findings == cold.blocked_parts[0].findings
    assert "cache" in warm.blocked_parts[0].timings
    assert warm_seconds < cold_seconds / 20, (cold_seconds, warm_seconds)


def test_cache_key_includes_the_policy(cached_scanner):
    text = "PROTECTED B"
    assert cached_scanner.scan_text(text, "body.txt").blocked
    misses = cached_scanner.cache.misses
    cached_scanner.policy = Policy.from_toml('[block]\nmarking = false')
    assert not cached_scanner.scan_text(text, "body.txt").blocked
    assert cached_scanner.cache.misses == misses + 1


def test_cache_is_bounded_and_least_recently_used_goes_first():
    scanner = Scanner(detectors=["marking"], ocr=False, cache_size=2)
    for text in ("one", "two", "three"):
        scanner.scan_text(text, "body.txt")
    assert len(scanner.cache) == 2
    scanner.scan_text("three", "body.txt")
    assert scanner.cache.hits == 1
    scanner.scan_text("one", "body.txt")
    assert scanner.cache.misses == 4


class Dawdling(Detector):
    def detect(self, page):
        time.sleep(0.05)
        return []


DAWDLING = CheckSpec("dawdling", "1", "a slow check", detector=Dawdling, kinds=(
    KindSpec("dawdle", "dawdles", "2.6", Level(0.5, "2.6: test"), {"*": Message("a dawdle", "{n} dawdles", "wait")}),))


def test_timed_out_scans_are_not_cached():
    policy = Policy.from_toml("[limits]\ntimeout_seconds = 0.02")
    scanner = Scanner(policy, detectors=["marking"], ocr=False, cache_size=8)
    scanner.checks.append(DAWDLING)
    two_pages = "\n".join(["hello"] * 600)  # 500 lines to a text page
    for _ in range(2):
        report = scanner.scan_text(two_pages, "body.txt")
        assert report.blocked and "timed out" in report.error
    assert (scanner.cache.misses, len(scanner.cache)) == (2, 0)


def test_concurrent_requests_for_one_content_wait_for_a_single_scan():
    cache = ReportCache(8)
    calls = []
    gate = threading.Event()

    def slow_scan() -> tuple[FileReport, bool]:
        calls.append(1)
        gate.wait(5)
        return FileReport(path="first", verdict=Verdict.PASS), True

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(cache.get_or_scan, "key", f"copy{i}", slow_scan) for i in range(8)]
        time.sleep(0.2)
        gate.set()
        paths = sorted(f.result().path for f in futures)
    assert len(calls) == 1 and cache.misses == 1 and cache.hits == 7
    # the thread that scanned gets its own report; each waiting thread gets it under its own name
    assert "first" in paths and len(set(paths)) == 8


def test_shared_scanner_gives_the_same_answers_from_many_threads(marking_scanner):
    pdf_marked, pdf_clean = memo_pdf(header="PROTECTED B"), memo_pdf()
    png_marked = scanned_memo_png("CONFIDENTIAL", seed=2)
    png_clean = encoded(Image.fromarray(render(memo_pdf(), dpi=150)))
    work = [(pdf_marked, True), (pdf_clean, False)] * 4 + [(png_marked, True), (png_clean, False)]
    with ThreadPoolExecutor(6) as pool:
        reports = list(pool.map(lambda item: marking_scanner.scan_bytes(item[0], "x"), work))
    assert [r.blocked for r in reports] == [expected for _, expected in work]
    assert all(r.error is None for r in reports)


def test_every_check_copes_with_text_pages():
    scanner = Scanner()  # all detectors: a blank text raster must not trip the image checks
    mail = message(body="The census team finished the field test.",
                   attachments={"note.docx": (docx(["Quarterly figures"]), DOCX)})
    report = scanner.scan_message(mail)
    assert all(p.error is None for p in report.parts), report.to_dict()
    assert not report.blocked, report.reason()


def declared_as(data: bytes, content_type: str, filename: str):
    """A message whose one attachment declares `content_type`, whatever `data` really is."""
    mail = message()
    mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    mail.get_payload()[-1].replace_header("Content-Type", f'{content_type}; name="{filename}"')
    return mail


def test_pdf_declared_as_text_is_scanned_as_a_pdf(marking_scanner):
    mail = declared_as(memo_pdf(header="EMBARGOED"), "text/plain", "report.txt")
    report = marking_scanner.scan_message(mail)
    assert [p.path for p in report.blocked_parts] == ["report.txt"]
    assert report.blocked_parts[0].error is None and report.blocked_parts[0].blocking  # found, not unreadable
    # the same message saved as a file and scanned as one (an .eml attachment, smscan FILE.eml)
    assert marking_scanner.scan_bytes(mail.as_bytes(), "forwarded.eml").blocked


def test_binary_declared_as_text_is_not_read_as_words(marking_scanner):
    mail = declared_as(bytes(range(256)) * 16, "text/plain", "notes.txt")
    (part,) = marking_scanner.scan_message(mail).blocked_parts
    assert part.path == "notes.txt" and "unsupported" in part.error


def test_text_declared_as_binary_is_scanned_as_text(marking_scanner):
    clean = declared_as(b"region,count\nOntario,12\n", "application/octet-stream", "table.csv")
    assert not marking_scanner.scan_message(clean).blocked
    marked = declared_as(b"CONFIDENTIAL\nregion,count\nOntario,12\n", "application/octet-stream", "table.csv")
    assert [p.path for p in marking_scanner.scan_message(marked).blocked_parts] == ["table.csv"]


def test_text_that_begins_like_a_bitmap_is_text(marking_scanner):
    report = marking_scanner.scan_message(message(body="BMO and the other banks reported on Monday.\n"))
    assert not report.blocked, report.reason()


def test_part_whose_check_raises_blocks_the_message_with_the_part_named(marking_scanner):
    broken = bytearray(encoded(photo_like(200, 150)))
    broken[35] ^= 0xFF  # the first data chunk's length: Pillow raised SyntaxError out of the scan
    report = marking_scanner.scan_message(message(attachments={"chart.png": (bytes(broken), "image/png")}))
    (part,) = report.blocked_parts
    assert part.path == "chart.png" and part.error and "\n" not in report.reason()


def test_a_message_cut_short_is_refused_by_the_gateway_too():
    from scanner.engine.message import scan_raw_message
    from scanner.mail.smtp_filter import refusal

    whole = message(attachments={"memo.pdf": (memo_pdf(), "application/pdf")}).as_bytes()
    cut = whole[: len(whole) * 2 // 3]
    report = scan_raw_message(Scanner(detectors=["marking"], ocr=False), cut)
    assert report.blocked and report.error
    assert refusal(report).startswith("550 ")
