"""Every string the drop page shows a person, by message id, in English and French.

The server renders the page's fixed text from here and hands the page the whole table of its
language as JSON (GET /api/messages/LANG); the page's script holds no wording of its own. Values
are Python-style `{name}` templates, filled by the page. One table per language, same ids in both
(a test checks), ready to move into the gettext catalogue. What a finding says comes with the
finding itself (its check's message), not from here.
"""

from __future__ import annotations

from scanner.i18n import typeset

PAGE_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "smscan: check before you share",
        "language_name": "English",
        "switch_language": "Français",
        "drop_title": "Drop files or folders here",
        "drop_hint": "Pictures, PDFs, Office files, ZIP archives and e-mails are checked on this computer "
        "against the social media guidelines. Nothing is sent anywhere else.",
        "choose_files": "Choose files",
        "choose_folder": "Choose a folder",
        "results_title": "Results",
        "counter_empty": "No files yet.",
        "counter": "{checked} of {total} checked, {blocked} blocked",
        "counter_working": "{checked} of {total} checked, {blocked} blocked; {checking} being checked, "
        "{waiting} waiting",
        "all_done": "All {total} checked: {blocked} blocked, {passed} passed.",
        "blocked_only": "Show blocked files only",
        "verdict_pass": "PASS",
        "verdict_block": "BLOCK",
        "verdict_waiting": "WAITING",
        "verdict_checking": "CHECKING",
        "state_sending": "Waiting to be sent to the checker.",
        "state_queued": "Waiting: number {position} in line.",
        "state_checking": "Being checked now.",
        "why_blocked": "Why it is blocked:",
        "found": "What was found:",
        "not_blocking": "(reported, not blocking)",
        "cannot_check": "Could not be checked: {reason}",
        "where": "Page {page}",
        "where_part": "Page {page} of {part}",
        "technical_detail": "Technical detail",
        "found.other": "Something the guidelines do not allow ({kind}: {label}).",
        "preview_alt": "{name}, page {page}, with what was found boxed and numbered as in the list",
        "page_caption": "Page {page}",
        "fix": "Make a shareable copy",
        "fixing": "Making a shareable copy…",
        "copy_title": "Shareable copy: {name}",
        "copy_changes": "What was changed:",
        "copy_passes": "The copy passes.",
        "copy_still_blocked": "The copy is still blocked:",
        "copy_download": "Download {name}",
        "copy_announce": "Shareable copy of {name}: {verdict}.",
        "fix_failed": "No copy could be made: {reason}",
        "error_too_large": "The file is too large: the limit is {limit} MB.",
        "error_forbidden": "This page's access key is missing or out of date. Open the address that "
        "\"smscan ui\" printed when it started.",
        "error_offline": "The smscan program is not answering. Is it still running?",
        "error_gone": "The result is no longer kept. Drop the file again.",
        "error_server": "The checker could not handle this file (HTTP {status}).",
        "source_code": "source code",
    },
    "fr": {
        "title": "smscan : vérifier avant de partager",
        "language_name": "Français",
        "switch_language": "English",
        "drop_title": "Déposez des fichiers ou des dossiers ici",
        "drop_hint": "Les images, PDF, fichiers Office, archives ZIP et courriels sont vérifiés sur cet "
        "ordinateur selon les lignes directrices sur les médias sociaux. Rien n'est envoyé ailleurs.",
        "choose_files": "Choisir des fichiers",
        "choose_folder": "Choisir un dossier",
        "results_title": "Résultats",
        "counter_empty": "Aucun fichier pour l'instant.",
        "counter": "Vérifiés : {checked} sur {total} ; bloqués : {blocked}",
        "counter_working": "Vérifiés : {checked} sur {total} ; bloqués : {blocked} ; en cours : {checking} ; "
        "en attente : {waiting}",
        "all_done": "Les {total} fichiers sont vérifiés : {blocked} bloqués, {passed} acceptés.",
        "blocked_only": "Afficher seulement les fichiers bloqués",
        "verdict_pass": "ACCEPTÉ",
        "verdict_block": "BLOQUÉ",
        "verdict_waiting": "EN ATTENTE",
        "verdict_checking": "VÉRIFICATION",
        "state_sending": "En attente d'envoi au vérificateur.",
        "state_queued": "En attente : rang {position} dans la file.",
        "state_checking": "Vérification en cours.",
        "why_blocked": "Pourquoi il est bloqué :",
        "found": "Ce qui a été trouvé :",
        "not_blocking": "(signalé, non bloquant)",
        "cannot_check": "Vérification impossible : {reason}",
        "where": "Page {page}",
        "where_part": "Page {page} de {part}",
        "technical_detail": "Détail technique",
        "found.other": "Un élément que les lignes directrices ne permettent pas ({kind} : {label}).",
        "preview_alt": "{name}, page {page}, avec ce qui a été trouvé encadré et numéroté comme dans la liste",
        "page_caption": "Page {page}",
        "fix": "Faire une copie à partager",
        "fixing": "Copie à partager en préparation…",
        "copy_title": "Copie à partager : {name}",
        "copy_changes": "Ce qui a été changé :",
        "copy_passes": "La copie est acceptée.",
        "copy_still_blocked": "La copie est encore bloquée :",
        "copy_download": "Télécharger {name}",
        "copy_announce": "Copie à partager de {name} : {verdict}.",
        "fix_failed": "Aucune copie n'a pu être faite : {reason}",
        "error_too_large": "Le fichier est trop volumineux : la limite est de {limit} Mo.",
        "error_forbidden": "La clé d'accès de cette page manque ou n'est plus valide. Ouvrez l'adresse "
        "affichée par « smscan ui » au démarrage.",
        "error_offline": "Le programme smscan ne répond pas. Est-il toujours en marche?",
        "error_gone": "Le résultat n'est plus conservé. Déposez le fichier de nouveau.",
        "error_server": "Le vérificateur n'a pas pu traiter ce fichier (HTTP {status}).",
        "source_code": "code source",
    },
}

LANGUAGES = tuple(PAGE_MESSAGES)


def page_messages(language: str) -> dict[str, str]:
    """The table of `language` with its typography (French no-break spaces), English for a
    language the page does not have."""
    chosen = language if language in PAGE_MESSAGES else "en"
    return {key: typeset(chosen, text) for key, text in PAGE_MESSAGES[chosen].items()}
