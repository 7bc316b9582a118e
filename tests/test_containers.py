"""Office documents, ZIP archives and e-mail files: members scanned as pages, limits fail closed."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from PIL import Image

from samplegen.documents import encoded, memo_pdf, photo_like, render
from samplegen.mail import deeply_nested, docx, message, nested_zip, pptx, xlsx, zeros_bomb, zipped
from scanner.ingest import IngestError, Limits, load, sniff
from scanner.ingest.text import decoded_text, markup_lines
from scanner.policy import Policy

MIB = 2**20


def blocking_parts(report) -> set[str | None]:
    return {f.part for f in report.blocking}


# --- Office Open XML ---------------------------------------------------------------------


def test_office_files_are_sniffed_from_content_not_name():
    assert sniff(docx(["Hello"])) == "ooxml"
    assert sniff(zipped({"a.txt": b"hello"})) == "zip"
    assert sniff(message().as_bytes()) == "eml"
    assert sniff(b"hello, this is text") is None


def test_marking_split_across_word_runs_blocks_a_docx(marking_scanner):
    report = marking_scanner.scan_bytes(docx(["Quarterly figures", "PROTECTED B"]), "note.docx")
    assert report.blocked
    assert [(f.label, f.part) for f in report.blocking] == [("protected-b", "word/document.xml")]


def test_marking_in_a_word_header_part_blocks(marking_scanner):
    report = marking_scanner.scan_bytes(docx(["Quarterly figures"], header="CONFIDENTIAL"), "note.docx")
    assert blocking_parts(report) == {"word/header1.xml"}


def test_clean_docx_with_a_photo_passes(marking_scanner):
    data = docx(["The census team finished the field test."], images={"image1.jpeg": encoded(photo_like(), "JPEG")})
    report = marking_scanner.scan_bytes(data, "note.docx")
    assert not report.blocked, report.to_dict()


def test_image_under_media_is_read_like_a_scan(marking_scanner):
    scan = Image.fromarray(render(memo_pdf(header="PROTECTED B"), dpi=150))
    report = marking_scanner.scan_bytes(docx(["See the picture."], images={"image1.png": encoded(scan)}), "n.docx")
    assert blocking_parts(report) == {"word/media/image1.png"}
    assert all(f.detail == "read from ocr" for f in report.blocking)


@pytest.mark.parametrize(
    ("data", "part"),
    [
        (pptx([["Quarterly review"], ["Results", "PROTÉGÉ B"]]), "ppt/slides/slide2.xml"),
        (xlsx(["Region", "SECRET"]), "xl/sharedStrings.xml"),
        (xlsx(["Region"], ["CONFIDENTIAL"]), "xl/worksheets/sheet1.xml"),
    ],
)
def test_slides_and_sheets_text_is_checked(marking_scanner, data, part):
    assert blocking_parts(marking_scanner.scan_bytes(data)) == {part}


def test_document_properties_reach_the_metadata_check():
    pages = load(docx(["Hello"], creator="Jane Analyst")).pages
    info = next(p.metadata["office_info"] for p in pages if "office_info" in p.metadata)
    assert info == {"title": "Quarterly note", "creator": "Jane Analyst"}


def test_text_pages_have_a_blank_raster_and_no_ocr():
    page = load(docx(["Hello world"])).pages[1]
    assert (page.kind, page.needs_ocr, page.rgb.shape, int(page.rgb.min())) == ("text", False, (32, 32, 3), 255)
    assert [w.text for w in page.words] == ["Hello", "world"]


def test_office_xml_with_a_dtd_is_refused():
    entities = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    data = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": entities})
    assert sniff(data) == "ooxml"
    with pytest.raises(IngestError, match="DTD"):
        load(data)


# --- ZIP and e-mail files ----------------------------------------------------------------


def test_zip_members_are_scanned_and_named(marking_scanner):
    data = zipped({"photos/landscape.png": encoded(photo_like(400, 300)), "memo.pdf": memo_pdf(header="PROTECTED B")})
    report = marking_scanner.scan_bytes(data, "bundle.zip")
    assert blocking_parts(report) == {"memo.pdf"}
    clean = zipped({"photos/landscape.png": encoded(photo_like(400, 300)), "notes.txt": b"Field test done."})
    assert not marking_scanner.scan_bytes(clean, "bundle.zip").blocked


def test_office_document_inside_a_zip_is_opened_too(marking_scanner):
    data = zipped({"drafts/note.docx": docx(["Draft", "SECRET"])})
    assert blocking_parts(marking_scanner.scan_bytes(data)) == {"drafts/note.docx/word/document.xml"}


def test_eml_file_bodies_and_attachments_are_scanned(marking_scanner):
    mail = message(html="<p>Hello</p><p><b>CONFIDENTIAL</b></p>",
                   attachments={"memo.pdf": (memo_pdf(header="PROTECTED B"), "application/pdf")})
    report = marking_scanner.scan_bytes(mail.as_bytes(), "forwarded.eml")
    assert blocking_parts(report) == {"body.html", "memo.pdf"}


def test_eml_file_too_deep_to_parse_blocks_with_one_line():
    with pytest.raises(IngestError, match="unreadable e-mail") as caught:
        load(deeply_nested(3000))
    assert "\n" not in str(caught.value)


def test_unknown_binary_member_blocks_with_its_name():
    with pytest.raises(IngestError, match=r"cannot check member tools/run\.exe"):
        load(zipped({"tools/run.exe": b"MZ\x90\x00" + bytes(range(256)) * 4}))


def test_damaged_and_encrypted_archives_block_with_one_line():
    good = zipped({"a.txt": b"hello " * 100})
    with pytest.raises(IngestError) as caught:
        load(good[: len(good) // 2])
    assert "\n" not in str(caught.value)
    encrypted = bytearray(good)  # set the "encrypted" flag bit of the member, as zip -e does
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        encrypted[encrypted.index(signature) + offset] |= 1
    with pytest.raises(IngestError, match=r"encrypted archive member a\.txt"):
        load(bytes(encrypted))


# --- limits ------------------------------------------------------------------------------


def _deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of `megabytes` MiB of zeros, built fast by repeating one flushed block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + b"\x03\x00"  # then an empty final block


def _one_member_zip(name: str, stream: bytes, declared_size: int, crc: int = 0) -> bytes:
    """A deflated member whose headers say whatever we like about its size."""
    name_bytes = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(stream), declared_size,
                        len(name_bytes), 0) + name_bytes
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(stream),
                          declared_size, len(name_bytes), 0, 0, 0, 0, 0, 0) + name_bytes
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(stream), 0)
    return local + stream + central + end


def test_deflate_trick_really_makes_a_gigabyte():
    stream = _deflated_zeros(3)
    assert zlib.decompressobj(-15).decompress(stream) == bytes(3 * MIB)


def test_gigabyte_bomb_is_refused_from_its_declared_size_without_unpacking():
    bomb = _one_member_zip("zeros.bin", _deflated_zeros(1024), 1024 * MIB)
    assert len(bomb) < 2 * MIB
    started = time.perf_counter()
    with pytest.raises(IngestError, match="max_unpacked_mb") as caught:
        load(bomb)
    assert time.perf_counter() - started < 0.5 and "\n" not in str(caught.value)
    with pytest.raises(IngestError, match="max_ratio"):
        load(bomb, limits=Limits(max_unpacked_bytes=4096 * MIB))


def test_lying_header_cannot_make_a_member_cost_more_than_declared():
    # Declares 8 MiB but unpacks to 1 GiB: reading stops at 8 MiB and the damage is reported.
    bomb = _one_member_zip("zeros.bin", _deflated_zeros(1024), 8 * MIB)
    tracemalloc.start()
    try:
        with pytest.raises(IngestError, match=r"damaged archive member zeros\.bin"):
            load(bomb, limits=Limits(max_ratio=1e9))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * MIB


def test_zip_written_bomb_is_refused_by_ratio():
    bomb = zeros_bomb(64)  # really written by zipfile in 1 MiB chunks
    with pytest.raises(IngestError, match=r"max_ratio.*zeros\.bin"):
        load(bomb)


def test_total_unpacked_size_counts_every_member():
    members = {f"part{i}.txt": b"figures\n" * 8192 for i in range(3)}  # 3 x 64 KiB
    with pytest.raises(IngestError, match="max_unpacked_mb"):
        load(zipped(members, zipfile.ZIP_STORED), limits=Limits(max_unpacked_bytes=128 * 1024))
    assert load(zipped(members, zipfile.ZIP_STORED), limits=Limits(max_unpacked_bytes=256 * 1024))


def test_nesting_beyond_the_depth_limit_blocks(marking_scanner):
    memo = memo_pdf(header="PROTECTED B")
    assert blocking_parts(marking_scanner.scan_bytes(nested_zip(5, memo))) == {
        "level4.zip/level3.zip/level2.zip/level1.zip/memo.pdf"
    }
    report = marking_scanner.scan_bytes(nested_zip(6, memo))
    assert report.blocked and "max_depth" in report.error


def test_too_many_members_blocks():
    members = {f"n{i}.txt": b"note" for i in range(30)}
    with pytest.raises(IngestError, match="max_members"):
        load(zipped(members), limits=Limits(max_members=20))


def test_limits_are_read_from_the_policy():
    policy = Policy.from_toml("[limits]\nmax_unpacked_mb = 10\nmax_depth = 2\nmax_members = 7\nmax_ratio = 50")
    assert (policy.limits.max_unpacked_bytes, policy.limits.max_depth) == (10 * MIB, 2)
    assert (policy.limits.max_members, policy.limits.max_ratio) == (7, 50.0)
    assert Policy.default().limits.max_depth == 5


# --- text --------------------------------------------------------------------------------


def test_markup_keeps_blocks_on_their_own_lines():
    html = "<html><style>p{}</style><p>Hello <b>there</b></p><div>PROTECTED&nbsp;B</div><!-- x --></html>"
    assert [line.split() for line in markup_lines(html) if line.strip()] == [["Hello", "there"], ["PROTECTED", "B"]]


def test_binary_is_not_taken_for_text():
    assert decoded_text("Données du recensement".encode("cp1252")) == "Données du recensement"
    assert decoded_text(encoded(photo_like(64, 64))) is None


def test_zipfile_module_agrees_our_zips_are_valid():
    for data in (docx(["a"]), pptx([["a"]]), xlsx(["a"])):
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
