"""Recognise a file's type from its first bytes, never from its name."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


def sniff(data: bytes) -> str | None:
    """Return "pdf", "png", "jpeg", "gif", "webp", "tiff", "bmp", "heif", "svg", "ooxml", "odf", "zip", "msg",
    "ole", "rtf", "eml", or None (text is told from binary by the text reader)."""
    head = data[:32]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:2] == b"BM" and _bitmap_header(data):
        return "bmp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    # PDF readers accept the header anywhere in the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a member's local header; an empty archive
        return _zip_kind(data)
    if looks_like_svg(data):
        return "svg"
    if head.startswith(_OLE_SIGNATURE):
        return "msg" if _OUTLOOK_STREAM in data else "ole"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"{\\rtf":
        return "rtf"
    if looks_like_rfc822(data):
        return "eml"
    return None


# An SVG opens on an optional XML declaration, comments and doctype, then its <svg> element.
_SVG_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*<svg[\s>]",
                        re.S)


def looks_like_svg(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", "replace").encode("utf-8")
    return _SVG_START.match(head.removeprefix(codecs.BOM_UTF8)) is not None


# OLE2 compound files: Outlook messages (.msg) keep their properties in streams named
# __substg1.0_XXXXYYYY (directory names are UTF-16); legacy Office files (.doc .xls .ppt) do not.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OUTLOOK_STREAM = "__substg1.0_".encode("utf-16-le")
_ODF_MIMETYPE = re.compile(rb"^PK\x03\x04.{26}mimetypeapplication/vnd\.oasis\.opendocument\.", re.S)


def _bitmap_header(data: bytes) -> bool:
    """"BM" opens many a line of text too: a bitmap also has a known DIB header size at byte 14."""
    return len(data) > 26 and int.from_bytes(data[14:18], "little") in (12, 16, 40, 52, 56, 64, 108, 124)


def _zip_kind(data: bytes) -> str:
    """OpenDocument names its type in its first member, "mimetype", stored uncompressed as the
    standard asks; Office Open XML lists [Content_Types].xml; any other ZIP is an archive."""
    if _ODF_MIMETYPE.match(data[:200]):
        return "odf"
    return "ooxml" if _has_content_types(data) else "zip"


def _has_content_types(data: bytes) -> bool:
    """Office Open XML: a ZIP whose central directory lists [Content_Types].xml."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name == "[Content_Types].xml" for name in archive.namelist())
    except MemoryError:
        raise
    except Exception:  # zipfile raises many types on damage: the ZIP reader reports it in words
        return False


_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?")  # field name: printable ASCII but ":"
_MAIL_HEADERS = re.compile(
    rb"^(from|to|cc|subject|date|message-id|mime-version|received|return-path|reply-to|sender|"
    rb"content-type|delivered-to|x-mailer|references|in-reply-to):",
    re.IGNORECASE | re.MULTILINE,
)


def looks_like_rfc822(data: bytes) -> bool:
    """An e-mail: it opens on a block of header fields, one or more of them mail headers."""
    head = data[:16384]
    end = re.search(rb"\r?\n\r?\n", head)
    block = head[: end.start()] if end else head
    lines = block.splitlines() if end else block.splitlines()[:-1]  # the last line may be cut
    if lines and lines[0].startswith(b"From "):  # mbox separator line
        lines = lines[1:]
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    if not all(_HEADER_LINE.match(line) or line[:1] in (b" ", b"\t") for line in lines):
        return False
    return _MAIL_HEADERS.search(block) is not None and not _binary_body(data[len(block) :])


def _binary_body(rest: bytes) -> bool:
    """Mail bodies are text (attachments are encoded, RFC 2045); bytes like these after a few header
    lines are a binary file with a mail header in front, not an e-mail."""
    sample = rest[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\r\n\f\x1b")
    return controls > len(sample) / 100


IMAGE_TYPES = frozenset({"png", "jpeg", "gif", "webp", "tiff", "bmp", "heif"})
CONTAINER_TYPES = frozenset({"zip", "ooxml", "odf", "msg", "eml"})
