"""What the command prints: a line per file with its verdict and why, what to do under a blocked
file, then a summary; or JSON Lines for scripts. Both decide the exit code the same way."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TextIO

from scanner.errors import EXIT_BLOCKED, EXIT_PASS, EXIT_UNCHECKED
from scanner.i18n import ntr, tr
from scanner.messages import grouped
from scanner.model import FileReport


class _Output:
    def __init__(self) -> None:
        self.reports: list[FileReport] = []
        self.warned: set[str] = set()

    def add(self, report: FileReport) -> None:
        self.reports.append(report)
        for warning in report.warnings:
            if warning not in self.warned:  # said once for the whole run, not once per file
                self.warned.add(warning)
                print(f"smscan: warning: {warning}", file=sys.stderr, flush=True)
        self.show(report)

    def show(self, report: FileReport) -> None:
        raise NotImplementedError

    def exit_code(self) -> int:
        if any(not r.checked for r in self.reports):
            return EXIT_UNCHECKED
        return EXIT_BLOCKED if any(r.blocked for r in self.reports) else EXIT_PASS

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class JsonOutput(_Output):
    """One JSON object per file on stdout, flushed as each file is done; nothing else on stdout."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stdout

    def show(self, report: FileReport) -> None:
        self.stream.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
        self.stream.flush()


class ConsoleOutput(_Output):
    """Lines for a person, with a progress bar below them on a terminal."""

    def __init__(self, language: str, total: int, summary: bool = True) -> None:
        super().__init__()
        from rich.console import Console

        self.language = language
        self.console = Console(highlight=False, soft_wrap=True)
        self.summary = summary
        self.bar = None
        if total > 1 and self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.task = self.bar.add_task("smscan", total=total)

    def __enter__(self) -> ConsoleOutput:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
        if self.summary and exc[0] is None:
            for line in summary_lines(self.reports, self.language):
                self.console.print(line)

    def show(self, report: FileReport) -> None:
        for line in file_lines(report, self.language):
            self.console.print(line)
        if self.bar is not None:
            self.bar.advance(self.task)


def file_lines(report: FileReport, language: str) -> list[str]:
    """The file's line (rich markup) and, under a blocked one, what was found and what to do."""
    from rich.markup import escape

    path = escape(report.path)
    if report.blocked:
        why = escape(report.reason.get(language) or report.error or "")
        verdict = tr(language, "BLOCK")
        lines = [f"[bold red]{verdict}[/]  {path}  {why}"]
        lines += [f"    {escape(group.sentence(language))}" for group in grouped(report.blocking)]
        return lines
    verdict = tr(language, "PASS")
    line = f"[bold green]{verdict}[/]  {path}"
    if report.findings:
        noted = tr(language, "reported, not blocking: {what}",
                   what="; ".join(group.phrase(language) for group in grouped(report.findings)))
        line += f"  [dim]({escape(noted)})[/]"
    if report.consent and any(f.kind in report.consent for f in report.findings):
        consent = tr(language, "consent given for {kinds}", kinds=", ".join(report.consent))
        line += f"  [dim]{escape(consent)}[/]"
    return [line]


def summary_lines(reports: list[FileReport], language: str) -> list[str]:
    from rich.markup import escape

    unchecked = sum(1 for r in reports if not r.checked)
    blocked = sum(1 for r in reports if r.blocked) - unchecked
    passed = len(reports) - blocked - unchecked
    lines = [tr(language, "{files}: {passed} passed, {blocked} blocked, {unchecked} could not be checked",
                files=ntr(language, "{n} file", "{n} files", len(reports)), passed=passed, blocked=blocked,
                unchecked=unchecked)]
    kinds = Counter(f.kind for r in reports for f in r.blocking)
    if kinds:
        counted = ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
        lines.append(tr(language, "Blocking findings by kind: {counted}", counted=counted))
    if len(reports) > 1:
        slowest = sorted(reports, key=lambda r: -r.timings.get("total", 0.0))[:3]
        named = ", ".join(f"{escape(r.path)} {_seconds(language, r)}" for r in slowest)
        lines.append(tr(language, "Slowest: {files}", files=named))
    return lines


def _seconds(language: str, report: FileReport) -> str:
    return tr(language, "{seconds} s", seconds=round(report.timings.get("total", 0.0), 1))
