"""Conduct (guidelines 2.5 and 2.4): abuse aimed at the Agency or the Government, severe
profanity and slurs in one's own words, and the same words quoted (reported only)."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

CHECK = CheckSpec(
    name="conduct",
    version="3",
    description="abusive language toward the Agency or the Government of Canada, and severe profanity",
    detector="scanner.detectors.conduct.detector:ConductDetector",
    reads_text=True,
    kinds=(
        KindSpec(
            name="conduct",
            plural="conduct",
            section="2.5",
            default=Level(0.6, "2.5: no profanity or abuse toward the Agency; 2.4: language acceptable at work"),
            label_levels={
                "quoted": Level(None, "2.4 asks for language acceptable at work in one's own words; "
                                      "a quotation or a book page is reported for a look"),
            },
            labels=("abuse", "profanity", "quoted"),
            messages={
                "abuse": Message("abusive language aimed at the Agency or the Government ({excerpt})",
                                 "{n} abusive passages aimed at the Agency or the Government",
                                 N_("criticism is fine, abuse is not: rewrite it")),
                "profanity": Message("severe profanity or a slur ({excerpt})", "{n} passages of severe profanity",
                                     N_("use language acceptable at work")),
                "quoted": Message("severe profanity or a slur in quoted or literary text ({excerpt})",
                                  "{n} passages of severe profanity in quoted or literary text",
                                  N_("make sure the quotation is needed and fit to share")),
                "*": Message("unacceptable language ({excerpt})", "{n} passages of unacceptable language",
                             N_("use language acceptable at work")),
            },
        ),
    ),
)
