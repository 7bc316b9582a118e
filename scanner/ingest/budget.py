"""What one top-level file may unpack, shared by every container nested in it (ZIP, Office, e-mail)."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.ingest.errors import IngestError
from scanner.ingest.limits import Limits

MIB = 2**20


@dataclass
class Budget:
    """What one top-level file may still unpack, shared by every container nested in it."""

    limits: Limits
    unpacked: int = 0
    members: int = 0
    pages: int = 0

    def count_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise IngestError(f"too many members: more than {self.limits.max_members} (limit max_members), at {name}")

    def room(self) -> int:
        return self.limits.max_unpacked_bytes - self.unpacked

    def spend(self, size: int, name: str) -> None:
        self.unpacked += size
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise self.unpacked_error(name)

    def unpacked_error(self, name: str) -> IngestError:
        limit = self.limits.max_unpacked_bytes / MIB
        return IngestError(f"too much to unpack: over {limit:g} MiB (limit max_unpacked_mb), at {name}")

    def count_pages(self, count: int, name: str) -> None:
        self.pages += count
        if self.pages > self.limits.max_pages:
            raise IngestError(f"too many pages: over {self.limits.max_pages} (limit max_pages), at {name}")


