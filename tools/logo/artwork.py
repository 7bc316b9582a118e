"""Artwork for the logo training and held-out sets: official GC artwork, signatures drawn by the
Federal Identity Program's rules, the wordmark, lone flag symbols, and decoys.

Every piece is two ink masks (float 0..1, 1 = ink): `flag` (the flag symbol, or a decoy's emblem)
and `text` (titles, words), plus optional fixed-colour pixels for decoys that are flags of their
own (Peru, Austria, Lebanon, the national flag). Colours are chosen when a piece is composed, so
one drawing serves the colour, black, white and reversed versions alike.

FIP facts used (Federal Identity Program manual): the flag symbol is three fields 1:2:1, red bars
and an 11-point maple leaf; a signature is the flag symbol followed by the department's applied
title in English and French (either order), in Helvetica, in one or two lines per language; the
Canada wordmark is "Canada" in a modified Baskerville with the flag symbol over the final "a".
Fonts are Debian's metric clones (Nimbus Sans, Liberation Sans, Nimbus Roman, C059, P052); MuPDF's
built-in Helvetica and Times stand in where those packages are absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from scanner.detectors.logo import draw
from scanner.detectors.logo.flag import find_flag_symbols
from scanner.detectors.logo.locations import OFFICIAL_SVGS, template_dir
from scanner.detectors.logo.templates import load_raster

# Applied titles (English, French) of departments and agencies that sign with the flag symbol.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("Agriculture and Agri-Food Canada", "Agriculture et Agroalimentaire Canada"),
    ("Atlantic Canada Opportunities Agency", "Agence de promotion économique du Canada atlantique"),
    ("Canada Border Services Agency", "Agence des services frontaliers du Canada"),
    ("Canada Revenue Agency", "Agence du revenu du Canada"),
    ("Canadian Food Inspection Agency", "Agence canadienne d'inspection des aliments"),
    ("Canadian Heritage", "Patrimoine canadien"),
    ("Canadian Space Agency", "Agence spatiale canadienne"),
    ("Correctional Service Canada", "Service correctionnel Canada"),
    (
        "Crown-Indigenous Relations and Northern Affairs Canada",
        "Relations Couronne-Autochtones et Affaires du Nord Canada",
    ),
    ("Department of Finance Canada", "Ministère des Finances Canada"),
    ("Department of Justice Canada", "Ministère de la Justice Canada"),
    ("Employment and Social Development Canada", "Emploi et Développement social Canada"),
    ("Environment and Climate Change Canada", "Environnement et Changement climatique Canada"),
    ("Fisheries and Oceans Canada", "Pêches et Océans Canada"),
    ("Global Affairs Canada", "Affaires mondiales Canada"),
    ("Immigration, Refugees and Citizenship Canada", "Immigration, Réfugiés et Citoyenneté Canada"),
    ("Indigenous Services Canada", "Services aux Autochtones Canada"),
    ("Innovation, Science and Economic Development Canada", "Innovation, Sciences et Développement économique Canada"),
    ("National Defence", "Défense nationale"),
    ("Natural Resources Canada", "Ressources naturelles Canada"),
    ("Public Health Agency of Canada", "Agence de la santé publique du Canada"),
    ("Public Service Commission of Canada", "Commission de la fonction publique du Canada"),
    ("Public Services and Procurement Canada", "Services publics et Approvisionnement Canada"),
    ("Royal Canadian Mounted Police", "Gendarmerie royale du Canada"),
    ("Shared Services Canada", "Services partagés Canada"),
    ("Statistics Canada", "Statistique Canada"),
    ("Transport Canada", "Transports Canada"),
    ("Treasury Board of Canada Secretariat", "Secrétariat du Conseil du Trésor du Canada"),
    ("Women and Gender Equality Canada", "Femmes et Égalité des genres Canada"),
    ("Canada School of Public Service", "École de la fonction publique du Canada"),
    ("Privy Council Office", "Bureau du Conseil privé"),
    ("Canadian Institutes of Health Research", "Instituts de recherche en santé du Canada"),
    ("National Research Council Canada", "Conseil national de recherches Canada"),
    ("Infrastructure Canada", "Infrastructure Canada"),
    ("Canada Economic Development for Quebec Regions", "Développement économique Canada pour les régions du Québec"),
    ("Government of Canada", "Gouvernement du Canada"),
)
# Never drawn for training: the held-out set signs with these, to measure unseen titles.
HELD_OUT_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("Parks Canada", "Parcs Canada"),
    ("Health Canada", "Santé Canada"),
    ("Library and Archives Canada", "Bibliothèque et Archives Canada"),
    ("Veterans Affairs Canada", "Anciens Combattants Canada"),
    ("Public Safety Canada", "Sécurité publique Canada"),
    ("Elections Canada", "Élections Canada"),
)

# Words for decoys: other governments, and Canada's name without the symbol.
OTHER_GOVERNMENTS = (
    "Ontario",
    "Québec",
    "Alberta",
    "Nova Scotia",
    "British Columbia",
    "Manitoba",
    "GOV.UK",
    "HM Revenue & Customs",
    "Home Office",
    "Llywodraeth Cymru",
    "Australian Government",
    "New Zealand Government",
    "République française",
    "United States",
    "Yukon",
    "Nunavut",
)
CANADA_WORDS = (
    "Canada",
    "Government of Canada",
    "Gouvernement du Canada",
    "Statistics Canada",
    "Statistique Canada",
    "Made in Canada",
    "Canada Post",
    "Air Canada",
    "Destination Canada",
    "Bank of Canada",
)

SANS_FONTS = (
    "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSans-Bold.otf",
)
SERIF_FONTS = (
    "/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf",
    "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf",
    "/usr/share/fonts/opentype/urw-base35/P052-Roman.otf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
)
_BUILTIN = {"sans": "helv", "serif": "tiro"}

# Roles a piece plays; the detector's second stage is trained on the first four.
SIGNATURE, WORDMARK, SYMBOL, NATIONAL_FLAG, DECOY = "signature", "wordmark", "symbol", "national-flag", "decoy"


@dataclass(frozen=True)
class Artwork:
    role: str  # SIGNATURE, WORDMARK, SYMBOL, NATIONAL_FLAG or DECOY
    name: str  # what it is: "sig-blk-en", "dept:Statistics Canada", "decoy:peru"...
    flag: np.ndarray  # float32 H x W ink of the flag symbol (or a decoy's emblem)
    text: np.ndarray  # float32 H x W ink of the words
    fixed: np.ndarray | None  # uint8 H x W x 4: pixels with colours of their own (flags), or None
    quad: np.ndarray | None  # 4 x 2 corners of the flag symbol (TL, TR, BR, BL), None for decoys

    @property
    def size(self) -> tuple[int, int]:
        return self.flag.shape[1], self.flag.shape[0]


def _fonts(kind: str) -> list[str]:
    files = SANS_FONTS if kind == "sans" else SERIF_FONTS
    found = [f for f in files if Path(f).is_file()]
    return found or [_BUILTIN[kind]]


class _Canvas:
    """A PyMuPDF page drawn in points and rasterised at one pixel per point."""

    def __init__(self, width: float, height: float) -> None:
        self.doc = pymupdf.open()
        self.page = self.doc.new_page(width=max(width, 4), height=max(height, 4))
        self._fonts: dict[str, str] = {}

    def font(self, font: str) -> str:
        if font in _BUILTIN.values():
            return font
        if font not in self._fonts:
            name = f"f{len(self._fonts)}"
            self.page.insert_font(fontname=name, fontfile=font)
            self._fonts[font] = name
        return self._fonts[font]

    def text(self, x: float, baseline: float, words: str, font: str, size: float) -> None:
        self.page.insert_text((x, baseline), words, fontname=self.font(font), fontsize=size, color=draw.BLACK)

    def ink(self) -> np.ndarray:
        pix = self.page.get_pixmap(colorspace=pymupdf.csGRAY)
        gray = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w)
        return (255 - gray.astype(np.float32)) / 255


def text_length(words: str, font: str, size: float) -> float:
    if font in _BUILTIN.values():
        return pymupdf.get_text_length(words, font, size)
    return pymupdf.Font(fontfile=font).text_length(words, size)


def two_lines(title: str) -> tuple[str, ...]:
    """Split a title in two lines of about equal length, at a space (one line if a single word)."""
    words = title.split()
    if len(words) < 2:
        return (title,)
    cuts = [(abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))), i) for i in range(1, len(words))]
    i = min(cuts)[1]
    return " ".join(words[:i]), " ".join(words[i:])


def _flag_layers(width: int, height: int, x0: float, y0: float, flag_h: float) -> np.ndarray:
    canvas = _Canvas(width, height)
    draw.draw_flag(canvas.page, x0, y0, flag_h, draw.BLACK)
    return canvas.ink()


def _quad(x0: float, y0: float, flag_h: float) -> np.ndarray:
    return np.float32([[x0, y0], [x0 + 2 * flag_h, y0], [x0 + 2 * flag_h, y0 + flag_h], [x0, y0 + flag_h]])


def signature(
    titles: list[tuple[str, ...]], font: str, flag_h: float = 48, gap: float = 0.55, columns: bool = True
) -> Artwork:
    """Flag symbol, then each title (a tuple of lines) either side by side or stacked.

    The text block is as tall as the flag for two lines (cap height ~0.37 of the flag)."""
    size = 0.52 * flag_h
    leading = 0.56 * flag_h
    pad = 2.0
    text_x = pad + 2 * flag_h + gap * flag_h
    blocks = []
    x, row0 = text_x, 0
    for lines in titles:
        width = max(text_length(t, font, size) for t in lines)
        blocks.append((x, row0, lines))
        if columns:
            x += width + 0.45 * flag_h
        else:
            row0 += len(lines)
    width = max(bx + max(text_length(t, font, size) for t in lines) for bx, _, lines in blocks) + pad
    rows = max(r + len(lines) for _, r, lines in blocks)
    height = max(flag_h, 0.40 * flag_h + (rows - 1) * leading + 0.15 * flag_h) + 2 * pad
    canvas = _Canvas(width, height)
    for bx, r, lines in blocks:
        for i, line in enumerate(lines):
            canvas.text(bx, pad + 0.40 * flag_h + (r + i) * leading, line, font, size)
    text = canvas.ink()
    flag = _flag_layers(text.shape[1], text.shape[0], pad, pad, flag_h)
    name = "dept:" + " / ".join(" ".join(lines) for lines in titles)
    return Artwork(SIGNATURE, name, flag, text, None, _quad(pad, pad, flag_h))


def drawn_wordmark(font: str, flag_h: float = 48) -> Artwork:
    """ "Canada" in a Baskerville-like serif with the flag symbol over the final "a"."""
    size = 2.9 * flag_h
    pad = 2.0
    word_w = text_length("Canada", font, size)
    last_a = text_length("a", font, size)
    flag_x = pad + word_w - last_a / 2 - flag_h
    width = max(pad + word_w, flag_x + 2 * flag_h) + pad
    height = pad + 3.35 * flag_h + pad
    canvas = _Canvas(width, height)
    canvas.text(pad, pad + 3.1 * flag_h, "Canada", font, size)  # capitals start at the flag's foot
    text = canvas.ink()
    flag = _flag_layers(text.shape[1], text.shape[0], flag_x, pad, flag_h)
    return Artwork(WORDMARK, f"wordmark:{Path(font).stem}", flag, text, None, _quad(flag_x, pad, flag_h))


def official(name: str, flag_h: float = 48) -> Artwork | None:
    """An installed official SVG split into flag and text ink, or None when not installed."""
    path = template_dir() / f"{name}.svg"
    if not path.is_file():
        return None
    wide = name.startswith("wmms")
    width = round(flag_h * (13.8 if wide else 10.4))
    gray = load_raster(path, width)
    pad = 16
    bordered = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    flags = find_flag_symbols(cv2.cvtColor(bordered, cv2.COLOR_GRAY2RGB), bordered)
    if not flags:
        return None
    quad = flags[0].corners - pad
    ink = (255 - gray.astype(np.float32)) / 255
    zone = np.zeros(gray.shape, np.uint8)
    centre = quad.mean(axis=0)
    cv2.fillConvexPoly(zone, np.round(centre + (quad - centre) * 1.04).astype(np.int32), 1)
    flag = ink * zone
    return Artwork(WORDMARK if wide else SIGNATURE, name, flag, ink - flag, None, quad.astype(np.float32))


def symbol(flag_h: float = 48) -> Artwork:
    pad = 2.0
    width, height = round(4 * flag_h / 2 + 2 * pad), round(flag_h + 2 * pad)
    flag = _flag_layers(width, height, pad, pad, flag_h)
    return Artwork(SYMBOL, "flag-symbol", flag, np.zeros_like(flag), None, _quad(pad, pad, flag_h))


def national_flag(flag_h: float = 48) -> Artwork:
    """The national flag: the symbol's red bars and leaf on its white field, no margin."""
    art = symbol(flag_h)
    x0, y0 = np.floor(art.quad[0]).astype(int)
    x1, y1 = np.ceil(art.quad[2]).astype(int)
    fixed = np.zeros((*art.flag.shape, 4), np.uint8)
    fixed[y0:y1, x0:x1] = (255, 255, 255, 255)
    return Artwork(NATIONAL_FLAG, "national-flag", art.flag, art.text, fixed, art.quad)


# --- decoys -----------------------------------------------------------------------------


def _fixed(rgb: np.ndarray, name: str) -> Artwork:
    h, w = rgb.shape[:2]
    fixed = np.dstack([rgb, np.full((h, w), 255, np.uint8)])
    empty = np.zeros((h, w), np.float32)
    return Artwork(DECOY, name, empty, empty, fixed, None)


def peru(flag_h: float = 48, arms: bool = False) -> Artwork:
    h, w = round(flag_h * 1.2), round(flag_h * 1.8)
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[:, : w // 3] = rgb[:, 2 * w // 3 :] = (217, 16, 35)
    if arms:  # the coat of arms: a small shield in the white field
        cv2.ellipse(rgb, (w // 2, h // 2), (w // 10, h // 6), 0, 0, 360, (40, 120, 60), -1)
    return _fixed(rgb, "decoy:peru")


def austria(flag_h: float = 48) -> Artwork:
    h, w = round(flag_h * 1.2), round(flag_h * 1.8)
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[: h // 3] = rgb[2 * h // 3 :] = (200, 16, 46)
    return _fixed(rgb, "decoy:austria")


def lebanon(flag_h: float = 48) -> Artwork:
    """Red, white (twice as tall), red, horizontal, with a green cedar in the middle."""
    h, w = round(flag_h * 1.2), round(flag_h * 1.8)
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[: h // 4] = rgb[3 * h // 4 :] = (237, 28, 36)
    cx, top, base = w // 2, h // 4 + 2, 3 * h // 4 - 2
    for level in range(4):  # a cedar: stacked triangles of branches on a trunk
        y = top + (base - top) * level // 4
        half = (level + 1) * w // 22
        cv2.fillConvexPoly(rgb, np.int32([[cx, y], [cx - half, y + h // 8], [cx + half, y + h // 8]]), (0, 166, 81))
    cv2.rectangle(rgb, (cx - 1, base - h // 10), (cx + 1, base), (0, 166, 81), -1)
    return _fixed(rgb, "decoy:lebanon")


def _ink_canvas(width: float, height: float) -> _Canvas:
    return _Canvas(width, height)


def red_bars(flag_h: float = 48, count: int = 3, spacing: float = 1.0) -> Artwork:
    """Solid bars each twice as tall as wide, `spacing` bar widths apart (or the 1:2:1
    layout without its leaf when count is 2 and spacing 2)."""
    bar = flag_h / 2
    canvas = _ink_canvas(bar * (count + (count - 1) * spacing) + 4, flag_h + 4)
    for i in range(count):
        x = 2 + i * bar * (1 + spacing)
        canvas.page.draw_rect(pymupdf.Rect(x, 2, x + bar, 2 + flag_h), color=None, fill=draw.BLACK)
    ink = canvas.ink()
    return Artwork(DECOY, f"decoy:bars{count}x{spacing:g}", ink, np.zeros_like(ink), None, None)


def maple_leaf(flag_h: float = 48, badge: str = "none") -> Artwork:
    """A maple leaf alone, as on products: bare, in a circle, or on a square badge."""
    side = flag_h * 1.3
    canvas = _ink_canvas(side + 4, side + 4)
    centre, half = 2 + side / 2, side / 2 * (0.75 if badge != "none" else 1.0)
    if badge == "circle":
        canvas.page.draw_circle((centre, centre), side / 2, color=draw.BLACK, width=side / 14)
    elif badge == "square":
        canvas.page.draw_rect(pymupdf.Rect(2, 2, 2 + side, 2 + side), color=draw.BLACK, width=side / 14)
    points = [pymupdf.Point(centre + x * half, centre + y * half) for x, y in draw.maple_leaf_outline()]
    canvas.page.draw_polyline([*points, points[0]], color=None, fill=draw.BLACK, closePath=True)
    ink = canvas.ink()
    return Artwork(DECOY, f"decoy:leaf-{badge}", ink, np.zeros_like(ink), None, None)


def words(lines: tuple[str, ...], font: str, flag_h: float = 48, name: str = "decoy:text") -> Artwork:
    size = 0.52 * flag_h
    width = max(text_length(t, font, size) for t in lines) + 4
    canvas = _ink_canvas(width, 0.56 * flag_h * len(lines) + 0.3 * flag_h)
    for i, line in enumerate(lines):
        canvas.text(2, 0.45 * flag_h + i * 0.56 * flag_h, line, font, size)
    ink = canvas.ink()
    return Artwork(DECOY, name, np.zeros_like(ink), ink, None, None)


def crest(rng: np.random.Generator, flag_h: float = 48, title: str = "", font: str = "helv") -> Artwork:
    """Another government's emblem: a round or shield outline with strokes inside, and a title."""
    side = flag_h * 1.4
    size = 0.45 * flag_h
    text_w = text_length(title, font, size) + 0.5 * flag_h if title else 0
    canvas = _ink_canvas(side + 4 + text_w, side + 4)
    c = 2 + side / 2
    if rng.random() < 0.5:
        canvas.page.draw_circle((c, c), side / 2 - 1, color=draw.BLACK, width=side / 16)
    else:
        shield = [(0.1, 0.05), (0.9, 0.05), (0.9, 0.55), (0.5, 0.97), (0.1, 0.55)]
        points = [pymupdf.Point(2 + x * side, 2 + y * side) for x, y in shield]
        canvas.page.draw_polyline([*points, points[0]], color=draw.BLACK, width=side / 16, closePath=True)
    for _ in range(int(rng.integers(3, 9))):
        p, q = rng.uniform(0.3, 0.7, 2) * side + 2, rng.uniform(0.3, 0.7, 2) * side + 2
        canvas.page.draw_line(pymupdf.Point(*p), pymupdf.Point(*q), color=draw.BLACK, width=side / 20)
    if title:
        canvas.text(side + 0.5 * flag_h, c + size * 0.35, title, font, size)
    ink = canvas.ink()
    emblem = ink.copy()
    emblem[:, round(side + 4) :] = 0
    return Artwork(DECOY, "decoy:crest", emblem, ink - emblem, None, None)


def other_wordmark(rng: np.random.Generator, word: str, font: str, flag_h: float = 48) -> Artwork:
    """A word in a serif with a small emblem over or beside it (a province, another country)."""
    size = 2.9 * flag_h
    word_w = text_length(word, font, size)
    width, height = word_w + 1.5 * flag_h + 4, 3.4 * flag_h
    canvas = _ink_canvas(width, height)
    canvas.text(2, 3.1 * flag_h, word, font, size)
    emblem = _ink_canvas(width, height)
    x = 2 + word_w + 0.2 * flag_h if rng.random() < 0.5 else 2 + word_w * rng.uniform(0.5, 0.9)
    cx, cy, r = x + 0.5 * flag_h, 0.55 * flag_h, 0.5 * flag_h
    shape = int(rng.integers(3))
    if shape == 0:  # a trillium-like three-petal mark
        for k in range(3):
            a = k * 2 * np.pi / 3 - np.pi / 2
            centre = (cx + 0.5 * r * np.cos(a), cy + 0.5 * r * np.sin(a))
            emblem.page.draw_circle(centre, 0.45 * r, color=None, fill=draw.BLACK)
    else:  # a star, or a lone maple leaf
        if shape == 1:
            angles = np.linspace(-np.pi / 2, 1.5 * np.pi, 11)[:-1]
            outline = [
                (np.cos(a) * (1 if k % 2 == 0 else 0.4), np.sin(a) * (1 if k % 2 == 0 else 0.4))
                for k, a in enumerate(angles)
            ]
        else:
            outline = draw.maple_leaf_outline()
        points = [pymupdf.Point(cx + px * r, cy + py * r) for px, py in outline]
        emblem.page.draw_polyline([*points, points[0]], color=None, fill=draw.BLACK, closePath=True)
    return Artwork(DECOY, f"decoy:wordmark-{word}", emblem.ink(), canvas.ink(), None, None)


# --- banks ------------------------------------------------------------------------------


def _signature_variants(rng: np.random.Generator, english: str, french: str, flag_h: float) -> Artwork:
    font = str(rng.choice(_fonts("sans")))
    layout = rng.choice(["columns", "stacked", "stacked4", "english", "french"], p=[0.45, 0.25, 0.15, 0.1, 0.05])
    first, second = (english, french) if rng.random() < 0.7 else (french, english)
    gap = float(rng.uniform(0.4, 0.9))
    if layout == "columns":
        return signature([two_lines(first), two_lines(second)], font, flag_h, gap, columns=True)
    if layout == "stacked":
        return signature([(first,), (second,)], font, flag_h, gap, columns=False)
    if layout == "stacked4":
        return signature([two_lines(first), two_lines(second)], font, flag_h, gap, columns=False)
    return signature([two_lines(english if layout == "english" else french)], font, flag_h, gap)


def positives(rng: np.random.Generator, departments: tuple[tuple[str, str], ...], flag_h: float = 48) -> list[Artwork]:
    """Official artwork (when installed), a signature per department, drawn wordmarks, symbols."""
    bank = [a for a in (official(n, flag_h) for n in OFFICIAL_SVGS) if a is not None]
    bank += [_signature_variants(rng, en, fr, flag_h) for en, fr in departments for _ in range(2)]
    bank += [drawn_wordmark(f, flag_h) for f in _fonts("serif")]
    bank += [symbol(flag_h), national_flag(flag_h)]
    return bank


def decoys(rng: np.random.Generator, flag_h: float = 48) -> list[Artwork]:
    serif, sans = _fonts("serif"), _fonts("sans")
    bank = [peru(flag_h), peru(flag_h, arms=True), austria(flag_h), lebanon(flag_h)]
    bank += [red_bars(flag_h, 3, 1.0), red_bars(flag_h, 2, 1.0), red_bars(flag_h, 2, 2.0), red_bars(flag_h, 4, 0.5)]
    bank += [maple_leaf(flag_h, badge) for badge in ("none", "circle", "square")]
    bank += [words((w,), str(rng.choice(sans + serif)), flag_h) for w in CANADA_WORDS]
    bank += [words(("Government of Canada", "Gouvernement du Canada"), str(rng.choice(sans)), flag_h)]
    bank += [words(two_lines(en) + two_lines(fr), str(rng.choice(sans)), flag_h) for en, fr in DEPARTMENTS[::4]]
    bank += [words(("Canada",), f, flag_h * 2.5, "decoy:canada-serif") for f in serif]
    bank += [crest(rng, flag_h, str(rng.choice(OTHER_GOVERNMENTS)), str(rng.choice(sans))) for _ in range(6)]
    bank += [
        other_wordmark(rng, str(rng.choice(OTHER_GOVERNMENTS[:8])), str(rng.choice(serif)), flag_h) for _ in range(6)
    ]
    return bank
