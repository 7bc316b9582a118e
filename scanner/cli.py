"""`smscan`: scan files and folders before sharing them (the default command), plus subcommands."""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from scanner.i18n import default_language, text
from scanner.mail.cli import milter_command, smtp_filter_command
from scanner.policy import Policy, PolicyError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check images and PDFs against Statistics Canada's social media guidelines before sharing.",
)
SUBCOMMANDS = {"scan", "eval", "ui", "fix", "smtp-filter", "milter"}

EXIT_PASS, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2

JsonOption = Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one object per file.")]
LangOption = Annotated[str | None, typer.Option("--lang", help="en or fr (default: from LANG).")]
PolicyOption = Annotated[Path | None, typer.Option("--policy", help="TOML policy file.")]
WorkersOption = Annotated[int, typer.Option("--workers", help="Worker processes (default: all cores).")]
ConsentOption = Annotated[
    list[str] | None,
    typer.Option("--consent", help="Finding kind you have consent for, e.g. faces (repeatable)."),
]


def print_error(message: str) -> None:
    Console(stderr=True).print(f"[red]smscan: {escape(message)}[/]", highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    print_error(message)
    raise typer.Exit(EXIT_ERROR)


def load_policy(policy_file: Path | None, consent: list[str] | None) -> Policy:
    try:
        policy = Policy.load(policy_file) if policy_file else Policy.default()
    except PolicyError as error:
        fail(str(error))
    kinds = {_kind_name(k) for k in consent or []}
    return policy.with_consent(kinds) if kinds else policy


def _kind_name(word: str) -> str:
    # People type "faces"; findings say "face".
    word = word.strip().lower()
    return {"faces": "face", "logos": "logo", "markings": "marking"}.get(word, word)


def _workers(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


@app.command("scan")
def scan_command(
    paths: Annotated[list[str], typer.Argument(help="Files and folders (scanned recursively).")],
    as_json: JsonOption = False,
    lang: LangOption = None,
    policy_file: PolicyOption = None,
    consent: ConsentOption = None,
    workers: WorkersOption = 0,
    html_report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML report with annotated previews.")
    ] = None,
    annotate: Annotated[
        Path | None, typer.Option("--annotate", help="Write page images with boxes around findings here.")
    ] = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Run the batch on this Dask scheduler, e.g. tcp://host:8786.")
    ] = None,
) -> None:
    """Scan files and folders; exit 0 if all pass, 1 if any is blocked, 2 on an error."""
    from scanner.engine import expand_paths
    from scanner.engine.allocator import keep_freed_memory
    from scanner.report.console import Summary, file_line
    from scanner.report.jsonl import write_jsonl

    keep_freed_memory()  # a batch that ends soon; see scanner/allocator.py (servers do not)
    language = lang or default_language()
    policy = load_policy(policy_file, consent)
    files = expand_paths(paths)
    if not files:
        fail(text(language, "no_files"))
    console = Console(highlight=False, soft_wrap=True)
    summary = Summary()
    pictures = html_file = None
    with ExitStack() as stack:
        advance = stack.enter_context(_progress(len(files), None if as_json else console))
        if html_report is not None or annotate is not None:
            from scanner.report.html import THUMBNAIL_SIDE, HtmlReport
            from scanner.report.previews import PreviewJob

            pictures = PreviewJob(THUMBNAIL_SIDE if html_report is not None else None, annotate)
            try:  # a place that cannot be written is said now, not after the scan (or never)
                if annotate is not None:
                    annotate.mkdir(parents=True, exist_ok=True)
                if html_report is not None:
                    html_file = stack.enter_context(HtmlReport(html_report, language))
            except OSError as error:
                fail(text(language, "cannot_write", path=error.filename, reason=error.strerror or error))
        for report, thumbnails in _batch(files, policy, _workers(workers), dask, pictures):
            summary.add(report)
            if as_json:
                write_jsonl(report, sys.stdout)
            else:
                console.print(file_line(report, language))
            if html_file is not None:
                html_file.add(report, thumbnails)
            advance()
        if html_file is not None:
            html_file.finish()
    if not as_json:
        summary.print(console, language)
    if any(r.error for r in summary.reports):
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_BLOCKED if any(r.blocked for r in summary.reports) else EXIT_PASS)


def _batch(files, policy: Policy, workers: int, dask: str | None, pictures):
    """(report, thumbnails) as files finish, on local worker processes (which also draw the
    pictures) or on a Dask cluster (pictures drawn here)."""
    if dask is None:
        from scanner.engine import scan_and_follow

        yield from scan_and_follow(files, policy, workers, pictures)
        return
    from scanner.engine.dask import DaskUnavailable, scan_many_dask

    sources = {shown: path for path, shown in files}
    try:
        for report in scan_many_dask(files, policy, dask):
            yield report, _pictures_here(pictures, report, sources[report.path])
    except DaskUnavailable as error:
        fail(str(error))


def _pictures_here(pictures, report, source: Path):
    """The pictures for a file scanned elsewhere, from the file as it is now."""
    if pictures is None:
        return None
    try:
        return pictures(report, source.read_bytes())
    except OSError:
        return None


class _progress:
    """A progress bar on a terminal, nothing when piped or for a single file.

    It shares the console the file lines go to, so that rich prints them above the bar."""

    def __init__(self, total: int, console: Console | None) -> None:
        self.bar = None
        console = console if console is not None and console.is_terminal else Console(stderr=True)
        if total > 1 and console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress(
                "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=console, transient=True,
            )
            self.task = self.bar.add_task("smscan", total=total)

    def __enter__(self):
        if self.bar is None:
            return lambda: None
        self.bar.start()
        return lambda: self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command("eval")
def eval_command(
    manifest: Annotated[Path, typer.Argument(help="CSV with path,expect,kinds[,group] rows.")],
    as_json: JsonOption = False,
    policy_file: PolicyOption = None,
    workers: WorkersOption = 0,
    show_misses: Annotated[bool, typer.Option("--misses", help="List every wrong case.")] = False,
) -> None:
    """Recall per finding kind and false-block rate on a labelled set of files."""
    from scanner.engine import scan_many
    from scanner.engine.allocator import keep_freed_memory

    keep_freed_memory()
    from scanner.evaluate import Evaluation, ManifestError, read_manifest
    from scanner.report.evaluation import print_evaluation

    try:
        cases = read_manifest(manifest)
    except ManifestError as error:
        fail(str(error))
    policy = load_policy(policy_file, None)
    by_shown = {case.shown: case for case in cases}
    evaluation = Evaluation()
    for report in scan_many([(c.path, c.shown) for c in cases], policy, _workers(workers)):
        evaluation.add(by_shown[report.path], report)
    if as_json:
        print(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_evaluation(evaluation, Console(highlight=False), show_misses)


@app.command("fix")
def fix_command(
    source: Annotated[Path, typer.Argument(help="Image or PDF to make a shareable copy of.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the copy.")],
    lang: LangOption = None,
    policy_file: PolicyOption = None,
) -> None:
    """Write a copy with faces blurred and metadata stripped, then scan the copy.

    Exit 0 when the copy passes, 1 when something else still blocks it (a marking, a logo), 2 on
    an error. The input file is never modified."""
    from scanner.engine import Scanner
    from scanner.fix import FixError, write_fixed_copy
    from scanner.report.console import file_line

    language = lang or default_language()
    policy = load_policy(policy_file, None)
    try:
        data = source.read_bytes()
    except OSError as error:
        fail(f"cannot read {source}: {error.strerror or error}")
    scanner = Scanner(policy)
    faces = next((d for d in scanner.detectors if d.name == "face"), None)
    try:
        result = write_fixed_copy(data, output, filename=str(source), faces=faces)
    except FixError as error:
        fail(str(error))
    console = Console(highlight=False, soft_wrap=True)
    console.print(text(language, "fixed", path=str(result.out_path), faces=result.faces_blurred))
    for removed in result.removed:
        console.print(f"  - {removed}")
    for note in result.notes:
        console.print(f"  ! {note}")
    report = scanner.scan_path(result.out_path)
    console.print(file_line(report, language))
    raise typer.Exit(EXIT_ERROR if report.error else EXIT_BLOCKED if report.blocked else EXIT_PASS)


@app.command("ui")
def ui_command(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    lang: LangOption = None,
    policy_file: PolicyOption = None,
    max_upload_mb: Annotated[float | None, typer.Option("--max-upload-mb", help="Per-file upload limit.")] = None,
) -> None:
    """A local page to drop files and folders on; the JSON API is POST /api/scan."""
    import threading
    import webbrowser

    import uvicorn

    from scanner.ui.app import create_app

    policy = load_policy(policy_file, None)
    application = create_app(policy, lang or default_language(), max_upload_mb)
    address = f"http://127.0.0.1:{port}/"
    Console(stderr=True).print(f"smscan ui: {address}  (Ctrl+C to stop)")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    try:
        uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning")
    except OSError as error:
        fail(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}")


app.command("smtp-filter")(smtp_filter_command)
app.command("milter")(milter_command)


def main() -> None:
    """Entry point: `smscan PATH...` means `smscan scan PATH...`."""
    argv = sys.argv[1:]
    first = next((a for a in argv if not a.startswith("-")), None)
    asked_help = first is not None and {"--help", "-h"} & set(argv[: argv.index(first)])
    if first is not None and first not in SUBCOMMANDS and not asked_help:
        argv = ["scan", *argv]
    from scanner.errors import SetupError

    try:
        app(argv, prog_name="smscan", standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except SetupError as error:
        print_error(str(error))
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
