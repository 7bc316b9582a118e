"""What the logo check derives from its templates (rendered SVGs, drawn signatures, SIFT features) is
cached on disk by what it is computed from: the cached arrays are the ones computed, a changed input is
a new key (never a stale entry), a folder that cannot be written only means no cache, and a process
whose cache is warm does not load MuPDF to check a picture."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from scanner.detectors.logo import diskcache, draw, templates
from scanner.detectors.logo.diskcache import ArrayCache
from scanner.detectors.logo.features import FeatureMatcher
from scanner.detectors.logo.templates import LogoTemplate


def template(width: int = 320) -> LogoTemplate:
    rgb = draw.statcan_signature(height=width // 8)
    return LogoTemplate("statcan-signature", "drawn", rgb.mean(axis=2).astype(np.uint8))


@pytest.fixture
def cache(tmp_path, monkeypatch) -> ArrayCache:
    chosen = ArrayCache(tmp_path)
    monkeypatch.setattr(diskcache, "_cache", chosen)
    return chosen


def test_features_from_the_cache_are_the_ones_computed(cache, tmp_path) -> None:
    fresh = FeatureMatcher([template()]).templates
    assert len(list(tmp_path.iterdir())) == 2  # the template and its inverted copy
    again = FeatureMatcher([template()]).templates
    for a, b in zip(fresh, again, strict=True):
        assert np.array_equal(a.points, b.points) and np.array_equal(a.descriptors, b.descriptors)


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="100%" height="100%">'
       b'<rect x="10" y="10" width="80" height="80" fill="#ea2d37"/></svg>')


def test_rendered_and_drawn_artwork_from_the_cache_is_what_was_drawn(cache, tmp_path) -> None:
    rendered = templates.render_svg(SVG, 200)
    drawn = draw.kept(draw.flag_symbol, height=40, colour=draw.BLACK, margin=0.0)
    assert len(list(tmp_path.iterdir())) == 2
    assert np.array_equal(templates.render_svg(SVG, 200), rendered)
    assert np.array_equal(draw.kept(draw.flag_symbol, height=40, colour=draw.BLACK, margin=0.0), drawn)
    assert np.array_equal(drawn, draw.flag_symbol(height=40, colour=draw.BLACK, margin=0.0))
    assert rendered.shape == (100, 200) and rendered[50, 50] < 200 and rendered[50, 150] == 255


def test_a_changed_input_is_a_new_entry_not_a_stale_one(cache, tmp_path) -> None:
    templates.render_svg(SVG, 200)
    changed = SVG.replace(b"#ea2d37", b"#000000")
    assert templates.render_svg(changed, 200).min() < templates.render_svg(SVG, 200).min()
    assert len(list(tmp_path.iterdir())) == 2
    assert cache.get(["a", "bc"]) is None
    cache.put(["ab", "c"], x=np.zeros(2))
    assert cache.get(["a", "bc"]) is None and cache.get(["ab", "c"]) is not None  # pieces never run together


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = ArrayCache(blocked / "logo")
    cache.put(["key"], points=np.zeros((3, 2), np.float32))
    assert cache.get(["key"]) is None


def test_a_warm_process_checks_a_picture_without_loading_mupdf(tmp_path) -> None:
    from PIL import Image

    picture = tmp_path / "sky.png"
    Image.new("RGB", (64, 48), (120, 160, 230)).save(picture)
    program = (
        "import sys\n"
        "from scanner.engine.scanner import Scanner\n"
        f"Scanner(detectors=['logo']).scan_path({str(picture)!r})\n"
        "print('pymupdf' in sys.modules)\n"
    )
    environment = {"SMSCAN_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=environment,
                           check=True).stdout.split() for _ in range(2)]
    assert runs == [["True"], ["False"]]  # the first process fills the cache; the second needs no MuPDF
