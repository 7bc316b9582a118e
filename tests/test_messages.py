"""Every sentence a person reads exists in French, the compiled catalogue is the one the .po says, and
French output follows French typography."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from scanner.detectors import registry
from scanner.i18n import LOCALE_DIR, number, percent, tr
from scanner.messages import finding_message

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "smscan.po"
MO = PO.with_suffix(".mo")
KEYWORDS = ["-k", "Message:1,2", "-k", "N_", "-k", "IngestError", "-k", "tr:2", "-k", "ntr:2,3"]


def extracted(tmp_path: Path) -> set:
    template = tmp_path / "smscan.pot"
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    subprocess.run([pybabel, "extract", "--no-default-keywords", *KEYWORDS, "--omit-header", "-o", str(template),
                    str(ROOT / "scanner")], check=True, capture_output=True)
    with template.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_every_extracted_message_has_a_french_translation(tmp_path) -> None:
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    translated = {m.id for m in catalogue if m.id and (all(m.string) if isinstance(m.id, tuple) else m.string)}
    missing = extracted(tmp_path) - translated
    assert not missing, f"translate in {PO.name} (make messages): {sorted(map(str, missing))}"


def test_the_compiled_catalogue_is_the_po_file() -> None:
    with PO.open("rb") as po, MO.open("rb") as mo:
        source = {_key(m.id): _key(m.string) for m in read_po(po, locale="fr") if m.id}
        compiled = {_key(m.id): _key(m.string) for m in read_mo(mo) if m.id}
    assert compiled == source, "run `make messages` to compile the catalogue"


def test_every_built_in_finding_speaks_french() -> None:
    for kind in registry().kinds.values():
        for label in [*kind.messages, *kind.labels]:
            english = finding_message(kind, label, "X", "en")
            french = finding_message(kind, label, "X", "fr")
            assert english != french and "directive" in french, (kind.name, label, french)


def test_french_typography() -> None:
    assert percent("fr", 0.92) == "92\u202f%" and percent("en", 0.92) == "92%"
    assert number("fr", 1234.5) == "1\u202f234,5" and number("en", 1234.5) == "1,234.5"
    assert tr("fr", "could not be checked: {why}", why="x") == "impossible à vérifier\u00a0: x"


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value
