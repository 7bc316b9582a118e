"""FastAPI app: GET / serves the drop page; POST /api/scan scans uploaded files."""

from __future__ import annotations

import html
import threading
from importlib.resources import files
from typing import Annotated, Any

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse

from scanner.engine.scanner import Scanner
from scanner.i18n import LANGUAGES
from scanner.policy import Policy
from scanner.report.previews import annotated_pages, data_url
from scanner.version import LICENSE, __version__, source_url

PREVIEW_SIDE = 900


def create_app(policy: Policy | None = None, language: str = "en", max_upload_mb: float | None = None) -> FastAPI:
    policy = policy or Policy.default()
    limit = int((max_upload_mb or policy.limits.max_file_bytes / 2**20) * 2**20)
    scanner = Scanner(policy)
    # One scan at a time: the page is a single person's tool, and some model runtimes
    # are not safe to call from several threads at once.
    scan_lock = threading.Lock()
    app = FastAPI(title="smscan", docs_url=None, redoc_url=None)
    page = (files("scanner.ui") / "page.html").read_text("utf-8")
    # AGPL-3.0 section 13: the page offers its users the source of the smscan that serves it.
    page = (page.replace("__VERSION__", __version__).replace("__LICENSE__", LICENSE)
            .replace("__SOURCE_URL__", html.escape(source_url(), quote=True)))

    @app.get("/", response_class=HTMLResponse)
    def index(lang: str | None = None) -> str:
        chosen = lang if lang in LANGUAGES else language
        return page.replace("__LANG__", chosen).replace("__MAX_UPLOAD__", str(limit))

    @app.post("/api/scan", response_model=None)
    async def scan(
        request: Request,
        uploads: Annotated[list[UploadFile] | None, File(alias="files")] = None,
        previews: Annotated[bool, Query()] = False,
    ) -> list[dict[str, Any]] | JSONResponse:
        if not uploads:
            return _error(400, "no files in the request: send them as multipart form field 'files'")
        results = []
        for upload in uploads:
            name = upload.filename or "upload"
            data = await upload.read(limit + 1)
            if len(data) > limit:
                return _error(413, f"{name}: upload too large (limit {limit / 2**20:.0f} MiB)")
            results.append(await _scan_one(scanner, scan_lock, data, name, previews))
        return results

    return app


async def _scan_one(scanner: Scanner, lock: threading.Lock, data: bytes, name: str, previews: bool) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    def work() -> dict[str, Any]:
        with lock:
            report = scanner.scan_bytes(data, filename=name, path=name)
            result = report.to_dict()
            if previews:
                result["previews"] = [
                    {"page": number, "image": data_url(image)}
                    for number, image in annotated_pages(data, report, PREVIEW_SIDE)
                ]
        return result

    return await run_in_threadpool(work)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
