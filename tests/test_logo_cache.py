"""The logo templates' features are cached by what they are computed from: a changed template is a new
key (never a stale entry), and a folder that cannot be written only means no cache."""

from __future__ import annotations

import numpy as np

from scanner.detectors.logo.draw import statcan_signature
from scanner.detectors.logo.features import FeatureCache, FeatureMatcher
from scanner.detectors.logo.templates import LogoTemplate


def template(width: int = 320) -> LogoTemplate:
    rgb = statcan_signature(height=width // 8)
    return LogoTemplate("statcan-signature", "drawn", rgb.mean(axis=2).astype(np.uint8))


def test_features_from_the_cache_are_the_ones_computed(tmp_path, monkeypatch) -> None:
    import scanner.detectors.logo.features as features

    monkeypatch.setattr(features, "_cache", FeatureCache(tmp_path))
    fresh = FeatureMatcher([template()]).templates
    assert len(list(tmp_path.iterdir())) == 2  # the template and its inverted copy
    again = FeatureMatcher([template()]).templates
    for a, b in zip(fresh, again, strict=True):
        assert np.array_equal(a.points, b.points) and np.array_equal(a.descriptors, b.descriptors)


def test_a_changed_template_is_a_new_entry_not_a_stale_one(tmp_path) -> None:
    cache = FeatureCache(tmp_path)
    first, other = template(320).gray, template(480).gray
    cache.put(first, np.zeros((3, 2), np.float32), np.zeros((3, 128), np.float32))
    assert cache.get(other) is None and cache.get(first) is not None


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = FeatureCache(blocked / "logo-features")
    cache.put(template().gray, np.zeros((3, 2), np.float32), np.zeros((3, 128), np.float32))
    assert cache.get(template().gray) is None
