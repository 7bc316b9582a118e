"""`smscan smtp-filter`: the SMTP content filter as a command (registered in scanner/cli.py)."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from scanner.ingest.errors import one_line


def smtp_filter_command(
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT to accept mail on.")] = "127.0.0.1:10025",
    next_hop: Annotated[
        str, typer.Option("--next-hop", help="HOST:PORT clean mail is relayed to (Postfix re-injection).")
    ] = "127.0.0.1:10026",
    policy_file: Annotated[Path | None, typer.Option("--policy", help="TOML policy file.")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Messages scanned at once (threads).")] = 4,
    cache_size: Annotated[
        int, typer.Option("--cache", help="Reports kept by content hash (same attachment, many messages).")
    ] = 1024,
) -> None:
    """SMTP content filter: refuse mail with a blocked part (550), relay clean mail unchanged."""
    from scanner.cli import fail, load_policy
    from scanner.engine import Scanner
    from scanner.mail.smtp_filter import parse_address, start_filter

    try:
        listen_at, relay_to = parse_address(listen), parse_address(next_hop)
    except ValueError as error:
        fail(str(error))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s smscan smtp-filter: %(message)s")
    scanner = Scanner(load_policy(policy_file, None), cache_size=cache_size)
    try:
        controller, handler = start_filter(scanner, listen_at, relay_to, workers)
    except Exception as error:  # address in use, not an address of this host
        fail(f"cannot listen on {listen}: {one_line(error)}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logging.getLogger("smscan.smtp").info("listening on %s, relaying clean mail to %s", listen, next_hop)
    try:
        while not stop.wait(1.0):  # a timed wait lets Ctrl+C and SIGTERM through promptly
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        handler.close()
