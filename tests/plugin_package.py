"""A real plug-in distribution for the tests: a module and its dist-info with an entry point in the
`smscan.checks` group, in a folder that is put on the path (as pip would install it)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A check of a new kind in a new guideline section, with its own English and French words. What
# its detector does is chosen by the SAUCE environment variable, so one plug-in can also sleep,
# eat memory or crash in a worker process.
SAUCE_PLUGIN = '''
import os
import signal
import time

from scanner.detectors import CheckSpec, Detector, KindSpec, Level, Message
from scanner.model import Finding


class SauceDetector(Detector):
    def detect(self, page):
        behaviour = os.environ.get("SAUCE", "find")
        if behaviour == "sleep":
            time.sleep(600)
        if behaviour == "nap":
            time.sleep(5)
        if behaviour == "eat":
            hoard = [bytearray(50_000_000) for _ in range(200)]
            return [Finding("sauce", "secret", 0.9, page.number, None, detail=str(len(hoard)))]
        if behaviour == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if behaviour == "undeclared":
            return [Finding("mystery", "x", 0.9, page.number, None)]
        if behaviour == "raise":
            raise RuntimeError("the sauce spilled")
        return [Finding("sauce", "secret", 0.9, page.number, (1, 1, 5, 5), excerpt="recipe", detail="smelled it")]


CHECK = CheckSpec(
    name="sauce",
    version="1",
    description="a secret sauce recipe (a test plug-in)",
    detector=SauceDetector,
    kinds=(
        KindSpec(
            name="sauce",
            plural="sauces",
            section="2.7",
            default=Level(0.5, "2.7: the recipe stays in the kitchen"),
            labels=("secret",),
            messages={"*": Message("the secret sauce recipe ({excerpt})", "{n} secret sauce recipes",
                                   "keep it in the kitchen",
                                   fr=Message("la recette de la sauce secrète ({excerpt})",
                                              "{n} recettes de sauce secrète", "gardez-la en cuisine"))},
        ),
    ),
)
'''


def write_plugin(root: Path, name: str = "smscan_sauce", source: str = SAUCE_PLUGIN) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.py").write_text(source)
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[smscan.checks]\n{name} = {name}:CHECK\n")
    return root


@contextmanager
def installed(root: Path) -> Iterator[None]:
    """The plug-in folder on this process's path (and the registry reloaded) for the duration."""
    from scanner.detectors import registry

    sys.path.insert(0, str(root))
    registry.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(root))
        registry.cache_clear()
