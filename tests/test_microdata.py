"""Respondent-level tables (2.6) block; aggregate tables do not. Tables made by samplegen."""

from __future__ import annotations

import pytest

from samplegen.formats import aggregate, respondents
from scanner.detectors import registry
from scanner.detectors.microdata.detector import judge_table, looks_like_header


def label(rows: list[list[str]]) -> str | None:
    verdict = judge_table(rows, len(rows))
    return verdict[0] if verdict else None


@pytest.mark.parametrize("columns", [("name", "birth", "postal", "sex", "income"), ("name", "sin"),
                                     ("id", "birth", "postal", "income"), ("birth", "postal", "sex"),
                                     ("name", "birth")])
@pytest.mark.parametrize("french", [False, True])
@pytest.mark.parametrize("header", [True, False])
def test_records_with_identifiers_block_in_english_and_french_with_or_without_headers(columns, french, header):
    assert label(respondents(30, french=french, header=header, columns=columns)) == "identified-records"


@pytest.mark.parametrize("french", [False, True])
@pytest.mark.parametrize("header", [True, False])
def test_aggregate_tables_pass(french, header):
    assert label(aggregate(french=french, header=header)) is None


def test_a_column_of_names_alone_needs_its_header():
    names = respondents(30, header=False, columns=("name", "sex"))
    assert label(names) is None  # "Nova Scotia" looks like a name too: alone, the look is not enough
    assert label(respondents(30, columns=("name", "sex"))) == "identified-records"


def test_a_few_rows_are_enough_when_people_are_named():
    assert label(respondents(3, columns=("name", "birth", "postal"))) == "identified-records"
    assert label(respondents(2, columns=("name", "birth", "postal"))) is None  # one line and its header


def test_anonymised_records_are_reported_only():
    rows = respondents(60, columns=("id", "age", "sex", "education", "marital", "income"))
    assert label(rows) == "records"
    kind = registry().kinds["microdata"]
    assert kind.label_levels["records"].block_at is None and kind.default.block_at == 0.5
    assert label(rows[:10]) is None  # too few rows to say


def test_names_of_places_or_companies_are_not_people():
    places = [["Name", "Population"], ["Nova Scotia", "969383"], ["New Brunswick", "775610"],
              ["British Columbia", "5000879"], ["Prince Edward Island", "154331"]]
    companies = [["Name", "Employees"], ["Acme Manufacturing Inc.", "120"], ["Northern Lights Ltd.", "45"],
                 ["Prairie Grain Co-op", "80"], ["Atlantic Fisheries Corp.", "210"]]
    assert label(places) is None and label(companies) is None


def test_a_time_series_of_dates_is_not_dates_of_birth():
    rows = [["REF_DATE", "VALUE"]] + [[f"{1950 + i}-01-01", str(100 + i)] for i in range(60)]
    assert label(rows) is None


def test_header_is_told_from_data():
    assert looks_like_header([["Name", "Age"], ["Jane Doe", "34"]])
    assert not looks_like_header([["Jane Doe", "34"], ["Marc Roy", "51"]])
