"""One line per file with its verdict and reasons, then a summary."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape

from scanner.i18n import text
from scanner.model import FileReport, Finding


def file_line(report: FileReport, language: str) -> str:
    if report.error:
        verdict = f"[bold red]{text(language, 'block')}[/]"
        return f"{verdict}  {escape(report.path)}  {text(language, 'error')}: {escape(report.error)}"
    if report.blocked:
        reasons = "; ".join(describe(f, language) for f in report.blocking)
        return f"[bold red]{text(language, 'block')}[/]  {escape(report.path)}  {reasons}"
    line = f"[bold green]{text(language, 'pass')}[/]  {escape(report.path)}"
    if report.findings:
        noted = "; ".join(describe(f, language) for f in report.findings)
        line += f"  [dim]({text(language, 'reported')}: {noted})[/]"
    if report.consent and any(f.kind in report.consent for f in report.findings):
        line += f"  [dim]{text(language, 'consent')} {', '.join(report.consent)}[/]"
    return line


def describe(finding: Finding, language: str) -> str:
    section = f"{finding.section} {text(language, 'section.' + finding.section)}"
    where = f"{text(language, 'page')}{finding.page}"
    if finding.part:
        where = f"{finding.part} {where}"
    return escape(
        f"{finding.kind} {finding.label} ({section}, {where}, {finding.confidence:.0%}) {finding.evidence}"
    )


class Summary:
    def __init__(self) -> None:
        self.reports: list[FileReport] = []

    def add(self, report: FileReport) -> None:
        self.reports.append(report)

    def print(self, console: Console, language: str) -> None:
        errors = sum(1 for r in self.reports if r.error)
        blocked = sum(1 for r in self.reports if r.blocked)
        console.print(
            text(
                language,
                "summary",
                files=len(self.reports),
                passed=len(self.reports) - blocked,
                blocked=blocked,
                errors=errors,
            )
        )
        kinds = Counter(f.kind for r in self.reports for f in r.blocking)
        if kinds:
            console.print(f"{text(language, 'by_kind')}: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        if len(self.reports) > 1:
            slowest = sorted(self.reports, key=lambda r: -r.timings.get("total", 0.0))[:3]
            console.print(
                f"{text(language, 'slowest')}: "
                + ", ".join(f"{escape(r.path)} {r.timings.get('total', 0.0):.1f} s" for r in slowest)
            )
