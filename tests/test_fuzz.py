"""The fuzz test of issue 11, a few hundred files in every run: damaged and hostile files of every
format (tools/fuzz), each scanned through Scanner.scan_bytes. For each: no exception, a verdict, a
reason a person can read (no memory address, no exception class), no pass for a file that must
block (cut short, header only, lying header, bomb), nothing written to stdout by a library.

`make fuzz` runs thousands (FUZZ_SEED, FUZZ_COUNT) with every check; here the checks are the
cheap ones that still draw every page (face) and read metadata: the point is ingest."""

from __future__ import annotations

import pytest

from scanner import Scanner
from scanner.ingest import load
from tools.fuzz import seeds
from tools.fuzz.damage import HOSTILE, generate
from tools.fuzz.run import unusable_reason

SEED = 20261125
COUNT = 300


@pytest.fixture(scope="module")
def cheap_scanner() -> Scanner:
    return Scanner(detectors=["metadata", "face"], ocr=False)


@pytest.mark.parametrize("seed", seeds.composed(), ids=lambda s: s.name)
def test_every_intact_seed_is_read(seed):
    """A seed that does not read would make every case made from it block for the wrong reason."""
    document = load(seed.data, seed.name)
    assert document.pages
    for page in document.pages:
        assert page.rgb.ndim == 3


def test_generated_files_are_the_same_for_the_same_seed():
    def made(cases):
        # MuPDF draws an encrypted PDF's keys at random: that file's bytes differ, its damage does not.
        return [(c.name, c.damage, c.data if c.name != "mail-half-encrypted-pdf.eml" else b"") for c in cases]

    first = made(generate(5, 300))
    assert made(generate(5, 300)) == first
    assert made(generate(6, 300)) != first


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on damaged TIFF tags go to stderr
def test_a_few_hundred_damaged_files_fail_closed(cheap_scanner, capfd):
    problems = []
    cases = generate(SEED, COUNT)
    assert sum(c.must_block for c in cases) > COUNT // 3  # the run is not all harmless bit flips
    for case in cases:
        try:
            report = cheap_scanner.scan_bytes(case.data, filename=case.name)
        except Exception as error:  # the failure this test exists to find
            problems.append(f"{case.name} [{case.damage}]: raised {error!r}")
            continue
        out = capfd.readouterr().out
        if report.verdict not in ("pass", "block"):
            problems.append(f"{case.name} [{case.damage}]: verdict {report.verdict!r}")
        if case.must_block and report.verdict == "pass":
            problems.append(f"{case.name} [{case.damage}]: passed, but it must block")
        if unusable_reason(report.error):
            problems.append(f"{case.name} [{case.damage}]: reason {report.error!r}")
        if out:
            problems.append(f"{case.name} [{case.damage}]: wrote to stdout {out[:200]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("name", "maker", "must_block"), [(n, m, b) for n, _, m, b in HOSTILE],
                         ids=[n for n, *_ in HOSTILE])
def test_every_hostile_file_gets_a_readable_verdict(cheap_scanner, capfd, name, maker, must_block):
    report = cheap_scanner.scan_bytes(maker(), filename=name)
    assert not (must_block and report.verdict == "pass"), report
    assert not unusable_reason(report.error), report.error
    assert capfd.readouterr().out == ""
