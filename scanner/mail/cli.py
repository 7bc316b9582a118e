"""The mail commands, `smscan smtp-filter` and `smscan milter`, registered by scanner/cli.py. Nothing
heavy is imported until a command runs.

Both check messages in a WorkerPool: every part in a worker process with the policy's hard time
and memory limits, workers started before the first message and replaced when one grew large, and
reports kept by content hash so that the same attachment is checked once."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Protocol

from scanner.errors import EXIT_PASS, UsageError
from scanner.ingest.errors import one_line
from scanner.options import add_common, policy_of

# A worker that keeps this much memory after a message is replaced, so that one large attachment
# does not hold its peak for the life of the service.
RECYCLE_ABOVE_MB = 1024
# Messages in flight per worker process: most of a message's time is waiting (the next hop, the
# network), so several share a worker.
MESSAGES_PER_WORKER = 4


class Service(Protocol):
    address: tuple[str, int]

    def stop(self, grace: float = 30.0) -> None: ...


def add_mail_commands(commands) -> None:
    smtp = commands.add_parser("smtp-filter", help="after-queue SMTP content filter for Postfix (content_filter)")
    smtp.add_argument("--listen", default="127.0.0.1:10025", help="HOST:PORT to accept mail on (port 0: any free)")
    smtp.add_argument("--next-hop", default="127.0.0.1:10026", help="HOST:PORT clean mail is relayed to")
    _gateway_options(smtp)
    smtp.set_defaults(run=run_smtp_filter)
    milter = commands.add_parser("milter", help="before-queue milter for Postfix or Sendmail (smtpd_milters)")
    milter.add_argument("--listen", default="inet:127.0.0.1:10027", help="where the MTA connects: inet:HOST:PORT")
    _gateway_options(milter)
    milter.set_defaults(run=run_milter)


def _gateway_options(parser: argparse.ArgumentParser) -> None:
    add_common(parser, language=False)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (default: as many as cores)")
    parser.add_argument("--cache", type=int, default=1024, dest="cache_size",
                        help="reports kept by content hash (same attachment, many messages)")
    parser.add_argument("--grace", type=float, default=30.0,
                        help="seconds messages in flight may take after SIGTERM before 'try again later'")


def run_smtp_filter(args: argparse.Namespace) -> int:
    from scanner.mail.smtp_filter import parse_address, start_filter

    try:
        listen_at, relay_to = parse_address(args.listen), parse_address(args.next_hop)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return _serve("smtp-filter", args, lambda pool, threads: start_filter(pool, listen_at, relay_to, threads),
                  f"relaying clean mail to {args.next_hop}")


def run_milter(args: argparse.Namespace) -> int:
    from scanner.mail.milter import parse_milter_address, start_milter

    try:
        listen_at = parse_milter_address(args.listen)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return _serve("milter", args, lambda pool, threads: start_milter(pool, listen_at, threads),
                  "answering Postfix/Sendmail smtpd_milters")


def _serve(name: str, args: argparse.Namespace, start: Callable[..., Service], role: str) -> int:
    """Start the workers, listen, and run until SIGTERM or Ctrl+C; then stop gracefully."""
    from scanner.engine.pool import WorkerPool

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s smscan {name}: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    workers = args.workers if args.workers > 0 else os.cpu_count() or 1
    pool = WorkerPool(policy_of(args), workers, cache_size=args.cache_size, warm=True,
                      recycle_above_mb=RECYCLE_ABOVE_MB)
    try:
        service = start(pool, workers * MESSAGES_PER_WORKER)
    except OSError as error:  # address in use, not an address of this host
        pool.close()
        raise UsageError(f"cannot listen on {args.listen}: {one_line(error)}") from None
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
        service.stop(args.grace)
        pool.close()
        log.info("stopped")
    return EXIT_PASS
