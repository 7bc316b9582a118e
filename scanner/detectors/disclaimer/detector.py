"""Personal opinion (guideline 2.3): a text that names Statistics Canada or the Government of Canada
and nowhere says it is the writer's personal opinion.

Only texts are read (a draft, standard input, a .txt, Markdown or HTML file, an e-mail's body
checked on its own), not the pages of documents and pictures: an official report names the
Agency on every page and is no personal post. A table is no post either. The names are the ones
the conduct check knows, less the generic ones ("the government", "the agency") that may mean
any government; "census" counts, it is the Agency's.
"""

from __future__ import annotations

import re

from scanner.detectors import Detector
from scanner.detectors.conduct.detector import find_targets
from scanner.ingest.page import Page
from scanner.model import Finding
from scanner.textfold import lower_plain

_GENERIC = {"the government", "le gouvernement", "the agency", "l'agence", "your agency", "votre agence"}
# What a personal-opinion statement says, in English and French (text folded: lower case, no accents).
_DISCLAIMER = re.compile(
    r"\b(?:(?:views?|opinions?|thoughts?|posts?|tweets?)(?: \w+){0,3} (?:are|is) (?:my own|mine|personal)"
    r"|my own (?:views?|opinions?)|personal (?:views?|opinions?)|(?:do(?:es)? not|don't|doesn't) "
    r"(?:necessarily )?(?:reflect|represent|speak for)|not (?:speaking|writing|posting) (?:for|on behalf of)"
    r"|not an? official|views? of my employer|my employer's views?"
    r"|opinions? personnelles?|(?:mes|mon) (?:propres? )?(?:opinions?|avis|points? de vue)|n'engagent? que moi"
    r"|a titre personnel|ne (?:refletent|refletant|representent|representant|refl[eè]te|represente) pas"
    r"|(?:les )?(?:opinions|propos) (?:\w+ ){0,3}sont les miennes)",
)


class DisclaimerDetector(Detector):

    def detect(self, page: Page) -> list[Finding]:
        if page.kind != "text" or page.part is not None or "table" in page.metadata:
            return []
        words = [w for line in page.lines() for w in line]
        tokens = [w.text for w in words]
        names = [" ".join(tokens[first : last + 1]) for first, last in find_targets(tokens)]
        names = [name for name in names if lower_plain(name).strip(".,;:!?") not in _GENERIC]
        if not names or _DISCLAIMER.search(lower_plain(" ".join(tokens))):
            return []
        detail = f"names {', '.join(sorted(set(names)))}; no personal-opinion statement"
        return [Finding(kind="disclaimer", label="missing", confidence=0.8, page=page.number, bbox=None,
                        excerpt=names[0], detail=detail)]
