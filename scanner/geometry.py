"""Boxes on a page raster: x0, y0, x1, y1 in pixels, x1 and y1 exclusive. One set of operations for
every check, the engine and the fix-it copy."""

from __future__ import annotations

from collections.abc import Iterable

BBox = tuple[int, int, int, int]


def box_union(boxes: Iterable[BBox]) -> BBox | None:
    """The smallest box holding them all; None for no boxes."""
    listed = list(boxes)
    if not listed:
        return None
    return (
        min(b[0] for b in listed),
        min(b[1] for b in listed),
        max(b[2] for b in listed),
        max(b[3] for b in listed),
    )


def area(box: BBox) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def intersection(a: BBox, b: BBox) -> int:
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def iou(a: BBox, b: BBox) -> float:
    """Intersection over union: 1 for the same box, 0 for boxes apart."""
    inter = intersection(a, b)
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def overlap_of_smaller(a: BBox, b: BBox) -> float:
    """Intersection over the smaller box: 1 when one box holds the other."""
    smaller = min(area(a), area(b))
    return intersection(a, b) / smaller if smaller > 0 else 0.0


def overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def shifted(box: BBox, origin: BBox) -> BBox:
    """The box in the coordinates of a crop whose top-left corner is origin's."""
    return (box[0] - origin[0], box[1] - origin[1], box[2] - origin[0], box[3] - origin[1])


def grown(box: tuple[float, float, float, float], size: tuple[int, int], left: float, top: float,
          right: float | None = None, bottom: float | None = None) -> BBox:
    """The box grown by fractions of its own width (left, right) and height (top, bottom), kept
    inside an image of `size` = (width, height). Right and bottom default to left and top."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    right = left if right is None else right
    bottom = top if bottom is None else bottom
    return (
        max(0, int(x0 - width * left)),
        max(0, int(y0 - height * top)),
        min(size[0], int(x1 + width * right)),
        min(size[1], int(y1 + height * bottom)),
    )
