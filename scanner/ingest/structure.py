"""Byte-level checks that an image file is whole, before any pixel is decoded.

Decoders are lenient on purpose: Pillow accepts a PNG without its IEND chunk or a GIF without
its trailer (measured: cuts in the last 20 bytes of a PNG and the last 2 of a GIF decode without
an error), and libjpeg fills what is missing with grey after a premature end of data (a 691-byte
JPEG claiming 11000 x 10000 px decoded for 115 s in 2.1 GB and passed). These walks read only
the formats' framing (chunks, markers, blocks), so they cost milliseconds, and they say in a
person's words what is wrong.
"""

from __future__ import annotations

import re
import struct

from scanner.ingest.errors import IngestError

# The fewest bytes of entropy-coded data a Huffman JPEG can hold per pixel: at least one bit per
# 8x8 block for the DC difference, whatever the tables (1/512 byte a pixel); half of that, so
# that no real file comes near it.
_JPEG_MIN_BYTES_PER_PIXEL = 1 / 1024
# Frame markers SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC); C9-CF use arithmetic coding,
# which can pack constant blocks in less than a bit, so the capacity bound is not applied there.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_ARITHMETIC = frozenset({0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# In entropy-coded data, 0xFF is followed by 00 (a stuffed byte) or a restart marker (D0-D7);
# anything else is the next marker.
_NEXT_MARKER = re.compile(rb"\xff(?![\x00\xd0-\xd7])")


def check_complete(data: bytes, kind: str) -> None:
    """Raise IngestError when the file is cut short or its framing is broken."""
    check = _CHECKS.get(kind)
    if check is not None:
        check(data)


def _png(data: bytes) -> None:
    position, end = 8, len(data)
    while True:
        if position + 8 > end:
            raise _cut("PNG")
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if length > 2**31 - 1:
            raise IngestError("damaged PNG: a chunk declares an impossible length")
        position += 12 + length
        if position > end:
            raise _cut("PNG")
        if kind == b"IEND":
            return


def _jpeg(data: bytes) -> None:
    position, end = 2, len(data)
    frame: tuple[int, int, int] | None = None  # (marker, width, height)
    entropy_bytes = 0
    while True:
        while position + 1 < end and data[position] == 0xFF and data[position + 1] == 0xFF:
            position += 1  # fill bytes before a marker
        if position + 2 > end:
            raise _cut("JPEG")
        if data[position] != 0xFF:  # stray bytes before a marker: libjpeg skips them too, with a warning
            position = data.find(b"\xff", position)
            if position < 0:
                raise _cut("JPEG")
            continue
        marker = data[position + 1]
        if marker == 0xD9:  # end of image
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            position += 2
            continue
        if position + 4 > end:
            raise _cut("JPEG")
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        segment_end = position + 2 + length
        if length < 2 or segment_end > end:
            raise _cut("JPEG")
        if marker in _SOF and length >= 7 and frame is None:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            frame = (marker, width, height)
        position = segment_end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            found = _NEXT_MARKER.search(data, position)
            if found is None:
                raise _cut("JPEG")
            entropy_bytes += found.start() - position
            position = found.start()
    if frame is not None:
        _check_jpeg_capacity(frame, entropy_bytes)


def _check_jpeg_capacity(frame: tuple[int, int, int], entropy_bytes: int) -> None:
    marker, width, height = frame
    if marker in _ARITHMETIC:
        return
    if entropy_bytes < width * height * _JPEG_MIN_BYTES_PER_PIXEL:
        raise IngestError("damaged JPEG: {size} bytes of image data cannot hold the {width} x {height} px it claims",
                          size=entropy_bytes, width=width, height=height)


def _gif(data: bytes) -> None:
    end = len(data)
    if end < 13:
        raise _cut("GIF")
    flags = data[10]
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while True:
        if position >= end:
            raise _cut("GIF")
        block = data[position]
        if block == 0x3B:  # trailer
            return
        if block == 0x21:  # extension: label, then sub-blocks
            position = _gif_sub_blocks(data, position + 2)
        elif block == 0x2C:  # image: descriptor, local colour table, LZW code size, sub-blocks
            if position + 10 > end:
                raise _cut("GIF")
            local = data[position + 9]
            position += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            position = _gif_sub_blocks(data, position + 1)
        else:
            raise IngestError("damaged GIF: unexpected bytes between its frames")


def _gif_sub_blocks(data: bytes, position: int) -> int:
    end = len(data)
    while True:
        if position >= end:
            raise _cut("GIF")
        size = data[position]
        position += 1 + size
        if size == 0:
            return position


def _webp(data: bytes) -> None:
    declared = struct.unpack("<I", data[4:8])[0] if len(data) >= 8 else 0
    if len(data) < 8 + declared or declared < 4:
        raise _cut("WebP")


def _cut(name: str) -> IngestError:
    return IngestError("damaged {format}: data ends early (the file is cut short or corrupt)", format=name)


_CHECKS = {"png": _png, "jpeg": _jpeg, "gif": _gif, "webp": _webp}
