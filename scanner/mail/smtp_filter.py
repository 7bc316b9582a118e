"""An after-queue SMTP content filter (Postfix `content_filter`): scan each message, then relay or refuse.

Postfix hands every message to this server. The envelope is mirrored to the next hop (Postfix's
re-injection listener) as it arrives: MAIL FROM and each RCPT TO are passed on at once and the
next hop's own answer goes back to Postfix, recipient by recipient. So when the next hop defers
one recipient (450), Postfix keeps that recipient's copy queued and retries it; when it refuses
every recipient for good (5xx), Postfix bounces them; no copy depends on a log line.

Why mirror rather than speak LMTP (one DATA reply per recipient, relaying after the scan): the
filter stays a plain SMTP server, configured with Postfix's ordinary `smtp` transport and usable
from any MTA, and the next hop's per-recipient answer reaches Postfix without translation. The
price is a next-hop connection held open while a message is scanned; a NOOP every 60 s keeps it
from timing out (Postfix's smtpd drops a silent client after 300 s).

After DATA, a message with a blocked part is refused `550 5.7.1 smscan blocked: memo.pdf: ...`
(Postfix bounces it to the sender, with that reason) and the next hop's transaction is reset; a
clean one is sent to the next hop byte for byte and the next hop's reply is Postfix's. When the
message cannot be relayed, or smscan stops before its scan ends, the reply is a temporary 4xx,
so Postfix keeps the message and tries again. A message smscan cannot parse, or whose part's
check fails, is refused with the reason (it would fail the same way on every retry).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import time
import unicodedata
from collections.abc import Callable

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession

from scanner.engine.message import PartChecker
from scanner.mail.gateway import scan_raw_message
from scanner.mail.server import Address, MailServer, ScanThreads, ShuttingDown
from scanner.model import MessageReport

log = logging.getLogger("smscan.smtp")

# SMTP reply lines are at most 512 octets with the code; keep the reason well under.
_MAX_REASON = 400
# MAIL FROM parameters passed on when the next hop supports them: (prefix, EHLO keyword).
_RELAYED_OPTIONS = (("SIZE=", "size"), ("BODY=", "8bitmime"), ("SMTPUTF8", "smtputf8"))
# A NOOP this often keeps the next hop's transaction open during a long scan.
_KEEPALIVE_SECONDS = 60.0
_SHUTTING_DOWN = "421 4.3.2 smscan is shutting down; try again later"
_NEXT_HOP_DOWN = "451 4.4.1 smscan: next hop unavailable; try again later"
# What aiosmtpd itself answers to a message over the size limit, or with a line over its limit.
_AIOSMTPD_SIZE_REFUSALS = {"552 Error: Too much mail data", "500 Line too long (see RFC5321 4.5.3.1.6)"}

Reply = tuple[int, str]


class ContentFilter:
    """aiosmtpd handler: the envelope mirrored to the next hop, the content scanned off the loop."""

    def __init__(self, scan: Callable[[bytes], MessageReport], next_hop: Address, workers: int = 4,
                 relay_timeout: float = 120.0) -> None:
        self.scan = scan
        self.next_hop = next_hop
        self.relay_timeout = relay_timeout
        # Commands to the next hop block (smtplib), so they run here, one session's at a time.
        self.relay_threads = ScanThreads(2 * max(1, workers) + 2, name="smscan-relay")

    async def handle_MAIL(self, server: FilterSMTP, session: SMTPSession, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if server.mail_server.stopping:
            server.close_after_reply()
            return _SHUTTING_DOWN
        hop = server.hop or NextHop(self.next_hop, self.relay_timeout, self.relay_threads)
        server.hop = hop
        code, text = await hop.mail(address, mail_options)
        if 200 <= code < 300:
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
        return smtp_reply(code, text)

    async def handle_RCPT(self, server: FilterSMTP, session: SMTPSession, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        assert server.hop is not None  # aiosmtpd refuses RCPT before a MAIL FROM was taken
        code, text = await server.hop.rcpt(address)
        if 200 <= code < 300:
            envelope.rcpt_tos.append(address)
        return smtp_reply(code, text)

    async def handle_DATA(self, server: FilterSMTP, session: SMTPSession, envelope: Envelope) -> str:
        server.answering = True  # reset by FilterSMTP.push, once the reply is written
        hop = server.hop
        assert hop is not None
        data: bytes = envelope.original_content or b""
        started = time.perf_counter()
        try:
            report = await server.mail_server.scan(self.scan, data, keepalive=hop.noop, every=_KEEPALIVE_SECONDS)
        except ShuttingDown:
            await hop.reset()
            server.close_after_reply()
            return "451 4.3.2 smscan stopped before the message was checked; try again later"
        except Exception:  # the scan itself is guarded; this is smscan failing, so try again later
            log.exception("could not check message from %s", envelope.mail_from)
            await hop.reset()
            return "451 4.3.0 smscan could not check the message; try again later"
        seconds = time.perf_counter() - started
        if report.blocked:
            log.info("refused message from %s (%.2f s): %s", envelope.mail_from, seconds, report.reason())
            await hop.reset()
            return refusal(report)
        code, text = await hop.data(data)
        if 200 <= code < 300:
            log.info("relayed message from %s to %d recipient(s) (%.2f s)", envelope.mail_from,
                     len(envelope.rcpt_tos), seconds)
        else:
            log.warning("next hop answered %d to a message from %s: %s", code, envelope.mail_from, text)
        return smtp_reply(code, text)

    async def handle_RSET(self, server: FilterSMTP, session: SMTPSession, envelope: Envelope) -> str:
        if server.hop is not None:
            await server.hop.reset()
        return "250 OK"

    def close(self) -> None:
        self.relay_threads.close()


class NextHop:
    """One session's connection to the next hop, opened at its first MAIL FROM.

    Every method answers (code, text) and never raises: a next hop that is down or drops the
    connection answers 451 (try again later), and the connection is opened again next time."""

    def __init__(self, address: Address, timeout: float, threads: ScanThreads) -> None:
        self.address = address
        self.timeout = timeout
        self.threads = threads
        self.client: smtplib.SMTP | None = None

    async def mail(self, sender: str, options: list[str]) -> Reply:
        """A new transaction: the only command that opens the connection when there is none."""
        return await self._command(lambda client: _mail(client, sender, options), opens=True)

    async def rcpt(self, recipient: str) -> Reply:
        return await self._command(lambda client: client.rcpt(recipient))

    async def data(self, data: bytes) -> Reply:
        return await self._command(lambda client: client.data(data))

    async def noop(self) -> None:
        if self.client is not None:
            await self._command(lambda client: client.noop())

    async def reset(self) -> None:
        if self.client is not None:
            await self._command(lambda client: client.rset())

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await asyncio.wrap_future(self.threads.submit(_quit, client))

    async def _command(self, command: Callable[[smtplib.SMTP], tuple[int, bytes]], opens: bool = False) -> Reply:
        try:
            code, text = await asyncio.wrap_future(self.threads.submit(self._run, command, opens))
        except smtplib.SMTPResponseException as error:  # e.g. DATA refused before the content
            code, text = error.smtp_code, error.smtp_error
        except (OSError, smtplib.SMTPException) as error:
            log.warning("next hop %s:%d unavailable: %s", *self.address, error)
            await self.close()
            return 451, _NEXT_HOP_DOWN[4:]
        if code in (421, -1):  # the next hop is closing the connection
            await self.close()
        return code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)

    def _run(self, command: Callable[[smtplib.SMTP], tuple[int, bytes]], opens: bool) -> tuple[int, bytes]:
        if self.client is None:
            if not opens:
                raise smtplib.SMTPServerDisconnected("the connection to the next hop was lost")
            self.client = smtplib.SMTP(*self.address, timeout=self.timeout)
            self.client.ehlo()
        return command(self.client)


def _mail(client: smtplib.SMTP, sender: str, options: list[str]) -> tuple[int, bytes]:
    wanted = [option for option in options
              for prefix, keyword in _RELAYED_OPTIONS
              if option.upper().startswith(prefix) and client.has_extn(keyword)]
    return client.mail(sender, wanted)


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


class FilterSMTP(SMTP):
    """aiosmtpd's SMTP session, with long lines accepted, a next hop, and a graceful stop."""

    def __init__(self, mail_server: MailServer, handler: ContentFilter, data_size_limit: int) -> None:
        # Lines are not limited to RFC 5321's 1,000 octets: Postfix accepts longer ones and
        # relays them, and refusing them (aiosmtpd's "500 Line too long") would bounce mail
        # with no reason from smscan. A line still cannot exceed the size limit of a message.
        self.line_length_limit = data_size_limit + 2
        super().__init__(handler, data_size_limit=data_size_limit, decode_data=False, enable_SMTPUTF8=True,
                         ident="smscan content filter", loop=mail_server.loop)
        self.mail_server = mail_server
        self.hop: NextHop | None = None
        self.answering = False
        self._size_refusal = (f"552 5.3.4 smscan: message too large to check "
                              f"(limit {data_size_limit / 2**20:g} MiB)")

    @property
    def busy(self) -> bool:
        return self.envelope is not None and self.envelope.mail_from is not None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.mail_server.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self.mail_server.discard(self)
        if self.hop is not None:
            self.loop.create_task(self.hop.close())
        super().connection_lost(error)

    async def push(self, status: str | bytes) -> None:
        # aiosmtpd's own refusals of an oversized message name no reason; say smscan's limit.
        # (The next hop's replies are passed on as they are: they come marked as such.)
        if not isinstance(status, NextHopReply) and status in _AIOSMTPD_SIZE_REFUSALS:
            status = self._size_refusal
        await super().push(status)
        self.answering = False

    def close_idle(self) -> None:
        if self.transport is not None:
            self.transport.write(f"{_SHUTTING_DOWN}\r\n".encode())
            self.transport.close()

    def close_after_reply(self) -> None:
        """Close once the reply being returned now is written (the transport flushes first)."""
        self.loop.call_soon(self.abort_gracefully)

    def abort_gracefully(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


def refusal(report: MessageReport) -> str:
    """'550 5.7.1 smscan blocked: memo.pdf: marking protected-b; ...' on one ASCII line."""
    return f"550 5.7.1 smscan blocked: {reply_text(report.reason() or 'could not be checked')}"


def reply_text(text: str) -> str:
    """One printable ASCII line short enough for an SMTP reply."""
    plain = " ".join(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().split())
    return plain if len(plain) <= _MAX_REASON else plain[: _MAX_REASON - 3] + "..."


class NextHopReply(str):
    """A reply line that came from the next hop."""


def smtp_reply(code: int, text: str) -> str:
    """The next hop's reply, passed on as one line (a code outside 2xx-5xx becomes 451)."""
    if not 200 <= code < 600:
        return f"451 4.4.2 smscan: unexpected reply from the next hop: {reply_text(f'{code} {text}')}"
    return NextHopReply(f"{code} {reply_text(text) or 'OK'}")


class SMTPFilter:
    """The content filter, listening: `stop()` it (gracefully) when done."""

    def __init__(self, scanner: PartChecker, listen: Address, next_hop: Address, workers: int = 4) -> None:
        self.handler = ContentFilter(lambda data: scan_raw_message(scanner, data), next_hop, workers)
        size_limit = scanner.policy.limits.max_file_bytes
        self.server = MailServer(lambda server: FilterSMTP(server, self.handler, size_limit), listen, workers)
        self.server.start()

    @property
    def address(self) -> Address:
        return self.server.address

    def stop(self, grace: float = 30.0) -> None:
        try:
            self.server.stop(grace)
        finally:
            self.handler.close()


def start_filter(scanner: PartChecker, listen: Address, next_hop: Address, workers: int = 4) -> SMTPFilter:
    """Listen (port 0: any free port, see `.address`); raises OSError when the address is unusable."""
    return SMTPFilter(scanner, listen, next_hop, workers)


def parse_address(text: str) -> Address:
    """'127.0.0.1:10025' -> ('127.0.0.1', 10025); '[::1]:10025' for IPv6; port 0 picks a free port."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)
