"""An after-queue SMTP content filter (Postfix `content_filter`): scan each message, then relay or refuse.

Postfix hands every message to this server; a message with a blocked part is refused with a
550 reply naming the parts and reasons (Postfix then bounces it to the sender); a clean one is
relayed byte for byte to the next hop (Postfix's re-injection listener). When the message
cannot be checked or relayed, the reply is a temporary 451, so Postfix keeps the message in its
queue and tries again: nothing passes unchecked.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller

from scanner.engine.scanner import Scanner
from scanner.mail.gateway import scan_raw_message
from scanner.model import MessageReport

log = logging.getLogger("smscan.smtp")

# SMTP reply lines are at most 512 octets with the code; keep the reason well under.
_MAX_REASON = 400
# Relaying options worth passing on; SIZE is set by smtplib itself.
_RELAYED_OPTIONS = ("BODY=", "SMTPUTF8")

Address = tuple[str, int]


class ContentFilter:
    """aiosmtpd handler: scans on worker threads, so many sessions can be open at once."""

    def __init__(self, scanner: Scanner, next_hop: Address, workers: int = 4, relay_timeout: float = 120.0) -> None:
        self.scanner = scanner
        self.next_hop = next_hop
        self.relay_timeout = relay_timeout
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="smscan-filter")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        try:
            report = await loop.run_in_executor(self._pool, self.scan, data)
        except Exception:  # fail closed, but temporarily: Postfix retries later
            log.exception("could not check message from %s", envelope.mail_from)
            return "451 4.3.0 smscan could not check the message; try again later"
        seconds = time.perf_counter() - started
        if report.blocked:
            log.info("refused message from %s (%.2f s): %s", envelope.mail_from, seconds, report.reason())
            return refusal(report)
        try:
            await loop.run_in_executor(self._pool, self.relay, envelope, data)
        except smtplib.SMTPResponseException as error:
            return _next_hop_refusal(error)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("next hop %s:%d unavailable: %s", *self.next_hop, error)
            return "451 4.4.1 smscan: next hop unavailable; try again later"
        log.info("relayed message from %s to %d recipient(s) (%.2f s)", envelope.mail_from,
                 len(envelope.rcpt_tos), seconds)
        return "250 2.0.0 OK: checked by smscan and relayed"

    def scan(self, data: bytes) -> MessageReport:
        # A message that does not parse blocks (550): it would not parse next time either.
        return scan_raw_message(self.scanner, data)

    def relay(self, envelope: Any, data: bytes) -> None:
        """The message as received, to the next hop, for the same envelope sender and recipients."""
        options = [o for o in envelope.mail_options if o.upper().startswith(_RELAYED_OPTIONS)]
        with smtplib.SMTP(*self.next_hop, timeout=self.relay_timeout) as client:
            refused = client.sendmail(envelope.mail_from, envelope.rcpt_tos, data, mail_options=options)
        if refused:  # some recipients taken: answering an error now would duplicate their copies
            log.warning("next hop refused %d recipient(s): %s", len(refused), ", ".join(refused))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def refusal(report: MessageReport) -> str:
    """'550 5.7.1 smscan blocked: memo.pdf: marking protected-b; ...' on one ASCII line."""
    reason = _ascii_line(report.reason() or "could not be checked")
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 3] + "..."
    return f"550 5.7.1 smscan blocked: {reason}"


def _next_hop_refusal(error: smtplib.SMTPResponseException) -> str:
    code = error.smtp_code if 400 <= error.smtp_code < 600 else 451
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error)
    return f"{code} next hop: {_ascii_line(text)[:_MAX_REASON]}"


def _ascii_line(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.split())


def start_filter(
    scanner: Scanner, listen: Address, next_hop: Address, workers: int = 4
) -> tuple[Controller, ContentFilter]:
    """Listen in a background thread; stop with `controller.stop()` and `handler.close()`."""
    handler = ContentFilter(scanner, next_hop, workers)
    controller = Controller(
        handler,
        hostname=listen[0],
        port=listen[1],
        data_size_limit=scanner.policy.limits.max_file_bytes,  # larger mail is refused (552)
        decode_data=False,
        enable_SMTPUTF8=True,
        ident="smscan content filter",
    )
    controller.start()
    return controller, handler


def parse_address(text: str) -> Address:
    """'127.0.0.1:10025' -> ('127.0.0.1', 10025); '[::1]:10025' for IPv6."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)
