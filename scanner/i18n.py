"""English and French messages for people (machines get JSON)."""

from __future__ import annotations

import os

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "pass": "PASS",
        "block": "BLOCK",
        "error": "error",
        "page": "p.",
        "reported": "reported, not blocking",
        "consent": "consent given for",
        "summary": "{files} file(s): {passed} passed, {blocked} blocked, {errors} could not be checked",
        "by_kind": "Blocking findings by kind",
        "slowest": "Slowest",
        "no_files": "no files to scan",
        "cannot_write": "cannot write {path}: {reason}",
        "section.2.3": "corporate symbols",
        "section.2.4": "privacy",
        "section.2.5": "conduct",
        "section.2.6": "confidential information",
        "faces": "{n} face(s)",
        "fixed": "wrote {path}: {faces} face(s) blurred",
    },
    "fr": {
        "pass": "ACCEPTÉ",
        "block": "BLOQUÉ",
        "error": "erreur",
        "page": "p.",
        "reported": "signalé, non bloquant",
        "consent": "consentement déclaré pour",
        "summary": "{files} fichier(s) : {passed} accepté(s), {blocked} bloqué(s), "
        "{errors} impossible(s) à vérifier",
        "by_kind": "Constats bloquants par type",
        "slowest": "Les plus lents",
        "no_files": "aucun fichier à analyser",
        "cannot_write": "impossible d'écrire {path} : {reason}",
        "section.2.3": "symboles de l'organisation",
        "section.2.4": "vie privée",
        "section.2.5": "conduite",
        "section.2.6": "information confidentielle",
        "faces": "{n} visage(s)",
        "fixed": "copie écrite dans {path} : {faces} visage(s) flouté(s)",
    },
}


def default_language() -> str:
    for variable in ("SMSCAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def text(language: str, key: str, **values: object) -> str:
    table = MESSAGES.get(language, MESSAGES["en"])
    return table.get(key, MESSAGES["en"][key]).format(**values)
