"""Personal information hidden in a file rather than shown (guideline 2.4): photo and document
metadata, annotations, text a reader cannot see.

What blocks is decided per field from the guideline's intent (2.4: information about *other*
people): where a photo was taken, and text a reader cannot see or notes on the page, which may
say anything about anyone, block; what the file says about its own making (who wrote it, which
software, which camera) is nearly always the sharer's own and is reported, and `smscan fix`
removes it. Placeholder values (0, 65535, "unknown"...) are not reported at all."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

_FIX_IT = N_("share the copy smscan fix makes, which removes it")
_OWN = "2.4 is about other people: the file's author is usually the person sharing it; smscan fix removes it"

CHECK = CheckSpec(
    name="metadata",
    version="3",
    description="GPS position, serial numbers, names, comments and hidden text in file metadata",
    detector="scanner.detectors.metadata.detector:MetadataDetector",
    kinds=(
        KindSpec(
            name="metadata",
            plural="metadata",
            section="2.4",
            default=Level(0.5, "2.4: information about people hidden in a file travels with it"),
            label_levels={
                "author": Level(None, _OWN),
                "owner": Level(None, "2.4 is about other people: a camera owner is usually the one sharing"),
                "camera-serial": Level(None, "2.4: a camera's serial number says nothing about the people pictured"),
                "software": Level(None, "2.4: the software that made a file says nothing about anyone"),
                "comment": Level(None, "2.4: a free-text caption is worth a look but rarely names someone else"),
            },
            labels=("gps", "camera-serial", "author", "owner", "software", "comment", "annotation", "hidden-text"),
            messages={
                "gps": Message("the GPS position where the photo was taken", "{n} GPS positions", _FIX_IT),
                "camera-serial": Message("a camera serial number", "{n} camera serial numbers", _FIX_IT),
                "author": Message("a person's name in the file's properties ({excerpt})",
                                  "{n} names in the file's properties", _FIX_IT),
                "owner": Message("the camera owner's name ({excerpt})", "{n} camera owner names", _FIX_IT),
                "software": Message("the name of the software that made the file ({excerpt})",
                                    "{n} software names in the file's properties", _FIX_IT),
                "comment": Message("a comment in the file's metadata", "{n} comments in the file's metadata", _FIX_IT),
                "annotation": Message("a comment or annotation on the page", "{n} comments or annotations", _FIX_IT),
                "hidden-text": Message("text a reader cannot see ({excerpt})", "{n} pieces of hidden text", _FIX_IT),
                "*": Message("personal information in the file's metadata", "{n} pieces of metadata", _FIX_IT),
            },
        ),
    ),
)
