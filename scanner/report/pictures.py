"""The pictures a batch may ask for: an HTML report (--report) and annotated page images
(--annotate). The places are opened before the scan, so one that cannot be written is said at
once, not after every file was checked."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import UsageError
from scanner.i18n import tr
from scanner.model import FileReport


class Pictures:
    def __init__(self, report_path: Path | None, annotate_dir: Path | None, language: str) -> None:
        from scanner.report.html import THUMBNAIL_SIDE, HtmlReport
        from scanner.report.previews import PreviewJob

        self.job = PreviewJob(THUMBNAIL_SIDE if report_path is not None else None, annotate_dir)
        self.html = None
        try:
            if annotate_dir is not None:
                annotate_dir.mkdir(parents=True, exist_ok=True)
            if report_path is not None:
                self.html = HtmlReport(report_path, language)
        except OSError as error:
            raise UsageError(tr(language, "cannot write {path}: {why}", path=str(error.filename),
                                why=error.strerror or str(error))) from None

    def here(self, report: FileReport, source: Path) -> object:
        """The pictures of a file checked elsewhere (on Dask), from the file as it is now."""
        try:
            return self.job(report, source.read_bytes())
        except OSError:
            return None

    def add(self, report: FileReport, thumbnails: object) -> None:
        if self.html is not None:
            self.html.add(report, thumbnails)  # type: ignore[arg-type]

    def finish(self) -> None:
        if self.html is not None:
            self.html.finish()
            self.html.__exit__(None, None, None)
