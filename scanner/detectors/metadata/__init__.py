"""Personal information hidden in a file rather than shown (guideline 2.4): photo and document
metadata, annotations, text a reader cannot see."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

_TODO = N_("share the copy smscan fix makes, which removes it")

CHECK = CheckSpec(
    name="metadata",
    version="2",
    description="GPS position, serial numbers, names, comments and hidden text in file metadata",
    detector="scanner.detectors.metadata.detector:MetadataDetector",
    kinds=(
        KindSpec(
            name="metadata",
            plural="metadata",
            section="2.4",
            default=Level(0.5, "2.4: information about people hidden in a file travels with it"),
            labels=("gps", "camera-serial", "author", "owner", "comment", "annotation", "hidden-text"),
            messages={
                "gps": Message("the GPS position where the photo was taken", "{n} GPS positions", _TODO),
                "camera-serial": Message("a camera serial number", "{n} camera serial numbers", _TODO),
                "author": Message("a person's name in the file's properties ({excerpt})",
                                  "{n} names in the file's properties", _TODO),
                "owner": Message("the camera owner's name ({excerpt})", "{n} camera owner names", _TODO),
                "comment": Message("a comment in the file's metadata", "{n} comments in the file's metadata", _TODO),
                "annotation": Message("a comment or annotation on the page", "{n} comments or annotations", _TODO),
                "hidden-text": Message("text a reader cannot see ({excerpt})", "{n} pieces of hidden text", _TODO),
                "*": Message("personal information in the file's metadata", "{n} pieces of metadata", _TODO),
            },
        ),
    ),
)
