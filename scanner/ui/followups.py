"""Work done on an upload right after its scan, in the worker process that scanned it (so within
the same hard time and memory limits), from the very bytes it scanned. Each returns the fields it
adds to the file's result. Both are picklable: they travel to the worker with the job."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from scanner.i18n import LANGUAGES
from scanner.model import FileReport
from scanner.report.previews import annotated_pages, data_url, has_boxes

PREVIEW_SIDE = 900


@dataclass(frozen=True)
class PagePictures:
    """The pages with boxes on the findings, numbered as the findings are: {"previews": [...]}.
    Nothing when no finding has a place on a page (metadata, a ZIP member's text): a picture
    would show nothing found."""

    side: int = PREVIEW_SIDE

    def __call__(self, report: FileReport, data: bytes) -> dict[str, Any]:
        if report.error or not has_boxes(report):
            return {}
        return {"previews": [{"page": number, "image": data_url(image)}
                             for number, image in annotated_pages(data, report, self.side, numbered=True)]}  # fmt: skip


@dataclass(frozen=True)
class ShareableCopy:
    """`smscan fix` on the upload, with the scanner of the worker it runs in: {"copy": {...}} with
    the outcome, what was changed and why not more (both languages), and when a copy was made its
    name, bytes (base64), report and pictures."""

    worker: Any  # the pool's WorkerConfig: it names the worker's own scanner
    filename: str

    @property
    def scans(self) -> int:
        """The upload's scan, fix's own scan of it, and up to MAX_ROUNDS scans of copies: the job gets a
        time limit for each."""
        from scanner.fix import MAX_ROUNDS

        return 2 + MAX_ROUNDS

    def __call__(self, report: FileReport, data: bytes) -> dict[str, Any]:
        from scanner.engine.pool import worker_scanner
        from scanner.fix import Outcome, fix_bytes

        fixed = fix_bytes(worker_scanner(self.worker), data, self.filename)
        copy: dict[str, Any] = {
            "outcome": str(fixed.outcome),
            "changes": {language: fixed.changes(language) for language in LANGUAGES},
            "why_not": {language: fixed.why_not(language) for language in LANGUAGES},
        }
        if fixed.outcome in (Outcome.PASSES, Outcome.STILL_BLOCKED) and fixed.data is not None and fixed.after:
            after = fixed.after
            copy.update(name=after.path, data=base64.b64encode(fixed.data).decode("ascii"),
                        report={**after.to_dict(), **PagePictures()(after, fixed.data)})  # fmt: skip
        return {"copy": copy}
