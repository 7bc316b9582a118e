"""Logo search by local features: SIFT keypoints matched to each template, a RANSAC
homography, then a photometric check of the warped region against the template.

SIFT is contrast-normalised, so colour and black artwork match alike; white-on-dark
(inverted) artwork is matched through a second, inverted copy of every template.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from scanner.detectors.logo.diskcache import disk_cache
from scanner.detectors.logo.normalise import zero_mean_unit
from scanner.detectors.logo.templates import LogoTemplate

BORDER = 16  # white margin around a template so that features at its edge are stable
RATIO = 0.8  # Lowe's ratio test
MIN_INLIERS = 7
RANSAC_PIXELS = 4.0
MAX_FEATURES = 2500
CHECK_WIDTH = 320  # width at which the warped region is compared with the template
ECC_ITERATIONS = 40


@dataclass(frozen=True)
class FeatureTemplate:
    label: str
    source: str
    inverted: bool
    gray: np.ndarray  # bordered template as matched (inverted if `inverted`)
    check: np.ndarray  # float32, zero-mean unit-norm template at CHECK_WIDTH
    points: np.ndarray  # N x 2 keypoint positions
    descriptors: np.ndarray


@dataclass(frozen=True)
class FeatureMatch:
    label: str
    source: str
    inverted: bool
    quad: np.ndarray  # 4 x 2 template corners in the searched image
    homography: np.ndarray  # template pixel (unbordered artwork) -> searched image pixel
    inliers: int
    similarity: float  # correlation of the warped region with the template, -1..1
    coverage: float  # fraction of the template's extent spanned by the inliers


def _feature_key(gray: np.ndarray) -> tuple[str | bytes, ...]:
    return ("sift", cv2.__version__, str(MAX_FEATURES), str(gray.shape), str(gray.dtype),
            np.ascontiguousarray(gray).tobytes())


def check_image(gray: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """The template as compared: at CHECK_WIDTH, blurred, normalised over `keep`."""
    scale = CHECK_WIDTH / gray.shape[1]
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # A light blur makes the comparison tolerant to small misalignments and to JPEG noise.
    return zero_mean_unit(cv2.GaussianBlur(small, (0, 0), 1.2), keep)


@dataclass(frozen=True)
class _Nearest:
    """For every template feature (rows of all templates, stacked): its nearest image feature
    and the squared distances to the nearest and the second nearest."""

    index: np.ndarray
    first: np.ndarray
    second: np.ndarray


class _StackedDescriptors:
    """Every template's descriptors in one matrix, so that the distances to an image's features
    are one matrix product: ~7 ms per image, where a brute-force k-nearest match per template cost
    ~37 ms (9 % of the check on the validation set, its Python match objects most of it).

    OpenCV's SIFT descriptors are whole numbers with squared norms under 2**19, so every sum below
    is a whole number under 2**24, which float32 holds exactly: the distances, hence the matches,
    are the ones a brute-force L2 matcher finds (same matches on all 360 validation pictures)."""

    def __init__(self, templates: list[FeatureTemplate]) -> None:
        self.descriptors = np.vstack([t.descriptors for t in templates]).astype(np.float32)
        self.squared = (self.descriptors**2).sum(axis=1)
        ends = np.cumsum([len(t.descriptors) for t in templates])
        self.rows = [slice(end - len(t.descriptors), end) for t, end in zip(templates, ends, strict=True)]

    def nearest(self, descriptors: np.ndarray) -> _Nearest:
        image = descriptors.astype(np.float32)
        # Squared distance less the template feature's own squared norm, which does not change the
        # order along a row: two arg-min passes cost a fifth of a partition of the rows.
        # OpenCV's product: on one thread it cost less CPU than NumPy's (13.3-15.2 against
        # 16.1-18.3 s for the check on 40 validation pictures). OpenCV's wheel bundles its own
        # OpenBLAS, whose idle threads spin on after each product unless OPENBLAS_NUM_THREADS=1,
        # as smscan's workers set (scanner.engine.pool.worker_main); with OpenBLAS's default
        # threads the same check took 18.7-22.5 s with either product.
        partial = cv2.gemm(self.descriptors, image, -2.0, None, 0.0, flags=cv2.GEMM_2_T)
        partial += (image**2).sum(axis=1)[None, :]
        rows = np.arange(len(partial))
        index = partial.argmin(axis=1)
        first = partial[rows, index]
        partial[rows, index] = np.inf
        second = partial.min(axis=1)
        return _Nearest(index, self.squared + first, self.squared + second)


class FeatureMatcher:
    """Holds template features; `search` is thread-safe (one SIFT object per thread)."""

    def __init__(self, templates: list[LogoTemplate]) -> None:
        self._local = threading.local()
        self.templates: list[FeatureTemplate] = []
        for template in templates:
            bordered = cv2.copyMakeBorder(template.gray, BORDER, BORDER, BORDER, BORDER, cv2.BORDER_CONSTANT, value=255)
            for inverted in (False, True):
                gray = 255 - bordered if inverted else bordered
                points, descriptors = self._template_features(gray)
                if len(points) < MIN_INLIERS:
                    continue
                self.templates.append(
                    FeatureTemplate(template.label, template.source, inverted, gray, check_image(gray), points,
                                    descriptors)
                )
        self._stacked = _StackedDescriptors(self.templates) if self.templates else None

    def _template_features(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A template's keypoint positions and SIFT descriptors, from the cache when they were computed
        before. SIFT on every template cost 0.4-0.5 s at every start of a process (measured)."""
        found = disk_cache().kept(_feature_key(gray), lambda: self._computed_features(gray), "points", "descriptors")
        return found["points"], found["descriptors"]

    def _computed_features(self, gray: np.ndarray) -> dict[str, np.ndarray]:
        keypoints, descriptors = self._sift().detectAndCompute(gray, None)
        return {
            "points": np.float32([k.pt for k in keypoints]).reshape(-1, 2),
            "descriptors": descriptors if descriptors is not None else np.zeros((0, 128), np.float32),
        }

    def _sift(self) -> cv2.SIFT:
        if not hasattr(self._local, "sift"):
            self._local.sift = cv2.SIFT_create(nfeatures=MAX_FEATURES)
        return self._local.sift

    def search(self, gray: np.ndarray) -> list[FeatureMatch]:
        keypoints, descriptors = self._sift().detectAndCompute(gray, None)
        if descriptors is None or len(keypoints) < MIN_INLIERS or self._stacked is None:
            return []
        points = np.float32([k.pt for k in keypoints])
        nearest = self._stacked.nearest(descriptors)
        found = []
        for template, rows in zip(self.templates, self._stacked.rows, strict=True):
            match = self._match(template, gray, points, nearest, rows)
            if match is not None:
                found.append(match)
        return found

    def _match(
        self, template: FeatureTemplate, gray: np.ndarray, points: np.ndarray, nearest: _Nearest, rows: slice
    ) -> FeatureMatch | None:
        # Lowe's ratio test on distances, written on their squares.
        passed = np.flatnonzero(nearest.first[rows] < RATIO**2 * nearest.second[rows])
        query, train = _one_to_one(passed, nearest.index[rows][passed], nearest.first[rows][passed])
        if len(query) < MIN_INLIERS:
            return None
        source = template.points[query]
        target = points[train]
        fitted = fit_transform(source, target)
        if fitted is None:
            return None
        homography, inliers = fitted
        h, w = template.gray.shape
        corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
        quad = cv2.perspectiveTransform(corners, homography).reshape(4, 2)
        if not plausible_quad(quad, w / h):
            return None
        return FeatureMatch(
            template.label,
            template.source,
            template.inverted,
            quad,
            homography @ np.array([[1.0, 0, BORDER], [0, 1.0, BORDER], [0, 0, 1.0]]),
            int(inliers.sum()),
            _similarity(template, gray, homography),
            _coverage(source[inliers], w, h),
        )


def _one_to_one(query: np.ndarray, train: np.ndarray, distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the best template feature per image feature: a tiny, blurred logo otherwise
    attracts many template features to one image point and RANSAC collapses onto it.

    Pairs (template feature `query`, image feature `train`) in `query` order; the kept pairs come
    in the order their image feature was first matched, the closest (the first of equals) kept,
    because RANSAC's sampling depends on the order of its points."""
    by_train = np.lexsort((query, distance, train))  # per image feature: closest first, then lowest query
    sorted_train = train[by_train]
    first_of_train = np.ones(len(by_train), bool)
    first_of_train[1:] = sorted_train[1:] != sorted_train[:-1]
    best = by_train[first_of_train]
    _, first_seen = np.unique(train, return_index=True)  # where each image feature first appears
    order = np.argsort(first_seen, kind="stable")
    best = best[order]  # np.unique and best are both sorted by image feature
    return query[best], train[best]


def fit_transform(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Template -> image homography and inlier mask, or None.

    A similarity transform (rotation, scale, shift) is fitted first: with few and noisy
    matches its 4 degrees of freedom are far more stable than a homography's 8. The
    homography, refined on its inliers, is kept only where it explains as many of them.
    """
    similarity, mask = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PIXELS
    )
    if similarity is None or mask is None or mask.sum() < MIN_INLIERS:
        return None
    inliers = mask.ravel().astype(bool)
    homography = np.vstack([similarity, [0.0, 0.0, 1.0]])
    if inliers.sum() >= 2 * MIN_INLIERS:
        refined, refined_mask = cv2.findHomography(source[inliers], target[inliers], cv2.RANSAC, RANSAC_PIXELS)
        if refined is not None and refined_mask.sum() >= 0.9 * inliers.sum():
            homography = refined
            inliers[np.flatnonzero(inliers)[~refined_mask.ravel().astype(bool)]] = False
    return homography, inliers


def plausible_quad(quad: np.ndarray, aspect: float) -> bool:
    """A rigid logo seen in a photo: convex, not tiny, limited shear and perspective."""
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return False
    top, right, bottom, left = (np.linalg.norm(quad[(i + 1) % 4] - quad[i]) for i in range(4))
    if min(top, bottom, left, right) < 4:
        return False
    if max(top, bottom) / min(top, bottom) > 2.0 or max(left, right) / min(left, right) > 2.0:
        return False
    seen_aspect = (top + bottom) / (left + right)
    return 0.4 < seen_aspect / aspect < 2.5


def _coverage(points: np.ndarray, width: int, height: int) -> float:
    spread = np.ptp(points[:, 0]) / width
    return float(min(1.0, spread))


def _similarity(template: FeatureTemplate, gray: np.ndarray, homography: np.ndarray) -> float:
    return similarity_at(template.check, template.gray.shape, gray, homography, False)


def similarity_at(
    check: np.ndarray,
    shape: tuple[int, ...],
    gray: np.ndarray,
    homography: np.ndarray,
    inverted: bool,
    keep: np.ndarray | None = None,
) -> float:
    """Correlation between a template (as `check_image` made it, with the same `keep`)
    and the image region that `homography` (template pixel -> image pixel) maps it onto."""
    scale = CHECK_WIDTH / shape[1]
    warp = homography @ np.linalg.inv(np.diag([scale, scale, 1.0]))  # check px -> image px
    size = (check.shape[1], check.shape[0])
    region = cv2.warpPerspective(
        gray, warp, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    if inverted:
        region = 255 - region
    region = zero_mean_unit(cv2.GaussianBlur(region, (0, 0), 1.2), keep)
    return float((region * check).sum())


def refine_and_compare(
    check: np.ndarray,
    shape: tuple[int, ...],
    gray: np.ndarray,
    homography: np.ndarray,
    inverted: bool,
    keep: np.ndarray,
) -> tuple[float, np.ndarray]:
    """`similarity_at` after refining a rough pose (e.g. from the flag symbol alone) with
    ECC image alignment, so that perspective across a wide signature is followed.
    Returns the better similarity and its homography."""
    rough = similarity_at(check, shape, gray, homography, inverted, keep)
    scale = CHECK_WIDTH / shape[1]
    to_check = np.diag([scale, scale, 1.0])
    from_check = homography @ np.linalg.inv(to_check)  # check px -> image px
    size = (check.shape[1], check.shape[0])
    region = cv2.warpPerspective(
        gray, from_check, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    if inverted:
        region = 255 - region
    region = cv2.GaussianBlur(region, (0, 0), 1.2).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, ECC_ITERATIONS, 1e-4)
    try:
        _, step = cv2.findTransformECC(
            check, region, np.eye(3, dtype=np.float32), cv2.MOTION_HOMOGRAPHY, criteria, keep.astype(np.uint8), 1
        )
    except cv2.error:
        return rough, homography  # did not converge: keep the rough pose
    refined = from_check @ step.astype(np.float64) @ to_check
    if not np.isfinite(refined).all():
        return rough, homography
    similarity = similarity_at(check, shape, gray, refined, inverted, keep)
    return (similarity, refined) if similarity > rough else (rough, homography)
