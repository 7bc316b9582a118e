"""Issue 11 at the command line: damaged files in one batch with `smscan FILES --json`.

Exactly one JSON line per file and nothing else on stdout, no traceback, exit 2 when a file could
not be checked, and the batch never stops early: the clean file given last is still reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from samplegen.documents import encoded, photo_like
from tools.fuzz.damage import HOSTILE, generate

SMSCAN = [sys.executable, "-m", "scanner.cli"]
# Cheap checks: the point is reading the files.
LIGHT_POLICY = '[detectors]\ndisabled = ["logo", "marking", "pii", "conduct"]\n'


def _batch(tmp_path: Path) -> list[str]:
    names = []
    for index, case in enumerate(generate(1111, 40)):
        name = f"{index:03d}-{case.name}"
        (tmp_path / name).write_bytes(case.data)
        names.append(name)
    for name, _, maker, _ in HOSTILE:
        if name.startswith(("png-", "tiff-", "jpeg-headers", "zip-lying", "pdf-page")):
            (tmp_path / f"hostile-{name}").write_bytes(maker())
            names.append(f"hostile-{name}")
    (tmp_path / "zz-clean.png").write_bytes(encoded(photo_like(160, 120), "PNG"))
    return [*names, "zz-clean.png"]


def test_a_batch_of_damaged_files_gives_one_json_line_each_and_exit_2(tmp_path):
    names = _batch(tmp_path)
    (tmp_path / "policy.toml").write_text(LIGHT_POLICY)
    env = {**os.environ, "LANG": "C.UTF-8"}
    result = subprocess.run([*SMSCAN, "--json", "--policy", "policy.toml", *names], cwd=tmp_path,
                            capture_output=True, text=True, env=env, timeout=600)
    lines = result.stdout.splitlines()
    objects = [json.loads(line) for line in lines]  # every line is JSON: nothing else on stdout
    assert sorted(o["path"] for o in objects) == sorted(names)  # one line per file, none lost
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    by_path = {o["path"]: o for o in objects}
    assert by_path["zz-clean.png"]["verdict"] == "pass"
    for o in objects:
        assert o["verdict"] in ("pass", "block")
        assert o["error"] is None or "\n" not in o["error"]
    for name in names:
        if name.startswith("hostile-"):
            assert by_path[name]["verdict"] == "block" and by_path[name]["error"], by_path[name]
