"""Values typed into a PDF form's fields: MuPDF draws each field's appearance (making one when the
file has none) and its text layer holds the value where it is drawn, so the checks read it like the
page's own text; the shareable copy removes a field under a covered area with its value."""

import pymupdf
import pytest

from scanner import Scanner
from scanner.ingest.pdf import RENDER_DPI


def filled_form(value: str, field_type: int = pymupdf.PDF_WIDGET_TYPE_TEXT) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), "Application for a parking permit", fontsize=14)
    page.insert_text((72, 130), "Contact details:", fontsize=11)
    widget = pymupdf.Widget()
    widget.field_name = "contact"
    widget.field_type = field_type
    widget.rect = pymupdf.Rect(72, 140, 400, 200)
    widget.field_flags = pymupdf.PDF_TX_FIELD_IS_MULTILINE
    widget.field_value = value
    page.add_widget(widget)
    return doc.tobytes()


@pytest.fixture(scope="module")
def scanner():
    return Scanner()


def without_appearance(data: bytes) -> bytes:
    """The same form as some tools write it: the value only, no drawn appearance."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "FT")[1] == "/Tx":
            doc.xref_set_key(xref, "AP", "null")
    return doc.tobytes()


@pytest.mark.parametrize("shape", [filled_form, lambda value: without_appearance(filled_form(value))],
                         ids=["drawn", "value-only"])
def test_a_phone_number_typed_into_a_form_field_blocks(scanner, shape):
    report = scanner.scan_bytes(shape("Jane Tremblay\ncell 613-555-0199"), "form.pdf")
    assert report.verdict == "block", report.reason
    phones = [f for f in report.findings if (f.kind, f.label) == ("pii", "phone")]
    assert len(phones) == 1 and phones[0].bbox is not None
    x0, y0, x1, y1 = phones[0].bbox
    scale = RENDER_DPI / 72  # boxes are in the rendered page's pixels: inside the field's box
    assert 72 * scale - 2 <= x0 < x1 <= 400 * scale + 2 and 140 * scale - 2 <= y0 < y1 <= 200 * scale + 2


def test_a_marking_typed_into_a_form_field_blocks(scanner):
    report = scanner.scan_bytes(filled_form("PROTECTED B"), "form.pdf")
    assert ("marking", "protected-b") in {(f.kind, f.label) for f in report.blocking}


def test_an_ordinary_value_in_a_form_field_passes(scanner):
    report = scanner.scan_bytes(filled_form("Two visitors on Tuesday afternoon"), "form.pdf")
    assert report.verdict == "pass", report.reason


def test_the_shareable_copy_drops_the_field_and_its_value(scanner):
    from scanner.fix import Outcome, fix_bytes

    result = fix_bytes(scanner, filled_form("Jane Tremblay\ncell 613-555-0199"), "form.pdf")
    assert result.outcome is Outcome.PASSES and result.after.verdict == "pass"
    copy = pymupdf.open(stream=result.data, filetype="pdf")
    page = copy[0]
    assert not list(page.widgets() or [])
    assert "0199" not in page.get_text() and b"0199" not in result.data
    assert "Application for a parking permit" in page.get_text()  # the rest of the page stays
