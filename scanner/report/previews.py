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


def annotated_pages(
    data: bytes, report: FileReport, max_side: int | None = None, numbered: bool = False
) -> Iterator[tuple[int, Image.Image]]:
    """(page number, picture with boxes) for the pages worth showing; nothing for unreadable files."""
    return drawn(pages_to_show(data, report), report, max_side, numbered)


def has_boxes(report: FileReport) -> bool:
    """Whether a picture of the file would show where something was found."""
    return any(f.bbox and f.part is None for f in report.findings)


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


def drawn(
    pages: list[Page], report: FileReport, max_side: int | None = None, numbered: bool = False
) -> Iterator[tuple[int, Image.Image]]:
    """Each page with its findings boxed. `numbered`: each box is captioned with the finding's
    number in `report.findings` (from 1), for pictures shown beside a list of the findings in
    the reader's language; otherwise with "kind: label" (pictures that stand alone)."""
    for page in pages:
        image = Image.fromarray(page.rgb)
        scale = 1.0
        if max_side and max(image.size) > max_side:
            scale = max_side / max(image.size)
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
        boxed = [
            (str(number) if numbered else f"{f.kind}: {f.label}", f)
            for number, f in enumerate(report.findings, start=1)
            if f.page == page.number and f.part is None and f.bbox
        ]
        yield page.number, draw_boxes(image, boxed, scale, big_tags=numbered)


Rect = tuple[int, int, int, int]


def draw_boxes(
    image: Image.Image, boxed: list[tuple[str, Finding]], scale: float = 1.0, big_tags: bool = False
) -> Image.Image:
    """A box around each finding with its caption on a tag of the finding's colour. Tags are
    placed where they cover no tag already drawn (above the box, below it, inside it, then
    further down), so the captions of findings close together stay readable. `big_tags` for
    numbers, which are short and read on a picture shown small."""
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    width = max(2, round(max(image.size) / 300))
    font = ImageFont.load_default(size=max(12, round(max(image.size) / (28 if big_tags else 60))))
    placed: list[Rect] = []
    for caption, finding in boxed:
        x0, y0, x1, y1 = (round(v * scale) for v in finding.bbox or (0, 0, 0, 0))
        colour = KIND_COLOURS.get(finding.kind, (255, 0, 255))
        draw.rectangle((x0 - width, y0 - width, x1 + width, y1 + width), outline=colour, width=width)
        left, top, right, bottom = draw.textbbox((0, 0), caption, font=font)
        tag_w, tag_h = right - left + 6, bottom - top + 6
        tag = _free_spot(_tag_candidates((x0, y0, x1, y1), tag_w, tag_h, width), placed, image.size)
        placed.append(tag)
        draw.rectangle(tag, fill=colour)
        draw.text((tag[0] + 3 - left, tag[1] + 3 - top), caption, fill=(255, 255, 255), font=font)
    return image


def _tag_candidates(box: Rect, tag_w: int, tag_h: int, gap: int) -> Iterator[Rect]:
    x0, y0, _, y1 = box
    for y in (y0 - tag_h - gap, y1 + gap, y0 + gap):
        yield (x0, y, x0 + tag_w, y + tag_h)
    for step in range(1, 40):  # then down the page, one tag height at a time
        y = y1 + gap + step * (tag_h + 2)
        yield (x0, y, x0 + tag_w, y + tag_h)


def _free_spot(candidates: Iterator[Rect], placed: list[Rect], size: tuple[int, int]) -> Rect:
    first = None
    for rect in candidates:
        rect = _inside(rect, size)
        first = first or rect
        if not any(_overlap(rect, other) for other in placed):
            return rect
    assert first is not None
    return first


def _inside(rect: Rect, size: tuple[int, int]) -> Rect:
    """The rectangle moved (not shrunk) to lie within the picture."""
    x0, y0, x1, y1 = rect
    dx = min(0, size[0] - x1) or max(0, -x0)
    dy = min(0, size[1] - y1) or max(0, -y0)
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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
        return [(number, data_url(image)) for number, image in drawn(pages, report, self.thumbnail_side, numbered=True)]


def write_annotated(pages: list[Page], report: FileReport, folder: Path) -> None:
    """Page images with boxes: FOLDER/<path with / as __>.p<N>.png."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = report.path.strip("/").replace("/", "__").replace("\\", "__")
    for number, image in drawn(pages, report):
        image.save(folder / f"{stem}.p{number}.png")
