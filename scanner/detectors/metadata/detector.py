"""Personal data hidden in a file rather than shown (guideline 2.4).

Photos: GPS position, camera/lens serial numbers, owner and author names, free-text
comments (EXIF, XMP, PNG text chunks). PDFs: a person's name as author or creator,
annotations and comments, and text a reader does not see (white, invisible, under an
image). Reads only `page.metadata` as ingest filled it; every key is optional.

Labels: gps, camera-serial, author, owner, software, comment, annotation, hidden-text (which
of them block is declared in the check's __init__). Placeholders that cameras and converters
write when they know nothing (0, 65535, 4294967295, one digit repeated, "unknown") are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from scanner.detectors import Detector
from scanner.geometry import BBox
from scanner.ingest.page import Page
from scanner.model import Finding

_GPS_POSITION_TAGS = ("GPSLatitude", "GPSLongitude")
_SERIAL_TAGS = ("BodySerialNumber", "LensSerialNumber", "SerialNumber", "CameraSerialNumber")
_AUTHOR_TAGS = ("Artist", "XPAuthor", "Author", "Creator")
_OWNER_TAGS = ("CameraOwnerName", "OwnerName")
_COMMENT_TAGS = ("XPComment", "UserComment", "ImageDescription", "XPSubject", "Comment", "Description")
_COPYRIGHT_TAGS = ("Copyright",)
_SOFTWARE_TAGS = ("Software", "ProcessingSoftware", "HostComputer")

_XMP_FIELDS: dict[str, str] = {
    # XMP property (namespace prefix as usually written) -> label
    "exif:GPSLatitude": "gps",
    "exif:GPSLongitude": "gps",
    "aux:SerialNumber": "camera-serial",
    "exifEX:BodySerialNumber": "camera-serial",
    "aux:LensSerialNumber": "camera-serial",
    "exifEX:LensSerialNumber": "camera-serial",
    "aux:OwnerName": "owner",
    "exifEX:CameraOwnerName": "owner",
    "dc:creator": "author",
    "xmpRights:Owner": "owner",
    "Iptc4xmpCore:CiEmailWork": "author",
    "Iptc4xmpCore:CiTelWork": "author",
    "photoshop:AuthorsPosition": "author",
}

# Camera firmware fills these in by itself; they say nothing about anyone.
_BOILERPLATE_COMMENTS = re.compile(
    r"^(?:olympus digital camera|sony dsc|digital camera|default|none|unknown|"
    r"samsung|lg electronics|screenshot|charset=\w+|ascii|unicode|[\W_\d]*)$",
    re.I,
)
# Author values that name no one: organisations, software and placeholders.
_NOT_A_PERSON = re.compile(
    r"statisti|canada|gouvernement|government|agency|agence|minist|department|"
    r"division|branch|direction|office|bureau|services?\b|inc\b|ltd|llc|corp|"
    r"universit|centre|center|group|team|équipe|admin|user|owner|author|auteur|"
    r"unknown|microsoft|adobe|word|excel|powerpoint|acrobat|latex|tex\b|pdf|"
    r"libreoffice|openoffice|writer|google|apple|quartz|ghostscript|mupdf|pymupdf|"
    r"reportlab|cairo|skia|chrome|mozilla|canon|nikon|sony|epson|hp\b|xerox|scan",
    re.I,
)
# What a field holds when nothing was recorded: zero, the largest 16/32-bit values, one digit
# repeated, or a word saying so.
_PLACEHOLDER = re.compile(
    r"^(?:0+|65535|4294967295|(\d)\1*|-1|n/?a|none|null|unknown|inconnu|not\s+set|default|"
    r"serial\s*number|0123456789|123456789|x+|\W*)$",
    re.I,
)
_PERSON_NAME = re.compile(r"^[A-ZÀ-Ý][\w'’.-]+(?:\s+[A-ZÀ-Ý][\w'’.-]*){1,3}$")
_ANNOTATIONS_NOT_PERSONAL = {"Link", "Popup", "Widget"}  # hyperlinks, note windows, form fields
_WHITE_BACKGROUND = 225  # mean grey of a "white text" box that a reader cannot see


class MetadataDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        meta = page.metadata
        if page.kind == "frame" and page.number > 1:
            return []  # an animation's metadata belongs to the file, reported on frame 1
        findings = [
            *_photo_findings(page.number, meta),
            *_pdf_info_findings(page.number, meta.get("pdf_info")),
            *_person_findings(page.number, _texts(meta.get("office_info")), _OFFICE_PEOPLE, "Office document"),
            *_software_findings(page.number, meta.get("office_info"), ("application",), "Office"),
            *_annotation_findings(page.number, meta.get("annotations")),
            *_hidden_text_findings(page, meta.get("hidden_text")),
        ]
        return findings


def _finding(
    page: int, label: str, detail: str, confidence: float, bbox: BBox | None = None, excerpt: str = ""
) -> Finding:
    return Finding(
        kind="metadata",
        label=label,
        confidence=confidence,
        page=page,
        bbox=bbox,
        detail=detail,
        excerpt=excerpt,
    )


def _text(value: Any) -> str:
    return " ".join(str(value).replace("\x00", " ").split()) if value is not None else ""


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _photo_findings(page: int, meta: Mapping[str, Any]) -> list[Finding]:
    exif: Mapping[str, Any] = meta.get("exif") or {}
    info: Mapping[str, Any] = meta.get("info") or {}
    tags = {**{k: _text(v) for k, v in info.items()}, **{k: _text(v) for k, v in exif.items()}}
    findings = []
    gps = _gps_position(meta.get("gps") or {})
    if gps:
        findings.append(_finding(page, "gps", f"GPS position in photo metadata: {gps}", 0.99))
    findings.extend(_tag_findings(page, tags, _SERIAL_TAGS, "camera-serial", "camera serial number", 0.95))
    findings.extend(_tag_findings(page, tags, _SOFTWARE_TAGS, "software", "software", 0.9))
    findings.extend(_tag_findings(page, tags, _OWNER_TAGS, "owner", "camera owner", 0.95))
    findings.extend(_person_findings(page, tags, _AUTHOR_TAGS, "author in photo metadata"))
    findings.extend(_person_findings(page, tags, _COPYRIGHT_TAGS, "copyright holder in photo metadata"))
    findings.extend(_comment_findings(page, tags))
    findings.extend(_xmp_findings(page, meta.get("xmp") or "", already={f.label for f in findings}))
    return findings


def _gps_position(gps: Mapping[str, Any]) -> str:
    """'lat, lon' as written in the metadata, or '' when no position is recorded."""
    values = [_text(gps.get(tag, "")) for tag in _GPS_POSITION_TAGS]
    if not all(values):
        return ""
    if all(re.fullmatch(r"[\s(),0.]*", value) for value in values):
        return ""  # a zeroed position: the camera had no fix
    return f"{values[0]} / {values[1]}"


def _tag_findings(
    page: int, tags: Mapping[str, str], names: Iterable[str], label: str, what: str, confidence: float
) -> list[Finding]:
    return [
        _finding(page, label, f"{what} ({name}): {_short(tags[name])}", confidence, excerpt=_short(tags[name], 40))
        for name in names
        if tags.get(name) and not _BOILERPLATE_COMMENTS.match(tags[name]) and not is_placeholder(tags[name])
    ]


def is_placeholder(value: str) -> bool:
    """A value that records nothing: 0, 65535, 4294967295, 1111111, "unknown"..."""
    return bool(_PLACEHOLDER.match(_text(value).strip()))


def _person_findings(page: int, tags: Mapping[str, str], names: Iterable[str], what: str) -> list[Finding]:
    findings = []
    for name in names:
        confidence = person_likelihood(tags.get(name, ""))
        if confidence:
            detail, excerpt = f"{what} ({name}): {_short(tags[name])}", _short(tags[name], 40)
            findings.append(_finding(page, "author", detail, confidence, excerpt=excerpt))
    return findings


def _comment_findings(page: int, tags: Mapping[str, str]) -> list[Finding]:
    # A free-text comment may say anything (names, places): reported below the default
    # blocking level (0.5), as it is worth a look but rarely a leak.
    return _tag_findings(page, tags, _COMMENT_TAGS, "comment", "comment in file metadata", 0.45)


def person_likelihood(value: str) -> float:
    """How likely an author/creator field names a person (0 when it plainly does not)."""
    value = _text(value).strip("©() ")
    value = re.sub(r"^(?:copyright|\(c\))\s*", "", value, flags=re.I).strip()
    value = re.sub(r"^\d{4}\s*", "", value)
    if len(value) < 2 or _NOT_A_PERSON.search(value) or _BOILERPLATE_COMMENTS.match(value) or is_placeholder(value):
        return 0.0
    if _PERSON_NAME.match(value):
        return 0.9  # "Jane Doe", "Marc-André Tremblay"
    if "@" in value or re.fullmatch(r"[a-z][a-z0-9._-]{2,30}", value, re.I):
        return 0.75  # a login or e-mail: still identifies someone
    return 0.6


def _xmp_findings(page: int, xmp: str, already: set[str]) -> list[Finding]:
    findings = []
    for prop, label in _XMP_FIELDS.items():
        if label in already:
            continue  # EXIF said it already
        value = _xmp_value(xmp, prop)
        if not value or is_placeholder(value):
            continue
        if label == "author" and not person_likelihood(value):
            continue
        detail = f"{label} in XMP metadata ({prop}): {_short(value)}"
        findings.append(_finding(page, label, detail, 0.9, excerpt=_short(value, 40)))
        already.add(label)
    return findings


def _xmp_value(xmp: str, prop: str) -> str:
    """Value of an XMP property written as an attribute or as an element (rdf:li lists too)."""
    escaped = re.escape(prop)
    attribute = re.search(rf'{escaped}\s*=\s*"([^"]*)"', xmp)
    if attribute:
        return _text(attribute.group(1))
    element = re.search(rf"<{escaped}\b[^>]*>(.*?)</{escaped}>", xmp, re.S)
    if not element:
        return ""
    return _text(re.sub(r"<[^>]+>", " ", element.group(1)))


# Office core properties (docProps/core.xml, app.xml) that name people.
_OFFICE_PEOPLE = ("creator", "last_modified_by", "manager")


def _texts(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {key: _text(value) for key, value in (values or {}).items()}


def _pdf_info_findings(page: int, info: Mapping[str, Any] | None) -> list[Finding]:
    findings = []
    for field in ("author", "creator"):
        value = _text((info or {}).get(field, ""))
        confidence = person_likelihood(value)
        if field == "creator" and confidence < 0.9:
            continue  # the creator field is nearly always software; only a clear name counts
        if confidence:
            detail = f"PDF {field}: {_short(value)}"
            findings.append(_finding(page, "author", detail, confidence, excerpt=_short(value, 40)))
    return findings + _software_findings(page, info, ("creator", "producer"), "PDF")


def _software_findings(page: int, info: Mapping[str, Any] | None, fields: Iterable[str], what: str) -> list[Finding]:
    """The programs that made the file: reported (and removed by fix), never blocking."""
    findings = []
    for field in fields:
        value = _text((info or {}).get(field, ""))
        if value and not is_placeholder(value) and not person_likelihood(value) >= 0.9:
            detail = f"{what} {field}: {_short(value)}"
            findings.append(_finding(page, "software", detail, 0.9, excerpt=_short(value, 40)))
    return findings


def _annotation_findings(page: int, annotations: Iterable[Mapping[str, Any]] | None) -> list[Finding]:
    findings = []
    for note in annotations or ():
        kind = _text(note.get("type", "")) or "annotation"
        if kind in _ANNOTATIONS_NOT_PERSONAL:
            continue
        content, author = _text(note.get("content", "")), _text(note.get("author", ""))
        said = f": {_short(content)}" if content else ""
        by = f" by {_short(author, 40)}" if author else ""
        confidence = 0.9 if content or author else 0.7
        findings.append(_finding(page, "annotation", f"{kind} annotation{by}{said}", confidence, _box(note)))
    return findings


def _hidden_text_findings(page: Page, hidden: Iterable[Mapping[str, Any]] | None) -> list[Finding]:
    findings = []
    for item in hidden or ():
        text, reason = _text(item.get("text", "")), _text(item.get("reason", ""))
        if len(text) < 3:
            continue
        bbox = _box(item)
        if reason == "white" and not _on_light_background(page, bbox):
            continue  # white letters on a dark banner are plainly visible
        confidence = {"invisible": 0.9, "under-image": 0.85, "white": 0.8}.get(reason, 0.75)
        detail = f"{reason} text: {_short(text)}"
        findings.append(_finding(page.number, "hidden-text", detail, confidence, bbox, excerpt=_short(text, 40)))
    return findings


def _box(item: Mapping[str, Any]) -> BBox | None:
    box = item.get("bbox")
    if not box or len(box) != 4:
        return None
    x0, y0, x1, y1 = (round(float(v)) for v in box)
    return (x0, y0, x1, y1)


def _on_light_background(page: Page, bbox: BBox | None) -> bool:
    """Is the rendered area of a white-text box light, i.e. is the text invisible?"""
    if bbox is None:
        return True
    gray = page.gray
    x0, y0, x1, y1 = bbox
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(gray.shape[1], x1), min(gray.shape[0], y1)
    if x1 <= x0 or y1 <= y0:
        return True  # off the page: nobody sees it either
    return float(np.mean(gray[y0:y1, x0:x1])) >= _WHITE_BACKGROUND
