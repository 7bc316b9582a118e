"""`smscan`: check files before sharing them (the default command), and the other commands.

The command only translates: it parses the line, hands files to the core's worker pool, prints
what comes back, and maps the outcome to an exit code (scanner.errors). Heavy modules are
imported only by the command that needs them, so `smscan --help` starts in a few hundredths of a
second.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scanner.errors import (
    EXIT_INTERRUPTED,
    EXIT_PASS,
    SmscanError,
    UsageError,
    exit_code_of,
)
from scanner.options import add_common, language_of, policy_of
from scanner.version import LICENSE, __version__, source_url

EXIT_CODES = """exit codes:
  0   every file passed          1   a file was blocked
  2   a file could not be checked (damaged, encrypted, over a limit, timed out; it is blocked)
  64  bad usage                  69  broken installation (Tesseract data, face model, templates)
  78  invalid policy file        130 interrupted"""

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are a UsageError (exit 64), not argparse's exit 2, which means 'not checked'."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see: {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="smscan",
        description="Check files against Statistics Canada's social media guidelines before sharing them. "
        "`smscan FILE...` is `smscan scan FILE...`.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version",
                        version=f"smscan {__version__}\nlicence: {LICENSE}\nsource: {source_url()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_scan(commands)
    _add_eval(commands)
    _add_fix(commands)
    _add_ui(commands)
    _add_policy(commands)
    _add_setup(commands)
    _add_doctor(commands)
    from scanner.mail.cli import add_mail_commands

    add_mail_commands(commands)
    return parser


def _add_scan(commands) -> None:
    scan = commands.add_parser("scan", help="check files and folders (the default command)",
                               description="Check files and folders (recursively); - reads standard input.",
                               epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    scan.add_argument("paths", nargs="*", metavar="PATH", help="files and folders; - for standard input")
    scan.add_argument("--text", action="append", default=[], metavar="TEXT", help="check this text (a draft post)")
    scan.add_argument("--json", action="store_true", help="JSON Lines on stdout, one object per file")
    add_common(scan)
    scan.add_argument("--consent", action="append", default=[], metavar="KIND",
                      help="a finding kind you have consent for, e.g. faces (repeatable)")
    scan.add_argument("--workers", type=int, default=0, help="worker processes (default: as many as cores and files)")
    scan.add_argument("--report", type=Path, metavar="FILE", help="write a self-contained HTML report")
    scan.add_argument("--annotate", type=Path, metavar="DIR", help="write page images with boxes around findings")
    scan.add_argument("--dask", metavar="ADDRESS", help="run the batch on this Dask scheduler, e.g. tcp://host:8786")
    scan.set_defaults(run=run_scan)


def _add_eval(commands) -> None:
    evaluate = commands.add_parser("eval", help="recall per kind and false blocks per group on labelled files")
    evaluate.add_argument("manifest", type=Path, help="CSV with path,expect,kinds[,group] rows")
    evaluate.add_argument("--json", action="store_true", help="the figures as JSON")
    add_common(evaluate)
    evaluate.add_argument("--workers", type=int, default=0, help="worker processes (default: all cores)")
    evaluate.add_argument("--misses", action="store_true", help="list every wrong case")
    evaluate.set_defaults(run=run_eval)


FIX_EXIT_CODES = """exit codes:
  0   the copy was written and passes
  1   no copy was written (a security marking or abuse blocks the file, or the format is not one fix
      writes), or the copy still blocks (what you kept, or what could not be removed); the line says why
  2   the file could not be checked      64  bad usage (e.g. -o naming the input)"""

FIX_KINDS = ("faces", "pii", "logos")


def _add_fix(commands) -> None:
    fix = commands.add_parser(
        "fix", help="write a shareable copy: faces blurred, personal data and GoC symbols covered, metadata removed",
        description="Write a copy with what the scan found removed where it was found: faces blurred, personal "
        "data and GoC corporate symbols covered (in PDFs, removed from the text layer too), metadata and hidden "
        "content removed. The copy is scanned again. Security markings and abuse are never touched: no copy is "
        "written for a file they block. Office documents: export them to PDF and fix the PDF.",
        epilog=FIX_EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    fix.add_argument("source", type=Path, help="image (JPEG, PNG, WebP, HEIC, TIFF, GIF, BMP) or PDF")
    fix.add_argument("-o", "--output", type=Path, required=True,
                     help="where to write the copy; an image suffix picks the copy's image type")
    fix.add_argument("--only", metavar="KINDS", help=f"remove only these, comma-separated ({','.join(FIX_KINDS)})")
    fix.add_argument("--keep", metavar="KINDS", help="leave these in the copy, comma-separated")
    fix.add_argument("--style", choices=("box", "blur", "pixelate"),
                     help="how to cover (default: faces blurred, text and symbols boxed)")
    fix.add_argument("--report", type=Path, metavar="FILE",
                     help="write an HTML page with the file and its copy side by side")
    add_common(fix)
    fix.add_argument("--consent", action="append", default=[], metavar="KIND",
                     help="a finding kind you have consent for, left in the copy, e.g. faces (repeatable)")
    fix.set_defaults(run=run_fix)


def _add_ui(commands) -> None:
    ui = commands.add_parser("ui", help="a local page to drop files and folders on")
    ui.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    ui.add_argument("--no-browser", action="store_true", help="do not open a browser")
    ui.add_argument("--max-upload-mb", type=float, help="per-file upload limit (default: the policy's)")
    add_common(ui)
    ui.set_defaults(run=run_ui)


def _add_policy(commands) -> None:
    policy = commands.add_parser("policy", help="show the policy in effect, or check a policy file")
    actions = policy.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    show = actions.add_parser("show", help="the effective policy, each default with its reason")
    show.add_argument("--policy", type=Path, metavar="FILE", help="policy file to merge over the defaults")
    show.set_defaults(run=run_policy_show)
    check = actions.add_parser("check", help="validate a policy file")
    check.add_argument("file", type=Path)
    check.set_defaults(run=run_policy_check)


def _add_setup(commands) -> None:
    setup = commands.add_parser("setup", help="install what smscan needs beside the package (the logo templates)")
    actions = setup.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    templates = actions.add_parser("templates", help="fetch the official GC artwork (npm package, SHA-256 checked)")
    where = templates.add_mutually_exclusive_group()
    where.add_argument("--system", action="store_true", help="into the system's data folder (for services)")
    where.add_argument("--dest", type=Path, metavar="DIR", help="into this folder (then set SMSCAN_LOGO_TEMPLATES)")
    templates.set_defaults(run=run_setup_templates)


def _add_doctor(commands) -> None:
    doctor = commands.add_parser("doctor", help="what is installed and what is missing, with the fix for each",
                                 description="Exit 0 when smscan can run fully, 69 when something it needs is missing.")
    doctor.add_argument("--json", action="store_true", help="the same as JSON")
    doctor.set_defaults(run=run_doctor)


# --- routing -----------------------------------------------------------------------------


def routed(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """`smscan [OPTIONS] PATH...` means `smscan scan [OPTIONS] PATH...`; a command named after
    options (`smscan --workers 1 eval m.csv`) is moved first. Options that take a value are
    known from the parser, so their values are never mistaken for paths or commands."""
    argv = list(argv)
    if not argv:
        return ["--help"]
    commands = _subparsers(parser)
    valued = {option for sub in commands.values() for action in sub._actions if action.nargs != 0
              for option in action.option_strings}
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            break
        if token.startswith("-") and token != "-":
            if token in ("-h", "--help", "--version") and index == 0:
                return argv
            index += 2 if token in valued else 1
            continue
        if token in commands:
            return [token, *argv[:index], *argv[index + 1:]]
        break
    return ["scan", *argv]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: parse, run, and turn every outcome into an exit code (nothing escapes as a traceback)."""
    try:
        parser = build_parser()
        args = parser.parse_args(routed(sys.argv[1:] if argv is None else argv, parser))
        code = args.run(args)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except SmscanError as error:
        print_error(str(error))
        code = exit_code_of(error)
    sys.exit(code)


def print_error(message: str) -> None:
    line = " ".join(message.split())
    if sys.stderr.isatty():
        line = f"\x1b[31m{line}\x1b[0m"
    print(f"smscan: {line}", file=sys.stderr, flush=True)


def _workers(requested: int, files: int) -> int:
    available = os.cpu_count() or 1
    wanted = requested if requested > 0 else available
    return max(1, min(wanted, files))


# --- commands ------------------------------------------------------------------------------


def run_scan(args: argparse.Namespace) -> int:
    from scanner.report.console import ConsoleOutput, JsonOutput

    language = language_of(args)
    policy = policy_of(args)
    from scanner.engine.batch import expand_paths

    paths = [p for p in args.paths if p != "-"]
    from_stdin = len(paths) < len(args.paths)
    targets = expand_paths(paths, passed_over=lambda folder: print_error(f"{folder}: version-control folder, not read"))
    count = len(targets) + from_stdin + len(args.text)
    if count == 0:
        raise UsageError("no files to scan (give files or folders, - for standard input, or --text)")
    output = JsonOutput() if args.json else ConsoleOutput(language, count)
    pictures = _pictures(args, language)
    with output:
        for report, extra in _scanned(args, policy, targets, from_stdin, pictures):
            output.add(report)
            if pictures is not None:
                pictures.add(report, extra)
        if pictures is not None:
            pictures.finish()
    return output.exit_code()


def _scanned(args, policy, targets, from_stdin: bool, pictures):
    """(report, pictures) for every file, text and standard input, as each is done."""
    from scanner.engine.batch import scan_and_follow
    from scanner.engine.pool import Job, WorkerPool

    if args.dask:
        yield from _scanned_on_dask(args, policy, targets, pictures)
        return
    workers = _workers(args.workers, len(targets) + from_stdin + len(args.text))
    follow_up = pictures.job if pictures is not None else None
    with WorkerPool(policy, workers, keep_freed_memory=True) as pool:
        extra = [pool.submit(Job("-", data=_stdin_bytes(policy), filename="stdin"))] if from_stdin else []
        extra += [pool.submit(Job(f"--text {n}" if len(args.text) > 1 else "--text", text=text))
                  for n, text in enumerate(args.text, 1)]
        for scanned in extra:
            yield scanned.result()
        yield from scan_and_follow(targets, pool, follow_up)


def _scanned_on_dask(args, policy, targets, pictures):
    from scanner.engine.dask import scan_many_dask

    if args.text or "-" in args.paths:
        raise UsageError("--dask checks files and folders; give text and standard input without --dask")
    for report in scan_many_dask(targets, policy, args.dask):
        source = next((t.path for t in targets if t.shown == report.path), None)
        yield report, pictures.here(report, source) if pictures is not None and source else None


def _stdin_bytes(policy) -> bytes:
    limit = policy.limits.max_file_bytes
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise UsageError(f"standard input is over the {limit // 2**20} MiB file limit")
    return data


def _pictures(args, language: str):
    if args.report is None and args.annotate is None:
        return None
    from scanner.report.pictures import Pictures

    return Pictures(args.report, args.annotate, language)  # a place that cannot be written is said now


def run_eval(args: argparse.Namespace) -> int:
    import json

    from scanner.engine.batch import Target, scan_many
    from scanner.evaluate import Evaluation, ManifestError, read_manifest
    from scanner.report.evaluation import print_evaluation

    language = language_of(args)
    try:
        cases = read_manifest(args.manifest)
    except ManifestError as error:
        raise UsageError(str(error)) from None
    policy = policy_of(args)
    by_shown = {case.shown: case for case in cases}
    evaluation = Evaluation()
    targets = [Target(c.path, c.shown) for c in cases]
    for report in scan_many(targets, policy, _workers(args.workers, len(targets))):
        evaluation.add(by_shown[report.path], report)
    if args.json:
        print(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_evaluation(evaluation, language, args.misses)
    return EXIT_PASS


def run_fix(args: argparse.Namespace) -> int:
    from scanner.engine.scanner import Scanner, read_limited
    from scanner.fix import Style, fix_bytes
    from scanner.ingest import IngestError

    language = language_of(args)
    policy = policy_of(args)
    kinds = _fix_kinds(args.only, args.keep)
    if args.output.resolve() == args.source.resolve():
        raise UsageError("the copy must not overwrite the original: choose another -o path")
    try:
        data = read_limited(args.source, policy.limits.max_file_bytes)
    except IngestError as error:
        raise UsageError(f"cannot read {args.source}: {error}") from None
    result = fix_bytes(Scanner(policy), data, args.source.name, kinds=kinds,
                       style=Style(args.style) if args.style else None, out_kind=_image_kind(args))
    _print_fix(result, args, language)
    if args.report is not None:
        from scanner.report.fix import write_fix_report

        write_fix_report(args.report, data, result, str(args.source), str(args.output), language)
    return result.exit_code


def _fix_kinds(only: str | None, keep: str | None) -> list[str]:
    from scanner.detectors import registry
    from scanner.errors import RegistryError
    from scanner.fix import FIXABLE_KINDS

    def kinds_of(option: str, words: str) -> set[str]:
        found = set()
        for word in filter(None, (w.strip() for w in words.split(","))):
            try:
                kind = registry().kind(word).name
            except RegistryError as error:
                raise UsageError(f"{option}: {error}") from None
            if kind not in FIXABLE_KINDS:
                raise UsageError(f"{option}: {word} is not something fix removes (it removes {', '.join(FIX_KINDS)})")
            found.add(kind)
        return found

    chosen = kinds_of("--only", only) if only else set(FIXABLE_KINDS)
    return sorted(chosen - (kinds_of("--keep", keep) if keep else set()))


_IMAGE_SUFFIXES = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp", ".gif": "gif", ".tif": "tiff",
                   ".tiff": "tiff", ".bmp": "bmp", ".heic": "heif", ".heif": "heif"}


def _image_kind(args: argparse.Namespace) -> str | None:
    """The image type -o asks for by its suffix; a PDF's copy is a PDF whatever its name."""
    wanted = _IMAGE_SUFFIXES.get(args.output.suffix.lower())
    if wanted and args.source.suffix.lower() == ".pdf":
        raise UsageError(f"the copy of a PDF is a PDF: name it {args.output.stem}.pdf")
    return wanted


def _print_fix(result, args: argparse.Namespace, language: str) -> None:
    from dataclasses import replace

    from scanner.i18n import tr
    from scanner.report.console import ConsoleOutput

    output = ConsoleOutput(language, 1, summary=False)
    if result.data is None:
        with output:
            output.add(result.before)
        print(tr(language, "smscan fix: {why}", why=result.why_not(language)))
        return
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(result.data)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(tr(language, "wrote {path}", path=str(args.output)))
    for line in result.changes(language):
        print(f"  - {line}")
    with output:
        output.add(replace(result.after, path=str(args.output)))
    if result.why_not(language):
        print(tr(language, "smscan fix: {why}", why=result.why_not(language)))


def run_ui(args: argparse.Namespace) -> int:
    import threading
    import webbrowser

    import uvicorn

    from scanner.ui.app import create_app

    language = language_of(args)
    application = create_app(policy_of(args), language, args.max_upload_mb, port=args.port)
    address = application.url  # holds the per-launch key the page and the API require
    print(f"smscan ui: {address}  (Ctrl+C to stop)", file=sys.stderr, flush=True)
    if not args.no_browser:
        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    try:
        uvicorn.run(application, host="127.0.0.1", port=args.port, log_level="warning")
    except OSError as error:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}") from None
    return EXIT_PASS


def run_policy_show(args: argparse.Namespace) -> int:
    from scanner.policy import load_policy, policy_toml

    print(policy_toml(load_policy(args.policy)), end="")
    return EXIT_PASS


def run_policy_check(args: argparse.Namespace) -> int:
    from scanner.policy import Policy

    Policy.load(args.file)
    print(f"{args.file}: valid")
    return EXIT_PASS


def run_setup_templates(args: argparse.Namespace) -> int:
    from scanner.setup import install_templates, prepare_logo_check

    installed = install_templates(args.dest, system=args.system)
    if installed.fetched:
        print(f"smscan setup: installed {', '.join(installed.fetched)} into {installed.folder}")
    else:
        print(f"smscan setup: the official logo templates are already in {installed.folder}")
    prepare_logo_check()
    return EXIT_PASS


def run_doctor(args: argparse.Namespace) -> int:
    import json

    from scanner.doctor import diagnose, heading, healthy, report_lines
    from scanner.errors import EXIT_INSTALLATION

    parts = diagnose()
    if args.json:
        print(json.dumps({"smscan": heading(), "healthy": healthy(parts), "parts": [p.to_dict() for p in parts]},
                         indent=2, ensure_ascii=False))
    else:
        print("\n".join(report_lines(parts)))
    return EXIT_PASS if healthy(parts) else EXIT_INSTALLATION


if __name__ == "__main__":
    main()
