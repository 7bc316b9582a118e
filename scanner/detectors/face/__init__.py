"""Faces (guideline 2.4): every face in a photo, page render or embedded image."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

CHECK = CheckSpec(
    name="face",
    version="3",
    description="faces of people (CenterFace on OpenCV DNN), photographs told from drawings",
    detector="scanner.detectors.face.detector:FaceDetector",
    pixels_only=True,
    kinds=(
        KindSpec(
            name="face",
            plural="faces",
            section="2.4",
            default=Level(0.5, "2.4: never post pictures of other people without their consent"),
            label_levels={
                "drawn": Level(None, "2.4 is about pictures of real people: a drawn face (engraving, cartoon, "
                                     "emoji) is reported for a look"),
            },
            labels=("face", "drawn"),
            messages={
                "drawn": Message("a drawn face (engraving, cartoon or clip art)", "{n} drawn faces",
                                 N_("a drawing is fine unless it portrays a real person: check it")),
                "*": Message(
                    "a face of a person",
                    "{n} faces of people",
                    N_("get their consent (--consent faces), or share the copy smscan fix makes, which blurs them"),
                ),
            },
        ),
    ),
)
