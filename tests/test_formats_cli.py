"""The post before it is posted: `smscan -` and `smscan --text` read the same words the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from samplegen.formats import delimited, respondents

SMSCAN = [sys.executable, "-m", "scanner.cli"]
DRAFTS = [
    "Proud of the team: the new census tables are out today! Views are my own.",
    "Statistics Canada is hiding the numbers again. PROTECTED B draft attached, call me at 613-555-0199.",
    "StatCan are a bunch of f***ing clowns",
    "Le café est prêt. Les données du recensement sont publiées.",
    "# Draft\n\n**CONFIDENTIAL** – do not forward",
]


def scan(*args: str, stdin: bytes | None = None) -> tuple[int, list[dict]]:
    env = {**os.environ, "LANG": "C.UTF-8"}
    result = subprocess.run([*SMSCAN, *args, "--json", "--workers", "1"], input=stdin, capture_output=True, env=env,
                            timeout=300)
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def outcome(report: dict) -> tuple:
    return (report["verdict"], report["checked"],
            sorted((f["kind"], f["label"], f["excerpt"], f["blocks"]) for f in report["findings"]))


@pytest.mark.parametrize("draft", DRAFTS)
def test_standard_input_and_text_give_the_same_verdict(draft):
    _, reports = scan("-", "--text", draft, stdin=draft.encode())
    piped, text = (next(r for r in reports if r["path"] == path) for path in ("-", "--text"))
    assert piped["error"] is None and piped["checked"]
    assert outcome(piped) == outcome(text)


def test_standard_input_in_windows_1252_reads_as_text():
    code, [report] = scan("-", stdin="PROTÉGÉ B – note".encode("cp1252"))
    assert code == 1 and report["findings"][0]["label"] == "protected-b"


def test_a_table_on_standard_input_is_checked_as_a_table():
    code, [report] = scan("-", stdin=delimited(respondents(10)).encode())
    assert code == 1 and ("microdata", "identified-records") in {(f["kind"], f["label"]) for f in report["findings"]}
