"""An e-mail checked part by part: the subject, each text or HTML body, each attachment and inline
image gets a report of its own; the message blocks when any part blocks, or when it cannot be taken
apart. The parts are checked by whatever is given: a Scanner in this process, or a WorkerPool
(whose answers are futures, so the parts are checked in parallel)."""

from __future__ import annotations

from concurrent.futures import Future
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from typing import Protocol

from scanner.ingest.eml import damage_in, message_leaves, message_subject
from scanner.ingest.errors import IngestError, one_line
from scanner.model import FileReport, MessageReport, Verdict
from scanner.policy import Policy


class PartChecker(Protocol):
    policy: Policy

    def scan_text(self, text: str, name: str) -> FileReport | Future[FileReport]: ...

    def scan_bytes(self, data: bytes, filename: str | None, path: str | None) -> FileReport | Future[FileReport]: ...


def scan_message(checker: PartChecker, message: Message) -> MessageReport:
    try:
        leaves = message_leaves(message)
        subject = message_subject(message)
        damage = damage_in(message)  # noted while the parts were decoded: a message cut short, bad base64
        if damage:
            return _unreadable(checker.policy, damage)
    except IngestError as error:
        return _unreadable(checker.policy, str(error))
    except Exception as error:
        return _unreadable(checker.policy, f"unreadable e-mail: {one_line(error)}")
    limits = checker.policy.limits
    if len(leaves) > limits.max_members:
        return _unreadable(checker.policy, f"too many parts: {len(leaves)} (limit max_members {limits.max_members})")
    pending = [checker.scan_text(subject, "subject")] if subject else []
    for leaf in leaves:
        if leaf.text is not None:
            pending.append(checker.scan_text(leaf.text, leaf.name))
        elif leaf.data:  # an empty attachment holds nothing to check
            pending.append(checker.scan_bytes(leaf.data, leaf.name, leaf.name))
    parts = tuple(part.result() if isinstance(part, Future) else part for part in pending)
    return MessageReport(Verdict.BLOCK if any(p.blocked for p in parts) else Verdict.PASS, parts)


def scan_raw_message(checker: PartChecker, data: bytes) -> MessageReport:
    """An e-mail as it came off the wire (RFC 822 bytes); one that does not parse blocks."""
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
    except Exception as error:
        return _unreadable(checker.policy, f"unreadable e-mail: {one_line(error)}")
    return scan_message(checker, message)


def _unreadable(policy: Policy, error: str) -> MessageReport:
    verdict, _ = policy.decide((), error)
    return MessageReport(verdict, (), error)
