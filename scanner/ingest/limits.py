from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What a file may cost before it is blocked unchecked (fail closed)."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 120_000_000
    max_pages: int = 2000  # a long report has 1,000 pages; time and memory are bounded on their own
    timeout_seconds: float = 300.0  # wall clock for one file, loading included
    max_memory_bytes: int = 2048 * 1024 * 1024  # of the worker process checking the file
    # Containers (ZIP, Office documents, e-mail), as ClamAV limits them:
    max_unpacked_bytes: int = 400 * 1024 * 1024  # all members of one file together, decompressed
    max_depth: int = 5  # containers inside containers
    max_members: int = 1000  # members of one file, counted through every level
    max_ratio: float = 100.0  # decompressed / compressed size of one member of 1 MiB or more
