"""Mail gateway helpers: scanning an e-mail part by part, each part by what it is."""

from __future__ import annotations

import logging
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from typing import TYPE_CHECKING

from scanner.ingest.eml import Leaf, message_leaves, message_subject
from scanner.ingest.errors import IngestError, one_line
from scanner.model import FileReport, MessageReport, Verdict

if TYPE_CHECKING:
    from scanner.engine import Scanner

log = logging.getLogger("smscan.mail")


def scan_message(scanner: Scanner, message: Message) -> MessageReport:
    """One report per part: the subject, each text or HTML body, each attachment and inline image.

    Each part is scanned by what its content is, whatever type it declares (a PDF sent as
    text/plain is scanned as a PDF). The message blocks when any part blocks, when the message
    cannot be taken apart, or when a part's check failed (the part is named, with why)."""
    try:
        leaves = message_leaves(message)
        subject = message_subject(message)
    except IngestError as error:
        return _unreadable(scanner, str(error))
    except Exception as error:  # the e-mail package raises many types on damaged structure
        return _unreadable(scanner, f"unreadable e-mail: {type(error).__name__}: {one_line(error)}")
    limits = scanner.policy.limits
    if len(leaves) > limits.max_members:
        return _unreadable(scanner, f"too many parts: {len(leaves)} (limit max_members {limits.max_members})")
    parts = [scan_part(scanner, Leaf("subject", "text/plain", b"", subject))] if subject else []
    parts += [scan_part(scanner, leaf) for leaf in leaves if leaf.text is not None or leaf.data]
    verdict = Verdict.BLOCK if any(p.blocked for p in parts) else Verdict.PASS
    return MessageReport(verdict, tuple(parts))


def scan_raw_message(scanner: Scanner, data: bytes) -> MessageReport:
    """An e-mail as it came off the wire (RFC 822 bytes); one that does not parse blocks."""
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
    except Exception as error:  # e.g. multiparts nested thousands deep: the parser recurses
        return _unreadable(scanner, f"unreadable e-mail: {type(error).__name__}: {one_line(error)}")
    return scan_message(scanner, message)


def scan_part(scanner: Scanner, leaf: Leaf) -> FileReport:
    """The one place a part of a message is scanned: text as text, anything else as a file.

    A failure inside a check becomes a blocked part with the reason, never an exception: a
    message whose part cannot be checked is refused with why (it would fail the same way on
    every retry), not deferred forever."""
    try:
        if leaf.text is not None:
            return scanner.scan_text(leaf.text, leaf.name)
        return scanner.scan_bytes(leaf.data, filename=leaf.name, path=leaf.name)
    except Exception as error:  # MemoryError included: the part was not fully checked
        log.exception("checking %s failed", leaf.name)
        reason = f"could not be checked: {type(error).__name__}: {one_line(error)}"
        verdict, _ = scanner.policy.decide((), reason)
        return FileReport(path=leaf.name, verdict=verdict, error=reason, consent=tuple(sorted(scanner.policy.consent)))


def _unreadable(scanner: Scanner, error: str) -> MessageReport:
    verdict, _ = scanner.policy.decide((), error)
    return MessageReport(verdict, (), error)
