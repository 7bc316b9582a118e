"""One self-contained HTML file: a thumbnail per file with boxes on the findings, verdicts, reasons."""

from __future__ import annotations

import html
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from scanner.i18n import tr
from scanner.model import FileReport
from scanner.report.console import summary_lines
from scanner.report.previews import KIND_COLOURS

THUMBNAIL_SIDE = 520

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;background:#f6f6f6}
h1{font-size:1.4rem} .summary{margin-bottom:1.5rem}
.file{background:#fff;border-radius:8px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px #0002}
.file h2{font-size:1rem;margin:0 0 .5rem;word-break:break-all}
.verdict{display:inline-block;padding:.1rem .6rem;border-radius:4px;color:#fff;font-weight:bold;margin-right:.5rem}
.pass{background:#1b7f3b} .block{background:#b3261e}
.pages{display:flex;gap:1rem;flex-wrap:wrap;margin-top:.5rem}
figure{margin:0} figcaption{font-size:.8rem;color:#555}
img{max-width:520px;border:1px solid #ccc}
li{margin:.2rem 0} .error{color:#b3261e} .dim{color:#777}
"""


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
        self._sections.write(_file_section(report, thumbnails or [], self.language))

    def finish(self) -> None:
        language = self.language
        summary = summary_lines(self._reports, language)[0]
        self._out.write(f"<!doctype html><html lang='{language}'><head><meta charset='utf-8'>"
                        f"<title>smscan report</title><style>{STYLE}</style></head><body>"
                        f"<h1>smscan</h1><p class='summary'>{html.escape(summary)}</p>")  # fmt: skip
        self._sections.seek(0)
        shutil.copyfileobj(self._sections, self._out)
        self._out.write("</body></html>")


def _file_section(report: FileReport, thumbnails: list[tuple[int, str]], language: str) -> str:
    verdict = str(report.verdict)
    parts = [
        f"<section class='file' data-verdict='{verdict}'><h2><span class='verdict {verdict}'>"
        f"{html.escape(_verdict(language, verdict))}</span>{html.escape(report.path)}</h2>"
    ]
    if report.error:
        parts.append(f"<p class='error'>{html.escape(report.reason.get(language, report.error))}</p>")
    if report.findings:
        parts.append("<ul>" + "".join(_finding_item(f, report, language) for f in report.findings) + "</ul>")
    figures = [
        f"<figure><img alt='{html.escape(report.path)} page {number}' src='{url}'>"
        f"<figcaption>{html.escape(_page(language, number))}</figcaption></figure>"
        for number, url in thumbnails
    ]
    if figures:
        parts.append("<div class='pages'>" + "".join(figures) + "</div>")
    parts.append("</section>")
    return "".join(parts)


def _finding_item(finding, report: FileReport, language: str) -> str:
    colour = "#{:02x}{:02x}{:02x}".format(*KIND_COLOURS.get(finding.kind, (255, 0, 255)))
    where = tr(language, "page {page}", page=finding.page) + (f" · {finding.part}" if finding.part else "")
    status = "" if finding in report.blocking else f" <span class='dim'>({html.escape(_reported(language))})</span>"
    return (
        f"<li><b style='color:{colour}'>{html.escape(finding.kind)} {html.escape(finding.label)}</b> — "
        f"{html.escape(finding.message.get(language, ''))} {html.escape(where)}{status}</li>"
    )


def _page(language: str, number: int) -> str:
    return tr(language, "page {page}", page=number)


def _verdict(language: str, verdict: str) -> str:
    return tr(language, "PASS") if verdict == "pass" else tr(language, "BLOCK")


def _reported(language: str) -> str:
    return tr(language, "reported only")
