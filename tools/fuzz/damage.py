"""Damaged and hostile files, made reproducibly from a seed number.

Each case says whether smscan must block it: a file cut short, a header alone, a header that
claims more than the file holds or more than the limits allow, and a nested bomb can never be
fully checked, so they must block. Bit flips and spliced byte ranges may leave a file that still
decodes completely, so any verdict is allowed for them, but never an exception or a pass of
something that did not decode (the scanner's own guarantee, checked separately).
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from tools.fuzz import seeds as make
from tools.fuzz.seeds import Seed


@dataclass(frozen=True)
class Case:
    name: str  # file name, with the seed's suffix
    kind: str  # the seed's format
    damage: str  # what was done to it
    data: bytes
    must_block: bool


# --- damage to any seed ----------------------------------------------------------------------------


def content_end(seed: Seed) -> int:
    """The offset from which cutting a file loses nothing a reader shows (trailers past the content)."""
    data = seed.data
    if seed.kind == "pdf":
        ends = [match.end() for match in re.finditer(rb"startxref\s+\d+", data)]
        return ends[-1] if ends else len(data)
    if seed.kind == "eml":
        ends = [match.end() for match in re.finditer(rb"^--[^\r\n]+--", data, re.M)]
        return ends[-1] if ends else 0  # a single-part mail cut short is still a mail
    if seed.kind == "svg":
        return data.rfind(b"</svg>") + len(b"</svg>")
    return len(data)


def truncated(seed: Seed, rng: random.Random) -> Case:
    end = content_end(seed)
    cut = rng.randrange(1, max(len(seed.data), 2))
    return _case(seed, f"cut at {cut} of {len(seed.data)}", seed.data[:cut], cut < end)


def header_only(seed: Seed, rng: random.Random) -> Case:
    cut = min(len(seed.data) - 1, rng.choice((4, 8, 16, 32, 64, 128)))
    return _case(seed, f"first {cut} bytes", seed.data[:cut], cut < content_end(seed))


def bit_flips(seed: Seed, rng: random.Random) -> Case:
    data = bytearray(seed.data)
    count = rng.choice((1, 2, 4, 8, 32))
    for _ in range(count):
        position = rng.randrange(min(8, len(data) - 1), len(data))  # the magic stays, so the reader is chosen
        data[position] ^= 1 << rng.randrange(8)
    return _case(seed, f"{count} bit flips", bytes(data), False)


def spliced(seed: Seed, rng: random.Random) -> Case:
    """A byte range copied over another place, or removed, or repeated: what a bad copy leaves."""
    data = seed.data
    size = rng.randrange(1, max(2, len(data) // 4))
    start = rng.randrange(8, max(9, len(data) - size))
    source = rng.randrange(0, max(1, len(data) - size))
    how = rng.choice(("overwrite", "remove", "repeat"))
    if how == "overwrite":
        damaged = data[:start] + data[source : source + size] + data[start + size :]
    elif how == "remove":
        damaged = data[:start] + data[start + size :]
    else:
        damaged = data[: start + size] + data[start : start + size] + data[start + size :]
    return _case(seed, f"{how} {size} bytes at {start}", damaged, False)


def _case(seed: Seed, damage: str, data: bytes, must_block: bool) -> Case:
    return Case(seed.name, seed.kind, damage, data, must_block)


# --- hostile files, made for the purpose -------------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A real small PNG whose IHDR (CRC fixed) claims another size."""
    data = make.encoded(make.picture(), "PNG")
    ihdr = data[16:29]
    body = struct.pack(">II", width, height) + ihdr[8:]
    return data[:8] + _png_chunk(b"IHDR", body) + data[33:]


def png_bomb(side: int = 12_000) -> bytes:
    """A 1-bit PNG of `side` x `side` pixels of zeros: a few kilobytes, 144 megapixels by default."""
    row = b"\x00" + bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header claims another size (the scan data stays small)."""
    data = bytearray(make.encoded(make.picture(), "JPEG"))
    sof = next(m.start() for m in re.finditer(rb"\xff[\xc0-\xc2]", bytes(data)))
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_without_data(width: int = 11_000, height: int = 10_000) -> bytes:
    """Headers of a JPEG of `width` x `height` and no image data at all (the 691-byte file of issue 11)."""
    data = jpeg_claiming(width, height)
    sos = data.find(b"\xff\xda")
    length = struct.unpack(">H", data[sos + 2 : sos + 4])[0]
    return data[: sos + 2 + length] + b"\xff\xd9"


def gif_claiming(width: int, height: int) -> bytes:
    data = bytearray(make.encoded(make.picture(), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    descriptor = data.find(b"\x2c", 13 + 3 * 256)
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def bmp_claiming(width: int, height: int) -> bytes:
    data = bytearray(make.encoded(make.picture(), "BMP"))
    data[18:26] = struct.pack("<ii", width, height)
    return bytes(data)


def webp_claiming(width: int, height: int) -> bytes:
    """A lossy WebP whose VP8 frame header claims another size (14 bits each, at most 16383)."""
    data = bytearray(make.encoded(make.picture(), "WEBP", quality=70))
    frame = data.find(b"\x9d\x01\x2a")
    data[frame + 3 : frame + 7] = struct.pack("<HH", width & 0x3FFF, height & 0x3FFF)
    return bytes(data)


def tiff_with_huge_page(side: int = 16_000) -> bytes:
    """Page 1 is 8x8; page 2's header says `side` x `side` (the pixel limit must read every page)."""
    buffer = io.BytesIO()
    small = [Image.new("RGB", (8, 8), "white"), Image.new("RGB", (16, 16), "gray")]
    small[0].save(buffer, format="TIFF", save_all=True, append_images=small[1:])
    data = bytearray(buffer.getvalue())
    second = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[second : second + 2])[0]
    second = struct.unpack("<I", data[second + 2 + 12 * entries : second + 6 + 12 * entries])[0]
    entries = struct.unpack("<H", data[second : second + 2])[0]
    for index in range(entries):
        at = second + 2 + 12 * index
        tag, kind = struct.unpack("<HH", data[at : at + 4])
        if tag in (256, 257):  # ImageWidth, ImageLength
            data[at + 8 : at + 12] = struct.pack("<H", side) + b"\0\0" if kind == 3 else struct.pack("<I", side)
    return bytes(data)


def pdf_with_page(width_pt: float, height_pt: float) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width_pt, height=height_pt)
    page.insert_text((30, 50), "Quarterly note", fontsize=11)
    data = doc.tobytes(no_new_id=True)
    doc.close()
    return data


def zip_lying_sizes() -> bytes:
    """A 1 KB ZIP whose central directory says each member is 4 GB (the reader must not trust it)."""
    data = bytearray(make.zipped({"a.txt": b"Quarterly note\n" * 20, "b.txt": b"Hello\n"}))
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        data[match.start() + 24 : match.start() + 28] = struct.pack("<I", 0xFFFFFFF0)
    return bytes(data)


def zip_understating_sizes() -> bytes:
    data = bytearray(make.zipped({"a.txt": b"Quarterly note\n" * 20}))
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        data[match.start() + 24 : match.start() + 28] = struct.pack("<I", 5)
    return bytes(data)


def nested_zips(levels: int = 8) -> bytes:
    data = make.zipped({"note.txt": b"Quarterly note\n"})
    for level in range(levels):
        data = make.zipped({f"level{level}.zip": data})
    return data


def zeros_bomb(megabytes: int = 4) -> bytes:
    return make.zipped({"zeros.bin": bytes(megabytes * 2**20)})


def many_members(count: int = 1_500) -> bytes:
    return make.zipped({f"m{index}.txt": b"x" for index in range(count)}, zipfile.ZIP_STORED)


def docx_utf16_entities() -> bytes:
    """A document part in UTF-16 declaring entities (a byte search for '<!DOCTYPE' cannot see it)."""
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>"
    ).encode("utf-16")
    return make.zipped({"[Content_Types].xml": make._CONTENT_TYPES.encode(), "word/document.xml": xml})


def mail_headers_on_binary() -> bytes:
    return b"From: a@example.org\nTo: b@example.com\nSubject: photo\n\n" + make.encoded(make.picture(), "PNG")


def mail_with_half_encrypted_pdf() -> bytes:
    """The first half of an encrypted PDF, attached to a mail (its bytes vary: MuPDF draws the keys)."""
    import pymupdf

    doc = pymupdf.open(stream=make.pdf(1), filetype="pdf")
    secret = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_RC4_128, owner_pw="o", user_pw="u", no_new_id=True)
    return make.eml({"secret.pdf": (secret[: len(secret) // 2], "application/pdf")})


def nested_forms(depth: int = 12) -> bytes:
    """Form XObjects drawing the next one twice, `depth` deep (2**depth draws; small on purpose)."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    page.insert_text((20, 40), "Quarterly note", fontsize=11)
    previous = None
    for _ in range(depth):
        xref = doc.get_new_xref()
        inner = b"/F Do /F Do" if previous else b"0 0 m 10 10 l S"
        resources = f"/Resources << /XObject << /F {previous} 0 R >> >>" if previous else ""
        doc.update_object(xref, f"<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] {resources} >>")
        doc.update_stream(xref, inner)
        previous = xref
    kind, value = doc.xref_get_key(page.xref, "Resources")
    if kind == "xref":
        doc.xref_set_key(int(value.split()[0]), "XObject", f"<< /F {previous} 0 R >>")
    else:
        doc.xref_set_key(page.xref, "Resources/XObject", f"<< /F {previous} 0 R >>")
    content = page.get_contents()[0]
    doc.update_stream(content, doc.xref_stream(content) + b"\nq /F Do Q")
    data = doc.tobytes(no_new_id=True)
    doc.close()
    return data


# (name, kind, maker, must block)
HOSTILE: list[tuple[str, str, Callable[[], bytes], bool]] = [
    ("png-55556x55556.png", "png", lambda: png_claiming(55_556, 55_556), True),
    ("png-twice-its-size.png", "png", lambda: png_claiming(320, 240), True),
    ("png-bomb-144mp.png", "png", png_bomb, True),
    ("jpeg-11000x10000.jpg", "jpeg", lambda: jpeg_claiming(11_000, 10_000), True),
    ("jpeg-headers-only.jpg", "jpeg", jpeg_without_data, True),
    ("gif-60000x60000.gif", "gif", lambda: gif_claiming(60_000, 60_000), True),
    ("bmp-30000x30000.bmp", "bmp", lambda: bmp_claiming(30_000, 30_000), True),
    ("bmp-twice-its-size.bmp", "bmp", lambda: bmp_claiming(320, 240), True),
    ("webp-16383x16383.webp", "webp", lambda: webp_claiming(16_383, 16_383), True),
    ("tiff-8x8-then-16000x16000.tif", "tiff", tiff_with_huge_page, True),
    ("pdf-page-20000pt.pdf", "pdf", lambda: pdf_with_page(20_000, 20_000), True),
    ("zip-lying-sizes.zip", "zip", zip_lying_sizes, True),
    ("zip-understating-sizes.zip", "zip", zip_understating_sizes, True),
    ("zip-nested-8.zip", "zip", nested_zips, True),
    ("zip-zeros-bomb.zip", "zip", zeros_bomb, True),
    ("zip-1500-members.zip", "zip", many_members, True),
    ("docx-utf16-entities.docx", "docx", docx_utf16_entities, True),
    ("mail-headers-on-png.eml", "eml", mail_headers_on_binary, True),
    ("mail-half-encrypted-pdf.eml", "eml", mail_with_half_encrypted_pdf, True),
    ("pdf-nested-forms.pdf", "pdf", nested_forms, False),
]

_DAMAGE = [(truncated, 30), (bit_flips, 25), (spliced, 15), (header_only, 8)]
_HOSTILE_SHARE = 0.12


def generate(seed: int, count: int, sample_bytes: int = 32_768) -> list[Case]:
    """`count` cases, the same for the same `seed`: damaged seeds, with hostile files mixed in."""
    rng = random.Random(seed)
    intact = make.all_seeds(sample_bytes)
    damages, weights = zip(*_DAMAGE, strict=True)
    hostile_made: dict[str, bytes] = {}
    cases = []
    for _ in range(count):
        if rng.random() < _HOSTILE_SHARE:
            name, kind, maker, must_block = rng.choice(HOSTILE)
            if name not in hostile_made:
                hostile_made[name] = maker()
            cases.append(Case(name, kind, "hostile", hostile_made[name], must_block))
            continue
        damage = rng.choices(damages, weights)[0]
        cases.append(damage(rng.choice(intact), rng))
    return cases
