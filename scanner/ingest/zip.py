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
# Deflate cannot unpack more than 1032 bytes from one (RFC 1951: a 258-byte match in 2 bits);
# a directory claiming more than that (with room for headers) lies about its sizes.
_DEFLATE_MAX_RATIO = 1032
_DEFLATE_SLACK = 1024


class MemberReader(Protocol):
    """A member's bytes -> its pages, whatever it is; the container dispatcher passes it in, so
    that a container module need not know the others (a ZIP may hold an e-mail, and so on)."""

    def __call__(self, data: bytes, name: str, depth: int, budget: Budget, kind: str | None = None) -> list[Page]: ...


def open_zip(data: bytes, prefix: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as error:  # zipfile raises BadZipFile, struct.error, UnicodeDecodeError... on damage
        if prefix:
            raise IngestError("damaged ZIP archive {archive}: {why}", archive=prefix.rstrip("/"),
                              why=_zip_damage(error)) from None
        raise IngestError("damaged ZIP archive: {why}", why=_zip_damage(error)) from None


def _zip_damage(error: BaseException) -> str:
    """zipfile's message, or words for the errors that carry none a person can read."""
    if isinstance(error, EOFError):
        return "data ends early"
    if isinstance(error, zlib.error):
        return f"compressed data is corrupt ({one_line(error)})"
    return one_line(error)


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
        _check_declared_sizes(info, name, archive_size(archive))
        declared += info.file_size
        if declared > budget.room():
            raise budget.unpacked_error(name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > budget.limits.max_ratio:
            raise _ratio_error(name, ratio, budget.limits)
        members.append(info)
    return members


def archive_size(archive: zipfile.ZipFile) -> int:
    stream = archive.fp
    return len(stream.getbuffer()) if isinstance(stream, io.BytesIO) else 2**63


def _check_declared_sizes(info: zipfile.ZipInfo, name: str, size: int) -> None:
    """A directory entry whose sizes no real member can have: the archive is damaged or forged."""
    if info.header_offset + info.compress_size > size:
        raise IngestError("damaged ZIP archive: its directory says {member} takes {size} bytes, more than the "
                          "{archive} bytes of the archive", member=name, size=info.compress_size, archive=size)
    stored = info.compress_type == zipfile.ZIP_STORED
    if (stored and info.file_size != info.compress_size) or (
        info.compress_type == zipfile.ZIP_DEFLATED
        and info.file_size > info.compress_size * _DEFLATE_MAX_RATIO + _DEFLATE_SLACK
    ):
        raise IngestError("damaged ZIP archive: its directory says {member} unpacks to {size} bytes, which its "
                          "{stored} stored bytes cannot hold", member=name, size=info.file_size,
                          stored=info.compress_size)


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
    except IngestError:
        raise
    except MemoryError:
        raise
    except Exception as error:  # bad CRC, corrupt deflate data, an unsupported method...
        raise IngestError("damaged archive member {member}: {why}", member=name, why=_zip_damage(error)) from None
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

