"""E-mail (RFC 822): the subject, every text and HTML body, every attachment and attached message."""

from __future__ import annotations

import email
import email.errors
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath

from scanner.i18n import N_
from scanner.ingest.budget import Budget
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.page import Page
from scanner.ingest.sniff import sniff
from scanner.ingest.text import decoded_text, text_pages
from scanner.ingest.textual import text_content_pages
from scanner.ingest.zip import MemberReader

# Damage the parser notes and repairs by guessing: a multipart that never closes (the message was
# cut short), a part that does not fit its boundaries, base64 that ends mid-group. What is read
# past such a point may be missing or misplaced, so the message is not checked on it.
_DAMAGE = {
    email.errors.CloseBoundaryNotFoundDefect: N_("damaged e-mail: it ends before its last part is closed (cut short?)"),
    email.errors.StartBoundaryNotFoundDefect: N_("damaged e-mail: its parts' boundaries are missing"),
    email.errors.MultipartInvariantViolationDefect: N_("damaged e-mail: a multipart section has no parts"),
    email.errors.InvalidBase64PaddingDefect: N_("damaged e-mail: an attachment's base64 data ends mid-group "
                                                "(cut short?)"),
    email.errors.InvalidBase64LengthDefect: N_("damaged e-mail: an attachment's base64 data has an impossible "
                                               "length (cut short?)"),
}


@dataclass(frozen=True)
class Leaf:
    """One content part of an e-mail: a body (as text lines) or an attachment (as bytes)."""

    name: str
    content_type: str
    data: bytes
    text: str | None = None  # parts whose content is text, whatever their declared type

    @property
    def is_message(self) -> bool:
        return self.content_type == "message/rfc822"


def parse_message(data: bytes) -> Message:
    try:
        return email.message_from_bytes(data, policy=email.policy.default)
    except Exception as error:  # the parser is lenient; anything it raises means damage
        raise IngestError(f"unreadable e-mail: {one_line(error)}") from None


def message_leaves(message: Message) -> list[Leaf]:
    """Every body and attachment, in order; an attached e-mail is one leaf (scanned as a container)."""
    leaves: list[Leaf] = []
    used: set[str] = set()
    for index, part in enumerate(_leaf_parts(message), 1):
        name = _unique(_part_name(part, index), used)
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            leaves.append(Leaf(name, content_type, _attached_message_bytes(part, name)))
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        leaves.append(Leaf(name, content_type, data, _content_text(part, data)))
    return leaves


def message_subject(message: Message) -> str:
    try:
        return " ".join(str(message.get("Subject", "") or "").split())
    except Exception:  # an undecodable header: scanned as it stands
        return " ".join(str(message.get_all("Subject", [""])[0]).split())


def _leaf_parts(part: Message) -> Iterator[Message]:
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart" and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaf_parts(sub)
    else:
        yield part


def _part_name(part: Message, index: int) -> str:
    filename = part.get_filename()
    if filename:
        return PurePosixPath(" ".join(str(filename).replace("\\", "/").split())).name or f"part{index}"
    content_type = part.get_content_type()
    if content_type == "text/plain":
        return "body.txt"
    if content_type == "text/html":
        return "body.html"
    if content_type == "message/rfc822":
        return f"message{index}.eml"
    return f"part{index}.{part.get_content_subtype()}"


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        stem, dot, suffix = name.rpartition(".")
        candidate = f"{stem}-{number}.{suffix}" if dot and stem else f"{name}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _attached_message_bytes(part: Message, name: str) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        raw = part.get_payload(decode=True)
        return raw if isinstance(raw, bytes) else b""
    try:
        return inner.as_bytes()
    except Exception as error:
        raise IngestError(f"unreadable attached e-mail {name}: {one_line(error)}") from None


# "BM" opens a bitmap and many a line of text; any other type smscan opens cannot pass for text.
_TEXT_LOOKALIKES = {"bmp"}


def _content_text(part: Message, data: bytes) -> str | None:
    """The part as text when its content is text, whatever its declared type; None otherwise.

    Mail clients open an attachment by its name and content, not its declared type, so a PDF
    sent as `text/plain; name=report.txt` is a PDF (scanned as one), and binary data declared as
    text is not text (blocked as unsupported rather than read as garbled words)."""
    kind = sniff(data)
    if kind is not None and kind not in _TEXT_LOOKALIKES:
        return None
    if part.get_content_maintype() != "text":
        return decoded_text(data)
    text = _part_text(part, data)  # in its declared charset, which may be UTF-16 without a BOM
    return text if decoded_text(text.encode("utf-8", "surrogatepass")) is not None else None


def _part_text(part: Message, data: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name: read it as UTF-8 rather than not at all
        return data.decode("utf-8", errors="replace")


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def damage_in(message: Message) -> str | None:
    """Why the message cannot be read as it was sent, or None. Call after the parts were decoded
    (message_leaves): base64 damage is noted while decoding."""
    for part in message.walk():
        for defect in part.defects:
            for kind, words in _DAMAGE.items():
                if isinstance(defect, kind):
                    return words
    return None


def eml_pages(data: bytes, prefix: str, depth: int, budget: Budget, member_pages: MemberReader) -> list[Page]:
    if not _HEADER_END.search(data):
        raise IngestError("damaged e-mail: its header never ends (the file is cut short?)")
    message = parse_message(data)
    pages = text_pages([message_subject(message)], prefix + "subject")
    leaves = message_leaves(message)
    damage = damage_in(message)
    if damage:
        raise IngestError(f"{prefix.rstrip('/')}: {damage}" if prefix else damage)
    for leaf in leaves:
        name = prefix + leaf.name
        budget.count_member(name)
        budget.spend(len(leaf.data), name)
        if leaf.text is not None:
            html = leaf.content_type == "text/html"
            pages.extend(text_content_pages(leaf.text, name, depth, budget, member_pages, declared_html=html))
        else:
            pages.extend(member_pages(leaf.data, name, depth, budget, "eml" if leaf.is_message else None))
    return pages
