"""Servers that tests and benchmarks run smscan against: an SMTP sink standing for the next hop or a
mailbox (aiosmtpd), and a real Dask cluster started as users start one (`dask scheduler`, `dask
worker` processes)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Sink:
    """Keeps what it is given; defers recipients named deferred@, refuses those named refused@."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address.startswith("deferred@"):
            return f"450 4.2.0 <{address}>: mailbox busy, try again later"
        if address.startswith("refused@"):
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 60.0, log: str = "") -> list[tuple[str, list[str], bytes]]:
        """The first `count` messages received, waiting for them as long as `seconds`."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} message(s) arrived\n{log}")
            time.sleep(0.1)
        return self.received[:count]


class _LongLineSMTP(SMTP):
    line_length_limit = 1 << 20  # like Postfix's smtpd, the sink takes lines over 1,000 characters


class _LongLines(Controller):
    def factory(self) -> SMTP:
        return _LongLineSMTP(self.handler, **self.SMTP_kwargs)


@contextmanager
def running_sink() -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    controller = _LongLines(sink, hostname=LOOPBACK, port=port, decode_data=False)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@contextmanager
def dask_cluster(folder: Path, workers: int = 2, pythonpath: str | None = None) -> Iterator[str]:
    """`dask scheduler` on a free loopback port and `workers` `dask worker` processes of one thread
    each, as the README says to start them; yields the scheduler's address."""
    import distributed

    dask = str(Path(sys.executable).with_name("dask"))
    address_file = folder / "scheduler.json"
    env = {**os.environ, **({"PYTHONPATH": pythonpath} if pythonpath else {})}
    options: dict[str, Any] = {"cwd": folder, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([dask, "scheduler", "--host", LOOPBACK, "--port", "0", "--no-dashboard",
                                   "--scheduler-file", str(address_file)], **options)]
    try:
        address = _scheduler_address(address_file, processes[0])
        processes += [subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--host", LOOPBACK,
                                        "--no-dashboard", "--name", f"worker-{n}", "--local-directory",
                                        str(folder)], **options)
                      for n in range(workers)]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _scheduler_address(address_file: Path, scheduler: subprocess.Popen, seconds: float = 60.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {scheduler.returncode}")
        try:
            return json.loads(address_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.2)
    raise RuntimeError("dask scheduler did not write its address")
