"""The systemd units in deploy/systemd, checked by `systemd-analyze verify` and for what a mail
gateway needs: restart on failure, no root, a memory limit, and time to stop gracefully."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
INSTALLED_AT = "/opt/smscan/bin/smscan"  # where the units expect smscan (README: Run as a service)


def test_there_is_a_unit_for_each_gateway():
    assert [unit.name for unit in UNITS] == ["smscan-milter.service", "smscan-smtp-filter.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is missing (Debian's systemd package provides it)")
@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_analyze_verify_finds_nothing_wrong(unit, tmp_path):
    # verify also checks that ExecStart's program exists: point it at this environment's smscan
    local = tmp_path / unit.name
    local.write_text(unit.read_text().replace(INSTALLED_AT, str(Path(sys.executable).with_name("smscan"))))
    result = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=120)
    if "Failed to connect to bus" in result.stderr or "System has not been booted" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()}")
    assert result.returncode == 0 and result.stderr == "", result.stderr  # warnings go to stderr, with 0


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_unit_restarts_runs_unprivileged_and_is_bounded(unit):
    settings = _settings(unit)
    assert settings["Restart"] == "on-failure"
    assert settings["DynamicUser"] == "yes" and settings["User"] != "root"
    assert re.fullmatch(r"\d+[KMG]", settings["MemoryMax"])
    grace = float(re.search(r"--grace (\d+)", settings["ExecStart"]).group(1))
    assert float(settings["TimeoutStopSec"]) > grace + 5  # the gateway's own last replies take up to 5 s more
    assert settings["ExecStart"].startswith(INSTALLED_AT + " ")


def _settings(unit: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in unit.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}
