"""smscan: checks a file before it is shared on social media, against Statistics Canada's guidelines.

    from scanner import Scanner
    report = Scanner().scan_path("photo.jpg")

Names are imported on first use, so that `import scanner` (and `smscan --help`) stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.lazy import lazy_exports
from scanner.version import __version__

if TYPE_CHECKING:
    from scanner.engine.scanner import Scanner
    from scanner.model import FileReport, Finding, MessageReport, PageResult, Verdict
    from scanner.policy import Policy

_WHERE = {
    "Scanner": "scanner.engine.scanner",
    "FileReport": "scanner.model",
    "Finding": "scanner.model",
    "MessageReport": "scanner.model",
    "PageResult": "scanner.model",
    "Verdict": "scanner.model",
    "Policy": "scanner.policy",
}
__all__ = ["FileReport", "Finding", "MessageReport", "PageResult", "Policy", "Scanner", "Verdict", "__version__"]

__getattr__ = lazy_exports(__name__, _WHERE)
