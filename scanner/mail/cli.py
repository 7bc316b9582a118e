"""`smscan smtp-filter` and `smscan milter`: the mail gateways as commands (registered in scanner/cli.py)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Protocol

import typer

from scanner.ingest.errors import one_line

PolicyOption = Annotated[Path | None, typer.Option("--policy", help="TOML policy file.")]
WorkersOption = Annotated[int, typer.Option("--workers", help="Messages scanned at once.")]
CacheOption = Annotated[
    int, typer.Option("--cache", help="Reports kept by content hash (same attachment, many messages).")
]
GraceOption = Annotated[
    float,
    typer.Option("--grace", help="Seconds messages in flight may take to finish after SIGTERM; "
                                 "then they are answered 'try again later'."),
]


class Service(Protocol):
    address: tuple[str, int]

    def stop(self, grace: float = 30.0) -> None: ...


def smtp_filter_command(
    listen: Annotated[
        str, typer.Option("--listen", help="HOST:PORT to accept mail on (port 0: any free port).")
    ] = "127.0.0.1:10025",
    next_hop: Annotated[
        str, typer.Option("--next-hop", help="HOST:PORT clean mail is relayed to (Postfix re-injection).")
    ] = "127.0.0.1:10026",
    policy_file: PolicyOption = None,
    workers: WorkersOption = 4,
    cache_size: CacheOption = 1024,
    grace: GraceOption = 30.0,
) -> None:
    """SMTP content filter: refuse mail with a blocked part (550), relay clean mail unchanged."""
    from scanner.cli import fail
    from scanner.mail.smtp_filter import parse_address, start_filter

    try:
        listen_at, relay_to = parse_address(listen), parse_address(next_hop)
    except ValueError as error:
        fail(str(error))
    _serve("smtp-filter", listen, lambda scanner: start_filter(scanner, listen_at, relay_to, workers),
           policy_file, cache_size, grace, f"relaying clean mail to {next_hop}")


def milter_command(
    listen: Annotated[
        str, typer.Option("--listen", help="Where the MTA connects: inet:HOST:PORT (as in smtpd_milters).")
    ] = "inet:127.0.0.1:10027",
    policy_file: PolicyOption = None,
    workers: WorkersOption = 4,
    cache_size: CacheOption = 1024,
    grace: GraceOption = 30.0,
) -> None:
    """Before-queue milter: the sender is refused at submission (550) when a part blocks."""
    from scanner.cli import fail
    from scanner.mail.milter import parse_milter_address, start_milter

    try:
        listen_at = parse_milter_address(listen)
    except ValueError as error:
        fail(str(error))
    _serve("milter", listen, lambda scanner: start_milter(scanner, listen_at, workers), policy_file,
           cache_size, grace, "answering Postfix/Sendmail smtpd_milters")


def _serve(name: str, listen: str, start: Callable[..., Service], policy_file: Path | None, cache_size: int,
           grace: float, role: str) -> None:
    """Load the checks, listen, and run until SIGTERM or Ctrl+C; then stop gracefully."""
    from scanner.cli import fail, load_policy
    from scanner.engine import Scanner

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s smscan {name}: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    scanner = Scanner(load_policy(policy_file, None), cache_size=cache_size)
    try:
        service = start(scanner)
    except OSError as error:  # address in use, not an address of this host
        fail(f"cannot listen on {listen}: {one_line(error)}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    host, port = service.address
    log = logging.getLogger(f"smscan.{name}")
    log.info("listening on %s:%d, %s", host, port, role)
    try:
        while not stop.wait(1.0):  # a timed wait lets Ctrl+C and SIGTERM through promptly
            pass
    except KeyboardInterrupt:
        pass
    finally:
        service.stop(grace)
        log.info("stopped")
