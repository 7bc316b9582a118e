"""What the words around a number say about whose it is: an organisation's (a letterhead, a
footer, "Head office", a toll-free line, info@) or a person's ("home", "cell", a name above a
street address). English and French; text is compared lower-case without accents."""

from __future__ import annotations

import re
from functools import lru_cache

from scanner.textfold import lower_plain

# North American toll-free area codes: numbers that only businesses and services rent.
TOLL_FREE_AREAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})

# Mailboxes that belong to a role, not to someone: info@, media@, contact@...
_ROLE_MAILBOXES = re.compile(
    r"^(?:info|infos?|information|media|medias|press|presse|contact|contactus|contacts|support|help|helpdesk|"
    r"aide|service|services|customerservice|sales|ventes|admin|administration|office|bureau|reception|"
    r"accueil|hello|bonjour|enquiries|inquiries|questions|feedback|commentaires|webmaster|postmaster|"
    r"hostmaster|abuse|noreply|no-reply|donotreply|marketing|communications?|comms|hr|rh|jobs|emplois|"
    r"careers|carrieres|recrutement|recruiting|billing|accounts|comptabilite|finance|orders|commandes|"
    r"privacy|confidentialite|secretariat|general|team|equipe|mail|courriel|renseignements|membership|"
    r"events|evenements|news|nouvelles|editor|redaction|library|bibliotheque|registrar|security)"
    r"(?:[._-][a-z0-9]+)*$"
)

# Words that put a contact in an organisation's letterhead or footer block.
ORGANISATION_CONTACT_WORDS = re.compile(
    r"\b(?:fax|telecopieur|telec|head\s*office|main\s*office|siege\s*social|headquarters|switchboard|"
    r"standard|toll[\s-]*free|sans\s*frais|customer\s*service|service\s*a\s*la\s*clientele|sales|ventes|"
    r"reception|inquiries|enquiries|renseignements|general\s*inquiries|office|bureau|hours|heures)\b"
)
# "Tel." / "Tél." / "Phone:" labels: how letterheads write numbers, but business cards too, so
# they count only together with another sign of an organisation.
PHONE_LABEL = re.compile(r"(?:^|\s)(?:tel|t|ph|phone|telephone)\s*[.:]")
ORGANISATION_NAME_WORDS = re.compile(
    r"\b(?:inc|incorporated|ltd|ltee|limited|llc|llp|corp|corporation|company|co|compagnie|cie|plc|gmbh|"
    r"s\.?a|association|society|societe|institute|institut|foundation|fondation|university|universite|"
    r"college|school|ecole|hospital|hopital|clinic|clinique|bank|banque|council|conseil|ministry|ministere|"
    r"department|ministere|agency|agence|government|gouvernement|services|group|groupe|industries|systems|"
    r"technologies|laboratories|laboratoires|enterprises|entreprises|centre|center|office|bureau|church|"
    r"eglise|city\s+of|ville\s+de|municipality|municipalite|press|publishing|editions|federation|union|"
    r"chamber|chambre|board|commission|secretariat)\b"
)
# A website, not the domain of an e-mail address.
WEBSITE = re.compile(r"\b(?:www\.|https?://)|(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|ca|gov|info)\b")

# Words that say a contact is someone's own.
PERSONAL_CONTACT_WORDS = re.compile(
    r"\b(?:cell|cellulaire|cellular|mobile|portable|home|domicile|residence|"
    r"personal\s+(?:cell|phone|number|e-?mail|address)|(?:numero|cellulaire|adresse|courriel)\s+personnel(?:le)?|"
    r"my\s+(?:number|phone|cell|address|email)|mon\s+(?:numero|cell|adresse|courriel)|call\s+me|"
    r"appelle[zr]?[\s-]moi|text\s+me|texte[zr]?[\s-]moi|whatsapp|emergency\s+contact|next\s+of\s+kin|"
    r"lives\s+at|habite|resides|reside|patient|client\s+name|nom\s+du\s+client)\b"
)

TOP_BAND = 0.15  # share of a page's height that holds a letterhead
BOTTOM_BAND = 0.12  # and a footer


def folded(text: str) -> str:
    """Lower case without accents, one character for one, so positions match the original."""
    if text.isascii():
        return text.lower()  # the same result, without a Unicode normalisation per character
    return "".join(map(_folded_character, text))


@lru_cache(maxsize=4096)
def _folded_character(char: str) -> str:
    return (lower_plain(char) or " ")[0]


# Parts of a mailing list's or a project's address ("r-help@", "ess-bugs@", "users-request@").
_LIST_PARTS = frozenset(
    {"help", "devel", "dev", "bugs", "bug", "request", "requests", "announce", "announcements", "discuss",
     "discussion", "commits", "list", "lists", "owner", "users", "support", "info", "contact", "admin",
     "security", "noreply", "feedback"}
)


def is_role_mailbox(address: str) -> bool:
    """A mailbox of a role, a team or a mailing list rather than of someone."""
    local, _, domain = address.lower().partition("@")
    company = domain.split(".")[0]
    if _ROLE_MAILBOXES.match(local) or local == company or company in ("lists", "list", "listserv"):
        return True
    parts = re.split(r"[-._+]", local)
    return len(parts) > 1 and parts[-1] in _LIST_PARTS


def in_page_band(top: float, bottom: float, page_height: float) -> bool:
    """A line in the page's top or bottom band: where letterheads and footers sit."""
    if page_height <= 0:
        return False
    return bottom <= page_height * TOP_BAND or top >= page_height * (1 - BOTTOM_BAND)


def organisation_evidence(line: str, block: str, in_band: bool) -> int:
    """How many signs put a contact in an organisation's block (0: none). `line` holds the contact,
    `block` the lines around it (both folded)."""
    signs = 0
    if ORGANISATION_CONTACT_WORDS.search(line):
        signs += 2  # "Fax", "Head office" on the contact's line: said only of an organisation's lines
    elif ORGANISATION_CONTACT_WORDS.search(block):
        signs += 1  # nearby, the word may be prose ("Sales rose 4.5 %")
    if ORGANISATION_NAME_WORDS.search(block):
        signs += 1
    if WEBSITE.search(block):
        signs += 1
    if PHONE_LABEL.search(line):
        signs += 1
    if in_band:
        signs += 1
    return signs


def is_personal_context(block: str) -> bool:
    return bool(PERSONAL_CONTACT_WORDS.search(block))
