import pytest

from scanner.detectors.marking.phrases import find_phrases, flatten, fold, is_label
from scanner.ingest.page import Word


def line_of(text: str) -> list[Word]:
    return [Word(t, (10 * i, 0, 10 * i + 8, 10), 0.9, 1) for i, t in enumerate(text.split())]


def labels(text: str) -> list[str]:
    line = flatten(line_of(text))
    return [m.label for m in find_phrases(line) if is_label(line, m)]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("PROTECTED B", "protected-b"),
        ("PROTECTEDB", "protected-b"),
        ("PROT ECTED B", "protected-b"),
        ("PR0TECTED 8", "protected-b"),
        ("PROTÉGÉ A", "protected-a"),
        ("PROTEGE C", "protected-c"),
        ("Protected B", "protected-b"),
        ("PROTECTED B when completed", "protected-b"),
        ("CONFIDENTIAL", "confidential"),
        ("CONFIDENTlAL", "confidential"),
        ("CONFlDENTIEL", "confidential"),
        ("Confidential", "confidential"),
        ("SECRET", "secret"),
        ("TOP SECRET", "top-secret"),
        ("TRÈS SECRET", "top-secret"),
        ("CABINET CONFIDENCE", "cabinet-confidence"),
        ("CONFIDENCE DU CABINET", "cabinet-confidence"),
        ("EMBARGOED UNTIL 8:30 A.M. EASTERN TIME", "embargo"),
        ("SOUS EMBARGO JUSQU'À 8 H 30", "embargo"),
        ("FOR INTERNAL USE ONLY", "internal-use"),
        ("FORINTERNALUSEONLY", "internal-use"),
        ("USAGE INTERNE SEULEMENT", "internal-use"),
        ("DO NOT DISTRIBUTE", "do-not-distribute"),
        ("NE PAS DIFFUSER", "do-not-distribute"),
        ("PROTECTED B / PROTÉGÉ B", "protected-b"),
    ],
)
def test_markings_are_found_despite_ocr_damage(text, label):
    assert label in labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "UNCLASSIFIED",
        "NON CLASSIFIÉ",
        "UNCLASSIFIED / NON CLASSIFIÉ",
        "Statistics Canada keeps your responses confidential",
        "All information you provide is kept confidential under the law.",
        "Vos renseignements demeurent confidentiels et sont protégés par la loi.",
        "Nothing secret here: the schedule is posted on the public website.",
        "Your data is protected by law",
        "NOT CONFIDENTIAL",
        "NON CONFIDENTIEL",
        "The trade embargo was lifted in the spring of that year",
        "The secret to good estimates is a good frame",
        "PROTECTEDBY",
    ],
)
def test_prose_and_unclassified_labels_are_not_markings(text):
    assert labels(text) == []


def test_fold_drops_accents_and_digit_confusions():
    assert fold("Protégé 8") == "PROTEGEB"
    assert fold("C0NF1DENT|AL") == "CONFIDENTIAL"


def test_the_cheap_filter_keeps_every_one_edit_variant_of_every_phrase():
    from scanner.detectors.marking.phrases import PHRASES, _may_be_one_edit, _one_edit

    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for body in {phrase.body for phrase in PHRASES}:
        variants = set()
        for i in range(len(body) + 1):
            variants.update(body[:i] + c + body[i:] for c in letters)  # insertions
            if i < len(body):
                variants.update(body[:i] + c + body[i + 1 :] for c in letters)  # substitutions
                variants.add(body[:i] + body[i + 1 :])  # deletions
        for variant in variants:
            if _one_edit(variant, body):
                assert _may_be_one_edit(variant, body), (variant, body)
