"""smscan: checks a file before it is shared on social media, against Statistics Canada's guidelines."""

from scanner.engine import Scanner
from scanner.model import FileReport, Finding, PageResult, Verdict
from scanner.policy import Policy

__all__ = ["FileReport", "Finding", "MessageReport", "PageResult", "Policy", "Scanner", "Verdict"]
__version__ = "0.1.0"
