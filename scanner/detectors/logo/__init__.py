"""Government of Canada corporate symbols (guideline 2.3): GC signature, Canada wordmark, flag symbol,
departmental signatures, and artwork a user adds to the templates folder."""

from scanner.detectors import CheckSpec, KindSpec, Level, Message
from scanner.i18n import N_

_TODO = N_("corporate symbols belong on official accounts only: remove or crop it, or share the copy smscan fix makes")

CHECK = CheckSpec(
    name="logo",
    version="2",
    description="GoC and StatCan corporate symbols in pictures and page renders",
    detector="scanner.detectors.logo.detector:LogoDetector",
    preflight="scanner.detectors.logo.locations:missing_templates_warnings",
    pixels_only=True,
    kinds=(
        KindSpec(
            name="logo",
            plural="logos",
            section="2.3",
            default=Level(0.5, "2.3: never use GoC or StatCan corporate symbols outside official accounts"),
            label_levels={
                "canada-flag": Level(None, "2.3 is about corporate symbols: a photo of the national flag is "
                                           "reported, not blocked"),
            },
            labels=("gc-signature", "canada-wordmark", "statcan-signature", "flag-symbol", "departmental-signature",
                    "canada-flag"),
            open_labels=True,
            messages={
                "gc-signature": Message("the Government of Canada signature", "{n} Government of Canada signatures",
                                        _TODO),
                "canada-wordmark": Message("the Canada wordmark", "{n} Canada wordmarks", _TODO),
                "statcan-signature": Message("the Statistics Canada signature", "{n} Statistics Canada signatures",
                                             _TODO),
                "flag-symbol": Message("the flag symbol of the Federal Identity Program",
                                       "{n} flag symbols of the Federal Identity Program", _TODO),
                "departmental-signature": Message("a departmental signature", "{n} departmental signatures", _TODO),
                "canada-flag": Message("a Canadian flag", "{n} Canadian flags",
                                       N_("a photo of the national flag is not a corporate symbol; reported only")),
                "*": Message("a corporate symbol ({excerpt})", "{n} corporate symbols", _TODO),
            },
        ),
    ),
)
