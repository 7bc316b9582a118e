"""The core: Scanner (ingest -> checks -> policy for one file), its cache, and batches."""

from scanner.engine.batch import expand_paths, largest_first, scan_and_follow, scan_many
from scanner.engine.scanner import Scanner

__all__ = ["Scanner", "expand_paths", "largest_first", "scan_and_follow", "scan_many"]
