from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What a file may cost before it is blocked unchecked (fail closed)."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 120_000_000
    max_pages: int = 500
    timeout_seconds: float = 300.0
