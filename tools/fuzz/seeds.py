"""Intact seed files of every format smscan reads, composed here (small, fast to scan) or taken
from the project's samples. The fuzzer damages copies of them; the seeds themselves must scan
without an error (tests/test_fuzz.py checks that, so a broken seed cannot hide a broken reader)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pymupdf
from PIL import Image, ImageDraw

from samplegen.documents import encoded

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class Seed:
    name: str
    kind: str  # png jpeg gif webp tiff bmp heif pdf docx xlsx pptx zip eml svg
    data: bytes


def picture(width: int = 160, height: int = 120, seed: int = 0) -> Image.Image:
    """Noise under a few shapes and a line of text: compresses like a photo, decodes to something."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 8, width // 2, height // 2), fill=(200, 30, 30))
    draw.text((4, height - 14), "Quarterly note", fill=(0, 0, 0))
    return image


def frames(fmt: str, count: int = 3, **options: object) -> bytes:
    images = [picture(seed=i) for i in range(count)]
    buffer = io.BytesIO()
    images[0].save(buffer, format=fmt, save_all=True, append_images=images[1:], **options)
    return buffer.getvalue()


def heif() -> bytes | None:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        return encoded(picture(), "HEIF", quality=60)
    except Exception:  # no HEIF encoder in this build: the format is left out, not faked
        return None


def pdf(pages: int = 2, with_image: bool = True, lines: tuple[str, ...] = ("Quarterly note",)) -> bytes:
    doc = pymupdf.open()
    for number in range(pages):
        page = doc.new_page(width=300, height=400)
        for index, line in enumerate(lines):
            page.insert_text((30, 50 + 16 * index), f"{line} (page {number + 1})", fontsize=11)
        if with_image:
            page.insert_image(pymupdf.Rect(30, 120, 190, 240), stream=encoded(picture(seed=number), "JPEG"))
    data = doc.tobytes(garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return data


_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
    "</Types>"
)


def office(main: str, xml: str, media: bytes | None = None) -> bytes:
    """A minimal Office Open XML package: content types, properties, one main part, one picture."""
    members = {
        "[Content_Types].xml": _CONTENT_TYPES.encode(),
        "docProps/core.xml": (
            b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Note</dc:title></cp:coreProperties>'
        ),
        main: xml.encode(),
    }
    if media is not None:
        members[main.split("/")[0] + "/media/image1.png"] = media
    return zipped(members)


def docx(text: str = "Quarterly note for the team") -> bytes:
    xml = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:body></w:document>"
    )
    return office("word/document.xml", xml, encoded(picture(64, 48), "PNG"))


def xlsx(text: str = "Quarterly note") -> bytes:
    xml = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1">'
        f"<si><t>{escape(text)}</t></si></sst>"
    )
    return office("xl/sharedStrings.xml", xml)


def pptx(text: str = "Quarterly note") -> bytes:
    xml = (
        '<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>'
        f"<a:p><a:r><a:t>{escape(text)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
    )
    return office("ppt/slides/slide1.xml", xml, encoded(picture(64, 48), "PNG"))


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Like samplegen.mail.zipped, with a fixed timestamp: the same seed gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compression)
    return buffer.getvalue()


def svg(text: str = "Quarterly note") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
        '<rect x="10" y="10" width="80" height="50" fill="#c00"/>'
        f'<text x="10" y="85" font-size="12">{escape(text)}</text></svg>\n'
    ).encode()


def eml(attachments: dict[str, tuple[bytes, str]] | None = None, body: str = "Hello,\nthe note is attached.\n"
        ) -> bytes:
    mail = EmailMessage()
    mail["From"] = "analyst@example.org"
    mail["To"] = "outside@example.com"
    mail["Subject"] = "Quarterly note"
    mail.set_content(body)
    for name, (data, mime) in (attachments or {}).items():
        maintype, subtype = mime.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if mail.is_multipart():
        mail.set_boundary("fuzz-part-boundary")  # the default is random: the same seed, the same bytes
    return mail.as_bytes()


def composed() -> list[Seed]:
    """One or more small intact files of every format."""
    image = picture()
    seeds = [
        Seed("picture.png", "png", encoded(image, "PNG")),
        Seed("palette.png", "png", encoded(image.convert("P"), "PNG")),
        Seed("picture.jpg", "jpeg", encoded(image, "JPEG", quality=80)),
        Seed("progressive.jpg", "jpeg", encoded(image, "JPEG", quality=80, progressive=True)),
        Seed("animation.gif", "gif", frames("GIF")),
        Seed("picture.webp", "webp", encoded(image, "WEBP", quality=70)),
        Seed("pages.tif", "tiff", frames("TIFF", compression="tiff_lzw")),
        Seed("picture.tif", "tiff", encoded(image, "TIFF")),
        Seed("picture.bmp", "bmp", encoded(image, "BMP")),
        Seed("report.pdf", "pdf", pdf()),
        Seed("note.docx", "docx", docx()),
        Seed("sheet.xlsx", "xlsx", xlsx()),
        Seed("slides.pptx", "pptx", pptx()),
        Seed("bundle.zip", "zip", zipped({"a.png": encoded(picture(64, 48), "PNG"), "b.pdf": pdf(1, False),
                                          "c.txt": b"Quarterly note\n"})),
        Seed("mail.eml", "eml", eml({"note.pdf": (pdf(1), "application/pdf"),
                                     "photo.jpg": (encoded(picture(64, 48), "JPEG"), "image/jpeg")})),
        Seed("drawing.svg", "svg", svg()),
    ]
    heic = heif()
    if heic is not None:
        seeds.append(Seed("picture.heic", "heif", heic))
    return seeds


_SAMPLE_KINDS = {".png": "png", ".jpg": "jpeg", ".pdf": "pdf", ".docx": "docx"}


def samples(max_bytes: int) -> list[Seed]:
    """The project's own samples up to `max_bytes` (they are made by tools/make_samples.py)."""
    found = []
    for path in sorted(SAMPLES.glob("*")):
        kind = _SAMPLE_KINDS.get(path.suffix.lower())
        if kind and path.stat().st_size <= max_bytes:
            found.append(Seed(f"sample-{path.name}", kind, path.read_bytes()))
    return found


def all_seeds(sample_bytes: int = 32_768) -> list[Seed]:
    return composed() + samples(sample_bytes)
