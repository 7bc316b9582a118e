"""Uploads read as they stream in, straight into the server's private spool folder, with the size
limit applied before the body (on Content-Length) and while it arrives (a chunked body is cut
off at the limit). A refused or broken upload leaves nothing on disk: its files are deleted
before the answer goes out. Starlette's own form parser is not used: it spools every file over
1 MB to the system temporary folder, where the bytes of a refused upload would sit until closed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

# Room for the multipart envelope around the file (boundaries, part headers with a long path).
ENVELOPE_BYTES = 64 * 1024


class UploadRefused(Exception):
    """An upload the server will not take: HTTP status, a stable code for the page, and a line."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class Upload:
    path: Path  # in the spool folder; whoever receives it deletes it
    filename: str  # the name the browser gave, which may hold the folder path
    size: int = 0


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    upload: Upload | None = None
    out: BinaryIO | None = None


def too_large(limit: int) -> UploadRefused:
    return UploadRefused(413, "too_large", f"upload too large (limit {limit / 2**20:.0f} MiB)")


def check_declared_size(request: Request, limit: int) -> None:
    """Refuse on the Content-Length header alone, before a byte of the body is read."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        size = int(declared)
    except ValueError:
        raise UploadRefused(400, "bad_request", "Content-Length is not a number") from None
    if size > limit + ENVELOPE_BYTES:
        raise too_large(limit)


async def receive_files(
    request: Request, spool: Path, limit: int, field_name: str, max_files: int = 1
) -> list[Upload]:
    """The files sent in form field `field_name` (multipart/form-data): at most `max_files`, and
    at most `limit` bytes of files in all (plus the envelope), so one request holds no more than
    one file of the largest size allowed."""
    check_declared_size(request, limit)
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "bad_request", f"send the file as multipart/form-data, field '{field_name}'")
    receiver = _Receiver(spool, limit, field_name.encode(), max_files)
    try:
        parser = MultipartParser(boundary, receiver.callbacks())
        body_limit = limit + ENVELOPE_BYTES
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > body_limit:  # a chunked body has no Content-Length: stop reading here
                raise too_large(limit)
            parser.write(chunk)
        parser.finalize()
        receiver.close_files()
    except MultipartParseError:
        receiver.discard()
        raise UploadRefused(400, "bad_request", "the multipart body is malformed") from None
    except (Exception, ClientDisconnect):
        receiver.discard()
        raise
    if not receiver.uploads:
        raise UploadRefused(400, "no_file", f"no file in the request: send it as multipart form field '{field_name}'")
    return receiver.uploads


class _Receiver:
    def __init__(self, spool: Path, limit: int, field_name: bytes, max_files: int) -> None:
        self.spool = spool
        self.limit = limit
        self.field_name = field_name
        self.max_files = max_files
        self.uploads: list[Upload] = []
        self._part = _Part()
        self._header = [b"", b""]

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._add_header(0, data[start:end]),
            "on_header_value": lambda data, start, end: self._add_header(1, data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._part = _Part()

    def _add_header(self, which: int, piece: bytes) -> None:
        self._header[which] += piece
        if len(self._header[which]) > 8192:
            raise UploadRefused(400, "bad_request", "a part header is too long")

    def _header_end(self) -> None:
        self._part.headers[self._header[0].strip().lower()] = self._header[1].strip()
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        if options.get(b"name") != self.field_name or b"filename" not in options:
            return  # other fields are read past and dropped
        if len(self.uploads) >= self.max_files:
            raise UploadRefused(400, "bad_request", f"at most {self.max_files} files per request")
        name = options[b"filename"].decode("utf-8", "replace")
        name = "".join(c for c in name if c.isprintable()).strip() or "upload"
        path = self.spool / secrets.token_hex(12)
        self._part.upload = Upload(path, name)
        self._part.out = path.open("xb")
        self.uploads.append(self._part.upload)

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.out is None or part.upload is None:
            return
        part.upload.size += end - start
        if part.upload.size > self.limit:
            raise too_large(self.limit)
        part.out.write(data[start:end])

    def _end(self) -> None:
        if self._part.out is not None:
            self._part.out.close()
            self._part.out = None

    def close_files(self) -> None:
        self._end()

    def discard(self) -> None:
        """Delete everything this request wrote."""
        self._end()
        for upload in self.uploads:
            upload.path.unlink(missing_ok=True)
        self.uploads.clear()
