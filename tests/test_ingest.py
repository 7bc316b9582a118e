import hashlib
import io

import numpy as np
import pymupdf
import pytest
from PIL import Image

from samplegen.documents import encoded, memo_pdf, photo_like
from scanner.ingest import IngestError, Limits, load, sniff


def _arrow(width: int = 300, height: int = 200) -> Image.Image:
    """Red block in the top-left corner, so that orientation is visible in pixels."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((255, 0, 0), (0, 0, 60, 40))
    return image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"])
def test_type_comes_from_content_not_name(fmt):
    data = encoded(_arrow(), fmt)
    document = load(data, filename="holiday.pdf")
    assert document.kind == "image"
    assert document.pages[0].rgb.shape == (200, 300, 3)


def test_heic_is_read():
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    try:
        data = encoded(_arrow(), "HEIF", quality=90)
    except (KeyError, OSError, ValueError) as error:  # encoder missing from this build
        pytest.skip(f"no HEIF encoder: {error}")
    assert sniff(data) == "heif"
    assert load(data).pages[0].rgb.shape == (200, 300, 3)


def test_exif_orientation_is_applied_before_anything_else():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate 90 degrees clockwise
    data = encoded(_arrow(), "JPEG", exif=exif, quality=95)
    page = load(data).pages[0]
    assert (page.width, page.height) == (200, 300)
    rgb = page.rgb
    assert rgb.shape == (300, 200, 3)
    # The red corner moved from top-left to top-right.
    assert rgb[10, 190, 0] > 200 and rgb[10, 190, 1] < 80
    assert rgb[10, 10, 1] > 200


def test_every_frame_of_an_animation_and_a_multipage_tiff_is_a_page():
    frames = [_arrow(), photo_like(300, 200), Image.new("RGB", (300, 200), "blue")]
    for fmt in ("GIF", "TIFF"):
        buffer = io.BytesIO()
        frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:])
        document = load(buffer.getvalue())
        assert [p.number for p in document.pages] == [1, 2, 3]
        assert document.pages[2].rgb[100, 150, 2] > 200  # the blue frame


def test_transparent_png_is_shown_on_white():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    rgb = load(encoded(image)).pages[0].rgb
    assert rgb.min() == 255


def test_pdf_text_layer_gives_words_without_ocr():
    document = load(memo_pdf(header="PROTECTED B"))
    page = document.pages[0]
    assert document.kind == "pdf" and not page.needs_ocr
    assert any(w.text == "PROTECTED" and w.source == "text-layer" for w in page.words)
    assert page.rgb.shape[1] == page.width


def test_scanned_pdf_needs_ocr_and_photo_in_pdf_is_handed_over():
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Quarterly note", fontsize=12)
    page.insert_image(pymupdf.Rect(72, 100, 172, 167), stream=encoded(photo_like(900, 600), "JPEG"))
    document = load(doc.tobytes())
    embedded = [p for p in document.pages if p.kind == "pdf-image"]
    assert len(embedded) == 1 and embedded[0].rgb.shape == (600, 900, 3)
    assert embedded[0].to_parent((0, 0, 900, 600)) == embedded[0].placement


def test_pdf_annotations_and_hidden_text_are_exposed():
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Visible words", fontsize=12)
    page.insert_text((72, 120), "white secret words", fontsize=12, color=(1, 1, 1))
    page.insert_text((72, 140), "invisible layer words", fontsize=12, render_mode=3)
    page.insert_text((72, 160), "transparent words", fontsize=12, fill_opacity=0)
    annot = page.add_text_annot((200, 200), "Remove the names before sending")
    annot.set_info(title="A. Person")
    annot.update()
    metadata = load(doc.tobytes()).pages[0].metadata
    assert metadata["annotations"][0]["content"] == "Remove the names before sending"
    assert metadata["annotations"][0]["author"] == "A. Person"
    hidden = {h["text"]: h["reason"] for h in metadata["hidden_text"]}
    assert hidden == {"white secret words": "white", "invisible layer words": "invisible",
                      "transparent words": "invisible"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (bytes(range(256)) * 16, "unsupported"),  # binary that is no format smscan reads (text is read)
        (encoded(photo_like(), "JPEG")[:5000], "damaged JPEG: data ends early"),
        (b"%PDF-1.7\n garbage that is not a pdf", "PDF"),
    ],
)
def test_bad_input_gives_a_one_line_reason(data, message):
    with pytest.raises(IngestError) as caught:
        load(data, "x.jpg")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_encrypted_pdf_is_refused():
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    with pytest.raises(IngestError, match="encrypted"):
        load(data)


def test_limits_block_oversized_input():
    with pytest.raises(IngestError, match=r"the image is 400 x 300 px, over the 0\.1 MP limit"):
        load(encoded(photo_like(400, 300)), limits=Limits(max_pixels=100_000))
    with pytest.raises(IngestError, match="too many pages"):
        load(memo_pdf(pages=3), limits=Limits(max_pages=2))
    with pytest.raises(IngestError, match="file too large"):
        load(b"x" * 2000, limits=Limits(max_file_bytes=1000))


def test_loading_never_changes_the_input(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(encoded(photo_like(), "JPEG"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    document = load(path.read_bytes())
    assert np.asarray(document.pages[0].rgb).size > 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_an_ocr_layer_over_a_scan_is_not_hidden_text():
    """Searchable scans carry their words as invisible text over the page's picture: the picture shows
    them, so they are not hidden; invisible words beside the picture still are."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(36, 36, 560, 400), stream=encoded(photo_like(900, 600), "PNG"))
    page.insert_text((72, 100), "words the scan shows", fontsize=12, render_mode=3)
    page.insert_text((72, 600), "words nobody sees", fontsize=12, render_mode=3)
    hidden = load(doc.tobytes()).pages[0].metadata["hidden_text"]
    assert [h["text"] for h in hidden] == ["words nobody sees"]
