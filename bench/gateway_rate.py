"""Plain-text messages per second through `smscan smtp-filter`, run as a separate process.

    python bench/gateway_rate.py [--messages 1000] [--senders 8] [--workers N] [--policy FILE]

Senders (smtplib threads) and the next hop (an aiosmtpd sink) run in this process, on the same
machine as the filter. Every message is different, so no part is a cache hit. `make bench` runs
it with 400 messages.
"""

from __future__ import annotations

import argparse
import re
import smtplib
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samplegen.servers import LOOPBACK, running_sink  # noqa: E402

BODY = ("Hello,\r\n\r\nThe labour force tables for {n} are below in plain text.\r\n"
        "Region, employed, unemployed\r\nOntario, 7812, 421\r\nQuebec, 4520, 233\r\n\r\nRegards,\r\nAnalyst {n}\r\n")


def plain_text(n: int) -> bytes:
    headers = (f"From: a{n}@example.org\r\nTo: b@example.com\r\nSubject: Tables {n}\r\n"
               f"Message-ID: <{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n")
    return (headers + "\r\n" + BODY.format(n=n)).encode()


def send(port: int, messages: list[bytes]) -> None:
    with smtplib.SMTP(LOOPBACK, port, timeout=300) as client:
        for data in messages:
            client.sendmail("a@example.org", ["b@example.com"], data)


def measure(messages: int = 1000, senders: int = 8, workers: int = 0, policy: Path | None = None) -> float:
    """Messages per second through a freshly started filter (its start and first message not counted)."""
    rate, _ = _run(messages, senders, workers, policy)
    return rate


def _run(messages: int, senders: int, workers: int, policy: Path | None) -> tuple[float, int]:
    mails = [plain_text(n) for n in range(messages + 1)]
    with running_sink() as (sink, hop):
        command = [str(Path(sys.executable).with_name("smscan")), "smtp-filter", "--listen", f"{LOOPBACK}:0",
                   "--next-hop", f"{LOOPBACK}:{hop}"]
        command += ["--workers", str(workers)] if workers else []
        command += ["--policy", str(policy)] if policy else []
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            while not (found := re.search(r"listening on [\d.]+:(\d+)", process.stdout.readline())):
                if process.poll() is not None:
                    raise RuntimeError("smtp-filter did not start")
            port = int(found.group(1))
            threading.Thread(target=process.stdout.read, daemon=True).start()  # its log must not fill the pipe
            send(port, mails[:1])  # the first message pays for the workers' start
            chunks = [mails[1 + i :: senders] for i in range(senders)]
            started = time.perf_counter()
            with ThreadPoolExecutor(senders) as pool:
                list(pool.map(lambda chunk: send(port, chunk), chunks))
            spent = time.perf_counter() - started
            rss = int(Path(f"/proc/{process.pid}/status").read_text().split("VmRSS:")[1].split()[0]) // 1024
        finally:
            process.terminate()
            process.wait(60)
    assert len(sink.received) == messages + 1, "every message must be relayed"
    return messages / spent, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (default: smscan's, the cores)")
    parser.add_argument("--policy", type=Path)
    args = parser.parse_args()
    rate, rss = _run(args.messages, args.senders, args.workers, args.policy)
    print(f"{args.messages} plain-text messages, {args.senders} senders: {rate:.1f} messages/s; "
          f"filter's own process {rss} MiB")


if __name__ == "__main__":
    main()
