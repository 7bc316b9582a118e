"""`smscan eval`'s tables, in the person's language."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from scanner.evaluate import Evaluation
from scanner.i18n import N_, percent, tr

KIND_COLUMNS = (N_("kind"), N_("recall"), N_("found / expected"), N_("false blocks it caused"))
GROUP_COLUMNS = (N_("group"), N_("correct"), N_("files"))


def print_evaluation(evaluation: Evaluation, language: str, show_misses: bool, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    kinds = Table(title=tr(language, "Recall per finding kind"))
    for column in KIND_COLUMNS:
        kinds.add_column(tr(language, column))
    for kind, tally in sorted(evaluation.recall.items()):
        kinds.add_row(kind, percent(language, tally.rate), f"{tally.hits} / {tally.total}",
                      str(evaluation.false_block_by_kind.get(kind, 0)))
    console.print(kinds)
    groups = Table(title=tr(language, "Verdicts per group"))
    for column in GROUP_COLUMNS:
        groups.add_column(tr(language, column))
    for group, tally in sorted(evaluation.groups.items()):
        groups.add_row(group, percent(language, tally.rate), str(tally.total))
    console.print(groups)
    console.print(tr(language, "Block recall: {rate} ({hits}/{total})   False-block rate: {false_rate} "
                               "({false_hits}/{negatives} negatives)",
                     rate=percent(language, evaluation.block_recall.rate), hits=evaluation.block_recall.hits,
                     total=evaluation.block_recall.total, false_rate=percent(language, evaluation.false_block.rate),
                     false_hits=evaluation.false_block.hits, negatives=evaluation.false_block.total))
    if evaluation.misses:
        listed = evaluation.misses if show_misses else evaluation.misses[:10]
        console.print(tr(language, "Wrong or incomplete ({n}):", n=len(evaluation.misses)), *listed, sep="\n  ")
