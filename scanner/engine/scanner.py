"""Scanner: loads OCR and models once, then runs ingest -> detectors -> policy on each file."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from email.message import Message
from pathlib import Path
from typing import TypeVar

from scanner.detectors import Detector, available_detectors
from scanner.engine.cache import ReportCache, cache_key
from scanner.errors import SetupError
from scanner.ingest import Document, IngestError, Page, load
from scanner.ingest.errors import one_line
from scanner.model import FileReport, Finding, MessageReport, PageResult
from scanner.policy import Policy

T = TypeVar("T")
# Work done on a file right after its scan, where it was scanned: (report, bytes scanned) -> result.
FollowUp = Callable[[FileReport, bytes], object]

# Two findings of one label whose boxes overlap this much are the same thing seen twice
# (text layer and OCR, page render and embedded image).
_SAME_THING_IOU = 0.5


class ScanTimeout(Exception):
    pass


class Scanner:
    """Reusable across thousands of files; build one per process (or share it across threads).

    With `cache_size` > 0 the reports of the last so many distinct contents are kept (keyed by
    SHA-256 of the bytes and the policy), so the same attachment sent to many recipients is
    scanned once.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        detectors: Iterable[str] | None = None,
        ocr: bool = True,
        cache_size: int = 0,
    ) -> None:
        self.policy = policy or Policy.default()
        classes = available_detectors()
        wanted = list(detectors) if detectors is not None else list(classes)
        unknown = sorted(set(wanted) - set(classes))
        if unknown:
            raise SetupError(f"unknown check(s): {', '.join(unknown)}; known: {', '.join(classes)}")
        self.detectors: list[Detector] = [
            _started(name, classes[name]) for name in wanted if name not in self.policy.disabled
        ]
        self.reader = None
        if ocr:
            from scanner.ocr import TesseractReader

            self.reader = _started("OCR", TesseractReader)
        self.cache = None
        if cache_size > 0:
            self.cache = ReportCache(cache_size)

    def scan_path(self, path: str | Path, display: str | None = None) -> FileReport:
        return self.read_and_scan(path, display)[0]

    def read_and_scan(self, path: str | Path, display: str | None = None) -> tuple[FileReport, bytes | None]:
        """The report, and the bytes it was made from (None when the file could not be read)."""
        shown = display if display is not None else str(path)
        try:
            size = Path(path).stat().st_size
            if size > self.policy.limits.max_file_bytes:
                return self._failed(shown, f"file too large: {size / 2**20:.1f} MiB "
                                           f"(limit {self.policy.limits.max_file_bytes / 2**20:.0f} MiB)"), None
            data = Path(path).read_bytes()
        except OSError as error:
            return self._failed(shown, f"cannot read file: {error.strerror or error}"), None
        return self.scan_bytes(data, filename=Path(path).name, path=shown), data

    def scan_bytes(self, data: bytes, filename: str | None = None, path: str | None = None) -> FileReport:
        shown = path if path is not None else (filename or "<bytes>")
        suffix = Path(filename).suffix.lower() if filename else ""  # it only shapes an error message
        return self._scan_cached(f"file{suffix}", data, shown, lambda: load(data, filename, self.policy.limits))

    def scan_text(self, text: str, name: str = "text") -> FileReport:
        """Plain text, or HTML when `name` ends in .html (an e-mail body), for markings, PII and conduct."""
        from scanner.ingest.text import text_document

        data = text.encode("utf-8", "surrogatepass")
        # The name is in the key: it decides plain or HTML, and findings name it as their part.
        return self._scan_cached(f"text:{name}", data, name, lambda: text_document(text, name))

    def scan_message(self, message: Message) -> MessageReport:
        """Every part of an e-mail (subject, text and HTML bodies, attachments, inline images)."""
        from scanner.mail.gateway import scan_message

        return scan_message(self, message)

    def identity(self) -> str:
        """What besides the bytes decides a report: the policy and the checks run."""
        policy = self.policy
        return json.dumps(
            [sorted(policy.thresholds.items()), sorted(policy.consent), asdict(policy.limits),
             sorted(policy.disabled), [d.name for d in self.detectors], self.reader is not None],
        )

    def _scan_cached(self, tag: str, data: bytes, shown: str, loader: Callable[[], Document]) -> FileReport:
        if self.cache is None:
            return self._scan_document(loader, shown)[0]
        key = cache_key(tag, data, self.identity())
        return self.cache.get_or_scan(key, shown, lambda: self._scan_document(loader, shown))

    def _scan_document(self, loader: Callable[[], Document], shown: str) -> tuple[FileReport, bool]:
        """The report, and whether it may be cached (not when the scan ran out of time or memory)."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        findings: list[Finding] = []
        page_results: list[PageResult] = []
        pages_read = 0  # pages, frames and container members' pages, not embedded images
        error = None
        repeatable = True
        try:
            document = loader()
            timings["ingest"] = time.perf_counter() - started
            deadline = started + self.policy.limits.timeout_seconds
            for page in document.pages:
                page_findings = self._scan_page(page, timings, deadline)
                findings.extend(page_findings)
                pages_read += page.placement is None
                if page.placement is None and page.part is None:
                    page_results.append(PageResult(page.number, page.width, page.height))
        except IngestError as failure:
            error = str(failure)
        except ScanTimeout:
            error = f"timed out after {self.policy.limits.timeout_seconds:g} s; not fully checked"
            repeatable = False
        except MemoryError:
            error = "ran out of memory while checking; not fully checked"
            repeatable = False
        timings["total"] = time.perf_counter() - started
        merged = _merge_duplicates(findings)
        verdict, blocking = self.policy.decide(merged, error)
        report = FileReport(
            path=shown,
            verdict=verdict,
            findings=merged,
            error=error,
            blocking=blocking,
            pages=pages_read,
            timings=timings,
            consent=tuple(sorted(self.policy.consent)),
            page_results=tuple(
                PageResult(r.page, r.width, r.height, tuple(f for f in merged if f.page == r.page and not f.part))
                for r in page_results
            ),
        )
        return report, repeatable

    def _scan_page(self, page: Page, timings: dict[str, float], deadline: float) -> list[Finding]:
        page.attach_reader(self.reader)
        if page.needs_ocr and any(d.reads_text for d in self.detectors):
            began = time.perf_counter()
            _ = page.ocr_words  # timed on its own line, not charged to the first check that reads
            timings["ocr"] = timings.get("ocr", 0.0) + time.perf_counter() - began
        found: list[Finding] = []
        for detector in self.detectors:
            if time.perf_counter() > deadline:
                raise ScanTimeout
            began = time.perf_counter()
            try:
                results = detector.detect(page)
            except IngestError:
                raise
            except Exception as failure:  # fail closed: a check that crashed did not check
                raise IngestError(
                    f"{detector.name} check failed on page {page.number}: "
                    f"{type(failure).__name__}: {one_line(failure)}"
                ) from failure
            timings[detector.name] = timings.get(detector.name, 0.0) + time.perf_counter() - began
            found.extend(_on_parent_page(page, f) for f in results)
        return found

    def _failed(self, path: str, error: str) -> FileReport:
        verdict, _ = self.policy.decide((), error)
        return FileReport(path=path, verdict=verdict, error=error, consent=tuple(sorted(self.policy.consent)))


def _on_parent_page(page: Page, finding: Finding) -> Finding:
    """Boxes of embedded images reported on their page; findings of members name the member."""
    if page.placement is None and page.part is None:
        return finding
    return replace(finding, bbox=page.to_parent(finding.bbox), part=page.part)


def _merge_duplicates(findings: list[Finding]) -> tuple[Finding, ...]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: -f.confidence):
        if not any(_same_thing(finding, k) for k in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda f: (f.page, f.kind, f.bbox or (0, 0, 0, 0))))


def _same_thing(a: Finding, b: Finding) -> bool:
    if (a.kind, a.label, a.page, a.part) != (b.kind, b.label, b.page, b.part) or not a.bbox or not b.bbox:
        return False
    x0, y0 = max(a.bbox[0], b.bbox[0]), max(a.bbox[1], b.bbox[1])
    x1, y1 = min(a.bbox[2], b.bbox[2]), min(a.bbox[3], b.bbox[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = _area(a.bbox) + _area(b.bbox) - inter
    return union > 0 and inter / union >= _SAME_THING_IOU


def _area(box: tuple[int, int, int, int]) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _started(name: str, make: Callable[[], T]) -> T:
    """Build a check (or OCR); whatever stops it from starting becomes one SetupError line."""
    try:
        return make()
    except SetupError:
        raise
    except Exception as failure:
        raise SetupError(f"the {name} check cannot start: {one_line(failure)}") from failure
