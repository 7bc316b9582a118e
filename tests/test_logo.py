"""Logo detector (guideline 2.3): composed cases from the official and drawn templates,
decoys that must stay silent, user templates, and the shared evaluation files if present."""

from __future__ import annotations

import csv
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from scanner.detectors.logo import detector as logo_detector
from scanner.detectors.logo import draw, features, flag, learned
from scanner.detectors.logo.detector import LogoDetector
from scanner.detectors.logo.locations import OFFICIAL_SVGS, missing_official
from scanner.detectors.logo.templates import label_for, load_templates
from scanner.model import Finding
from tests.logo_cases import (
    Distortion,
    artwork_rgb,
    austria_flag,
    colour_flag_artwork,
    compose,
    flag_without_leaf,
    national_flag,
    official_artwork,
    page_of,
    peru_flag,
    red_bars,
    screen_photo,
    statcan_artwork,
    text_lines,
)
from tests.logo_cases import scene as scene_background
from tools.logo import artwork

BLOCKING = 0.5  # findings at or above this confidence are meant to block by default
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

needs_official = pytest.mark.skipif(
    bool(missing_official()), reason="official templates not installed (smscan setup templates)"
)


@pytest.fixture(scope="module")
def detector() -> LogoDetector:
    cv2.setNumThreads(1)
    return LogoDetector()


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.confidence >= BLOCKING]


def assert_found(findings: list[Finding], label: str, image: np.ndarray, or_label: str | None = None) -> None:
    hits = [f for f in blocking(findings) if f.label in (label, or_label)]
    assert hits, f"expected {label}, got {[(f.label, f.confidence) for f in findings]}"
    x0, y0, x1, y1 = hits[0].bbox
    assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
    assert hits[0].kind == "logo" and hits[0].detail


# --- templates --------------------------------------------------------------------------


def test_labels_come_from_file_names() -> None:
    assert label_for("sig-blk-fr") == "gc-signature"
    assert label_for("wmms-spl-en") == "canada-wordmark"
    assert label_for("my-department") == "my-department"


def test_drawn_templates_always_available(tmp_path: Path) -> None:
    labels = {t.label for t in load_templates(tmp_path)}
    assert labels == {"statcan-signature"}


@needs_official
def test_official_templates_installed_and_rendered() -> None:
    templates = load_templates()
    sources = {t.source for t in templates}
    assert {f"{n}.svg" for n in OFFICIAL_SVGS} <= sources
    for template in templates:
        assert template.gray.shape[1] > 300 and template.gray.min() < 60 and template.gray.max() > 200


def test_every_official_template_has_its_flag_symbol_located(detector: LogoDetector) -> None:
    anchored = {a.template.source for a in detector.anchors}
    expected = {t.source for t in detector.templates}
    assert anchored == expected


# --- composed positives -------------------------------------------------------------------

OFFICIAL_CASES = {
    "signature jpeg q50 rotated": ("sig-blk-en", False, Distortion(0.3, 15, jpeg=50)),
    "signature colour 12% wide": ("sig-blk-fr", True, Distortion(0.12, -8, jpeg=70)),
    "signature perspective": ("sig-blk-en", False, Distortion(0.35, -12, tilt=0.25)),
    "signature cut off": ("sig-blk-en", False, Distortion(0.4, 0, keep=0.6)),
    "signature inverted rotated 20": ("sig-blk-fr", False, Distortion(0.2, 20, invert=True, jpeg=60)),
    "signature blurred": ("sig-blk-en", True, Distortion(0.25, 4, blur=2.0, jpeg=50)),
    "wordmark inverted": ("wmms-spl-en", False, Distortion(0.25, 10, invert=True)),
    "wordmark 10% wide blurred": ("wmms-spl-fr", False, Distortion(0.1, 5, blur=1.5, jpeg=50)),
    "wordmark colour rotated -20": ("wmms-spl-en", False, Distortion(0.3, -20, jpeg=50)),
}


def test_stacked_matching_finds_what_a_brute_force_matcher_finds(detector: LogoDetector) -> None:
    """The one-product nearest search must give the brute-force matcher's nearest features and
    distances, template by template, on a busy scene with a logo in it."""
    image = compose(statcan_artwork(), Distortion(0.3, 12, jpeg=50))
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    _, descriptors = cv2.SIFT_create().detectAndCompute(gray, None)
    stacked = detector.features._stacked
    nearest = stacked.nearest(descriptors)
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    for template, rows in zip(detector.features.templates, stacked.rows, strict=True):
        pairs = matcher.knnMatch(template.descriptors, descriptors, k=2)
        assert [p[0].trainIdx for p in pairs] == nearest.index[rows].tolist()
        assert np.allclose([p[0].distance for p in pairs], np.sqrt(nearest.first[rows]), atol=1e-3)
        assert np.allclose([p[1].distance for p in pairs], np.sqrt(nearest.second[rows]), atol=1e-3)


def test_one_template_feature_kept_per_image_feature_in_the_order_first_matched() -> None:
    """Template features 0-5 matched to image features 7, 3, 7, 9, 3, 7: per image feature the
    closest is kept (the first of equals), in the order the image features were first matched,
    as RANSAC's sampling depends on the order of its points."""
    query = np.array([0, 1, 2, 3, 4, 5])
    train = np.array([7, 3, 7, 9, 3, 7])
    distance = np.array([5.0, 2.0, 4.0, 1.0, 2.0, 4.0])
    kept_query, kept_train = features._one_to_one(query, train, distance)
    assert kept_train.tolist() == [7, 3, 9]
    assert kept_query.tolist() == [2, 1, 3]


@needs_official
@pytest.mark.parametrize("case", list(OFFICIAL_CASES))
def test_official_logo_found(detector: LogoDetector, case: str) -> None:
    name, colour, distortion = OFFICIAL_CASES[case]
    artwork = official_artwork(name)
    assert artwork is not None
    image = compose(colour_flag_artwork(artwork) if colour else artwork, distortion)
    label = "gc-signature" if name.startswith("sig") else "canada-wordmark"
    # Cut or blurred, the GC signature matches its artwork loosely, as other departments'
    # signatures do: it may then be named for what it surely is (see NAMED_SIMILARITY).
    loose = distortion.keep < 1 or distortion.blur > 0
    assert_found(detector.detect(page_of(image)), label, image, "departmental-signature" if loose else label)


@needs_official
def test_gc_signature_named_when_clear(detector: LogoDetector) -> None:
    image = compose(official_artwork("sig-blk-en"), Distortion(0.35, 5, jpeg=70))
    assert [f.label for f in blocking(detector.detect(page_of(image)))] == ["gc-signature"]


@pytest.mark.parametrize(
    "distortion",
    [Distortion(0.3, 7, jpeg=70), Distortion(0.15, -15, jpeg=50), Distortion(0.25, 0, invert=True)],
    ids=["plain", "small-rotated", "inverted"],
)
def test_statcan_signature_found(detector: LogoDetector, distortion: Distortion) -> None:
    image = compose(colour_flag_artwork(statcan_artwork()), distortion)
    assert_found(detector.detect(page_of(image)), "statcan-signature", image)


def test_user_template_is_used_and_labelled_by_file_name(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    artwork = np.full((200, 600), 255, np.uint8)
    for _ in range(40):  # a made-up emblem: random dark strokes and discs
        p, q = rng.integers(0, (600, 200), 2), rng.integers(0, (600, 200), 2)
        cv2.line(artwork, tuple(map(int, p)), tuple(map(int, q)), 0, int(rng.integers(2, 8)))
        cv2.circle(artwork, tuple(map(int, q)), int(rng.integers(5, 20)), 60, -1)
    cv2.imwrite(str(tmp_path / "my-department.png"), artwork)
    custom = LogoDetector(load_templates(tmp_path))
    image = compose(artwork, Distortion(0.25, 12, jpeg=60))
    assert_found(custom.detect(page_of(image)), "my-department", image)


@needs_official
@pytest.mark.parametrize("name", ["sig-blk-fr", "wmms-spl-en"])
def test_photo_of_a_screen(detector: LogoDetector, name: str) -> None:
    artwork = official_artwork(name)
    assert artwork is not None
    image = screen_photo(compose(artwork, Distortion(0.2, 6, tilt=0.1)))
    label = "gc-signature" if name.startswith("sig") else "canada-wordmark"
    assert_found(detector.detect(page_of(image)), label, image)


def test_detect_is_thread_safe(detector: LogoDetector) -> None:
    images = [compose(colour_flag_artwork(statcan_artwork()), Distortion(0.2 + 0.05 * i, 5 * i)) for i in range(4)]
    expected = [[f.label for f in detector.detect(page_of(im))] for im in images]
    with ThreadPoolExecutor(max_workers=4) as pool:
        labels = list(pool.map(lambda im: [f.label for f in detector.detect(page_of(im))], images))
    assert labels == expected == [["statcan-signature"]] * 4


# --- decoys -------------------------------------------------------------------------------

DECOYS = {
    "peru flag": (peru_flag(), Distortion(0.2, 5)),
    "peru flag large": (peru_flag(), Distortion(0.5, 0)),
    "austria flag": (austria_flag(), Distortion(0.25, -5)),
    "red bars": (red_bars(), Distortion(0.2)),
    "two red bars": (red_bars(count=2), Distortion(0.15, 10)),
    "government text": (text_lines(["Government of Canada", "Gouvernement du Canada"]), Distortion(0.4)),
    "statistics text": (text_lines(["Statistics Canada", "Statistique Canada"]), Distortion(0.3, 5)),
    "canada text": (text_lines(["Canada"], size=80), Distortion(0.3)),
    "empty scene": (np.full((10, 10), 255, np.uint8), Distortion(0.01)),
    "1:2:1 bars without leaf": (flag_without_leaf(), Distortion(0.25, 8)),
}


@pytest.mark.parametrize("case", list(DECOYS))
def test_decoy_not_reported(detector: LogoDetector, case: str) -> None:
    artwork, distortion = DECOYS[case]
    image = compose(artwork, distortion)
    assert blocking(detector.detect(page_of(image))) == []


def test_national_flag_alone_is_reported_low(detector: LogoDetector) -> None:
    image = compose(national_flag(), Distortion(0.3, 5, jpeg=70))
    findings = detector.detect(page_of(image))
    assert [f.label for f in findings] == ["canada-flag"]
    assert findings[0].confidence < BLOCKING


@pytest.mark.parametrize(
    "distortion", [Distortion(0.5, -12, tilt=0.2), Distortion(0.7, 5, jpeg=60, invert=True)], ids=["black", "white"]
)
def test_large_symbol_found_by_its_shape_on_the_small_copy(detector: LogoDetector, distortion: Distortion) -> None:
    """A symbol half the photo wide is found by the shape search, which runs on the 800 px copy,
    and its box is put back where the symbol is on the page (inside its plate, most of it)."""
    grey = 150
    image = compose(draw.flag_symbol(200, colour=draw.BLACK), distortion, np.full((1200, 1600, 3), grey, np.uint8))
    ys, xs = np.nonzero(np.abs(image.astype(int) - grey).sum(axis=2) > 30)
    plate = (xs.min(), ys.min(), xs.max(), ys.max())
    findings = detector.detect(page_of(image))
    assert [(f.label, f.detail.split(" (")[0]) for f in findings] == [("flag-symbol", "flag-symbol shape")]
    x0, y0, x1, y1 = findings[0].bbox
    slack = 0.02 * image.shape[1]
    assert plate[0] - slack <= x0 < x1 <= plate[2] + slack and plate[1] - slack <= y0 < y1 <= plate[3] + slack
    assert (x1 - x0) * (y1 - y0) >= 0.35 * (plate[2] - plate[0]) * (plate[3] - plate[1])


def _verdict(verified: float, shape: float, **probabilities: float) -> learned.Verdict:
    proposal = learned.Proposal((50.0, 50.0), 10.0, 0.0, 0.9, 0, shape=shape, verified=verified)
    full = {kind: probabilities.get(kind, 0.0) for kind in learned.JUDGE_CLASSES}
    full["none"] = 1.0 - sum(full.values())
    return learned.Verdict(proposal, full, (-1.0, 1.0))


@pytest.mark.parametrize(
    ("verified", "shape", "probabilities", "accepted"),
    [
        (0.9, 0.5, {"signature": 0.6}, ("signature", 0.6)),  # verified, judged part of artwork
        (0.9, 0.5, {"symbol": 0.3}, None),  # verified, judged a false find
        (0.999, 0.0, {"symbol": 0.3}, ("symbol", 0.999)),  # the verifier sure on its own
        (0.5, 0.3, {"wordmark": 0.98}, ("wordmark", 0.98)),  # a blur to the verifier, sure to the judge
        (0.5, 0.0, {"wordmark": 0.98}, None),  # ... but nothing of the symbol's shape: a line of text
        (0.5, 0.3, {"wordmark": 0.9}, None),  # ... the judge not sure enough
        (0.5, 0.3, {"symbol": 0.99}, None),  # ... a symbol alone needs the verifier
        (0.3, 0.3, {"signature": 0.99}, None),  # ... below what the judge is asked about at all
    ],
)
def test_which_finds_are_taken_for_artwork(
    verified: float, shape: float, probabilities: dict, accepted: tuple | None
) -> None:
    result = logo_detector._accepted_verdict(_verdict(verified, shape, **probabilities))
    if accepted is None:
        assert result is None
    else:
        assert result is not None and result[0] == accepted[0] and result[1] == pytest.approx(accepted[1])


def test_black_flag_symbol_alone_is_a_corporate_symbol(detector: LogoDetector) -> None:
    image = compose(draw.flag_symbol(200, colour=draw.BLACK), Distortion(0.15, 10))
    assert_found(detector.detect(page_of(image)), "flag-symbol", image)


@pytest.mark.parametrize("width_fraction", [0.1, 0.45])
def test_symbol_in_another_colour_is_the_corporate_symbol(detector: LogoDetector, width_fraction: float) -> None:
    """Only the national flag's red makes a lone symbol a flag: a blue one is the corporate symbol,
    whether the finder (small) or the shape search (large) finds it."""
    image = compose(draw.flag_symbol(200, colour=(0.1, 0.25, 0.65)), Distortion(width_fraction, 5))
    findings = detector.detect(page_of(image))
    assert [f.label for f in blocking(findings)] == ["flag-symbol"], findings
    assert "canada-flag" not in [f.label for f in findings]


def test_black_symbol_on_a_red_photo_is_the_corporate_symbol(detector: LogoDetector) -> None:
    """Red around the symbol is not a red symbol: its own bars and leaf decide."""
    image = np.zeros((700, 1000, 3), np.uint8)
    image[..., 0] = np.linspace(200, 255, 1000, dtype=np.uint8)  # red to pink, as a sunset
    image[..., 1] = np.linspace(40, 150, 700, dtype=np.uint8)[:, None]
    image[..., 2] = 60
    symbol = draw.flag_symbol(400, colour=(0.1, 0.0, 0.0), margin=0.0)
    ink = symbol.min(axis=2) < 128
    image[150 : 150 + symbol.shape[0], 100 : 100 + symbol.shape[1]][ink] = symbol[ink]
    findings = detector.detect(page_of(image))
    assert [f.label for f in blocking(findings)] == ["flag-symbol"], findings


def test_red_symbol_found_on_a_page_that_has_a_black_one() -> None:
    """The red layer is searched even after the dark layer found a symbol."""
    page = np.full((400, 900, 3), 255, np.uint8)
    black = draw.flag_symbol(120, colour=draw.BLACK)
    page[40 : 40 + black.shape[0], 40 : 40 + black.shape[1]] = black
    # On a grey as bright as the FIP red, only its colour sets the red symbol apart.
    red = draw.flag_symbol(120)
    fip_red = np.uint8([[draw.FIP_RED_RGB]])
    level = int(cv2.cvtColor(fip_red, cv2.COLOR_RGB2GRAY)[0, 0])
    red[(red == 255).all(axis=2)] = level
    page[200 : 200 + red.shape[0], 400 : 400 + red.shape[1]] = red
    found = flag.find_flag_symbols(page, cv2.cvtColor(page, cv2.COLOR_RGB2GRAY))
    assert sorted((f.polarity, f.red) for f in found) == [("dark", False), ("red", True)]


# --- every FIP signature, not only the installed artwork ------------------------------------

SANS = artwork._fonts("sans")[0]
SIGNATURES = {
    # Titles never drawn for training (the held-out list), in the FIP layouts.
    "parks two columns": (
        artwork.signature([("Parks", "Canada"), ("Parcs", "Canada")], SANS),
        Distortion(0.3, 6, jpeg=60),
    ),
    "health french first": (artwork.signature([("Santé", "Canada"), ("Health", "Canada")], SANS), Distortion(0.2, -10)),
    "archives stacked": (
        artwork.signature(
            [("Library and Archives Canada",), ("Bibliothèque et Archives Canada",)], SANS, columns=False
        ),
        Distortion(0.45, 4, tilt=0.2, jpeg=50),
    ),
    "veterans inverted": (
        artwork.signature([("Veterans Affairs", "Canada"), ("Anciens Combattants", "Canada")], SANS),
        Distortion(0.35, -15, invert=True, jpeg=60),
    ),
}


@pytest.mark.parametrize("case", list(SIGNATURES))
def test_departmental_signature_found(detector: LogoDetector, case: str) -> None:
    art, distortion = SIGNATURES[case]
    image = compose(artwork_rgb(art), distortion)
    hits = blocking(detector.detect(page_of(image)))
    assert hits, f"no blocking finding for {case}"
    # Never named for the GC or StatCan signature, which share its typeface and layout.
    assert [f.label for f in hits] == ["departmental-signature"]


def test_drawn_wordmark_found(detector: LogoDetector) -> None:
    image = compose(artwork_rgb(artwork.drawn_wordmark(artwork._fonts("serif")[0])), Distortion(0.3, -7, jpeg=50))
    assert_found(detector.detect(page_of(image)), "canada-wordmark", image)


def test_translucent_signature_on_dark_photo(detector: LogoDetector) -> None:
    """The flag half-transparent over a dark, textured scene (a miss of the shape finder)."""
    background = (scene_background(seed=4) * 0.3).astype(np.uint8)
    art = artwork_rgb(artwork.signature([("Statistics", "Canada"), ("Statistique", "Canada")], SANS))
    image = compose(art, Distortion(0.3, 10, invert=True, jpeg=50), background)
    assert blocking(detector.detect(page_of(image)))


def _tight_strip(art, height: int) -> np.ndarray:
    """A signature file cut to its ink, as web pages and forms ship them: the flag symbol touches
    the top, bottom and left edges, and the picture is 8-14 times as wide as it is tall."""
    rgb = artwork_rgb(art)
    (left, top), (_, bottom) = np.round(art.quad[0]).astype(int), np.round(art.quad[2]).astype(int)
    columns = np.nonzero((rgb < 200).any(axis=(0, 2)))[0]
    cut = rgb[top:bottom, left : columns.max() + 1]
    width = round(cut.shape[1] * height / cut.shape[0])
    return cv2.resize(cut, (width, height), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize(
    ("titles", "height"),
    [
        ([("Statistics", "Canada"), ("Statistique", "Canada")], 144),
        ([("Immigration, Réfugiés", "et Citoyenneté Canada"), ("Immigration, Refugees", "and Citizenship Canada")], 88),
        ([("Parks", "Canada"), ("Parcs", "Canada")], 120),
    ],
    ids=["statcan-144px", "ircc-french-first-88px", "parks-120px"],
)
@pytest.mark.parametrize("font", artwork._fonts("sans"), ids=lambda f: Path(f).stem)
def test_signature_cut_tight_to_its_flag_found(titles: list, height: int, font: str) -> None:
    """By the flag symbol and the titles beside it, with no artwork to match (as for a department
    no template knows): before the working raster was framed, none of these nine was found."""
    image = _tight_strip(artwork.signature(titles, font, 96), height)
    assert image.shape[1] > 5 * image.shape[0]
    hits = blocking(_detector_without_artwork().detect(page_of(image)))
    assert hits, f"no blocking finding on a {image.shape[1]} x {image.shape[0]} strip"
    x0, _, x1, _ = hits[0].bbox
    assert x0 < height and x1 > image.shape[1] / 2  # the box lies on the strip, from the flag rightwards


@functools.cache
def _detector_without_artwork() -> LogoDetector:
    return LogoDetector(templates=[])


NEW_DECOYS = {
    "lebanon flag": artwork.lebanon(120),
    "maple leaf on a badge": artwork.maple_leaf(120, "circle"),
    "maple leaf alone": artwork.maple_leaf(120, "none"),
    "another government's crest": artwork.crest(np.random.default_rng(3), 80, "Home Office", SANS),
    "another wordmark": artwork.other_wordmark(np.random.default_rng(5), "Ontario", artwork._fonts("serif")[0], 60),
    "canada in a serif": artwork.words(("Canada",), artwork._fonts("serif")[0], 120),
    "department titles without symbol": artwork.words(("Parks Canada", "Parcs Canada"), SANS, 80),
}
RED_WORDS = {
    "a red stamp": text_lines(["PROTECTED B"], colour=draw.FIP_RED_RGB, framed=True),
    "a two-line red stamp": text_lines(["DRAFT", "ÉBAUCHE"], colour=(200, 30, 40), framed=True),
    "a red heading": text_lines(["Key findings"], colour=draw.FIP_RED_RGB),
}


@pytest.mark.parametrize("case", list(NEW_DECOYS))
@pytest.mark.parametrize("width", [0.15, 0.4])
def test_new_decoys_not_reported(detector: LogoDetector, case: str, width: float) -> None:
    image = compose(artwork_rgb(NEW_DECOYS[case]), Distortion(width, 6, jpeg=60))
    assert blocking(detector.detect(page_of(image))) == []


@pytest.mark.parametrize("case", list(RED_WORDS))
@pytest.mark.parametrize("width", [0.15, 0.4])
@pytest.mark.parametrize("turn", [4, 20])
def test_red_words_are_not_the_flag_symbol(detector: LogoDetector, case: str, width: float, turn: int) -> None:
    """Red and blocky is not the symbol: stamps and headings in a red close to the flag's, also
    turned as far as the second look turns a find."""
    image = compose(RED_WORDS[case], Distortion(width, turn, jpeg=60))
    assert blocking(detector.detect(page_of(image))) == []


def test_a_find_handed_over_at_the_wrong_angle_is_taken_on_a_second_look(detector: LogoDetector) -> None:
    """A signature turned -21° whose find says 0°: the verifier refuses it as handed over, and
    takes it at the turn the second look tries."""
    from tools.logo import compose as composing

    scene = np.full((480, 900, 3), 235, np.uint8)
    art = artwork.signature([("Statistics", "Canada"), ("Statistique", "Canada")], "helv", 48)
    placed = composing.place(np.random.default_rng(0), scene, art, 24.0, (300.0, 240.0), -21.0, scheme="colour",
                             plate="none")
    gray = cv2.cvtColor(scene, cv2.COLOR_RGB2GRAY)
    levels = learned.pyramid(scene)
    handed_over = learned.Proposal((float(placed.centre[0]), float(placed.centre[1])), placed.flag_height, 0.0, 0.9, 0)
    as_handed_over = handed_over.fitted(scene, gray)
    assert detector.models.verify(levels, [as_handed_over])[0] < logo_detector.MIN_VERIFIED
    [(verdict, kind, probability)] = detector._turned_verdicts(levels, scene, gray, [handed_over])
    assert kind == "signature" and probability >= logo_detector.SURE_ARTWORK
    assert abs(np.degrees(verdict.proposal.angle) + 21) < 4


# --- the shipped models -------------------------------------------------------------------


def test_models_are_shipped_small_with_their_recipe() -> None:
    folder = learned.MODEL_DIR
    recipe = learned.LearnedModels(folder).recipe
    for name in learned.NETWORK_FILES:
        assert (folder / name).stat().st_size < 5 * 2**20
        assert recipe["sha256"][name] == learned.model_sha256(folder / name)
    for network in ("finder", "judge", "verifier"):
        assert recipe["networks"][network]["command"].startswith("python -m tools.logo.train")
    # The judge and the verifier learned from the finds of the very finder shipped with them.
    for network in ("judge", "verifier"):
        assert recipe["networks"][network]["mined_with_finder"] == recipe["sha256"][learned.FINDER_FILE]


def test_an_installation_without_its_networks_cannot_start_the_check(tmp_path: Path) -> None:
    """Exit 69 with what to do, never a logo check quietly without its trained part."""
    (tmp_path / learned.FINDER_FILE).write_bytes((learned.MODEL_DIR / learned.FINDER_FILE).read_bytes())
    missing = r"verifier\.onnx, judge\.onnx are not in .*reinstall"
    with pytest.raises(learned.LogoModelsMissing, match=missing) as caught:
        learned.LearnedModels(tmp_path)
    assert caught.value.exit_code == 69


@pytest.mark.slow
def test_training_recipe_runs_end_to_end(tmp_path: Path) -> None:
    """The recipe at a tiny scale: pictures made, the three networks trained and exported, and the
    exported files loaded by the detector through OpenCV."""
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from tools.logo import train

    assert (
        train.main(
            [
                *("--out", str(tmp_path), "--steps", "2", "--judge-steps", "2", "--verifier-steps", "2"),
                *("--batch", "2", "--workers", "0", "--max-photos", "0", "--quick"),
            ]
        )
        == 0
    )
    models = learned.LearnedModels(tmp_path)
    assert set(models.recipe["sha256"]) == set(learned.NETWORK_FILES)
    # The finder is trained first and the judge and verifier learn from where it fires.
    for network in ("judge", "verifier"):
        assert models.recipe["networks"][network]["mined_with_finder"] == models.recipe["sha256"][learned.FINDER_FILE]
    image = compose(artwork_rgb(artwork.symbol(60)), Distortion(0.2))
    findings = LogoDetector(models=models).detect(page_of(image))
    assert all(f.kind == "logo" for f in findings)


def test_building_a_set_without_its_photos_names_the_packages(monkeypatch, tmp_path: Path) -> None:
    """Without the Debian wallpapers the held-out set is composed on, the tool says which packages
    to install (it used to die deep in NumPy with "high <= 0")."""
    from tools.logo import compose as composing
    from tools.logo import heldout

    monkeypatch.setattr(composing, "photo_files", lambda roots: [])
    with pytest.raises(SystemExit, match="apt-get install ukui-wallpapers"):
        heldout.build(tmp_path, logos=1, decoys=0)
    assert not list(tmp_path.iterdir())


def test_network_input_is_each_channel_scaled_to_plus_minus_a_half() -> None:
    """The networks were trained on x / 255 - 0.5, channel planes first: the input they are given
    must be exactly that, whatever way it is computed."""
    images = [np.random.default_rng(seed).integers(0, 256, (7, 11, 3), dtype=np.uint8) for seed in (1, 2)]
    blob = learned.to_blob(images)
    assert blob.shape == (2, 3, 7, 11) and blob.dtype == np.float32 and blob.flags["C_CONTIGUOUS"]
    for n, image in enumerate(images):
        for channel in range(3):
            expected = image[:, :, channel].astype(np.float32) / np.float32(255) - np.float32(0.5)
            assert np.array_equal(blob[n, channel], expected)


def test_mined_windows_are_labelled_by_the_symbol_they_lie_on() -> None:
    """A finder's proposal on a signature's symbol teaches "signature"; one beside it, "none";
    one half on it (wrong size or off centre) teaches nothing."""
    pytest.importorskip("torch")
    from tools.logo import compose as composing
    from tools.logo import train

    scene = np.full((200, 480, 3), 255, np.uint8)
    art = artwork.signature([("Statistics", "Canada"), ("Statistique", "Canada")], "helv", 48)
    placed = composing.place(np.random.default_rng(0), scene, art, 12.0, (150.0, 100.0), scheme="black", plate="none")
    centre = (float(placed.centre[0]), float(placed.centre[1]))
    on = learned.Proposal(centre, placed.flag_height, 0.0, 0.9, 0)
    label, extent = train._truth_at(on, [placed])
    assert learned.JUDGE_CLASSES[label] == "signature" and extent[1] > 0.5  # titles run right of it
    beside = learned.Proposal((centre[0] + 40, centre[1]), 12.0, 0.0, 0.9, 0)
    assert train._truth_at(beside, [placed])[0] == 0
    assert train._truth_at(learned.Proposal(centre, 2.5 * placed.flag_height, 0.0, 0.9, 0), [placed]) is None
    assert train._truth_at(learned.Proposal((centre[0] + 8, centre[1]), 12.0, 0.0, 0.9, 0), [placed]) is None


# --- shared evaluation files (skipped when ../shared is absent) ---------------------------

SHARED_SAMPLE = [
    "dev/logo/photo_03.jpg",  # wordmark, 20% wide
    "dev/logo/photo_09.jpg",  # inverted signature
    "dev/logo/photo_11.jpg",  # inverted signature, 10% wide
    "logos/gcds/sig-blk-fr-colour.png",
    "dev/neg/decoy_peru_00.jpg",
    "dev/neg/decoy_austria_07.jpg",
    "dev/neg/decoy_bars_13.jpg",
    "dev/neg/decoy_text_06.jpg",
    "dev/neg/photo_01.jpg",
    "dev/face/astronaut_2.jpg",  # smiles: lips round teeth look like red-white-red bars to the finder
    "dev/face/pasted_02.jpg",
    "dev/marking/doc_34.png",  # a red "PROTECTED" stamp turned ~20°: a signature to the second look at 0.95
]


def _expected() -> dict[str, bool]:
    with open(SHARED / "labels.csv", newline="") as handle:
        return {row["path"]: "logo" in row["kinds"].split(";") for row in csv.DictReader(handle)}


@pytest.mark.parametrize("path", SHARED_SAMPLE)
def test_shared_files(detector: LogoDetector, path: str) -> None:
    if not (SHARED / "labels.csv").is_file():
        pytest.skip("shared evaluation data absent")
    bgr = cv2.imread(str(SHARED / path))
    rgb = np.ascontiguousarray(bgr[..., ::-1])
    found = bool(blocking(detector.detect(page_of(rgb))))
    assert found == _expected()[path]


@pytest.mark.parametrize("shape", [(1, 1, 3), (3, 5000, 3), (4000, 2, 3), (40, 40, 3)])
def test_degenerate_pages_give_no_findings(detector: LogoDetector, shape: tuple[int, int, int]) -> None:
    noise = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    assert detector.detect(page_of(noise)) == []


def test_registered_as_a_check() -> None:
    from scanner.detectors import registry

    spec = registry().checks["logo"]
    assert isinstance(spec.build(), LogoDetector)
    assert [kind.name for kind in spec.kinds] == ["logo"] and spec.kinds[0].section == "2.3"


def test_evaluation_counts_found_logos_and_false_blocks(monkeypatch, tmp_path: Path, capsys) -> None:
    """The figures in the README come from `tools/logo/evaluate.py`: a logo found, a decoy passed,
    a decoy blocked counted against the check, each in its column's breakdown."""
    from tools.logo import evaluate

    pictures = {
        "logo.png": compose(statcan_artwork(), Distortion(0.3, 5)),
        "decoy.png": compose(peru_flag(), Distortion(0.2, 5)),
        "blocked-decoy.png": compose(statcan_artwork(), Distortion(0.3)),  # labelled wrong on purpose
    }
    for name, image in pictures.items():
        cv2.imwrite(str(tmp_path / name), image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    (tmp_path / "labels.csv").write_text(
        "path,expect,kinds,group,symbol\n"
        "logo.png,block,logo,logo,statcan-signature\n"
        "decoy.png,pass,,neg,\n"
        "blocked-decoy.png,pass,,neg,\n"
    )
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    # --threads 0 leaves OpenCV's threads as they are: the default would set this process to one.
    assert evaluate.main([str(tmp_path / "labels.csv"), "--threads", "0", "--misses"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("logos found 1/1; false blocks 1/2; ")
    assert "found logos named as their symbol: 1/1" in printed
    assert "false block: blocked-decoy.png ['statcan-signature']" in printed
    assert "  neg                              false blocks 1/2" in printed
