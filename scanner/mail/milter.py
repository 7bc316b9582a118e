"""A before-queue milter (Postfix `smtpd_milters`, Sendmail `INPUT_MAIL_FILTER`): the sender's
mail client is told at submission, `550 5.7.1 smscan blocked: memo.pdf: ...`, instead of
receiving a bounce later.

The milter protocol (version 6, as Sendmail's libmilter and Postfix speak it) is implemented
here rather than taken from a library: pymilter is GPL-licensed and compiles against libmilter
at install; purepythonmilter has a single 0.0.1 release; kilter.service runs each connection in
its own task-group framework, around which the limits, the shutdown and the scan threads shared
with the SMTP filter would have to be fitted. The part of the protocol a content check needs is
small: negotiate, collect the headers and body of each message, answer at its end.

Every packet is a 4-byte big-endian length, then a command byte and its data. smscan asks the
MTA to skip the steps it does not need (connect, HELO, recipients, unknown commands, end of
headers) and not to wait for replies to headers and body chunks, so a message costs a few
round trips. At the end of a message the answer is: continue (accept) when every part passes;
`550 5.7.1` with the reason when a part blocks; `552 5.3.4` when it is over the size limit;
`451 4.3.0` (try again later) when smscan fails or stops before the scan ends. Postfix applies
`milter_default_action` when the milter cannot be reached or does not answer in time: set it to
`tempfail` so that no message passes unchecked.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Callable

from scanner.engine.message import PartChecker
from scanner.mail.gateway import scan_raw_message
from scanner.mail.server import Address, MailServer, ShuttingDown
from scanner.mail.smtp_filter import refusal, reply_text
from scanner.model import MessageReport

log = logging.getLogger("smscan.milter")

PROTOCOL_VERSION = 6
# Packets from the MTA are small (body chunks are at most 64 KiB); anything larger is garbage.
_MAX_PACKET = 1 << 20
# While a long scan runs, a progress packet this often keeps the MTA from timing out
# (Postfix's milter_content_timeout is 300 s by default).
_PROGRESS_SECONDS = 30.0

# Protocol flags (SMFIP_*): steps the MTA may skip, and replies it need not wait for.
NOCONNECT, NOHELO, NOMAIL, NORCPT, NOBODY, NOHDRS, NOEOH = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40
NR_HDR, NOUNKNOWN, NODATA, SKIP, RCPT_REJ = 0x80, 0x100, 0x200, 0x400, 0x800
NR_CONN, NR_HELO, NR_MAIL, NR_RCPT, NR_DATA, NR_UNKN, NR_EOH, NR_BODY = (
    0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000)
HDR_LEADSPC = 0x100000
# What smscan asks for, when the MTA offers it: no step it does not read, no reply it need not
# give, and header values with their leading space, so the message is rebuilt as it was sent.
_WANTED = (NOCONNECT | NOHELO | NORCPT | NOUNKNOWN | NODATA | NOEOH | NR_HDR | NR_BODY | NR_MAIL
           | NR_CONN | NR_HELO | NR_RCPT | NR_DATA | NR_UNKN | NR_EOH | HDR_LEADSPC)
# The reply each command awaits unless negotiated away (the MTA's commands, SMFIC_*).
_NO_REPLY_FLAG = {b"C": NR_CONN, b"H": NR_HELO, b"M": NR_MAIL, b"R": NR_RCPT, b"T": NR_DATA,
                  b"U": NR_UNKN, b"N": NR_EOH, b"L": NR_HDR, b"B": NR_BODY}
CONTINUE, REPLY_CODE, PROGRESS, NEGOTIATE = b"c", b"y", b"p", b"O"


class MilterError(Exception):
    """The MTA sent something that is not the milter protocol: the connection is closed."""


class MilterSession:
    """One MTA connection: messages one after another, each scanned at its end."""

    def __init__(self, server: MailServer, scan: Callable[[bytes], MessageReport], size_limit: int,
                 reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.scan = scan
        self.size_limit = size_limit
        self.reader = reader
        self.writer = writer
        self.flags = 0  # as negotiated
        self.task: asyncio.Task[None] | None = None
        self._reset()

    @property
    def busy(self) -> bool:
        return self.in_message

    @property
    def answering(self) -> bool:
        return self.checking

    def close_idle(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.transport.abort()

    async def run(self) -> None:
        self.server.add(self)
        try:
            while (packet := await self._read()) is not None:
                command, data = packet[:1], packet[1:]
                if command in (b"Q", b""):
                    return
                await self._handle(command, data)
        except MilterError as error:
            log.warning("closing a connection: %s", error)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the MTA went away; it applies its milter_default_action to a message in flight
        finally:
            self.server.discard(self)
            self.writer.close()

    async def _handle(self, command: bytes, data: bytes) -> None:
        if command == b"O":
            await self._send(NEGOTIATE + self._negotiated(data))
        elif command == b"D":
            pass  # macros: smscan needs none, and they get no reply
        elif command in (b"A", b"K"):  # abort this message; K: a new SMTP session on this socket
            self._reset()
        elif command == b"E":  # end of message, possibly with a last body chunk
            self._take_body(data)
            self.checking = True
            await self._send(await self._verdict())
            self._reset()
        else:
            self._take(command, data)
            if not self.flags & _NO_REPLY_FLAG.get(command, 0):
                await self._send(CONTINUE)

    def _negotiated(self, data: bytes) -> bytes:
        if len(data) < 12:
            raise MilterError("short option negotiation")
        version, _actions, offered = struct.unpack(">III", data[:12])
        if version < 2:
            raise MilterError(f"milter protocol version {version} is too old")
        self.flags = _WANTED & offered
        # No actions: smscan never changes a message, it only answers.
        return struct.pack(">III", min(version, PROTOCOL_VERSION), 0, self.flags)

    def _take(self, command: bytes, data: bytes) -> None:
        if command == b"M":
            self.in_message = True
            self.sender = data.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif command == b"L":
            self.in_message = True
            name, _, rest = data.partition(b"\0")
            value = rest.rstrip(b"\0")
            if not self.flags & HDR_LEADSPC:  # the MTA dropped the space after the colon
                value = b" " + value
            self._grow(name + b":" + value.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n",
                       header=True)
        elif command == b"B":
            self._take_body(data)

    def _take_body(self, data: bytes) -> None:
        if data:
            self.in_message = True
            self._grow(data, header=False)

    def _grow(self, data: bytes, header: bool) -> None:
        self.size += len(data)
        if self.size > self.size_limit:
            self.headers.clear()
            self.body.clear()
            return
        (self.headers if header else self.body).append(data)

    async def _verdict(self) -> bytes:
        if self.size > self.size_limit:
            log.info("refused message from %s: over the size limit", self.sender)
            return _reply(f"552 5.3.4 smscan: message too large to check "
                          f"(limit {self.size_limit / 2**20:g} MiB)")
        message = b"".join(self.headers) + b"\r\n" + b"".join(self.body)
        started = time.perf_counter()
        try:
            report = await self.server.scan(self.scan, message, keepalive=self._progress, every=_PROGRESS_SECONDS)
        except ShuttingDown:
            return _reply("451 4.3.2 smscan stopped before the message was checked; try again later")
        except Exception:  # the scan itself is guarded; this is smscan failing, so try again later
            log.exception("could not check message from %s", self.sender)
            return _reply("451 4.3.0 smscan could not check the message; try again later")
        seconds = time.perf_counter() - started
        if report.blocked:
            log.info("refused message from %s (%.2f s): %s", self.sender, seconds, report.reason())
            return _reply(refusal(report))
        log.info("accepted message from %s (%.2f s)", self.sender, seconds)
        return CONTINUE

    async def _progress(self) -> None:
        await self._send(PROGRESS)

    async def _read(self) -> bytes | None:
        try:
            header = await self.reader.readexactly(4)
        except asyncio.IncompleteReadError as error:
            if error.partial:
                raise MilterError("connection closed inside a packet") from None
            return None
        (size,) = struct.unpack(">I", header)
        if not 0 < size <= _MAX_PACKET:
            raise MilterError(f"packet of {size} bytes")
        return await self.reader.readexactly(size)

    async def _send(self, packet: bytes) -> None:
        self.writer.write(struct.pack(">I", len(packet)) + packet)
        await self.writer.drain()

    def _reset(self) -> None:
        self.in_message = False
        self.checking = False
        self.sender = ""
        self.headers: list[bytes] = []
        self.body: list[bytes] = []
        self.size = 0


def _reply(line: str) -> bytes:
    """A reply-code packet: 'NNN X.Y.Z text', with '%' doubled (the MTA reads it as a format)."""
    code, _, text = line.partition(" ")
    return REPLY_CODE + f"{code} {reply_text(text)}".replace("%", "%%").encode("ascii") + b"\0"


class Milter:
    """The milter, listening: `stop()` it (gracefully) when done."""

    def __init__(self, scanner: PartChecker, listen: Address, workers: int = 4) -> None:
        size_limit = scanner.policy.limits.max_file_bytes

        def scan(data: bytes) -> MessageReport:
            return scan_raw_message(scanner, data)

        def connection(server: MailServer) -> asyncio.StreamReaderProtocol:
            reader = asyncio.StreamReader(limit=_MAX_PACKET, loop=server.loop)

            def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                session = MilterSession(server, scan, size_limit, reader, writer)
                session.task = server.loop.create_task(session.run())  # held: the loop keeps weak ones

            return asyncio.StreamReaderProtocol(reader, connected, loop=server.loop)

        self.server = MailServer(connection, listen, workers)
        self.server.start()

    @property
    def address(self) -> Address:
        return self.server.address

    def stop(self, grace: float = 30.0) -> None:
        self.server.stop(grace)


def start_milter(scanner: PartChecker, listen: Address, workers: int = 4) -> Milter:
    """Listen (port 0: any free port, see `.address`); raises OSError when the address is unusable."""
    return Milter(scanner, listen, workers)


def parse_milter_address(text: str) -> Address:
    """'inet:127.0.0.1:10027' (Postfix's and Sendmail's notation) or '127.0.0.1:10027'."""
    from scanner.mail.smtp_filter import parse_address

    if text.startswith("inet:"):
        text = text[len("inet:"):]
    if "@" in text:  # Sendmail writes inet:PORT@HOST
        port, _, host = text.partition("@")
        text = f"{host}:{port}"
    return parse_address(text)
