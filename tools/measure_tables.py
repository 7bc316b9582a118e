"""How the microdata check judges tables: generated respondent-level and aggregate tables (English
and French headers, with and without a header row), and any folder of CSV/TSV files given.

    python tools/measure_tables.py [FOLDER ...]

Prints one line per table and a count per group. Files are read through smscan's own ingest, so
what is measured is what `smscan` does with them.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from samplegen.formats import aggregate, delimited, respondents
from scanner.detectors.microdata.detector import MicrodataDetector
from scanner.ingest import IngestError, load

RESPONDENT_COLUMNS = {
    "identified": [("name", "birth", "postal", "sex", "income"), ("name", "sin"), ("id", "birth", "postal", "income"),
                   ("birth", "postal", "sex"), ("name", "birth"), ("name", "postal", "age")],
    "anonymised": [("id", "age", "sex", "education", "marital", "income")],
}


def generated() -> list[tuple[str, str, str]]:
    """(group, name, CSV text) for every generated table."""
    tables = []
    for group, column_sets in RESPONDENT_COLUMNS.items():
        for columns in column_sets:
            for french in (False, True):
                for header in (True, False):
                    for count in (5, 60):
                        rows = respondents(count, french=french, header=header, columns=columns, seed=count)
                        language, shape = "fr" if french else "en", "header" if header else "bare"
                        name = f"{'+'.join(columns)} {language} {shape} {count}"
                        tables.append((group, name, delimited(rows)))
    for french in (False, True):
        for header in (True, False):
            tables.append(("aggregate", f"provinces {'fr' if french else 'en'} {header}",
                           delimited(aggregate(french=french, header=header))))
    series = [["REF_DATE", "GEO", "DGUID", "UOM", "VALUE"]] + [
        [f"{2000 + i // 12}-{i % 12 + 1:02d}", "Canada", "2016A000011124", "Persons", str(18000 + 7 * i)]
        for i in range(60)
    ]
    tables.append(("aggregate", "monthly series", delimited(series)))
    companies = [["Name", "Employees", "Revenue ($)"], ["Acme Manufacturing Inc.", "120", "4500000"],
                 ["Northern Lights Ltd.", "45", "990000"], ["Maple Leaf Foods", "1300", "88000000"],
                 ["Prairie Grain Co-op", "80", "3100000"], ["Atlantic Fisheries Corp.", "210", "12000000"]]
    tables.append(("aggregate", "companies named", delimited(companies)))
    places = [["Name", "Population 2021"], ["Nova Scotia", "969383"], ["New Brunswick", "775610"],
              ["British Columbia", "5000879"], ["Prince Edward Island", "154331"]]
    tables.append(("aggregate", "provinces named", delimited(places)))
    return tables


def judged(data: bytes, name: str) -> str:
    detector = MicrodataDetector()
    try:
        pages = [p for p in load(data, name).pages if "table" in p.metadata]
    except IngestError as error:
        return f"unreadable: {error}"
    if not pages:
        return "not a table"
    labels = [f.label for page in pages for f in detector.detect(page)]
    return labels[0] if labels else "aggregate or none"


def main(folders: list[str]) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for group, name, text in generated():
        outcome = judged(text.encode(), f"{name}.csv")
        counts[(group, outcome)] += 1
        print(f"{group:11} {outcome:18} {name}")
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() in (".csv", ".tsv", ".txt") and path.is_file():
                outcome = judged(path.read_bytes(), path.name)
                counts[(f"files:{folder}", outcome)] += 1
                print(f"{'file':11} {outcome:18} {path.relative_to(folder)}")
    print()
    for (group, outcome), number in sorted(counts.items()):
        print(f"{group:30} {outcome:18} {number}")


if __name__ == "__main__":
    main(sys.argv[1:])
