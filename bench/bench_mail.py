"""Mail gateway figures: cold scan vs cache hit of one message, the SMTP filter's throughput,
and how fast a zip bomb is refused. `python bench/bench_mail.py`

Messages are composed like the tests: a subject, a text and HTML body, and a 1-page scanned
memo (PNG, OCR'd) plus a text-layer PDF memo. Every check is on (Scanner()).
"""

from __future__ import annotations

import smtplib
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from email import policy as email_policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MESSAGES = 12  # for the SMTP throughput run


def _message(index: int):
    from samplegen.documents import encoded, memo_pdf, render, scanned
    from samplegen.mail import message

    scan = encoded(scanned(render(memo_pdf(), dpi=150), seed=index))
    return message(subject=f"Tables {index}", html="<p>Hello, the tables are attached.</p>",
                   attachments={"scan.png": (scan, "image/png"), "memo.pdf": (memo_pdf(), "application/pdf")})


def cache_figures() -> None:
    from scanner import Scanner

    scanner = Scanner(cache_size=256)
    mail = _message(0)
    started = time.perf_counter()
    scanner.scan_message(mail)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(20):
        started = time.perf_counter()
        scanner.scan_message(mail)
        warm.append(time.perf_counter() - started)
    print(f"scan_message, all checks: cold {cold * 1000:.0f} ms, cache hit {statistics.median(warm) * 1000:.2f} ms "
          f"(median of 20)")


def smtp_figures() -> None:
    from samplegen.servers import LOOPBACK, running_sink
    from scanner import Scanner
    from scanner.mail.smtp_filter import start_filter

    mails = [_message(i).as_bytes(policy=email_policy.SMTP) for i in range(MESSAGES)]
    with running_sink() as (sink, hop):
        service = start_filter(Scanner(cache_size=256), (LOOPBACK, 0), (LOOPBACK, hop), workers=2)

        def send(data: bytes) -> None:
            with smtplib.SMTP(*service.address, timeout=300) as client:
                client.sendmail("a@example.org", ["b@example.com"], data)

        try:
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(send, mails))
            distinct = time.perf_counter() - started
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(send, mails))  # the same messages again: every part is a cache hit
            repeated = time.perf_counter() - started
        finally:
            service.stop()
    print(f"smtp-filter, 4 senders, 2 scan threads: {MESSAGES / distinct:.1f} distinct messages/s, "
          f"{MESSAGES / repeated:.0f} repeated messages/s ({len(sink.received)} relayed)")


def bomb_figures() -> None:
    from samplegen.mail import zeros_bomb
    from scanner.ingest import IngestError, load

    bomb = zeros_bomb(256)
    started = time.perf_counter()
    try:
        load(bomb)
    except IngestError as error:
        spent = (time.perf_counter() - started) * 1000
        print(f"256 MiB zeros bomb ({len(bomb) // 1024} KiB) refused in {spent:.1f} ms: {error}")


if __name__ == "__main__":
    cache_figures()
    smtp_figures()
    bomb_figures()
