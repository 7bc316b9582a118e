"""One self-contained HTML file: a thumbnail per file with boxes on the findings, verdicts, reasons.

The markup is in report.html, rendered with autoescaping on, so that no name read from a file
(a ZIP member called `<img src=x onerror=...>.txt`, an attachment's name) can become markup."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from jinja2.environment import TemplateModule

from scanner.i18n import tr
from scanner.model import FileReport, Finding
from scanner.report.console import summary_lines
from scanner.report.previews import KIND_COLOURS

THUMBNAIL_SIDE = 520


@cache
def _template() -> TemplateModule:
    environment = Environment(loader=PackageLoader("scanner.report", ""), autoescape=True, keep_trailing_newline=True)
    return environment.get_template("report.html").module


class HtmlReport:
    """Written as results arrive: each file's section goes to a temporary file, so thousands of
    thumbnails are not held in memory; `finish` puts the summary on top. The target is opened
    at once, so that a path that cannot be written fails before the scan, not after it."""

    def __init__(self, target: Path, language: str) -> None:
        self.language = language
        self._out = target.open("w", encoding="utf-8")
        self._sections = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed on exit
        self._reports: list[FileReport] = []

    def __enter__(self) -> HtmlReport:
        return self

    def __exit__(self, *_: object) -> None:
        self._sections.close()
        self._out.close()

    def add(self, report: FileReport, thumbnails: list[tuple[int, str]] | None) -> None:
        """`thumbnails`: (page number, data URL) pictures with the findings drawn, from PreviewJob."""
        self._reports.append(replace(report, findings=(), blocking=(), page_results=()))  # for the summary only
        self._sections.write(str(_template().file_section(_file_view(report, thumbnails or [], self.language))))

    def finish(self) -> None:
        summary = summary_lines(self._reports, self.language)[0]
        colours = {kind: "#{:02x}{:02x}{:02x}".format(*rgb) for kind, rgb in KIND_COLOURS.items()}
        self._out.write(str(_template().head(self.language, summary, colours)))
        self._sections.seek(0)
        shutil.copyfileobj(self._sections, self._out)
        self._out.write(str(_template().tail()))


def _file_view(report: FileReport, thumbnails: list[tuple[int, str]], language: str) -> dict[str, Any]:
    """What the template shows of a file: plain values, escaped by the template."""
    verdict = str(report.verdict)
    return {
        "verdict": verdict,
        "verdict_text": tr(language, "PASS") if verdict == "pass" else tr(language, "BLOCK"),
        "path": report.path,
        "error": report.reason.get(language, report.error) if report.error else None,
        "findings": [_finding_view(f, f in report.blocking, language) for f in report.findings],
        "reported_text": tr(language, "reported only"),
        "pages": [(tr(language, "page {page}", page=number), url) for number, url in thumbnails],
    }


def _finding_view(finding: Finding, blocks: bool, language: str) -> dict[str, Any]:
    where = tr(language, "page {page}", page=finding.page) + (f" · {finding.part}" if finding.part else "")
    return {
        "kind": finding.kind,
        "label": finding.label,
        "message": finding.message.get(language, ""),
        "where": where,
        "blocks": blocks,
    }
