"""Detectors: one module per check. Each turns a Page into Findings; no I/O, no policy.

A detector is a subclass of `Detector` with a unique `name`, defined in a module of this
package (found automatically) or published under the `smscan.detectors` entry-point group.
Models are loaded in `__init__`, once per Scanner; `detect` must be safe to call from
several threads.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from typing import ClassVar

from scanner.ingest.page import Page
from scanner.model import Finding


class Detector:
    name: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()  # finding kinds it can report
    reads_text: ClassVar[bool] = False  # uses page.words, so the page's OCR is run before it

    def detect(self, page: Page) -> list[Finding]:
        raise NotImplementedError


def available_detectors() -> dict[str, type[Detector]]:
    """Every detector class shipped in this package or registered by a plug-in."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    for entry in entry_points(group="smscan.detectors"):
        entry.load()
    found: dict[str, type[Detector]] = {}
    pending = list(Detector.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.name:
            found[cls.name] = cls
    return dict(sorted(found.items()))
