from rich.console import Console
from rich.table import Table

from scanner.evaluate import Evaluation


def print_evaluation(evaluation: Evaluation, console: Console, show_misses: bool) -> None:
    kinds = Table(title="Recall per finding kind")
    for column in ("kind", "recall", "found / expected", "false blocks it caused"):
        kinds.add_column(column)
    for kind, tally in sorted(evaluation.recall.items()):
        kinds.add_row(kind, f"{tally.rate:.1%}", f"{tally.hits} / {tally.total}",
                      str(evaluation.false_block_by_kind.get(kind, 0)))
    console.print(kinds)
    groups = Table(title="Verdicts per group")
    for column in ("group", "correct", "files"):
        groups.add_column(column)
    for group, tally in sorted(evaluation.groups.items()):
        groups.add_row(group, f"{tally.rate:.1%}", str(tally.total))
    console.print(groups)
    console.print(
        f"Block recall: {evaluation.block_recall.rate:.1%} ({evaluation.block_recall.hits}/"
        f"{evaluation.block_recall.total})   False-block rate: {evaluation.false_block.rate:.1%} "
        f"({evaluation.false_block.hits}/{evaluation.false_block.total} negatives)"
    )
    if evaluation.misses:
        listed = evaluation.misses if show_misses else evaluation.misses[:10]
        console.print(f"Wrong or incomplete ({len(evaluation.misses)}):", *listed, sep="\n  ")
