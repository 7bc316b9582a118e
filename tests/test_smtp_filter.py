"""The SMTP content filter between a real SMTP client (smtplib) and a real next hop (aiosmtpd), on loopback."""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email import policy as email_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from samplegen.documents import encoded, memo_pdf, photo_like
from samplegen.mail import deeply_nested, message
from scanner import Scanner
from scanner.mail.smtp_filter import parse_address, start_filter

LOOPBACK = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Sink:
    """The next hop: keeps what it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture()
def next_hop() -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname=LOOPBACK, port=port, decode_data=False)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture()
def content_filter(next_hop) -> Iterator[tuple[int, Sink, Controller]]:
    sink, hop_port = next_hop
    port = free_port()
    scanner = Scanner(detectors=["marking"], cache_size=64)
    controller, handler = start_filter(scanner, (LOOPBACK, port), (LOOPBACK, hop_port), workers=4)
    yield port, sink, controller
    controller.stop()
    handler.close()


def wire_bytes(mail) -> bytes:
    return mail.as_bytes(policy=email_policy.SMTP)  # CRLF line ends, as on the wire


def send(port: int, data: bytes, recipients: tuple[str, ...] = ("a@example.com", "b@example.com")) -> None:
    with smtplib.SMTP(LOOPBACK, port, timeout=60) as client:
        client.sendmail("analyst@example.org", list(recipients), data)


CLEAN = message(html="<p>Hello</p>", attachments={"landscape.png": (encoded(photo_like(400, 300)), "image/png")})
MARKED = message(attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"), "application/pdf")})


def test_clean_message_is_relayed_byte_for_byte(content_filter):
    port, sink, _ = content_filter
    data = wire_bytes(CLEAN)
    send(port, data)
    assert sink.received == [("analyst@example.org", ["a@example.com", "b@example.com"], data)]


def test_blocked_message_is_refused_with_550_naming_the_file(content_filter):
    port, sink, _ = content_filter
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, wire_bytes(MARKED))
    reply = refused.value.smtp_error.decode()
    assert refused.value.smtp_code == 550
    assert "memo.pdf" in reply and "PROTECTED B" in reply and "(2.6)" in reply and "\n" not in reply
    assert sink.received == []


def test_message_that_cannot_be_parsed_is_refused_not_deferred(content_filter):
    port, sink, _ = content_filter
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, deeply_nested(3000))
    assert refused.value.smtp_code == 550 and b"unreadable e-mail" in refused.value.smtp_error
    assert sink.received == []


def test_concurrent_senders_each_get_the_right_answer(content_filter):
    port, sink, _ = content_filter
    clean = [wire_bytes(message(subject=f"Figures {i}", body=f"Table {i} is attached.\n")) for i in range(6)]
    marked = [wire_bytes(message(subject=f"CONFIDENTIAL figures {i}")) for i in range(6)]

    def outcome(data: bytes) -> int:
        try:
            send(port, data, ("reader@example.com",))
            return 250
        except smtplib.SMTPDataError as error:
            return error.smtp_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(outcome, clean + marked))
    assert codes == [250] * 6 + [550] * 6
    assert sorted(data for _, _, data in sink.received) == sorted(clean)


def test_next_hop_down_means_try_again_later_not_pass():
    dead_port = free_port()  # nothing listens here
    port = free_port()
    controller, handler = start_filter(Scanner(detectors=["marking"], ocr=False), (LOOPBACK, port),
                                       (LOOPBACK, dead_port))
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            send(port, wire_bytes(message()))
        assert deferred.value.smtp_code == 451
    finally:
        controller.stop()
        handler.close()


def test_address_parsing():
    assert parse_address("127.0.0.1:10025") == ("127.0.0.1", 10025)
    assert parse_address("[::1]:10026") == ("::1", 10026)
    with pytest.raises(ValueError):
        parse_address("127.0.0.1")


def test_smscan_smtp_filter_command(next_hop, tmp_path):
    sink, hop_port = next_hop
    port = free_port()
    policy = tmp_path / "markings.toml"
    policy.write_text('[detectors]\ndisabled = ["conduct", "face", "logo", "metadata", "pii"]\n')
    command = [str(Path(sys.executable).with_name("smscan")), "smtp-filter", "--listen", f"{LOOPBACK}:{port}",
               "--next-hop", f"{LOOPBACK}:{hop_port}", "--workers", "2", "--policy", str(policy)]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(port, wire_bytes(MARKED))
        assert refused.value.smtp_code == 550
        send(port, wire_bytes(message()))
        assert len(sink.received) == 1
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode()
    assert process.returncode == 0, output
    assert "refused message" in output and "relayed message" in output


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[0].decode())
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("smtp-filter did not start listening")
