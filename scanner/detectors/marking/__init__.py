"""Security markings (guideline 2.6): PROTECTED A/B/C, CONFIDENTIAL, SECRET, embargo notices..."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

LABELS = ("protected-a", "protected-b", "protected-c", "protected", "top-secret", "secret", "confidential",
          "cabinet-confidence", "embargo", "internal-use", "do-not-distribute")

CHECK = CheckSpec(
    name="marking",
    version="2",
    description="security markings in the text layer, OCR'd text and rubber stamps",
    detector="scanner.detectors.marking.detector:MarkingDetector",
    reads_text=True,
    kinds=(
        KindSpec(
            name="marking",
            plural="markings",
            section="2.6",
            default=Level(0.5, "2.6: confidential statistical information must be kept secure; a marked "
                               "document is not for posting"),
            labels=LABELS,
            messages={
                "*": Message(
                    "security marking “{excerpt}”",
                    "{n} security markings",
                    N_("a document marked this way must not be shared; share the released version instead"),
                ),
            },
        ),
    ),
)
