"""Tables: delimited text (CSV, TSV, semicolon- or bar-separated) recognised by its shape, and the
structure every table gives the checks (CSV, spreadsheet sheets): its rows as read, a sample.

`page.metadata["table"]` is {"name": sheet or None, "rows": the first TABLE_SAMPLE_ROWS rows as
read (the header, if any, among them), "row_count": all rows, "column_count": the widest row}.
Which row is a header is for the check to judge; ingest only says what is there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from scanner.ingest.budget import Budget
from scanner.ingest.page import Page
from scanner.ingest.text import limited_text_pages

TABLE_SAMPLE_ROWS = 200
_DELIMITERS = (",", "\t", ";", "|")
_SHAPE_LINES = 50  # lines looked at to recognise a table
_MIN_TABLE_LINES = 3
_SAME_WIDTH_SHARE = 0.9  # of those lines, so many must have the same number of fields
csv.field_size_limit(1 << 24)  # one cell may be long (a pasted paragraph), not endless: 16 MiB


def delimited_rows(text: str) -> list[list[str]] | None:
    """The rows when the text is a delimited table (every line the same number of fields, two or
    more); None when it is prose or anything else."""
    head = [line for line in text[:65536].splitlines()[:_SHAPE_LINES] if line.strip()]
    if len(head) < _MIN_TABLE_LINES:
        return None
    for delimiter in _DELIMITERS:
        if _consistent_width(head, delimiter):
            rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            try:
                return [row for row in rows if any(cell.strip() for cell in row)]
            except csv.Error:
                return None  # a quote never closed, a NUL: read as plain lines instead
    return None


def _consistent_width(lines: list[str], delimiter: str) -> bool:
    try:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:
        return False
    most = max(set(widths), key=widths.count)
    # Three short lines of prose with one comma each would pass as a table of two columns.
    least = 3 if delimiter == "," and len(lines) < 5 else 2
    return most >= least and widths.count(most) >= _SAME_WIDTH_SHARE * len(widths)


def table_metadata(rows: list[list[str]], name: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "rows": [[cell.strip() for cell in row] for row in rows[:TABLE_SAMPLE_ROWS]],
        "row_count": len(rows),
        "column_count": max((len(row) for row in rows), default=0),
    }


def row_lines(rows: Iterable[list[str]]) -> list[str]:
    """One line of text a row, cells apart, for the checks that read words."""
    return ["   ".join(cell.strip() for cell in row if cell.strip()) for row in rows]


def table_pages(rows: list[list[str]], part: str | None, sheet: str | None, budget: Budget) -> list[Page]:
    """A table's rows as text pages, the first page carrying the table's structure."""
    pages = limited_text_pages(row_lines(rows), part, budget)
    if pages:
        pages[0].metadata = {**pages[0].metadata, "table": table_metadata(rows, sheet)}
    return pages
