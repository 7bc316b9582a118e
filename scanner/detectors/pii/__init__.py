"""Personal information in a page's text (guideline 2.4): e-mail addresses, phone numbers, SINs."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

_TODO = N_("information about another person needs their consent: remove it, or share the copy smscan fix makes")

CHECK = CheckSpec(
    name="pii",
    version="2",
    description="personal information in text: e-mail addresses, phone numbers, Social Insurance Numbers",
    detector="scanner.detectors.pii.detector:PiiDetector",
    reads_text=True,
    kinds=(
        KindSpec(
            name="pii",
            plural="pii",
            section="2.4",
            default=Level(0.6, "2.4: never post information about other people without their consent"),
            labels=("email", "phone", "sin"),
            messages={
                "email": Message("an e-mail address ({excerpt})", "{n} e-mail addresses", _TODO),
                "phone": Message("a phone number ({excerpt})", "{n} phone numbers", _TODO),
                "sin": Message("a Social Insurance Number ({excerpt})", "{n} Social Insurance Numbers", _TODO),
                "*": Message("personal information ({excerpt})", "{n} pieces of personal information", _TODO),
            },
        ),
    ),
)
