"""Real mail servers and clients for the gateway tests: an SMTP sink (aiosmtpd) standing for the
next hop or the final mailbox, and `smscan smtp-filter` / `smscan milter` run as commands."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

from samplegen.servers import LOOPBACK, Sink, free_port, running_sink  # noqa: F401 - the tests' names

ROOT = Path(__file__).resolve().parents[1]
MARKINGS_ONLY = '[detectors]\ndisabled = ["conduct", "face", "logo", "metadata", "pii"]\n'


def wire_bytes(mail: EmailMessage) -> bytes:
    return mail.as_bytes(policy=email_policy.SMTP)  # CRLF line ends, as on the wire


# --- smscan's gateways as commands, as a service manager runs them ------------------------------


def start_command(args: list[str], policy: Path, listen: str) -> tuple[subprocess.Popen, int]:
    """`smscan ARGS --listen LISTEN --policy POLICY`; the port it listens on, read from its log.

    With port 0 in LISTEN the gateway binds a free port itself. The command test used to pick a
    port and have the gateway bind it seconds later, once its checks had loaded; a 250 for a
    blocked message (its one flaky failure) is what another server taking that port meanwhile
    answers, most likely a sink of another test run on this machine."""
    command = [str(Path(sys.executable).with_name("smscan")), *args, "--listen", listen, "--policy", str(policy)]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return process, _listening_port(process)


def _listening_port(process: subprocess.Popen, seconds: float = 120.0) -> int:
    deadline = time.monotonic() + seconds
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("exited before listening:\n" + "".join(lines))
        lines.append(line)
        if found := re.search(r"listening on [\d.]+:(\d+)", line):
            return int(found.group(1))
    process.kill()
    raise AssertionError("did not start listening:\n" + "".join(lines))


def finish(process: subprocess.Popen, seconds: float = 30.0) -> str:
    """SIGTERM, then the rest of its output; fails if it does not exit within `seconds`."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=seconds)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"still running {seconds} s after SIGTERM:\n{process.communicate()[0]}") from None


def slow_message() -> bytes:
    """Three scanned pages to read with OCR (about 1 MB): seconds of work (3.5 s measured), long
    enough to be caught mid-scan."""
    from samplegen.documents import encoded, memo_pdf, render, scanned
    from samplegen.mail import message

    pages = {f"scan{n}.jpg": (encoded(scanned(render(memo_pdf(), dpi=150), seed=n), "JPEG"), "image/jpeg")
             for n in range(3)}
    return wire_bytes(message(attachments=pages))


def open_transaction(port: int, sender: str, data: bytes) -> smtplib.SMTP:
    """A client that has sent a whole message and now waits for the reply to it (`getreply()`)."""
    client = smtplib.SMTP(LOOPBACK, port, timeout=120)
    client.ehlo()
    assert client.mail(sender)[0] == 250 and client.rcpt("a@example.com")[0] == 250
    client.putcmd("data")
    assert client.getreply()[0] == 354
    client.send(data + b".\r\n")
    return client
