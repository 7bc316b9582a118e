"""Checks declare themselves; a plug-in with a new kind in a new section blocks by default and speaks
both languages everywhere; what contradicts the declarations fails closed or refuses to start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scanner.detectors import CheckSpec, KindSpec, Level, Message, make_registry, registry
from scanner.errors import RegistryError
from tests.plugin_package import installed, write_plugin

ROOT = Path(__file__).resolve().parents[1]
SMSCAN = str(Path(sys.executable).with_name("smscan"))


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Path:
    return write_plugin(tmp_path_factory.mktemp("plugin"))


@pytest.fixture
def picture(tmp_path) -> Path:
    path = tmp_path / "picture.png"
    Image.fromarray(np.full((48, 64, 3), 200, np.uint8)).save(path)
    return path


def smscan(*args: str, plugin: Path, behaviour: str = "find", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), str(ROOT)]), "SAUCE": behaviour}
    return subprocess.run([SMSCAN, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_every_built_in_kind_has_a_section_a_default_and_words_for_any_label() -> None:
    known = registry()
    assert list(known.checks) == ["marking", "logo", "face", "pii", "metadata", "conduct", "disclaimer", "microdata"]
    for kind in known.kinds.values():
        assert kind.section in ("2.3", "2.4", "2.5", "2.6")
        assert kind.default.why.startswith(kind.section.split(".")[0])
        assert kind.message("no-such-label") is kind.messages["*"]
    assert known.kind("faces").name == "face"


def test_a_plug_in_check_blocks_by_default_and_prints_in_both_languages(plugin: Path, picture: Path, tmp_path) -> None:
    only = ["--policy", str(write_policy(tmp_path, 'disabled = ["marking", "logo", "face", "pii", "metadata", '
                                                   '"conduct"]'))]
    result = smscan(str(picture), "--json", *only, plugin=plugin)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    finding = report["findings"][0]
    assert (finding["kind"], finding["section"], finding["blocks"]) == ("sauce", "2.7", True)
    assert finding["message"]["en"].startswith("The secret sauce recipe (recipe) (guideline 2.7)")
    assert finding["message"]["fr"].startswith("La recette de la sauce secrète (recipe) (directive 2.7)")
    english = smscan(str(picture), *only, plugin=plugin)
    french = smscan(str(picture), "--lang", "fr", *only, plugin=plugin)
    assert "keep it in the kitchen" in english.stdout and english.returncode == 1
    assert "gardez-la en cuisine" in french.stdout and "BLOQUÉ" in french.stdout
    html = tmp_path / "report.html"
    assert smscan(str(picture), "--report", str(html), *only, plugin=plugin).returncode == 1
    assert "sauce" in html.read_text()


def test_a_kind_the_check_did_not_declare_fails_the_file_closed(plugin: Path, picture: Path, tmp_path) -> None:
    only = ["--policy", str(write_policy(tmp_path, 'disabled = ["marking", "logo", "face", "pii", "metadata", '
                                                   '"conduct"]'))]
    result = smscan(str(picture), "--json", *only, plugin=plugin, behaviour="undeclared")
    assert result.returncode == 2
    assert "does not declare" in json.loads(result.stdout)["error"]


def test_the_policy_knows_the_plug_in_kind(plugin: Path, tmp_path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[block]\nsauce = false\n[consent]\nkinds = ['sauces']\n")
    assert smscan("policy", "check", str(policy), plugin=plugin).returncode == 0
    shown = smscan("policy", "show", plugin=plugin).stdout
    assert "sauce = 0.5  # 2.7: the recipe stays in the kitchen" in shown
    assert smscan("policy", "check", str(policy), plugin=tmp_path / "none").returncode == 78


def test_two_checks_claiming_one_kind_refuse_to_start() -> None:
    kind = KindSpec("face", "faces", "2.4", Level(0.5, "2.4"), {"*": Message("a", "{n} a", "b")})
    other = CheckSpec("other", "1", "test", (kind,), detector="x:y")
    with pytest.raises(RegistryError, match="both declare the kind 'face'"):
        make_registry([*registry().checks.values(), other])


def test_a_kind_without_words_for_any_label_refuses_to_start() -> None:
    kind = KindSpec("quiet", "quiet", "2.4", Level(0.5, "2.4"), {"x": Message("a", "{n} a", "b")})
    with pytest.raises(RegistryError, match="no message"):
        make_registry([CheckSpec("quiet", "1", "test", (kind,), detector="x:y")])


def test_a_broken_plug_in_is_an_installation_error(tmp_path, picture: Path) -> None:
    broken = write_plugin(tmp_path / "broken", "smscan_broken", "raise ImportError('no such module: secret')\n")
    result = smscan(str(picture), plugin=broken)
    assert result.returncode == 69 and "smscan_broken" in result.stderr and "Traceback" not in result.stderr


def test_registry_in_this_process_sees_the_plug_in(plugin: Path) -> None:
    with installed(plugin):
        assert "sauce" in registry().checks and registry().kind("sauces").section == "2.7"
    assert "sauce" not in registry().checks


def write_policy(folder: Path, detectors: str) -> Path:
    path = folder / "only-sauce.toml"
    path.write_text(f"[detectors]\n{detectors}\n")
    return path
