"""Respondent-level records (guideline 2.6): a table with one row per person and what identifies
them (names, dates of birth, postal codes, SINs...) is confidential statistical information; an
aggregate table is not."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

_TODO = N_("records about individual respondents are confidential: share only released aggregate tables")

CHECK = CheckSpec(
    name="microdata",
    version="1",
    description="tables of records about individual people (CSV, TSV, spreadsheets, tables in documents)",
    detector="scanner.detectors.microdata.detector:MicrodataDetector",
    kinds=(
        KindSpec(
            name="microdata",
            plural="microdata",
            section="2.6",
            default=Level(0.5, "2.6: respondent-level records are confidential statistical information"),
            label_levels={
                "records": Level(None, "2.6: one row per person without identifiers may be a public-use file; "
                                       "reported for a look"),
            },
            labels=("identified-records", "records"),
            messages={
                "identified-records": Message("a table of records about individual people ({excerpt})",
                                              "{n} tables of records about individual people", _TODO),
                "records": Message("a table that looks like one row per person ({excerpt})",
                                   "{n} tables that look like one row per person",
                                   N_("if these are respondents' records and not a released public-use file, "
                                      "do not share them")),
                "*": Message("a table of records about individual people ({excerpt})",
                             "{n} tables of records about individual people", _TODO),
            },
        ),
    ),
)
