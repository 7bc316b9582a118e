"""Face localisation with CenterFace (MIT), an ONNX model shipped in smscan's package data.

The model file is read from `data/` beside this module (weights.py; never downloaded at run
time: the build puts it there, see tools/fetch_face_model.py) and run with OpenCV's DNN
module, which the project already depends on. CenterFace is fully convolutional, so one
image is searched at a few scales (in tiles of at most TILE_SIDE px, which bound the
network's memory, not what it sees):

* a "fine" pass at (up to) native resolution finds faces from about 20 px across;
  on photos larger than FINE_MAX_MEGAPIXELS the scale drops, but never below
  FINE_MIN_SCALE, so a 20 px face still reaches the network at >= 12 px;
* a "coarse" pass at COARSE_LONG_SIDE px finds faces that fill the frame, which
  the network (trained on crowds) can miss at full size.

On document-like images (mostly white paper) only the pictorial regions are searched:
thin text strokes are removed with a morphological opening, and what remains (photos,
figures, coloured banners) is searched with margins. Photos are searched whole.

Boxes of all passes are merged with non-maximum suppression. A box the network is
unsure of (CANDIDATE_THRESHOLD..ACCEPT_THRESHOLD) is looked at again: its surroundings
are cut out and enlarged so the face would be VERIFY_FACE_SIDE px across. Real small
faces then score high (0.8+ when measured), while textures that looked face-like at a
glance (circles, pixel art) drop to nothing. This lets us keep small faces without
accepting the low-score noise that comes with a low threshold.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from scanner.detectors.face.weights import MODEL_PATH
from scanner.errors import SetupError

_OUTPUTS = ("537", "538", "539", "540")  # heatmap, scale, offset, landmarks
_STRIDE = 4  # the heatmap is 1/4 of the input size

FINE_MAX_MEGAPIXELS = 4.5
FINE_MIN_SCALE = 0.6
SMALL_IMAGE_LONG_SIDE = 640  # smaller images are enlarged to this for the fine pass
COARSE_LONG_SIDE = 640
CANDIDATE_THRESHOLD = 0.3
ACCEPT_THRESHOLD = 0.6  # at or above this a box is a face without a second look
VERIFY_THRESHOLD = 0.45  # score the enlarged second look must reach
VERIFY_FACE_SIDE = 48
VERIFY_CONTEXT = 2.5  # crop half-side, in face sides, around the candidate's centre
MAX_VERIFICATIONS = 64  # bounds the time spent on a crowd or a noisy texture
NMS_IOU = 0.3
# The network sees at most TILE_SIDE x TILE_SIDE px at a time. Its layers take ~230 MB per
# megapixel of input; tiles keep that bounded and let the next tile reuse the memory instead of
# faulting a new, bigger block in for every photo (2.5 s instead of 1.3 s for a 4.5 MP photo
# while two workers did so at once). Neighbouring tiles share MIN_TILE_OVERLAP px, so a face up to
# that size is whole in one of them; bigger ones are whole in the coarse pass (see tile_overlap).
TILE_SIDE = 1024
MIN_TILE_OVERLAP = 128
MIN_COARSE_FACE = 32  # px: a face this big in the coarse pass is found there for sure

PAPER_LEVEL = 235  # grey level above which a pixel counts as blank paper
DOCUMENT_PAPER_SHARE = 0.5  # more blank paper than this: a document, not a photo
STROKE_PER_SIDE = 350  # text strokes are at most the page's long side / this (measured: 300 dpi scans)
REGION_WORK_SCALE = 4  # regions are found on an image this many times smaller
REGION_MARGIN = 0.25  # of the region's size, added on every side
WHOLE_IMAGE_SHARE = 0.6  # regions covering more than this: search the whole image
MIN_FACE_SIDE = 16  # px; smaller ink blobs cannot hold a face we must find


class FaceModelMissing(SetupError):
    """This installation has no face model (a wheel built without `make model`)."""


@dataclass(frozen=True)
class FaceBox:
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def shifted(self, dx: float, dy: float) -> FaceBox:
        if not dx and not dy:
            return self
        return FaceBox(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy, self.score)

    def int_box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """Integer box clipped to an image of the given size."""
        return (
            max(0, math.floor(self.x0)),
            max(0, math.floor(self.y0)),
            min(width, math.ceil(self.x1)),
            min(height, math.ceil(self.y1)),
        )


def model_path() -> Path:
    if not MODEL_PATH.is_file():
        raise FaceModelMissing(
            f"the face model {MODEL_PATH.name} is not in this installation: in a checkout run `make model`; "
            "otherwise install a wheel built with `make dist`"
        )
    return MODEL_PATH


class CenterFace:
    """Thread-safe CenterFace runner: one OpenCV net per thread, weights read once."""

    def __init__(
        self,
        candidate_threshold: float = CANDIDATE_THRESHOLD,
        accept_threshold: float = ACCEPT_THRESHOLD,
        verify_threshold: float = VERIFY_THRESHOLD,
    ) -> None:
        self.candidate_threshold = candidate_threshold
        self.accept_threshold = accept_threshold
        self.verify_threshold = verify_threshold
        self._weights = np.frombuffer(model_path().read_bytes(), dtype=np.uint8)
        self._local = threading.local()
        self._net()  # fail now, not on the first page, if the model does not load

    def _net(self) -> cv2.dnn.Net:
        net = getattr(self._local, "net", None)
        if net is None:
            net = cv2.dnn.readNetFromONNX(self._weights)
            self._local.net = net
        return net

    def detect(self, rgb: np.ndarray) -> list[FaceBox]:
        """Faces in an RGB image, boxes in its pixels, searched at several scales."""
        height, width = rgb.shape[:2]
        if height < 8 or width < 8:
            return []
        candidates: list[FaceBox] = []
        scales = search_scales(width, height)  # the whole image's: a crop is not enlarged
        overlap = tile_overlap(scales)
        for x0, y0, x1, y1 in search_regions(rgb):
            crop = rgb[y0:y1, x0:x1]
            for scale in scales:
                if scale < 1 and max(x1 - x0, y1 - y0) * scale < 64:
                    continue  # a coarse look at a small crop sees nothing the fine one missed
                candidates.extend(b.shifted(x0, y0) for b in self._detect_at(crop, scale, overlap))
        candidates = non_max_suppression(candidates, NMS_IOU)
        faces = [box for box in candidates if box.score >= self.accept_threshold]
        unsure = [box for box in candidates if box.score < self.accept_threshold]
        for box in unsure[:MAX_VERIFICATIONS]:
            second = self._second_look(rgb, box)
            if second >= self.verify_threshold:
                faces.append(FaceBox(box.x0, box.y0, box.x1, box.y1, max(box.score, second)))
        return faces

    def _second_look(self, rgb: np.ndarray, box: FaceBox) -> float:
        """Best score of a face centred on `box`, in an enlarged crop around it."""
        height, width = rgb.shape[:2]
        centre_x, centre_y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        side = max(box.width, box.height, 1.0)
        half = side * VERIFY_CONTEXT
        x0, y0 = int(max(0, centre_x - half)), int(max(0, centre_y - half))
        x1, y1 = int(min(width, centre_x + half)), int(min(height, centre_y + half))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return 0.0
        zoom = VERIFY_FACE_SIDE / side
        found = self._detect_at(rgb[y0:y1, x0:x1], zoom)
        cx, cy = centre_x - x0, centre_y - y0
        return max(
            (b.score for b in found if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1),
            default=0.0,
        )

    def _detect_at(self, rgb: np.ndarray, scale: float, overlap: int = MIN_TILE_OVERLAP) -> list[FaceBox]:
        """Faces in `rgb` looked at `scale` times its size, boxes in its pixels."""
        height, width = rgb.shape[:2]
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        resized = rgb if scale == 1 else cv2.resize(rgb, (new_w, new_h), interpolation=interpolation)
        found = []
        for y0, y1 in tile_spans(new_h, TILE_SIDE, overlap):
            for x0, x1 in tile_spans(new_w, TILE_SIDE, overlap):
                found.extend(b.shifted(x0, y0) for b in self._forward(resized[y0:y1, x0:x1]))
        return [FaceBox(b.x0 / scale, b.y0 / scale, b.x1 / scale, b.y1 / scale, b.score) for b in found]

    def _forward(self, rgb: np.ndarray) -> list[FaceBox]:
        """One pass of the network over an image no larger than a tile."""
        height, width = rgb.shape[:2]
        # The network needs sides divisible by 32; pad rather than stretch.
        pad_w, pad_h = -width % 32, -height % 32
        if pad_w or pad_h:
            rgb = cv2.copyMakeBorder(rgb, 0, pad_h, 0, pad_w, cv2.BORDER_CONSTANT, value=0)
        net = self._net()
        net.setInput(cv2.dnn.blobFromImage(rgb))  # NCHW float32, RGB kept, no mean
        heatmap, sizes, offsets, _landmarks = net.forward(list(_OUTPUTS))
        return [
            FaceBox(b.x0, b.y0, min(b.x1, width), min(b.y1, height), b.score)
            for b in decode(heatmap, sizes, offsets, self.candidate_threshold)
            if b.x0 < width and b.y0 < height
        ]


def tile_overlap(scales: list[float]) -> int:
    """Tile overlap for the fine pass: a face too big to be whole in one tile is at least
    MIN_COARSE_FACE px in the coarse pass."""
    fine, coarse = scales[0], scales[-1]
    return min(TILE_SIDE // 2, max(MIN_TILE_OVERLAP, math.ceil(MIN_COARSE_FACE * fine / coarse)))


def tile_spans(length: int, side: int, overlap: int) -> list[tuple[int, int]]:
    """Equal spans of at most `side` covering 0..length, neighbours sharing at least `overlap`."""
    if length <= side:
        return [(0, length)]
    count = math.ceil((length - overlap) / (side - overlap))
    span = math.ceil((length + (count - 1) * overlap) / count)
    step = (length - span) / (count - 1)
    return [(round(i * step), round(i * step) + span) for i in range(count)]


def search_regions(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Where to look for faces: the whole image, or on a document its pictorial parts."""
    height, width = rgb.shape[:2]
    whole = [(0, 0, width, height)]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    paper = gray > PAPER_LEVEL
    if min(height, width) < 64 or np.mean(paper) < DOCUMENT_PAPER_SHARE:
        return whole
    # Body text strokes are a few pixels wide, more on a large (high-dpi, blurred) scan: an opening
    # that grows with the page removes them, not a face.
    stroke = max(5, round(max(height, width) / STROKE_PER_SIDE))
    solid = cv2.morphologyEx((~paper).astype(np.uint8), cv2.MORPH_OPEN, np.ones((stroke, stroke), np.uint8))
    small = cv2.resize(
        solid,
        (max(1, width // REGION_WORK_SCALE), max(1, height // REGION_WORK_SCALE)),
        interpolation=cv2.INTER_AREA,
    )
    solid = cv2.dilate((small > 0).astype(np.uint8), np.ones((9, 9), np.uint8))  # join a photo's pieces
    count, _, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    regions = []
    for x, y, w, h, _area in stats[1:count]:
        if max(w, h) * REGION_WORK_SCALE < MIN_FACE_SIDE:
            continue
        margin_x, margin_y = w * REGION_MARGIN + 2, h * REGION_MARGIN + 2
        regions.append((
            max(0, int((x - margin_x) * REGION_WORK_SCALE)),
            max(0, int((y - margin_y) * REGION_WORK_SCALE)),
            min(width, int((x + w + margin_x) * REGION_WORK_SCALE)),
            min(height, int((y + h + margin_y) * REGION_WORK_SCALE)),
        ))  # fmt: skip
    regions = merge_overlapping(regions)
    covered = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in regions)
    return whole if covered > WHOLE_IMAGE_SHARE * width * height else regions


def merge_overlapping(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Union of overlapping boxes, so that one photo is searched once, not piece by piece."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        result: list[tuple[int, int, int, int]] = []
        for box in merged:
            for index, other in enumerate(result):
                if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]:
                    result[index] = (
                        min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3])
                    )  # fmt: skip
                    changed = True
                    break
            else:
                result.append(box)
        merged = result
    return merged


def search_scales(width: int, height: int) -> list[float]:
    """The scales to run the network at for an image of this size."""
    long_side = max(width, height)
    megapixels = width * height / 1e6
    if long_side < SMALL_IMAGE_LONG_SIDE:
        fine = SMALL_IMAGE_LONG_SIDE / long_side
    else:
        fine = min(1.0, max(FINE_MIN_SCALE, math.sqrt(FINE_MAX_MEGAPIXELS / megapixels)))
    scales = [fine]
    coarse = COARSE_LONG_SIDE / long_side
    if coarse < fine * 0.75:  # only when it sees the image meaningfully smaller
        scales.append(coarse)
    return scales


def decode(
    heatmap: np.ndarray, sizes: np.ndarray, offsets: np.ndarray, threshold: float
) -> list[FaceBox]:
    """CenterFace outputs -> boxes in the network input's pixels.

    Each heatmap cell above threshold is a face centre; `sizes` holds log(h/4), log(w/4)
    and `offsets` the sub-cell position of the centre.
    """
    heat = heatmap[0, 0]
    rows, cols = np.nonzero(heat > threshold)
    if rows.size == 0:
        return []
    box_h = np.exp(sizes[0, 0, rows, cols]) * _STRIDE
    box_w = np.exp(sizes[0, 1, rows, cols]) * _STRIDE
    centre_y = (rows + offsets[0, 0, rows, cols] + 0.5) * _STRIDE
    centre_x = (cols + offsets[0, 1, rows, cols] + 0.5) * _STRIDE
    x0 = np.maximum(0.0, centre_x - box_w / 2)
    y0 = np.maximum(0.0, centre_y - box_h / 2)
    scores = heat[rows, cols]
    return [
        FaceBox(float(a), float(b), float(a + w), float(b + h), float(s))
        for a, b, w, h, s in zip(x0, y0, box_w, box_h, scores, strict=True)
    ]


def iou(a: FaceBox, b: FaceBox) -> float:
    inter_w = min(a.x1, b.x1) - max(a.x0, b.x0)
    inter_h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if inter_w <= 0 or inter_h <= 0:
        return 0.0
    inter = inter_w * inter_h
    return inter / (a.width * a.height + b.width * b.height - inter)


def non_max_suppression(boxes: list[FaceBox], max_iou: float) -> list[FaceBox]:
    """Keep the best-scoring box of every cluster of overlapping boxes."""
    kept: list[FaceBox] = []
    for box in sorted(boxes, key=lambda b: b.score, reverse=True):
        if all(iou(box, other) < max_iou and not _contains(other, box) for other in kept):
            kept.append(box)
    return kept


def _contains(outer: FaceBox, inner: FaceBox) -> bool:
    """A box mostly inside a better one is the same face seen at another scale."""
    inter_w = min(outer.x1, inner.x1) - max(outer.x0, inner.x0)
    inter_h = min(outer.y1, inner.y1) - max(outer.y0, inner.y0)
    if inter_w <= 0 or inter_h <= 0:
        return False
    return inter_w * inter_h >= 0.7 * inner.width * inner.height
