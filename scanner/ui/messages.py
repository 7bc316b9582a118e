"""Every string the drop page shows a person, by the page's key, as an English message id; French
comes from the gettext catalogue like every other message (scanner/i18n).

The server renders the page's fixed text from here and hands the page the whole table of its
language as JSON (GET /api/messages/LANG); the page's script holds no wording of its own. Values
are Python-style `{name}` templates, filled by the page. What a finding says comes with the
finding itself (its check's message), not from here.
"""

from __future__ import annotations

from scanner.i18n import LANGUAGES, N_, translation, typeset

PAGE_MESSAGES: dict[str, str] = {
    'title': N_('smscan: check before you share'),
    'language_name': N_('English'),
    'switch_language': N_('Français'),
    'drop_title': N_('Drop files or folders here'),
    'drop_hint': N_('Pictures, PDFs, Office files, ZIP archives and e-mails are checked on this computer '
                    'against the social media guidelines. Nothing is sent anywhere else.'),
    'choose_files': N_('Choose files'),
    'choose_folder': N_('Choose a folder'),
    'results_title': N_('Results'),
    'counter_empty': N_('No files yet.'),
    'counter': N_('{checked} of {total} checked, {blocked} blocked'),
    'counter_working': N_('{checked} of {total} checked, {blocked} blocked; {checking} being checked, '
                          '{waiting} waiting'),
    'all_done': N_('All {total} checked: {blocked} blocked, {passed} passed.'),
    'blocked_only': N_('Show blocked files only'),
    'verdict_pass': N_('PASS'),
    'verdict_block': N_('BLOCK'),
    'verdict_waiting': N_('WAITING'),
    'verdict_checking': N_('CHECKING'),
    'state_sending': N_('Waiting to be sent to the checker.'),
    'state_queued': N_('Waiting: number {position} in line.'),
    'state_checking': N_('Being checked now.'),
    'why_blocked': N_('Why it is blocked:'),
    'found': N_('What was found:'),
    'not_blocking': N_('(reported, not blocking)'),
    'cannot_check': N_('Could not be checked: {reason}'),
    'where': N_('Page {page}'),
    'where_part': N_('Page {page} of {part}'),
    'technical_detail': N_('Technical detail'),
    'found.other': N_('Something the guidelines do not allow ({kind}: {label}).'),
    'preview_alt': N_('{name}, page {page}, with what was found boxed and numbered as in the list'),
    'page_caption': N_('Page {page}'),
    'fix': N_('Make a shareable copy'),
    'fixing': N_('Making a shareable copy…'),
    'copy_title': N_('Shareable copy: {name}'),
    'copy_changes': N_('What was changed:'),
    'copy_passes': N_('The copy passes.'),
    'copy_still_blocked': N_('The copy is still blocked:'),
    'copy_download': N_('Download {name}'),
    'copy_announce': N_('Shareable copy of {name}: {verdict}.'),
    'fix_failed': N_('No copy could be made: {reason}'),
    'error_too_large': N_('The file is too large: the limit is {limit} MB.'),
    'error_forbidden': N_("This page's access key is missing or out of date. "
                          'Open the address that "smscan ui" printed when it started.'),
    'error_offline': N_('The smscan program is not answering. Is it still running?'),
    'error_gone': N_('The result is no longer kept. Drop the file again.'),
    'error_server': N_('The checker could not handle this file (HTTP {status}).'),
    'source_code': N_('source code'),
}

__all__ = ["LANGUAGES", "PAGE_MESSAGES", "page_messages"]


def page_messages(language: str) -> dict[str, str]:
    """The page's table in `language` (English for a language the page does not have), with its
    typography; the {placeholders} are left for the page to fill."""
    chosen = language if language in LANGUAGES else "en"
    return {key: typeset(chosen, translation(chosen).gettext(text)) for key, text in PAGE_MESSAGES.items()}
