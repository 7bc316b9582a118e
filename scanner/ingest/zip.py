"""ZIP archives: members read in memory through a byte cap (nothing extracted to disk; declared
sizes and compression ratios are checked before reading, and not trusted while reading)."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Protocol

from scanner.ingest.budget import MIB, Budget
from scanner.ingest.errors import IngestError, one_line
from scanner.ingest.limits import Limits
from scanner.ingest.page import Page

# Members this small compress very well without being bombs (a page of spaces): the ratio
# limit applies from this size up.
RATIO_FLOOR_BYTES = 1 << 20
_READ_CHUNK = 1 << 16


class MemberReader(Protocol):
    """A member's bytes -> its pages, whatever it is; the container dispatcher passes it in, so
    that a container module need not know the others (a ZIP may hold an e-mail, and so on)."""

    def __call__(self, data: bytes, name: str, depth: int, budget: Budget, kind: str | None = None) -> list[Page]: ...


def open_zip(data: bytes, prefix: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise IngestError(f"unreadable ZIP archive{at(prefix)}: {one_line(error)}") from None


def listed_members(archive: zipfile.ZipFile, prefix: str, budget: Budget) -> list[zipfile.ZipInfo]:
    """Members worth reading, after the checks their declared sizes allow (cheap, before any read)."""
    members = []
    declared = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = prefix + info.filename
        budget.count_member(name)
        if info.flag_bits & 0x1:
            raise IngestError(f"encrypted archive member {name}: its content cannot be checked")
        declared += info.file_size
        if declared > budget.room():
            raise budget.unpacked_error(name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > budget.limits.max_ratio:
            raise _ratio_error(name, ratio, budget.limits)
        members.append(info)
    return members


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: Budget) -> bytes:
    """The member's bytes, decompressed in chunks under a cap: header sizes are not trusted.

    (CPython's zipfile also stops at the declared size and then fails the CRC check; the cap
    keeps us safe whatever the reader does.)"""
    limits = budget.limits
    cap = min(budget.room(), limits.max_file_bytes)
    chunks, total = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                total += len(chunk)
                if total > cap:
                    if cap == budget.room():
                        raise budget.unpacked_error(name)
                    raise IngestError(f"archive member too large: over {limits.max_file_bytes / MIB:g} MiB "
                                      f"(limit max_file_mb), at {name}")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        raise IngestError(f"damaged archive member {name}: {one_line(error)}") from None
    budget.spend(total, name)
    return b"".join(chunks)


def _ratio_error(name: str, ratio: float, limits: Limits) -> IngestError:
    return IngestError(f"compression ratio over {limits.max_ratio:g} (limit max_ratio; {ratio:.0f}:1 or more), "
                       f"at {name}: possible zip bomb")


def zip_pages(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str, depth: int, budget: Budget,
    member_pages: MemberReader,
) -> list[Page]:
    pages = []
    for info in members:
        name = prefix + info.filename
        data = read_member(archive, info, name, budget)
        if _is_apple_double(info.filename, data):
            continue  # macOS resource forks (__MACOSX/._x): Finder attributes, not content
        pages.extend(member_pages(data, name, depth, budget))
    return pages


def _is_apple_double(filename: str, data: bytes) -> bool:
    return filename.startswith("__MACOSX/") and data[:4] == b"\x00\x05\x16\x07"


def at(prefix: str) -> str:
    return f" {prefix.rstrip('/')}" if prefix else ""
