"""`smscan fix --report FILE`: one self-contained HTML page with each page of the file beside the same
page of its copy, boxes drawn on what each scan found.

The markup is fix.html, rendered with autoescaping on, so that no name read from a file can
become markup."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, Template

from scanner.fix import FixResult
from scanner.i18n import tr
from scanner.ingest import IngestError, load
from scanner.model import FileReport
from scanner.report.previews import data_url, drawn, pages_to_show

PICTURE_SIDE = 900


@cache
def _template() -> Template:
    return Environment(loader=PackageLoader("scanner.report", ""), autoescape=True).get_template("fix.html")


def write_fix_report(target: Path, data: bytes, result: FixResult, source: str, copy: str, language: str) -> None:
    html = fix_report_html(data, result, source, copy, language)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, "utf-8")
    except OSError as error:
        from scanner.errors import UsageError

        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None


def fix_report_html(data: bytes, result: FixResult, source: str, copy: str, language: str) -> str:
    return _template().render(
        lang=language,
        t={"title": tr(language, "smscan fix"), "before": tr(language, "the file"),
           "after": tr(language, "the copy"), "no_copy": tr(language, "no copy made")},
        source=source,
        copy=copy,
        before=_verdict(result.before, language),
        after=_verdict(result.after, language) if result.after else None,
        changes=result.changes(language),
        why=result.why_not(language),
        pairs=_pairs(data, result, language),
    )


def _verdict(report: FileReport, language: str) -> dict[str, str]:
    verdict = str(report.verdict)
    return {"verdict": verdict, "verdict_text": tr(language, "PASS") if verdict == "pass" else tr(language, "BLOCK"),
            "reason": report.reason.get(language, "")}


def _pairs(data: bytes, result: FixResult, language: str) -> list[dict[str, Any]]:
    """Each page worth showing (those with findings first), before and after."""
    before = {n: data_url(image) for n, image in drawn(pages_to_show(data, result.before), result.before,
                                                       PICTURE_SIDE)}
    after: dict[int, str] = {}
    if result.data is not None and result.after is not None:
        after = {n: data_url(image) for n, image in drawn(_same_pages(result.data, result.after, set(before)),
                                                          result.after, PICTURE_SIDE)}
    return [{"caption": tr(language, "page {page}", page=n), "before": url, "after": after.get(n)}
            for n, url in before.items()]


def _same_pages(data: bytes, report: FileReport, numbers: set[int]) -> list:
    try:
        document = load(data, report.path)
    except IngestError:
        return []
    return [p for p in document.pages if p.number in numbers and p.placement is None and p.part is None]
