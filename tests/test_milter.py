"""smscan milter behind Debian's real Postfix (smtpd_milters), configured with the README's lines.

The sender's SMTP client (smtplib) is answered at submission: accepted and delivered unchanged,
refused 550 with smscan's reason, or told to try again later (4xx) when smscan cannot answer.
Nothing is queued that was not accepted."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator

import pytest

from samplegen.documents import memo_pdf
from samplegen.mail import message
from scanner.mail.milter import parse_milter_address
from tests.mail_servers import LOOPBACK, MARKINGS_ONLY, finish, open_transaction, slow_message
from tests.postfix_instance import GatewayBehindPostfix, gateway_behind_postfix, postfix_unavailable, readme_lines
from tests.test_postfix import complete, only_trace_headers_added

SENDER = "analyst@example.org"
SIZE_LIMIT_MB = 2  # so that a message over it is quick to make

pytestmark = pytest.mark.skipif(bool(postfix_unavailable()), reason=postfix_unavailable() or "")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[GatewayBehindPostfix]:
    """Postfix with `smscan milter` in smtpd_milters, delivering to the sink."""
    policy = tmp_path_factory.mktemp("policy") / "markings.toml"
    policy.write_text(MARKINGS_ONLY + f"[limits]\nmax_file_mb = {SIZE_LIMIT_MB}\n")

    def postfix_lines(milter_port: int) -> dict[str, str]:
        return {"main": readme_lines("milter.main.cf", {"milter": milter_port})}

    command = ["milter", "--workers", "2"]
    with gateway_behind_postfix(policy, command, "inet:" + LOOPBACK + ":{port}", postfix_lines) as gateway:
        yield gateway


@pytest.fixture()
def milter(gateway) -> GatewayBehindPostfix:
    gateway.start()
    return gateway


def test_clean_message_is_accepted_and_delivered_unchanged(milter):
    sent = complete(message(subject="Figures for Monday", body="The tables are attached.\n"))
    assert milter.send(sent, ["reader@example.com"]) == {}
    milter.sink.wait_for(1, log=milter.postfix.log())
    (delivered,) = milter.delivered_to("reader@example.com")
    assert only_trace_headers_added(delivered, sent), delivered[:2000]


def test_protected_attachment_is_refused_at_submission_with_the_reason(milter):
    sent = complete(message(subject="Memo", attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"),
                                                                       "application/pdf")}))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        milter.send(sent, ["outside@example.com"])
    assert refused.value.smtp_code == 550
    reply = refused.value.smtp_error.decode()
    assert reply == "5.7.1 smscan blocked: memo.pdf: security marking PROTECTED B (guideline 2.6)"
    assert milter.delivered_to("outside@example.com") == []
    assert "Mail queue is empty" in milter.postfix.queue()


def test_message_over_the_size_limit_is_refused_with_the_limit(milter):
    big = complete(message(body="The figures follow.\n" * (SIZE_LIMIT_MB * 2**20 // 20 + 1000)))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        milter.send(big, ["big@example.com"])
    assert refused.value.smtp_code == 552 and b"too large" in refused.value.smtp_error


def test_milter_stopping_mid_scan_tells_the_sender_to_try_again_later(gateway):
    if gateway.process is not None:
        gateway.stop()
    gateway.start("--grace", "0")
    client = open_transaction(gateway.postfix.inlet_port, SENDER, slow_message())
    time.sleep(0.5)  # Postfix has handed the message over and the scan has begun
    process, gateway.process = gateway.process, None
    output = finish(process, 60)
    code, text = client.getreply()
    client.close()
    assert code == 451 and b"try again later" in text, (code, text, output)
    assert "Mail queue is empty" in gateway.postfix.queue()
    assert gateway.delivered_to("a@example.com") == []


def test_milter_down_means_try_again_later_not_pass(gateway):
    """milter_default_action = tempfail, as the README sets it: no message passes unchecked."""
    if gateway.process is not None:
        gateway.stop()
    sent = complete(message(subject="While the milter is down"))
    with pytest.raises(smtplib.SMTPSenderRefused) as deferred:  # Postfix asks the milter at MAIL FROM
        gateway.send(sent, ["down@example.com"])
    assert deferred.value.smtp_code == 451
    assert "Mail queue is empty" in gateway.postfix.queue()
    gateway.start()
    assert gateway.send(sent, ["down@example.com"]) == {}  # the sender's retry, once it is back
    gateway.wait(lambda: gateway.delivered_to("down@example.com"))


def test_milter_addresses():
    assert parse_milter_address("inet:127.0.0.1:10027") == ("127.0.0.1", 10027)
    assert parse_milter_address("inet:10027@127.0.0.1") == ("127.0.0.1", 10027)  # Sendmail's order
    assert parse_milter_address("127.0.0.1:10027") == ("127.0.0.1", 10027)


def test_one_connection_many_messages_each_judged_on_its_own(milter):
    """Postfix reuses one milter connection for a session's messages, and aborts a reset one."""
    clean = complete(message(subject="First", body="Nothing to see.\n"))
    marked = complete(message(subject="PROTECTED B figures"))
    with smtplib.SMTP(LOOPBACK, milter.postfix.inlet_port, timeout=120) as client:
        assert client.sendmail(SENDER, ["one@example.com"], clean) == {}
        assert client.mail(SENDER)[0] == 250 and client.rcpt("abandoned@example.com")[0] == 250
        assert client.rset()[0] == 250  # the milter is told to forget this message
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail(SENDER, ["two@example.com"], marked)
        assert refused.value.smtp_code == 550 and b"subject: security marking" in refused.value.smtp_error
        assert client.sendmail(SENDER, ["three@example.com"], clean) == {}
    milter.wait(lambda: milter.delivered_to("three@example.com"))
    assert milter.delivered_to("one@example.com") and not milter.delivered_to("two@example.com")
