"""Mail gateway helpers: scanning an e-mail part by part, and a content-hash report cache."""

from __future__ import annotations

from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from typing import TYPE_CHECKING

from scanner.ingest.eml import message_leaves, message_subject
from scanner.ingest.errors import IngestError, one_line
from scanner.model import MessageReport, Verdict

if TYPE_CHECKING:
    from scanner.engine import Scanner


def scan_message(scanner: Scanner, message: Message) -> MessageReport:
    """One report per part: the subject, each text or HTML body, each attachment and inline image.

    The message blocks when any part blocks, or when the message cannot be taken apart."""
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
    parts = [scanner.scan_text(subject, "subject")] if subject else []
    for leaf in leaves:
        if leaf.text is not None:
            parts.append(scanner.scan_text(leaf.text, leaf.name))
        elif leaf.data:  # an empty attachment holds nothing to check
            parts.append(scanner.scan_bytes(leaf.data, filename=leaf.name, path=leaf.name))
    verdict = Verdict.BLOCK if any(p.blocked for p in parts) else Verdict.PASS
    return MessageReport(verdict, tuple(parts))


def scan_raw_message(scanner: Scanner, data: bytes) -> MessageReport:
    """An e-mail as it came off the wire (RFC 822 bytes); one that does not parse blocks."""
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
    except Exception as error:  # e.g. multiparts nested thousands deep: the parser recurses
        return _unreadable(scanner, f"unreadable e-mail: {type(error).__name__}: {one_line(error)}")
    return scan_message(scanner, message)


def _unreadable(scanner: Scanner, error: str) -> MessageReport:
    verdict, _ = scanner.policy.decide((), error)
    return MessageReport(verdict, (), error)
