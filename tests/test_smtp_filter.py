"""The SMTP content filter between a real SMTP client (smtplib) and a real next hop (aiosmtpd), on loopback."""

from __future__ import annotations

import signal
import smtplib
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from samplegen.documents import encoded, memo_pdf, photo_like
from samplegen.mail import deeply_nested, message
from scanner import Scanner
from scanner.mail.smtp_filter import parse_address, start_filter
from tests.mail_servers import (
    LOOPBACK,
    MARKINGS_ONLY,
    Sink,
    finish,
    free_port,
    open_transaction,
    running_sink,
    slow_message,
    start_command,
    wire_bytes,
)

SENDER = "analyst@example.org"


@pytest.fixture()
def next_hop() -> Iterator[tuple[Sink, int]]:
    with running_sink() as (sink, port):
        yield sink, port


@pytest.fixture()
def content_filter(next_hop) -> Iterator[tuple[int, Sink]]:
    sink, hop_port = next_hop
    scanner = Scanner(detectors=["marking"], cache_size=64)
    service = start_filter(scanner, (LOOPBACK, 0), (LOOPBACK, hop_port), workers=4)
    yield service.address[1], sink
    service.stop()


def send(port: int, data: bytes, recipients: tuple[str, ...] = ("a@example.com", "b@example.com")) -> dict:
    with smtplib.SMTP(LOOPBACK, port, timeout=60) as client:
        return client.sendmail(SENDER, list(recipients), data)


CLEAN = message(html="<p>Hello</p>", attachments={"landscape.png": (encoded(photo_like(400, 300)), "image/png")})
MARKED = message(attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"), "application/pdf")})


def test_clean_message_is_relayed_byte_for_byte(content_filter):
    port, sink = content_filter
    data = wire_bytes(CLEAN)
    assert send(port, data) == {}
    assert sink.received == [(SENDER, ["a@example.com", "b@example.com"], data)]


def test_blocked_message_is_refused_with_550_naming_the_file(content_filter):
    port, sink = content_filter
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, wire_bytes(MARKED))
    reply = refused.value.smtp_error.decode()
    assert refused.value.smtp_code == 550
    assert "memo.pdf" in reply and "PROTECTED B" in reply and "(guideline 2.6)" in reply and "\n" not in reply
    assert sink.received == []


def test_pdf_declared_as_text_is_scanned_as_a_pdf(content_filter):
    port, sink = content_filter
    mail = message()
    mail.add_attachment(memo_pdf(header="EMBARGOED"), maintype="application", subtype="octet-stream",
                        filename="report.txt")
    attachment = mail.get_payload()[-1]
    attachment.replace_header("Content-Type", 'text/plain; name="report.txt"')
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, wire_bytes(mail))
    assert refused.value.smtp_code == 550 and b"report.txt" in refused.value.smtp_error
    assert sink.received == []


def test_message_that_cannot_be_parsed_is_refused_not_deferred(content_filter):
    port, sink = content_filter
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, deeply_nested(3000))
    assert refused.value.smtp_code == 550 and b"unreadable e-mail" in refused.value.smtp_error
    assert sink.received == []


def test_part_whose_check_fails_blocks_the_message_for_good(content_filter):
    """A damaged PNG (it made the scan raise): refused with the part named, not deferred forever."""
    port, sink = content_filter
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, wire_bytes(message(attachments={"chart.png": (damaged_png(), "image/png")})))
    assert refused.value.smtp_code == 550 and b"chart.png" in refused.value.smtp_error
    assert sink.received == []


def damaged_png() -> bytes:
    """A PNG whose first data chunk's length is broken: Pillow raised SyntaxError out of the scan."""
    data = bytearray(encoded(photo_like(200, 150)))
    data[35] ^= 0xFF
    return bytes(data)


def test_lines_over_1000_characters_are_accepted_and_relayed_unchanged(content_filter):
    port, sink = content_filter
    long_line = "The figures follow. " * 300  # 6,000 characters on one line, as some clients send HTML
    data = long_lined(long_line)
    send(port, data)
    assert sink.received[-1][2] == data
    with pytest.raises(smtplib.SMTPDataError) as refused:  # and what is on such a line is checked
        send(port, long_lined(long_line + " PROTECTED B " + long_line))
    assert refused.value.smtp_code == 550


def long_lined(body_line: str) -> bytes:
    headers = f"From: {SENDER}\r\nTo: a@example.com\r\nSubject: long line\r\nContent-Type: text/plain\r\n"
    return f"{headers}\r\n{body_line}\r\n".encode()


def test_recipient_deferred_by_the_next_hop_is_deferred_not_lost(content_filter):
    port, sink = content_filter
    data = wire_bytes(message())
    refused = send(port, data, ("a@example.com", "deferred@example.com", "refused@example.com"))
    # smtplib reports per-recipient refusals; Postfix queues the 450 one and bounces the 550 one
    assert {address: code for address, (code, _) in refused.items()} == {
        "deferred@example.com": 450, "refused@example.com": 550}
    assert sink.received == [(SENDER, ["a@example.com"], data)]


def test_every_recipient_refused_for_good_is_a_permanent_failure(content_filter):
    port, sink = content_filter
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(port, wire_bytes(message()), ("refused@example.com",))
    assert [code for code, _ in refused.value.recipients.values()] == [550]
    assert sink.received == []


def test_concurrent_senders_each_get_the_right_answer(content_filter):
    port, sink = content_filter
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
    service = start_filter(Scanner(detectors=["marking"], ocr=False), (LOOPBACK, 0), (LOOPBACK, dead_port))
    try:
        with pytest.raises(smtplib.SMTPSenderRefused) as deferred:
            send(service.address[1], wire_bytes(message()))
        assert deferred.value.smtp_code == 451
    finally:
        service.stop()


def test_address_parsing():
    assert parse_address("127.0.0.1:10025") == ("127.0.0.1", 10025)
    assert parse_address("[::1]:10026") == ("::1", 10026)
    assert parse_address("127.0.0.1:0") == ("127.0.0.1", 0)
    with pytest.raises(ValueError):
        parse_address("127.0.0.1")


# --- the command, as a service manager runs it ------------------------------------------

def start_filter_command(args: list[str], tmp_path: Path) -> tuple:
    policy = tmp_path / "markings.toml"
    policy.write_text(MARKINGS_ONLY)
    return start_command(["smtp-filter", *args], policy, f"{LOOPBACK}:0")


def test_smscan_smtp_filter_command(next_hop, tmp_path):
    sink, hop_port = next_hop
    process, port = start_filter_command(["--next-hop", f"{LOOPBACK}:{hop_port}", "--workers", "2"], tmp_path)
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(port, wire_bytes(MARKED))
        assert refused.value.smtp_code == 550
        send(port, wire_bytes(message()))
        assert len(sink.received) == 1
    finally:
        output = finish(process)
    assert process.returncode == 0, output
    assert "refused message" in output and "relayed message" in output


@pytest.mark.parametrize("grace", [0, 120])
def test_sigterm_answers_every_message_in_flight_then_exits(next_hop, tmp_path, grace):
    """With no grace the message in flight is told to try again later; with enough it is finished."""
    sink, hop_port = next_hop
    process, port = start_filter_command(["--next-hop", f"{LOOPBACK}:{hop_port}", "--grace", str(grace)], tmp_path)
    idle = smtplib.SMTP(LOOPBACK, port, timeout=60)
    idle.ehlo()
    in_flight = open_transaction(port, SENDER, slow_message())
    time.sleep(0.5)  # the scan has begun
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, text = in_flight.getreply()
    assert idle.getreply()[0] == 421  # an idle connection is told to come back later
    output = finish(process, 60)
    exit_seconds = time.monotonic() - started
    assert process.returncode == 0, output
    if grace == 0:
        assert code == 451 and b"try again later" in text, (code, text)
        assert exit_seconds < 15, output  # generous hang guard; measured about 1 s
        assert sink.received == []
    else:
        assert code == 250, (code, text)
        assert len(sink.received) == 1
    with pytest.raises(OSError):  # no longer accepting
        socket.create_connection((LOOPBACK, port), timeout=2).close()
