"""The mail commands (`smscan smtp-filter`), registered by scanner/cli.py. Nothing heavy is imported
until a command runs."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from scanner.errors import EXIT_PASS, UsageError
from scanner.ingest.errors import one_line
from scanner.options import add_common, policy_of


def add_mail_commands(commands) -> None:
    smtp = commands.add_parser("smtp-filter", help="SMTP content filter for Postfix: refuse mail with a blocked part")
    smtp.add_argument("--listen", default="127.0.0.1:10025", help="HOST:PORT to accept mail on")
    smtp.add_argument("--next-hop", default="127.0.0.1:10026", help="HOST:PORT clean mail is relayed to")
    add_common(smtp, language=False)
    smtp.add_argument("--workers", type=int, default=4, help="messages scanned at once (threads)")
    smtp.add_argument("--cache", type=int, default=1024, dest="cache_size",
                      help="reports kept by content hash (same attachment, many messages)")
    smtp.set_defaults(run=run_smtp_filter)


def run_smtp_filter(args: argparse.Namespace) -> int:
    """SMTP content filter: refuse mail with a blocked part (550), relay clean mail unchanged."""
    from scanner.engine.scanner import Scanner
    from scanner.mail.smtp_filter import parse_address, start_filter

    try:
        listen_at, relay_to = parse_address(args.listen), parse_address(args.next_hop)
    except ValueError as error:
        raise UsageError(str(error)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s smscan smtp-filter: %(message)s")
    scanner = Scanner(policy_of(args), cache_size=args.cache_size)
    try:
        controller, handler = start_filter(scanner, listen_at, relay_to, args.workers)
    except Exception as error:  # address in use, not an address of this host
        raise UsageError(f"cannot listen on {args.listen}: {one_line(error)}") from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logging.getLogger("smscan.smtp").info("listening on %s, relaying clean mail to %s", args.listen, args.next_hop)
    try:
        while not stop.wait(1.0):  # a timed wait lets Ctrl+C and SIGTERM through promptly
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        handler.close()
    return EXIT_PASS

