"""Page images with a box drawn around every finding, for the HTML report, --annotate and the web page."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from scanner.ingest import IngestError, Page, load
from scanner.model import FileReport, Finding

KIND_COLOURS = {
    "marking": (220, 30, 30),
    "logo": (230, 120, 0),
    "face": (30, 90, 230),
    "pii": (150, 40, 200),
    "metadata": (90, 90, 90),
    "conduct": (200, 0, 120),
}
MAX_PAGES = 6  # pages shown per file: those with findings first


def annotated_pages(data: bytes, report: FileReport, max_side: int | None = None) -> Iterator[tuple[int, Image.Image]]:
    """(page number, picture with boxes) for the pages worth showing; nothing for unreadable files."""
    return drawn(pages_to_show(data, report), report, max_side)


def pages_to_show(data: bytes, report: FileReport) -> list[Page]:
    """The pages worth a picture (those with findings first, at most MAX_PAGES); none if unreadable.
    Each page keeps its raster once rendered, so several drawings of them render it once."""
    try:
        document = load(data, report.path)
    except IngestError:
        return []
    pages = [p for p in document.pages if p.placement is None and p.part is None and p.kind != "text"]
    with_findings = {f.page for f in report.findings if f.part is None}
    return ([p for p in pages if p.number in with_findings] or pages[:1])[:MAX_PAGES]


def drawn(pages: list[Page], report: FileReport, max_side: int | None = None) -> Iterator[tuple[int, Image.Image]]:
    for page in pages:
        image = Image.fromarray(page.rgb)
        scale = 1.0
        if max_side and max(image.size) > max_side:
            scale = max_side / max(image.size)
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
        findings = [f for f in report.findings if f.page == page.number and f.part is None and f.bbox]
        yield page.number, draw_boxes(image, findings, scale)


def draw_boxes(image: Image.Image, findings: list[Finding], scale: float = 1.0) -> Image.Image:
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    width = max(2, round(max(image.size) / 300))
    font = ImageFont.load_default(size=max(12, round(max(image.size) / 60)))
    for finding in findings:
        x0, y0, x1, y1 = (round(v * scale) for v in finding.bbox or (0, 0, 0, 0))
        colour = KIND_COLOURS.get(finding.kind, (255, 0, 255))
        draw.rectangle((x0 - width, y0 - width, x1 + width, y1 + width), outline=colour, width=width)
        caption = f"{finding.kind}: {finding.label}"
        left, top, right, bottom = draw.textbbox((x0, 0), caption, font=font)
        y_text = y0 - (bottom - top) - 2 * width if y0 - (bottom - top) - 2 * width > 0 else y1 + width
        draw.rectangle((left - 2, y_text - 2, right + 2, y_text + bottom - top + 4), fill=colour)
        draw.text((x0, y_text - top + 1), caption, fill=(255, 255, 255), font=font)
    return image


def data_url(image: Image.Image, quality: int = 80) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class PreviewJob:
    """Pictures of a file's findings, drawn right after its scan by the process that scanned it:
    thumbnails for the HTML report, and full-size pages written to a folder (--annotate)."""

    thumbnail_side: int | None = None
    annotate_dir: Path | None = None

    def __call__(self, report: FileReport, data: bytes) -> list[tuple[int, str]]:
        """The thumbnails as (page number, data URL); annotated pages are written, not returned."""
        pages = pages_to_show(data, report)  # loaded once for both pictures
        if self.annotate_dir is not None and report.findings:
            write_annotated(pages, report, self.annotate_dir)
        if self.thumbnail_side is None:
            return []
        return [(number, data_url(image)) for number, image in drawn(pages, report, self.thumbnail_side)]


def write_annotated(pages: list[Page], report: FileReport, folder: Path) -> None:
    """Page images with boxes: FOLDER/<path with / as __>.p<N>.png."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = report.path.strip("/").replace("/", "__").replace("\\", "__")
    for number, image in drawn(pages, report):
        image.save(folder / f"{stem}.p{number}.png")
