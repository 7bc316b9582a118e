import json
from typing import TextIO

from scanner.model import FileReport


def write_jsonl(report: FileReport, stream: TextIO) -> None:
    stream.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    stream.flush()
