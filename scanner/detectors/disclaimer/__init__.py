"""Personal opinion (guideline 2.3): a personal post that speaks about Statistics Canada or the
Government of Canada says it is the writer's own opinion, not the Agency's."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

CHECK = CheckSpec(
    name="disclaimer",
    version="1",
    description="a post or text about the Agency or the Government of Canada that does not say it is personal opinion",
    detector="scanner.detectors.disclaimer.detector:DisclaimerDetector",
    reads_text=True,
    kinds=(
        KindSpec(
            name="disclaimer",
            plural="disclaimers",
            section="2.3",
            default=Level(None, "2.3: a personal post about the Agency should say it is personal opinion; "
                                "a reminder, not a reason to block"),
            labels=("missing",),
            messages={
                "*": Message(
                    "a text about the Agency that does not say it is your personal opinion ({excerpt})",
                    "{n} texts about the Agency that do not say they are your personal opinion",
                    N_("if it is a personal post, say so, for example: “The views expressed here are my own and do "
                       "not represent those of Statistics Canada” / “Les opinions exprimées ici sont les miennes "
                       "et ne représentent pas celles de Statistique Canada”"),
                ),
            },
        ),
    ),
)
