"""Outlook messages (.msg) through extract-msg (GPL-3.0, maintained): the subject, the plain, HTML
and RTF bodies, every attachment and attached message, read like an e-mail's parts.
"""

from __future__ import annotations

import logging
from typing import Any

from scanner.ingest.budget import Budget
from scanner.ingest.eml import _unique  # one rule for naming parts, as e-mails name them
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.page import Page
from scanner.ingest.text import decoded_text, text_pages
from scanner.ingest.textual import text_content_pages
from scanner.ingest.zip import MemberReader

_PLAIN_BODY = "__substg1.0_1000"
_HTML_BODY = "__substg1.0_10130102"


def msg_pages(data: bytes, prefix: str, depth: int, budget: Budget, member_pages: MemberReader) -> list[Page]:
    import extract_msg

    logging.getLogger("extract_msg").setLevel(logging.CRITICAL)  # its warnings are not for our users
    try:
        message = extract_msg.openMsg(data, delayAttachments=False)
    except Exception as error:  # the library raises its own types and many others on damage
        raise IngestError("unreadable Outlook message{at}: {why}", at=f" {prefix.rstrip('/')}" if prefix else "",
                          why=one_line(error)) from None
    try:
        return _message_pages(message, prefix, depth, budget, member_pages)
    finally:
        message.close()


def _message_pages(message: Any, prefix: str, depth: int, budget: Budget, member_pages: MemberReader) -> list[Page]:
    if depth > budget.limits.max_depth:
        raise IngestError(f"containers nested too deeply: level {depth} (limit max_depth {budget.limits.max_depth}), "
                          f"at {prefix.rstrip('/')}")
    try:
        subject = " ".join(str(message.subject or "").split())
        bodies = _bodies(message)
        attachments = list(message.attachments)
    except IngestError:
        raise
    except Exception as error:
        raise IngestError("unreadable Outlook message{at}: {why}", at=f" {prefix.rstrip('/')}" if prefix else "",
                          why=one_line(error)) from None
    pages = text_pages([subject], prefix + "subject")
    for name, text, html in bodies:
        full = prefix + name
        budget.count_member(full)
        budget.spend(len(text), full)
        pages.extend(text_content_pages(text, full, depth, budget, member_pages, declared_html=html))
    used: set[str] = set()
    for number, attachment in enumerate(attachments, 1):
        pages.extend(_attachment_pages(attachment, number, used, prefix, depth, budget, member_pages))
    return pages


def _bodies(message: Any) -> list[tuple[str, str, bool]]:
    """(name, text, is HTML) of the bodies the message carries; RTF only when it has no other."""
    found = []
    plain = message.getStringStream(_PLAIN_BODY)
    if plain:
        found.append(("body.txt", str(plain), False))
    html = message.getStream(_HTML_BODY)
    if html:
        found.append(("body.html", decoded_text(html) or html.decode("utf-8", "replace"), True))
    if not found and message.rtfBody:
        found.append(("body.rtf", message.rtfBody.decode("latin-1"), False))
    return found


def _attachment_pages(attachment: Any, number: int, used: set[str], prefix: str, depth: int, budget: Budget,
                      member_pages: MemberReader) -> list[Page]:
    from extract_msg.enums import AttachmentType

    name = _unique(_attachment_name(attachment, number), used)
    full = prefix + name
    budget.count_member(full)
    kind = attachment.type
    if kind in (AttachmentType.MSG, AttachmentType.SIGNED_EMBEDDED) or not isinstance(attachment.data, bytes | None):
        return _message_pages(attachment.data, f"{full}/", depth + 1, budget, member_pages)
    if kind == AttachmentType.WEB:  # a link to a file kept elsewhere: its content is not in the message
        return text_pages([str(getattr(attachment, "url", "") or name)], full)
    data = attachment.data
    if kind not in (AttachmentType.DATA, AttachmentType.SIGNED) or data is None:
        raise IngestError("cannot check attachment {name} of the Outlook message: its content cannot be read",
                          name=full)
    budget.spend(len(data), full)
    return member_pages(data, full, depth, budget)


def _attachment_name(attachment: Any, number: int) -> str:
    for field in ("longFilename", "shortFilename", "displayName", "name"):
        value = getattr(attachment, field, None)
        if isinstance(value, str) and value.strip():
            return value.strip().replace("\\", "/").rsplit("/", 1)[-1] or f"attachment{number}"
    return f"attachment{number}"
