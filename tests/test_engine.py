import json
import subprocess
import sys

import pytest

from samplegen.documents import memo_pdf
from scanner import Scanner
from scanner.detectors import CheckSpec, Detector, KindSpec, Level, Message
from scanner.engine.batch import expand_paths, largest_first, scan_and_follow
from scanner.engine.pool import WorkerPool
from scanner.policy import Policy


class Exploding(Detector):
    """A check that crashes, as a buggy plug-in would. Unnamed, so never registered."""

    def detect(self, page):
        raise RuntimeError("model file damaged")


def test_scan_bytes_reports_findings_with_every_field(marking_scanner):
    report = marking_scanner.scan_bytes(memo_pdf(header="PROTECTED A"), filename="memo.pdf")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdict"] == "block" and data["error"] is None and data["pages"] == 1
    found = data["findings"][0]
    assert set(found) >= {"kind", "label", "confidence", "page", "bbox", "message", "excerpt", "detail", "section"}
    assert found["excerpt"] == "PROTECTED A" and "PROTÉGÉ A" not in found["message"]["en"]
    assert found["kind"] == "marking" and found["section"] == "2.6" and len(found["bbox"]) == 4


def test_text_layer_and_ocr_of_one_marking_are_one_finding(marking_scanner):
    report = marking_scanner.scan_bytes(memo_pdf(footer="SECRET"))
    assert [f.label for f in report.findings] == ["secret"]


EXPLODING = CheckSpec("exploding", "1", "a check that crashes", detector=Exploding, kinds=(
    KindSpec("boom", "booms", "2.6", Level(0.5, "2.6: test"), {"*": Message("a boom", "{n} booms", "duck")}),))


def test_a_crashing_check_blocks_the_file_with_its_reason():
    scanner = Scanner(detectors=[], ocr=False)
    scanner.checks.append(EXPLODING)
    report = scanner.scan_bytes(memo_pdf())
    assert report.blocked and "model file damaged" in report.error


def test_time_limit_blocks_instead_of_passing():
    policy = Policy.from_toml("[limits]\ntimeout_seconds = 0.001")
    report = Scanner(policy, detectors=["marking"]).scan_bytes(memo_pdf())
    assert report.blocked and "timed out" in report.error


def test_missing_file_is_an_error_not_a_pass(marking_scanner, tmp_path):
    report = marking_scanner.scan_path(tmp_path / "nope.png")
    assert report.blocked and not report.checked and report.error == "no such file"


def test_scanner_is_reused_across_many_files(marking_scanner):
    verdicts = [marking_scanner.scan_bytes(memo_pdf(header=h)).verdict for h in ("SECRET", None, "SECRET")]
    assert [str(v) for v in verdicts] == ["block", "pass", "block"]


def test_pages_in_different_threads_are_computed_at_the_same_time():
    """Two threads must not wait on one another's page (Python 3.11's cached_property did)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from scanner.ingest.page import Page

    both_inside = threading.Barrier(2, timeout=10)

    def render() -> np.ndarray:
        both_inside.wait()  # breaks (and fails the test) unless the other render runs meanwhile
        return np.zeros((4, 4, 3), np.uint8)

    pages = [Page(1, "image", render, (4, 4)) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        shapes = [p.shape for p in pool.map(lambda page: page.rgb, pages)]
    assert shapes == [(4, 4, 3), (4, 4, 3)]


def test_batch_hands_the_largest_files_out_first(tmp_path):
    for name, size in [("small.png", 10), ("big.pdf", 3000), ("middle.jpg", 500)]:
        (tmp_path / name).write_bytes(b"x" * size)
    files = expand_paths([str(tmp_path)])
    assert [target.path.name for target in largest_first(files)] == ["big.pdf", "middle.jpg", "small.png"]


# Touches 64 MiB twice in a fresh interpreter and counts the page faults of the second time.
_REFAULTS = """
import resource, sys
from scanner.engine.allocator import keep_freed_memory
kept = keep_freed_memory() if sys.argv[1] == "keep" else False
block = b"\x01" * 2**26  # allocated with malloc and written: every page touched
del block
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = b"\x01" * 2**26
print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_freed_memory_is_reused_without_faulting_it_in_again():
    def second_touch(mode: str) -> tuple[str, int]:
        out = subprocess.run([sys.executable, "-c", _REFAULTS, mode], capture_output=True, text=True, check=True)
        kept, faults = out.stdout.split()
        return kept, int(faults)

    assert second_touch("keep")[0] == "True"
    pages = 2**26 // 4096
    assert second_touch("default")[1] > pages // 2  # glibc gave the block back and faults it in again
    assert second_touch("keep")[1] < pages // 20


def no_pictures_today(report, data):
    raise RuntimeError("no pictures today")


def test_a_failing_follow_up_leaves_the_verdict(tmp_path):
    (tmp_path / "memo.pdf").write_bytes(memo_pdf(header="PROTECTED B"))
    with WorkerPool(Policy.default(), 1, ["marking"]) as pool:
        ((report, pictures),) = scan_and_follow(expand_paths([str(tmp_path)]), pool, no_pictures_today)
    assert report.blocked and pictures is None
