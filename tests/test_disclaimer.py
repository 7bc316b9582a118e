"""Personal opinion (2.3): a text about the Agency says it is the writer's own opinion."""

from __future__ import annotations

import pytest

from samplegen.documents import memo_pdf
from scanner import Scanner
from scanner.detectors import registry


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(detectors=["disclaimer"])


def disclaimers(report) -> list:
    return [f for f in report.findings if f.kind == "disclaimer"]


@pytest.mark.parametrize("text", [
    "Proud of my colleagues at Statistics Canada: the census tables are out!",
    "StatCan released the labour force survey today.",
    "Le gouvernement du Canada a publié les données.",
    "Great work by @StatCan_eng on the new dashboard",
])
def test_a_post_about_the_agency_without_a_disclaimer_is_reported_not_blocked(scanner, text):
    report = scanner.scan_text(text, "--text")
    [finding] = disclaimers(report)
    assert finding.section == "2.3" and not report.blocked and report.verdict == "pass"
    assert "The views expressed here are my own" in finding.message["en"]
    assert "Les opinions exprimées ici sont les miennes" in finding.message["fr"]


@pytest.mark.parametrize("text", [
    "Proud of my colleagues at Statistics Canada! Views are my own.",
    "StatCan released the survey today. Opinions expressed are my own and do not reflect those of my employer.",
    "Statistique Canada publie les données. Mes opinions n'engagent que moi.",
    "Statistique Canada publie les données (opinion personnelle).",
    "The province's government tabled its budget.",  # not the Agency nor the Government of Canada
    "Lunch at the food trucks today!",
])
def test_a_disclaimer_or_no_mention_of_the_agency_gives_nothing(scanner, text):
    assert disclaimers(scanner.scan_text(text, "--text")) == []


def test_documents_and_tables_are_not_posts(scanner):
    memo = scanner.scan_bytes(memo_pdf(["Statistics Canada released the quarterly figures."]), "memo.pdf")
    assert disclaimers(memo) == []
    table = scanner.scan_bytes(b"Agency,Tables\nStatistics Canada,12\nStatistics Canada,14\nStatCan,3\n", "t.csv")
    assert disclaimers(table) == []


def test_the_default_level_reports_only_with_its_reason():
    kind = registry().kinds["disclaimer"]
    assert kind.default.block_at is None and kind.default.why.startswith("2.3")
