"""smscan for mail gateways: scan an e-mail part by part (gateway), an SMTP content filter
(smtp_filter, after Postfix's queue) and a milter (milter, before it), served by server.

    from scanner import Scanner
    scanner = Scanner(cache_size=1024)        # share one across threads
    report = scanner.scan_message(message)     # email.message.EmailMessage -> MessageReport
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.mail.gateway import scan_message, scan_raw_message

__all__ = ["scan_message", "scan_raw_message"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `smscan --help` (which registers smtp-filter) stays quick.
    if name in __all__:
        from scanner.mail import gateway

        return getattr(gateway, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
