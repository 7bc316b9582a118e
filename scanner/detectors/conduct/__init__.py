"""Conduct (guideline 2.5): abuse aimed at the Agency or the Government, severe profanity and slurs."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

CHECK = CheckSpec(
    name="conduct",
    version="2",
    description="abusive language toward the Agency or the Government of Canada, and severe profanity",
    detector="scanner.detectors.conduct.detector:ConductDetector",
    reads_text=True,
    kinds=(
        KindSpec(
            name="conduct",
            plural="conduct",
            section="2.5",
            default=Level(0.6, "2.5: no profanity or abuse toward the Agency; 2.4: language acceptable at work"),
            labels=("abuse", "profanity"),
            messages={
                "abuse": Message("abusive language aimed at the Agency or the Government ({excerpt})",
                                 "{n} abusive passages aimed at the Agency or the Government",
                                 N_("criticism is fine, abuse is not: rewrite it")),
                "profanity": Message("severe profanity or a slur ({excerpt})", "{n} passages of severe profanity",
                                     N_("use language acceptable at work")),
                "*": Message("unacceptable language ({excerpt})", "{n} passages of unacceptable language",
                             N_("use language acceptable at work")),
            },
        ),
    ),
)
