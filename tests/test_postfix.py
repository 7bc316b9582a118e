"""smscan smtp-filter behind Debian's real Postfix, configured with the README's lines.

A private Postfix instance (loopback ports, its own configuration directory and queue) takes
mail from smtplib, hands it to `smscan smtp-filter` (content_filter), gets clean mail back on
its re-injection port and delivers it to a sink standing for the final mailbox. Nothing is lost:
each message is delivered, bounced to its sender with smscan's reason, or waits in the queue."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import formatdate, make_msgid
from pathlib import Path

import pytest

from samplegen.documents import memo_pdf
from samplegen.mail import message
from tests.mail_servers import LOOPBACK, MARKINGS_ONLY, Sink, wire_bytes
from tests.postfix_instance import (
    DEPLOY,
    GatewayBehindPostfix,
    free_port,
    gateway_behind_postfix,
    postfix_unavailable,
    readme_lines,
)

ROOT = Path(__file__).resolve().parents[1]
SENDER = "analyst@example.org"

pytestmark = pytest.mark.skipif(bool(postfix_unavailable()), reason=postfix_unavailable() or "")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[GatewayBehindPostfix]:
    """Postfix, `smscan smtp-filter` between its two smtpd listeners, and the final sink."""
    policy = tmp_path_factory.mktemp("policy") / "markings.toml"
    policy.write_text(MARKINGS_ONLY)
    reinjection = free_port()

    def postfix_lines(filter_port: int) -> dict[str, str]:
        ports = {"filter": filter_port, "reinjection": reinjection}
        return {
            # The re-injection listener (the filter's next hop) takes 2 recipients per message
            # and defers the rest (452), as a busy next hop would: smscan must pass that on.
            "main": readme_lines("content-filter.main.cf", ports) + "smtpd_recipient_limit = 2\n",
            "master": readme_lines("content-filter.master.cf", ports),
            "inlet_options": "    -o smtpd_recipient_limit=1000",
        }

    command = ["smtp-filter", "--next-hop", f"{LOOPBACK}:{reinjection}", "--workers", "2"]
    with gateway_behind_postfix(policy, command, LOOPBACK + ":{port}", postfix_lines) as gateway:
        yield gateway


def complete(mail) -> bytes:
    """With Date and Message-ID, so Postfix adds nothing to the message but its trace headers."""
    mail["Date"] = formatdate()
    mail["Message-ID"] = make_msgid(domain="example.org")
    return wire_bytes(mail)


def only_trace_headers_added(delivered: bytes, sent: bytes) -> bool:
    """Delivered = Postfix's Received: lines, then the message exactly as it was sent."""
    if not delivered.endswith(sent):
        return False
    added = delivered[: len(delivered) - len(sent)].decode()
    return all(line.startswith(("Received:", " ", "\t")) for line in added.splitlines())


def test_readme_shows_exactly_the_lines_the_tests_use():
    readmes = [path.read_text() for path in (ROOT / "README.md", ROOT / "README-mail.md") if path.exists()]
    for name in ("content-filter.main.cf", "content-filter.master.cf", "milter.main.cf"):
        lines = (DEPLOY / name).read_text()
        assert any(lines in readme for readme in readmes), f"deploy/postfix/{name} is not in the README"


def test_clean_message_is_delivered_unchanged(gateway):
    sent = complete(message(subject="Figures for Monday", body="The tables are attached.\n"))
    assert gateway.send(sent, ["reader@example.com"]) == {}
    gateway.sink.wait_for(1, log=gateway.postfix.log())
    (delivered,) = gateway.delivered_to("reader@example.com")
    assert only_trace_headers_added(delivered, sent), delivered[:2000]


def test_protected_attachment_is_bounced_to_the_sender_with_the_reason(gateway):
    sent = complete(message(subject="Memo", attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"),
                                                                       "application/pdf")}))
    gateway.send(sent, ["outside@example.com"])  # Postfix takes it; smscan refuses it after the queue
    gateway.postfix.wait_for_log("smscan blocked")
    gateway.wait(lambda: _bounces(gateway.sink))
    (bounce,) = _bounces(gateway.sink)
    assert b"memo.pdf" in bounce and b"PROTECTED B (guideline 2.6)" in bounce and b"outside@example.com" in bounce
    assert gateway.delivered_to("outside@example.com") == []
    assert "Mail queue is empty" in gateway.postfix.queue()


def _bounces(sink: Sink) -> list[bytes]:
    """Delivery status notifications (null sender) to our sender."""
    return [data for sender, recipients, data in sink.received if sender in ("", "<>") and SENDER in recipients]


def test_recipient_deferred_by_the_next_hop_is_retried_not_lost(gateway):
    sent = complete(message(subject="To three", body="Three readers.\n"))
    recipients = ["first@example.com", "second@example.com", "third@example.com"]
    gateway.send(sent, recipients)
    # the next hop takes two recipients and defers the third (452); Postfix retries it alone
    gateway.postfix.wait_for_log("452 4.5.3 Error: too many recipients")
    for recipient in recipients:
        gateway.wait(lambda r=recipient: gateway.delivered_to(r))
        assert only_trace_headers_added(gateway.delivered_to(recipient)[0], sent)


def test_messages_wait_in_the_queue_while_smscan_is_stopped(gateway):
    gateway.stop()
    sent = [complete(message(subject=f"While stopped {n}", body=f"Message {n}.\n")) for n in range(2)]
    for n, data in enumerate(sent):
        gateway.send(data, [f"waiting{n}@example.com"])
    gateway.postfix.wait_for_log(f"connect to 127.0.0.1[127.0.0.1]:{gateway.port}: Connection refused")
    queue = gateway.postfix.queue()
    assert "waiting0@example.com" in queue and "waiting1@example.com" in queue, queue
    assert all(gateway.delivered_to(f"waiting{n}@example.com") == [] for n in range(2))
    gateway.start()  # on the same port
    gateway.postfix.flush()
    for n, data in enumerate(sent):
        gateway.wait(lambda n=n: gateway.delivered_to(f"waiting{n}@example.com"))
        assert only_trace_headers_added(gateway.delivered_to(f"waiting{n}@example.com")[0], data)
    gateway.wait(lambda: "Mail queue is empty" in gateway.postfix.queue())
