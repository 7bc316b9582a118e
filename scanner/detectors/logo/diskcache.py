"""Arrays the logo check derives from its templates (rendered artwork, SIFT features), kept on disk
between processes. Each entry is keyed by everything it is computed from, so a changed template,
library or setting is a new key, never a stale entry; a folder that cannot be written only means
no cache.

Why: every process used to render the SVG templates with MuPDF (importing it costs 0.11 CPU s) and
run SIFT on each template (0.4-0.5 s); a single photo checked by `smscan` paid both before its
first pixel was looked at.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import numpy as np


class ArrayCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, key: Iterable[bytes | str]) -> Path | None:
        if self.folder is None:
            return None
        digest = hashlib.sha256()
        for piece in key:
            data = piece.encode() if isinstance(piece, str) else piece
            digest.update(len(data).to_bytes(8, "little") + data)  # lengths first: pieces cannot run together
        return self.folder / f"{digest.hexdigest()}.npz"

    def get(self, key: Iterable[bytes | str]) -> dict[str, np.ndarray] | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            with np.load(path) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def kept(self, key: tuple[bytes | str, ...], compute: Callable[[], dict[str, np.ndarray]],
             *names: str) -> dict[str, np.ndarray]:
        """The arrays `names` stored under `key`, else `compute()`'s, stored for the next process."""
        cached = self.get(key)
        if cached is not None and set(names) <= cached.keys():
            return cached
        arrays = compute()
        self.put(key, **arrays)
        return arrays

    def put(self, key: Iterable[bytes | str], **arrays: np.ndarray) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(partial, **arrays)  # type: ignore[arg-type]
            partial.replace(path)  # whole or not at all, even with two workers writing
        except OSError:
            pass


@cache
def mupdf_version() -> str:
    """MuPDF's installed version, part of the key of whatever it drew; read from its distribution's
    folder name, since importing it to ask costs the 0.11 CPU s the cache is there to save."""
    import importlib.util

    spec = importlib.util.find_spec("pymupdf")
    if spec is None or spec.origin is None:
        return "no pymupdf"
    site = Path(spec.origin).parents[1]
    found = sorted(p.name for pattern in ("*.dist-info", "*.egg-info")
                   for p in site.glob(f"[Pp]y[Mm]u[Pp][Dd][Ff]-{pattern}"))
    if found:
        return found[-1]
    library = Path(spec.origin).with_name("mupdf.py")  # no metadata: the library's own file stands for it
    stat = library.stat() if library.is_file() else None
    return f"{spec.origin} {stat.st_size} {stat.st_mtime_ns}" if stat else spec.origin


_cache: ArrayCache | None = None


def disk_cache() -> ArrayCache:
    """In the user's cache folder (~/.cache/smscan/logo), or SMSCAN_CACHE_DIR's; none when
    SMSCAN_CACHE_DIR is empty."""
    global _cache
    if _cache is None:
        chosen = os.environ.get("SMSCAN_CACHE_DIR")
        if chosen == "":
            _cache = ArrayCache(None)
        else:
            import platformdirs

            root = Path(chosen) if chosen else Path(platformdirs.user_cache_dir("smscan", appauthor=False))
            _cache = ArrayCache(root / "logo")
    return _cache
