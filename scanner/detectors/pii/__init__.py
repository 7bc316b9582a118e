"""Personal information in a page's text (guideline 2.4): contacts, identifiers and a person's
address; an organisation's published contacts are reported, not blocking."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

_TODO = N_("information about another person needs their consent: remove it, or share the copy smscan fix makes")
_ORGANISATION_TODO = N_("an organisation's published contact is fine to share; check it is not a person's")
_PUBLISHED = "2.4 is about other individuals: an organisation's published contact is not a person's"

CHECK = CheckSpec(
    name="pii",
    version="3",
    description="personal information in text: e-mail addresses, phone numbers, SINs, dates of birth, "
    "health-card and passport numbers, home addresses",
    detector="scanner.detectors.pii.detector:PiiDetector",
    reads_text=True,
    kinds=(
        KindSpec(
            name="pii",
            plural="pii",
            section="2.4",
            default=Level(0.6, "2.4: never post information about other people without their consent"),
            label_levels={
                "org-phone": Level(None, _PUBLISHED),
                "org-email": Level(None, _PUBLISHED),
                "org-address": Level(None, _PUBLISHED),
            },
            labels=("email", "phone", "sin", "dob", "health-card", "passport", "address",
                    "org-phone", "org-email", "org-address"),
            messages={
                "email": Message("an e-mail address ({excerpt})", "{n} e-mail addresses", _TODO),
                "phone": Message("a phone number ({excerpt})", "{n} phone numbers", _TODO),
                "sin": Message("a Social Insurance Number ({excerpt})", "{n} Social Insurance Numbers", _TODO),
                "dob": Message("a person's date of birth ({excerpt})", "{n} dates of birth", _TODO),
                "health-card": Message("a health-card number ({excerpt})", "{n} health-card numbers", _TODO),
                "passport": Message("a passport number ({excerpt})", "{n} passport numbers", _TODO),
                "address": Message("a person's street address ({excerpt})", "{n} street addresses of people", _TODO),
                "org-phone": Message("an organisation's phone number ({excerpt})",
                                     "{n} phone numbers of organisations", _ORGANISATION_TODO),
                "org-email": Message("an organisation's e-mail address ({excerpt})",
                                     "{n} e-mail addresses of organisations", _ORGANISATION_TODO),
                "org-address": Message("an organisation's street address ({excerpt})",
                                       "{n} street addresses of organisations", _ORGANISATION_TODO),
                "*": Message("personal information ({excerpt})", "{n} pieces of personal information", _TODO),
            },
        ),
    ),
)
