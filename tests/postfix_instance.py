"""A private Debian Postfix for the mail-gateway tests: loopback ports, its own configuration
directory, queue and log under a temporary directory, final delivery to a sink the test runs.
No system mail is touched: /etc/postfix is only read by nobody, the system queue is not used."""

from __future__ import annotations

import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.mail_servers import Sink, finish, running_sink, start_command

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "postfix"
POSTFIX = "/usr/sbin/postfix"
POSTQUEUE = "/usr/sbin/postqueue"
# The ports the README's lines name, replaced by free ones in the tests.
README_PORTS = {"filter": "10025", "reinjection": "10026", "milter": "10027"}

# What makes this instance private and quick; the README's lines are appended as they are.
_MAIN = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = smscan-test.invalid
mydomain = invalid
mydestination =
relayhost = [127.0.0.1]:{sink_port}
smtp_dns_support_level = disabled
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""
_MASTER = """\
127.0.0.1:{inlet_port} inet n - n - - smtpd
{inlet_options}
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_unavailable() -> str | None:
    """Why a private Postfix cannot run here, or None when it can."""
    if not Path(POSTFIX).exists():
        return "Debian's postfix is not installed (make system-packages installs it)"
    if os.geteuid() != 0:
        return "a private Postfix instance needs root: its master process starts as root, as Postfix requires"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "the postfix user is missing (Debian's postfix package creates it)"
    return None


def readme_lines(name: str, ports: dict[str, int]) -> str:
    """deploy/postfix/NAME (the lines the README shows) with its ports replaced by the test's."""
    text = (DEPLOY / name).read_text()
    for role, port in ports.items():
        text = text.replace(f":{README_PORTS[role]}\n", f":{port}\n").replace(f":{README_PORTS[role]} ", f":{port} ")
    return text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostfixInstance:
    """`postfix -c DIR` with the instance lines above plus `main`/`master` (the README's lines)."""

    def __init__(self, sink_port: int, main: str = "", master: str = "", inlet_options: str = "") -> None:
        # Postfix's daemons run as the postfix user and must reach the queue: under /tmp, not a
        # private TMPDIR (pytest's own temporary folders are readable by root alone).
        self.root = Path(tempfile.mkdtemp(prefix="smscan-postfix-", dir="/tmp"))
        self.root.chmod(0o755)
        self.config = self.root / "etc"
        self.inlet_port = free_port()
        for name in ("etc", "queue", "data"):
            (self.root / name).mkdir()
        shutil.chown(self.root / "data", "postfix")
        (self.config / "main.cf").write_text(_MAIN.format(root=self.root, sink_port=sink_port) + main)
        (self.config / "master.cf").write_text(
            _MASTER.format(inlet_port=self.inlet_port, inlet_options=inlet_options) + master)

    def start(self) -> None:
        self._postfix("check")
        self._postfix("start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.inlet_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"Postfix did not start listening:\n{self.log()}")

    def stop(self) -> None:
        try:
            self._postfix("stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def queue(self) -> str:
        """`postqueue -p`: what waits in this instance's queue ("Mail queue is empty" when nothing)."""
        return self._run(POSTQUEUE, "-c", str(self.config), "-p")

    def flush(self) -> None:
        """`postqueue -f`: try every deferred message now."""
        self._run(POSTQUEUE, "-c", str(self.config), "-f")

    def log(self) -> str:
        path = self.root / "maillog"
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def wait_for_log(self, text: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.log():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared in Postfix's log:\n{self.log()}")
            time.sleep(0.2)

    def _postfix(self, command: str) -> None:
        self._run(POSTFIX, "-c", str(self.config), command)

    def _run(self, *command: str) -> str:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed ({result.returncode}): "
                                 f"{result.stdout}{result.stderr}\n{self.log()}")
        return result.stdout


class GatewayBehindPostfix:
    """A private Postfix, one smscan gateway command it hands mail to, and the final sink.

    The gateway starts first, on a port of its choosing (`--listen ...:0`), and Postfix is
    configured with that port by `postfix_lines(port)` -> PostfixInstance keyword arguments.
    Stopped and started again, the gateway takes the same port."""

    def __init__(self, sink: Sink, sink_port: int, policy: Path, command: list[str], listen: str,
                 postfix_lines: Callable[[int], dict[str, str]]) -> None:
        self.sink = sink
        self.policy = policy
        self.command = command
        self.listen = listen  # with {port}
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.start()
        self.postfix = PostfixInstance(sink_port, **postfix_lines(self.port))
        self.postfix.start()

    def start(self, *options: str) -> None:
        if self.process is None:
            self.process, self.port = start_command([*self.command, *options], self.policy,
                                                    self.listen.format(port=self.port))

    def stop(self) -> str:
        """SIGTERM; the gateway's output. Fails unless it exits promptly with status 0."""
        assert self.process is not None
        process, self.process = self.process, None
        output = finish(process)
        assert process.returncode == 0, output
        return output

    def send(self, data: bytes, recipients: list[str], sender: str = "analyst@example.org") -> dict:
        with smtplib.SMTP("127.0.0.1", self.postfix.inlet_port, timeout=120) as client:
            return client.sendmail(sender, recipients, data)

    def delivered_to(self, recipient: str) -> list[bytes]:
        return [data for _, recipients, data in self.sink.received if recipient in recipients]

    def wait(self, condition: Callable[[], object], seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; queue:\n{self.postfix.queue()}\nlog:\n{self.postfix.log()}")
            time.sleep(0.1)

    def close(self) -> None:
        try:
            if self.process is not None:
                self.stop()
        finally:
            self.postfix.stop()


@contextmanager
def gateway_behind_postfix(policy: Path, command: list[str], listen: str,
                           postfix_lines: Callable[[int], dict[str, str]]) -> Iterator[GatewayBehindPostfix]:
    with running_sink() as (sink, sink_port):
        gateway = GatewayBehindPostfix(sink, sink_port, policy, command, listen, postfix_lines)
        try:
            yield gateway
        finally:
            gateway.close()
