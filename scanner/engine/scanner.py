"""Scanner: ingest -> checks -> policy for one file, in this process.

Checks and OCR are built on first need, once per Scanner: a plain-text e-mail never loads the
face network or Tesseract. Every finding is stamped with its kind's guideline section and
messages from the check's declaration; a check that reports a kind it did not declare, or that
crashes, fails the file closed.

In this in-process mode the time limit is checked between pages and checks, so a native call that
never returns (a pathological PDF in MuPDF) is not cut short, and memory is not bounded: use
`scanner.engine.pool.WorkerPool` (what the command, the drop page and the mail gateway use) for
hard per-file limits.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from email.message import Message
from pathlib import Path

from scanner.detectors import CheckSpec, Detector, registry
from scanner.engine.cache import ReportCache, cache_key, scan_identity
from scanner.errors import SetupError
from scanner.geometry import iou
from scanner.ingest import Document, IngestError, Page, load
from scanner.ingest.errors import one_line
from scanner.messages import localised, localised_reason
from scanner.model import FileReport, Finding, MessageReport, PageResult
from scanner.policy import Policy

# Work done on a file right after its scan, where it was scanned: (report, bytes scanned) -> result.
FollowUp = Callable[[FileReport, bytes], object]

# Two findings of one label whose boxes overlap this much are the same thing seen twice
# (text layer and OCR, page render and embedded image).
_SAME_THING_IOU = 0.5


class ScanTimeout(Exception):
    pass


class Scanner:
    """Reusable across thousands of files; build one per process (or share it across threads).

    `checks` picks some of the registered checks by name (default: all but those the policy
    disables). With `cache_size` > 0 the reports of the last so many distinct contents are kept,
    keyed by SHA-256 of the bytes, the policy and the checks, so the same attachment sent to many
    recipients is scanned once.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        detectors: Iterable[str] | None = None,
        ocr: bool = True,
        cache_size: int = 0,
    ) -> None:
        self.policy = policy or Policy.default()
        known = registry()
        names = [known.check(name).name for name in detectors] if detectors is not None else list(known.checks)
        self.checks: list[CheckSpec] = [known.checks[n] for n in names if n not in self.policy.disabled]
        self.ocr = ocr
        self._built: dict[str, Detector] = {}
        self._warnings: tuple[str, ...] | None = None
        self._reader = None
        self._lazy_reader = _LazyReader(self)
        self._build_lock = threading.Lock()
        self.cache = ReportCache(cache_size) if cache_size > 0 else None

    # --- what runs -------------------------------------------------------------------------

    @property
    def detectors(self) -> list[Detector]:
        """Every check of this scanner, built now if it was not yet (the fix-it copy needs them)."""
        return [self.detector(spec) for spec in self.checks]

    def detector(self, spec: CheckSpec) -> Detector:
        built = self._built.get(spec.name)
        if built is None:
            with self._build_lock:
                built = self._built.get(spec.name)
                if built is None:
                    built = self._built[spec.name] = _started(spec.name, spec.build)
        return built

    @property
    def reader(self):
        """Tesseract, loaded when a page first needs OCR (None when OCR is off)."""
        if self._reader is None and self.ocr:
            with self._build_lock:
                if self._reader is None:
                    from scanner.ocr import TesseractReader

                    self._reader = _started("OCR", TesseractReader)
        return self._reader

    def warnings(self) -> tuple[str, ...]:
        """What this scanner's checks cannot do as well as usual (missing templates...), asked once:
        every report says it, whether or not its file needed the check."""
        if self._warnings is None:
            self._warnings = tuple(w for spec in self.checks for w in spec.warnings())
        return self._warnings

    def identity(self) -> str:
        return scan_identity(self.policy, [spec.name for spec in self.checks], self.ocr)

    # --- scanning --------------------------------------------------------------------------

    def scan_path(self, path: str | Path, display: str | None = None) -> FileReport:
        return self.read_and_scan(path, display)[0]

    def read_and_scan(self, path: str | Path, display: str | None = None) -> tuple[FileReport, bytes | None]:
        """The report, and the bytes it was made from (None when the file could not be read)."""
        shown = display if display is not None else str(path)
        try:
            data = read_limited(Path(path), self.policy.limits.max_file_bytes)
        except IngestError as error:
            return self.unchecked(shown, error), None
        return self.scan_bytes(data, filename=Path(path).name, path=shown), data

    def scan_bytes(self, data: bytes, filename: str | None = None, path: str | None = None) -> FileReport:
        shown = path if path is not None else (filename or "<bytes>")
        return self._scan_cached("file", data, shown, lambda: load(data, filename, self.policy.limits))

    def scan_text(self, text: str, name: str = "text") -> FileReport:
        """Text read as a file of that text would be (plain, Markdown, HTML, CSV, RTF); a `name` ending
        in .html says it is HTML (an e-mail's declared HTML body)."""
        from scanner.ingest.dispatch import load_text

        data = text.encode("utf-8", "surrogatepass")
        # The name is in the key: it may decide plain or HTML.
        return self._scan_cached(f"text:{name}", data, name, lambda: load_text(text, name, self.policy.limits))

    def scan_message(self, message: Message) -> MessageReport:
        """Every part of an e-mail (subject, text and HTML bodies, attachments, inline images)."""
        from scanner.engine.message import scan_message

        return scan_message(self, message)

    def unchecked(self, shown: str, error: IngestError) -> FileReport:
        return self.policy.unchecked(shown, error)

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
        failure: IngestError | None = None
        repeatable = True
        try:
            document = loader()
            timings["ingest"] = time.perf_counter() - started
            deadline = started + self.policy.limits.timeout_seconds
            pages = iter(document.pages)
            while (page := _next_timed(pages, timings)) is not None:
                findings.extend(self._scan_page(page, timings, deadline))
                pages_read += page.placement is None
                if page.placement is None and page.part is None:
                    page_results.append(PageResult(page.number, page.width, page.height))
                page.release()  # a long document must not keep every page's raster
        except IngestError as error:
            failure = error
        except ScanTimeout:
            failure = IngestError("timed out after {seconds} s; not fully checked",
                                  seconds=self.policy.limits.timeout_seconds)
            repeatable = False
        except MemoryError:
            failure = IngestError("ran out of memory while checking; not fully checked")
            repeatable = False
        except (SetupError, KeyboardInterrupt):
            raise
        except Exception as error:
            failure = IngestError("smscan failed while checking ({why}); not fully checked", why=one_line(error))
            repeatable = False
        timings["total"] = time.perf_counter() - started
        return self._report(shown, findings, failure, pages_read, timings, page_results), repeatable

    def _report(self, shown: str, findings: list[Finding], failure: IngestError | None, pages: int,
                timings: dict[str, float], page_results: list[PageResult]) -> FileReport:
        merged = _merge_duplicates(findings)
        error = str(failure) if failure else None
        verdict, blocking = self.policy.decide(merged, error)
        return FileReport(
            path=shown,
            verdict=verdict,
            findings=merged,
            error=error,
            blocking=blocking,
            pages=pages,
            timings=timings,
            consent=tuple(sorted(self.policy.consent)),
            page_results=tuple(
                PageResult(r.page, r.width, r.height, tuple(f for f in merged if f.page == r.page and not f.part))
                for r in page_results
            ),
            reason=localised_reason(blocking, failure.localised() if failure else None),
            warnings=self.warnings(),
        )

    def _scan_page(self, page: Page, timings: dict[str, float], deadline: float) -> list[Finding]:
        checks = [spec for spec in self.checks if page.pictures or not spec.pixels_only]
        page.attach_reader(self._lazy_reader if self.ocr else None)
        if page.needs_ocr and self.ocr and any(spec.reads_text for spec in checks):
            self._read(page, timings)
        return self._run_checks(checks, page, timings, deadline)

    def _read(self, page: Page, timings: dict[str, float]) -> None:
        began = time.perf_counter()
        _ = page.ocr_words  # timed on its own line, not charged to the first check that reads
        timings["ocr"] = timings.get("ocr", 0.0) + time.perf_counter() - began

    def _run_checks(self, checks: list[CheckSpec], page: Page, timings: dict[str, float],
                    deadline: float) -> list[Finding]:
        found: list[Finding] = []
        for spec in checks:
            if time.perf_counter() > deadline:
                raise ScanTimeout
            began = time.perf_counter()
            results = _run(self.detector(spec), page)
            timings[spec.name] = timings.get(spec.name, 0.0) + time.perf_counter() - began
            found.extend(_stamped(spec, _on_parent_page(page, f)) for f in results)
        return found


class _LazyReader:
    """What a page reads with: Tesseract, loaded on the first page that is actually read."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner

    def read(self, rgb, *, block: bool = False):
        return self.scanner.reader.read(rgb, block=block)


def _next_timed(pages: Iterator[Page], timings: dict[str, float]) -> Page | None:
    """The next page, its reading timed with ingest (a long PDF's pages are read as they are reached)."""
    began = time.perf_counter()
    page = next(pages, None)
    timings["ingest"] = timings.get("ingest", 0.0) + time.perf_counter() - began
    return page


def _run(detector: Detector, page: Page) -> list[Finding]:
    try:
        return detector.detect(page)
    except (IngestError, SetupError, MemoryError):
        raise
    except Exception as failure:  # fail closed: a check that crashed did not check
        raise IngestError("the {check} check failed on page {page}: {why}", check=detector.name, page=page.number,
                          why=one_line(failure)) from failure


def _stamped(spec: CheckSpec, finding: Finding) -> Finding:
    """The finding with its section and messages from the declaration of its kind."""
    kind = next((k for k in spec.kinds if k.name == finding.kind), None)
    if kind is None:
        raise IngestError("the {check} check reported a kind it does not declare ({kind}); not fully checked",
                          check=spec.name, kind=finding.kind)
    excerpt = finding.excerpt or finding.label
    return replace(finding, section=kind.section, excerpt=excerpt, message=localised(kind, finding.label, excerpt))


def read_limited(path: Path, max_bytes: int, follow_links: bool = True) -> bytes:
    """A regular file's bytes, refused when over `max_bytes`. Opened without blocking and checked
    before reading, so a FIFO or a device is refused rather than waited on; with `follow_links`
    False (files found inside a folder) a symbolic link is refused too, so a folder cannot lead
    the scan to files outside it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise _unreadable(path, error) from None
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise IngestError("not read: {what}, not a regular file", what=_file_type(mode))
        if os.fstat(descriptor).st_size > max_bytes:
            raise _too_large(max_bytes)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _too_large(max_bytes: int) -> IngestError:
    return IngestError("file too large: over {limit} MiB (limit max_file_mb)", limit=round(max_bytes / 2**20))


def _unreadable(path: Path, error: OSError) -> IngestError:
    if error.errno == errno.ELOOP:
        return IngestError("not read: a symbolic link inside a folder (links are not followed)")
    if isinstance(error, FileNotFoundError):
        return IngestError("no such file")
    if isinstance(error, PermissionError):
        return IngestError("permission denied")
    if isinstance(error, IsADirectoryError):
        return IngestError("is a folder, not a file")
    return IngestError("cannot read the file: {why}", why=error.strerror or one_line(error))


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "a special file"


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
    return iou(a.bbox, b.bbox) >= _SAME_THING_IOU


def _started(name: str, make: Callable[[], object]):
    """Build a check (or OCR); whatever stops it from starting becomes one SetupError line."""
    try:
        return make()
    except SetupError:
        raise
    except Exception as failure:
        raise SetupError(f"the {name} check cannot start: {one_line(failure)}") from failure
