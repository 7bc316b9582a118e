"""Faces (guideline 2.4): every face in a photo, page render or embedded image."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

CHECK = CheckSpec(
    name="face",
    version="2",
    description="faces of people (CenterFace on OpenCV DNN)",
    detector="scanner.detectors.face.detector:FaceDetector",
    pixels_only=True,
    kinds=(
        KindSpec(
            name="face",
            plural="faces",
            section="2.4",
            default=Level(0.5, "2.4: never post pictures of other people without their consent"),
            labels=("face",),
            messages={
                "*": Message(
                    "a face of a person",
                    "{n} faces of people",
                    N_("get their consent (--consent faces), or share the copy smscan fix makes, which blurs them"),
                ),
            },
        ),
    ),
)
