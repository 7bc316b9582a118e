"""Every common document, from files the tests make: text in any encoding, Markdown, HTML and saved
pages, CSV/TSV, RTF, OpenDocument, Outlook messages; each sniffed by content and read by the same
checks, and each failing closed when damaged or over a limit."""

from __future__ import annotations

import base64
import io
from functools import cache

import pytest
from PIL import Image

from samplegen.documents import encoded, memo_pdf, photo_like, render
from samplegen.formats import (
    aggregate,
    delimited,
    html_page,
    mhtml,
    odp,
    ods,
    odt,
    outlook_message,
    respondents,
    rtf,
    xlsx_table,
)
from scanner import Scanner
from scanner.ingest import IngestError, Limits, load, sniff
from scanner.ingest.text import decoded_text

DRAFT = "PROTÉGÉ B – réservé à l'usage interne. Le café est prêt."


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def kinds(report) -> set[tuple[str, str]]:
    return {(f.kind, f.label) for f in report.findings}


@cache
def marked_scan() -> bytes:
    """A page image with PROTECTED B printed in its header, as a PNG (read by OCR)."""
    image = Image.fromarray(render(memo_pdf(header="PROTECTED B"), dpi=100))
    return encoded(image)


# --- plain text in any encoding -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])
def test_text_in_every_common_encoding_is_read_and_checked(scanner, encoding):
    text = DRAFT if encoding != "latin-1" else DRAFT.replace("–", "-")
    data = text.encode(encoding)
    assert decoded_text(data) == text
    report = scanner.scan_bytes(data, "draft.txt")
    assert report.blocked and ("marking", "protected-b") in kinds(report), report.reason


def test_binary_data_is_still_not_text():
    for data in (bytes(range(256)) * 16, encoded(photo_like(60, 40))[:8] + bytes(range(256)) * 4):
        assert decoded_text(data) is None or sniff(data) is not None
    with pytest.raises(IngestError, match="unsupported"):
        load(bytes(range(256)) * 16, "notes.txt")


def test_text_is_sniffed_by_content_not_by_name(scanner):
    data = b"Please keep this CONFIDENTIAL until Friday."
    for name in ("notes.txt", "notes.md", "notes", "stdin", None):
        report = scanner.scan_bytes(data, name)
        assert report.blocked and ("marking", "confidential") in kinds(report)


@pytest.mark.parametrize("name", ["photo.png", "report.pdf", "memo.docx"])
def test_text_named_as_a_picture_or_document_is_mislabelled(scanner, name):
    report = scanner.scan_bytes(b"this is plain text pretending to be something else", name)
    assert not report.checked and "mislabelled" in report.error


def test_a_text_starting_with_bm_is_text_not_a_bitmap(scanner):
    report = scanner.scan_bytes(b"BMO statement: call 613-555-0199 about the account.", "note.txt")
    assert report.checked and ("pii", "phone") in kinds(report)


def test_clean_text_passes(scanner):
    report = scanner.scan_bytes(b"Our team published the new labour force tables today.", "post.txt")
    assert report.verdict == "pass" and report.checked


def test_markdown_emphasis_is_not_read_as_masked_profanity(scanner):
    report = scanner.scan_bytes(b"# Note\n\n**PROTECTED B** figures, _draft_ only.\n", "note.md")
    assert kinds(report) == {("marking", "protected-b")}
    masked = scanner.scan_bytes(b"Statistics Canada are **f***ing idiots**", "post.md")
    assert ("conduct", "abuse") in kinds(masked)


def test_markdown_data_image_goes_through_the_picture_checks(scanner):
    picture = base64.b64encode(marked_scan()).decode()
    data = f"Here is the memo:\n\n![memo](data:image/png;base64,{picture})\n".encode()
    report = scanner.scan_bytes(data, "note.md")
    assert [(f.kind, f.part) for f in report.blocking] == [("marking", "embedded-image-1.png")]


# --- HTML and saved web pages -------------------------------------------------------------------


def test_html_visible_text_alt_text_and_author_are_checked(scanner):
    page = html_page("<p>Team news</p><p>Quarterly figures</p>", author="Jane Analyst", png=encoded(photo_like(80, 60)),
                     alt="stamp reading PROTECTED B", script="var secret = 'CONFIDENTIAL';")
    document = load(page, "page.html")
    words = " ".join(w.text for p in document.pages for w in p.words)
    assert "Team news" in words and "PROTECTED B" in words and "secret" not in words and "color" not in words
    report = scanner.scan_bytes(page, "page.html")
    assert {("marking", "protected-b"), ("metadata", "author")} <= kinds(report)
    assert ("marking", "confidential") not in kinds(report)  # script text is not shown
    assert any(p.part == "embedded-image-1.png" and p.kind == "image" for p in document.pages)


def test_html_data_image_is_read_like_any_picture(scanner):
    report = scanner.scan_bytes(html_page("<p>See below.</p>", png=marked_scan()), "saved.htm")
    assert [(f.kind, f.label, f.part) for f in report.blocking] == [("marking", "protected-b", "embedded-image-1.png")]


def test_mhtml_single_file_page_reads_the_page_and_its_pictures(scanner):
    page = html_page("<p>Call Jane at 613-555-0199</p><img src='https://example.ca/memo.png'>")
    data = mhtml(page, {"memo.png": marked_scan()})
    assert sniff(data) == "eml"  # MIME multipart/related, read like an e-mail's parts
    report = scanner.scan_bytes(data, "page.mhtml")
    assert {(f.kind, f.part) for f in report.blocking} == {("pii", "body.html"), ("marking", "part2.png")}


# --- tables -------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimited_tables_carry_their_structure(delimiter):
    rows = respondents(12)
    document = load(delimited(rows, delimiter).encode(), "export.csv")
    table = document.pages[0].metadata["table"]
    assert table["rows"][:3] == rows[:3] and table["row_count"] == 13 and table["column_count"] == 5


def test_respondent_csv_blocks_and_aggregate_csv_passes(scanner):
    records = scanner.scan_bytes(delimited(respondents(40)).encode(), "records.csv")
    assert records.blocked and ("microdata", "identified-records") in kinds(records)
    assert records.blocking[0].section == "2.6"
    assert "Postal code" in records.findings[0].excerpt and "Jane" not in records.findings[0].excerpt
    table = scanner.scan_bytes(delimited(aggregate()).encode(), "table.csv")
    assert table.verdict == "pass", table.reason


def test_prose_with_commas_is_not_a_table():
    text = "Hello, team.\nThe release is tomorrow, at 8:30.\nThanks, all of you, for the work.\n"
    assert all("table" not in p.metadata for p in load(text.encode(), "post.txt").pages)


# --- RTF ----------------------------------------------------------------------------------------


def test_rtf_text_header_properties_table_and_picture(scanner):
    data = rtf(["Le café est prêt.", "Quarterly figures"], header="PROTECTED B", author="Jane Analyst",
               png=encoded(photo_like(40, 30)), table=respondents(5, columns=("name", "sin")))
    assert sniff(data) == "rtf"
    document = load(data, "note.rtf")
    words = " ".join(w.text for p in document.pages for w in p.words)
    assert "café" in words and "PROTECTED B" in words
    assert [p.part for p in document.pages if p.kind == "image"] == ["picture-1.png"]  # the WMF twin is not read
    report = scanner.scan_bytes(data, "note.rtf")
    assert {("marking", "protected-b"), ("metadata", "author"), ("microdata", "identified-records")} <= kinds(report)


def test_rtf_cut_short_or_with_an_embedded_object_blocks_unchecked(scanner):
    data = rtf(["Quarterly figures"])
    cut = scanner.scan_bytes(data[:-1], "note.rtf")
    assert not cut.checked and "cut short" in cut.error
    embedded = data[:-1] + b"{\\object\\objemb{\\*\\objdata 0102}}}"
    report = scanner.scan_bytes(embedded, "note.rtf")
    assert not report.checked and "embedded object" in report.error


def test_rtf_nested_too_deep_blocks_unchecked(scanner):
    report = scanner.scan_bytes(b"{\\rtf1 " + b"{" * 5000 + b"x" + b"}" * 5001, "deep.rtf")
    assert not report.checked and "nested" in report.error


# --- OpenDocument -------------------------------------------------------------------------------


def test_odt_header_in_styles_properties_and_pictures(scanner):
    data = odt(["Quarterly   figures"], header="PROTECTED B", creator="Jane Analyst",
               pictures={"memo.png": marked_scan()})
    assert sniff(data) == "odf"
    report = scanner.scan_bytes(data, "note.odt")
    parts = {(f.kind, f.part) for f in report.blocking}
    assert {("marking", "styles.xml"), ("marking", "Pictures/memo.png")} <= parts
    author = next(f for f in report.findings if (f.kind, f.label) == ("metadata", "author"))
    assert author.part == "meta.xml" and author.excerpt == "Jane Analyst"  # reported, not blocking (issue 12)
    words = [w.text for p in load(data).pages for w in p.words]
    assert "Quarterly" in words and "figures" in words


def test_ods_respondents_block_and_aggregate_passes(scanner):
    records = scanner.scan_bytes(ods({"Responses": respondents(30, french=True)}), "r.ods")
    assert ("microdata", "identified-records") in kinds(records)
    records_finding = next(f for f in records.findings if f.kind == "microdata")
    assert "Nom" in records_finding.excerpt and "Date de naissance" in records_finding.excerpt
    table = scanner.scan_bytes(ods({"Table 1": aggregate(french=True)}), "t.ods")
    assert table.verdict == "pass", table.reason


def test_ods_repeated_rows_are_bounded():
    rows = [["Region", "Count"], ["East", "12"]]
    document = load(ods({"S": rows}, repeat_last_row=3))
    tables = [p.metadata["table"] for p in document.pages if "table" in p.metadata]
    assert [(t["name"], t["row_count"]) for t in tables] == [("S", 4)]  # the empty rows to the sheet's end are not kept
    with pytest.raises(IngestError, match="table too long"):
        load(ods({"S": rows}, repeat_last_row=10**6), limits=Limits(max_pages=2))


def test_odp_slides_text_is_checked(scanner):
    report = scanner.scan_bytes(odp([["Agenda", "CONFIDENTIAL"]]), "deck.odp")
    assert ("marking", "confidential") in kinds(report)


def test_xlsx_sheet_rows_are_a_table(scanner):
    data = xlsx_table(respondents(25, columns=("id", "birth", "postal", "income")))
    report = scanner.scan_bytes(data, "export.xlsx")
    assert ("microdata", "identified-records") in kinds(report)
    assert scanner.scan_bytes(xlsx_table(aggregate()), "table.xlsx").verdict == "pass"


# --- Outlook messages and other OLE files -------------------------------------------------------


def test_outlook_message_subject_bodies_attachments_and_attached_message(scanner):
    data = outlook_message("Quarterly figures", "See attached.",
                           {"notes.txt": b"Call Jane at 613-555-0199", "fwd.msg": ("Old", "PROTECTED B draft", {})},
                           html="<p>See attached.</p>")
    assert sniff(data) == "msg"
    report = scanner.scan_bytes(data, "mail.msg")
    assert {(f.kind, f.part) for f in report.blocking} == {("pii", "notes.txt"), ("marking", "fwd.msg/body.txt")}
    clean = scanner.scan_bytes(outlook_message("Lunch", "Pizza on Friday?", {}), "lunch.msg")
    assert clean.verdict == "pass", clean.reason


def test_legacy_office_and_damaged_messages_block_with_a_reason(scanner):
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    writer.addEntry(["WordDocument"], b"\0" * 600)
    buffer = io.BytesIO()
    writer.write(buffer)
    report = scanner.scan_bytes(buffer.getvalue(), "old.doc")
    assert not report.checked and "legacy Office file" in report.error
    cut = outlook_message("Quarterly", "body")[:3000]
    assert not scanner.scan_bytes(cut, "cut.msg").checked


# --- limits -------------------------------------------------------------------------------------


def test_text_over_the_page_limit_blocks_unchecked():
    with pytest.raises(IngestError, match="text too long: over 1,000 lines"):
        load(b"line\n" * 1001, "long.txt", limits=Limits(max_pages=2))
    load(b"line\n" * 1000, "long.txt", limits=Limits(max_pages=2))


def test_pictures_inside_text_count_against_the_member_limit():
    picture = base64.b64encode(encoded(photo_like(20, 20))).decode()
    page = "".join(f'<img src="data:image/png;base64,{picture}">' for _ in range(5)).encode()
    with pytest.raises(IngestError, match="too many members"):
        load(b"<html><body>" + page + b"</body></html>", limits=Limits(max_members=3))


def test_damaged_base64_picture_blocks():
    with pytest.raises(IngestError):
        load(b'<html><body><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA"></body></html>')


@pytest.mark.parametrize("data", [b"\x89PNG", b"\x89PNG\r\n", b"PK\x03", b"%PDF", b"\xd0\xcf\x11"])
def test_a_binary_file_cut_to_its_first_bytes_is_not_text(data):
    with pytest.raises(IngestError, match="unsupported"):  # "\x89PNG" would decode as "‰PNG"
        load(data, "picture.png")


def test_xml_that_declares_itself_and_is_cut_short_blocks():
    with pytest.raises(IngestError, match="damaged XML"):
        load(b'<?xml version="1.0" encoding="UTF-8"?><note><to>Jane', "note.xml")
    assert [w.text for p in load(b"<b>Hello</b> team", "post.txt").pages for w in p.words] == ["Hello", "team"]


def test_svg_inside_a_page_goes_to_the_svg_reader(scanner):
    drawing = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80"><rect width="300" height="80" '
               'fill="white"/><text x="10" y="50" font-size="30">PROTECTED B</text></svg>')
    page = f"<html><body><p>Our banner:</p>{drawing}</body></html>".encode()
    document = load(page, "page.html")
    drawn = [p for p in document.pages if p.part == "inline-drawing-1.svg"]
    assert drawn and drawn[0].kind == "image"  # rendered, so a signature drawn in SVG meets the logo check
    report = scanner.scan_bytes(page, "page.html")
    assert ("marking", "inline-drawing-1.svg") in {(f.kind, f.part) for f in report.blocking}
    top = scanner.scan_bytes(drawing.encode(), "banner.svg")
    assert sniff(drawing.encode()) == "svg" and ("marking", "protected-b") in kinds(top)
