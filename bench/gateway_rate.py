"""Plain-text messages per second through `smscan smtp-filter`, run as a separate process.

    python bench/gateway_rate.py [--messages 1000] [--senders 8] [--workers 4] [--policy FILE]

Senders (smtplib threads) and the next hop (an aiosmtpd sink) run in this process, on the same
machine as the filter. Every message is different, so no part is a cache hit. Not part of
`make bench`: with the default policy 1,000 messages take about ten minutes.
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

from tests.mail_servers import LOOPBACK, running_sink  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--policy", type=Path)
    args = parser.parse_args()
    mails = [plain_text(n) for n in range(args.messages + 1)]
    with running_sink() as (sink, hop):
        command = [str(Path(sys.executable).with_name("smscan")), "smtp-filter", "--listen", f"{LOOPBACK}:0",
                   "--next-hop", f"{LOOPBACK}:{hop}", "--workers", str(args.workers)]
        command += ["--policy", str(args.policy)] if args.policy else []
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            while not (found := re.search(r"listening on [\d.]+:(\d+)", process.stdout.readline())):
                pass
            port = int(found.group(1))
            threading.Thread(target=process.stdout.read, daemon=True).start()  # its log must not fill the pipe
            send(port, mails[:1])  # the first message pays for lazy imports
            chunks = [mails[1 + i :: args.senders] for i in range(args.senders)]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.senders) as pool:
                list(pool.map(lambda chunk: send(port, chunk), chunks))
            spent = time.perf_counter() - started
            rss = int(Path(f"/proc/{process.pid}/status").read_text().split("VmRSS:")[1].split()[0]) // 1024
        finally:
            process.terminate()
            process.wait(60)
    print(f"{args.messages} plain-text messages, {args.senders} senders, --workers {args.workers}: "
          f"{spent:.1f} s, {args.messages / spent:.1f} messages/s; {len(sink.received) - 1} relayed; "
          f"filter RSS {rss} MiB")


if __name__ == "__main__":
    main()
