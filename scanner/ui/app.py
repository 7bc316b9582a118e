"""The drop page's server (`smscan ui`).

GET /?token=KEY            the page (its script and style are /static/ files: no inline script)
GET /api/messages/LANG     every string the page shows, in LANG (scanner/ui/messages.py)
POST /api/jobs             one file (multipart field `file`): queued at once, answers its job id
GET /api/queue             ids waiting (in order) and being checked: the page's one poll
GET /api/jobs/ID           a job's state, and its result (the --json object) once done
POST /api/scan             files (field `files`, repeatable), answered when all are checked
POST /api/fix              one file (field `file`): the shareable copy, checked, in a JSON envelope

Every request needs the per-launch key (guard.py). Uploads wait on disk in one line in front of
the worker pool, at most one per worker being checked (jobs.py).
"""

from __future__ import annotations

import asyncio
import mimetypes
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader

from scanner.fix import ALWAYS_REMOVED, NEVER_FIXED
from scanner.fix import FIXABLE_KINDS as FIXABLE_BY_COPY
from scanner.policy import Policy
from scanner.ui.followups import PagePictures, ShareableCopy
from scanner.ui.guard import Guard
from scanner.ui.jobs import Busy, FollowUp, Job, JobBoard, PoolScans, ScanService
from scanner.ui.messages import LANGUAGES, page_messages
from scanner.ui.uploads import Upload, UploadRefused, receive_files
from scanner.version import LICENSE, __version__, source_url

# Findings a shareable copy takes out (`smscan fix`): the page offers the button for these.
FIXABLE_KINDS = (*FIXABLE_BY_COPY, ALWAYS_REMOVED)
STATIC_FILES = {"page.js": "text/javascript; charset=utf-8", "page.css": "text/css; charset=utf-8"}
MAX_FILES_PER_SCAN = 100

ServiceFactory = Callable[[Policy], ScanService]


@dataclass
class DropPage:
    """The ASGI application: the guard in front of the FastAPI app. `url` holds the key."""

    asgi: Guard
    api: FastAPI
    url: str
    token: str

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.asgi(scope, receive, send)


def create_app(
    policy: Policy | None = None,
    language: str = "en",
    max_upload_mb: float | None = None,
    *,
    port: int = 8765,
    token: str | None = None,
    service: ServiceFactory | None = None,
) -> DropPage:
    policy = policy or Policy.default()
    limit = int((max_upload_mb or policy.limits.max_file_bytes / 2**20) * 2**20)
    token = token or secrets.token_urlsafe(24)
    server = _Server(policy, limit, service or PoolScans)
    api = FastAPI(title="smscan", docs_url=None, redoc_url=None, openapi_url=None, lifespan=server.lifespan)
    _routes(api, server, language if language in LANGUAGES else "en")
    return DropPage(Guard(api, port, token), api, f"http://127.0.0.1:{port}/?token={token}", token)


class _Server:
    """What lives from start-up to shut-down: the spool folder and the scans."""

    def __init__(self, policy: Policy, limit: int, make_service: ServiceFactory) -> None:
        self.policy = policy
        self.limit = limit
        self._make_service = make_service

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        self.spool = Path(tempfile.mkdtemp(prefix="smscan-ui-"))  # private (0700), removed at exit
        self.service = self._make_service(self.policy)
        self.board = JobBoard(self.service, self.policy)
        try:
            yield
        finally:
            self.board.close()
            self.service.close()
            shutil.rmtree(self.spool, ignore_errors=True)

    async def finished(self, job: Job) -> dict[str, Any]:
        result = await asyncio.wrap_future(job.finished)
        self.board.fetched(job)
        return result


@cache
def _page_template() -> Any:
    return Environment(loader=PackageLoader("scanner.ui", "templates"), autoescape=True).get_template("page.html")


def _routes(api: FastAPI, server: _Server, language: str) -> None:
    @api.exception_handler(UploadRefused)
    async def refused(_: Request, error: UploadRefused) -> JSONResponse:
        # Closing the connection is what stops the rest of the body being read (and thrown away).
        return _error(error.status, error.code, str(error), headers={"Connection": "close"},
                      limit_mb=round(server.limit / 2**20))  # fmt: skip

    @api.exception_handler(Busy)
    async def busy(_: Request, error: Busy) -> JSONResponse:
        return _error(503, "busy", str(error), headers={"Retry-After": "2"})

    @api.get("/", response_class=HTMLResponse)
    def page(lang: str | None = None) -> str:
        chosen = lang if lang in LANGUAGES else language
        return _page_template().render(
            lang=chosen, t=page_messages(chosen), max_upload=server.limit, fixable=" ".join(FIXABLE_KINDS),
            never_fixed=" ".join(NEVER_FIXED),
            # AGPL-3.0 section 13: the page offers its users the source of the smscan that serves it.
            version=__version__, licence=LICENSE, source_url=source_url(),
            other=next(code for code in LANGUAGES if code != chosen),
        )  # fmt: skip

    @api.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC_FILES:
            return _error(404, "not_found", "no such file")
        return Response((files("scanner.ui") / "static" / name).read_bytes(), media_type=STATIC_FILES[name])

    @api.get("/api/messages/{lang}")
    def messages(lang: str) -> JSONResponse:
        if lang not in LANGUAGES:
            return _error(404, "not_found", f"no messages in {lang!r}; there are {', '.join(LANGUAGES)}")
        return JSONResponse(page_messages(lang))

    @api.post("/api/jobs", status_code=202)
    async def add_job(request: Request) -> dict[str, Any]:
        (upload,) = await receive_files(request, server.spool, server.limit, "file")
        job = _queue(server, upload, PagePictures())
        return _job_state(server, job)

    @api.get("/api/queue")
    def queue() -> dict[str, Any]:
        return server.board.snapshot()

    @api.get("/api/jobs/{job_id}", response_model=None)
    def job_state(job_id: str) -> dict[str, Any] | JSONResponse:
        job = server.board.get(job_id)
        if job is None:
            return _error(404, "gone", "no such job: it finished long ago, or the server restarted")
        if job.state == "done":
            server.board.fetched(job)
        return _job_state(server, job)

    @api.post("/api/scan")
    async def scan(request: Request, previews: bool = False) -> list[dict[str, Any]]:
        uploads = await receive_files(request, server.spool, server.limit, "files", MAX_FILES_PER_SCAN)
        jobs = []
        try:
            for upload in uploads:
                jobs.append(_queue(server, upload, PagePictures() if previews else None))
        except Busy:
            for upload in uploads[len(jobs) + 1 :]:
                upload.path.unlink(missing_ok=True)
            raise
        return [await server.finished(job) for job in jobs]

    @api.post("/api/fix", response_model=None)
    async def fix(request: Request) -> dict[str, Any] | JSONResponse:
        """`smscan fix` in a worker (first in line): the copy's bytes, name, report and pictures, what
        was changed; 422 with the reason, in both languages, when no copy could be made."""
        (upload,) = await receive_files(request, server.spool, server.limit, "file")
        name = PurePosixPath(upload.filename.replace("\\", "/")).name or "upload"
        maker = ShareableCopy(server.service.worker_config(), name)
        job = server.board.add(upload.path, name, upload.filename, maker, first=True)
        result = await server.finished(job)
        copy = result.get("copy")
        if copy is None:  # the worker ran out of time or memory, or the file could not be read
            why = result.get("reason") or {language: result.get("error") or "" for language in LANGUAGES}
            return _error(422, "fix_failed", why["en"], why=why)
        if "data" not in copy:
            return _error(422, "fix_failed", copy["why_not"]["en"], why=copy["why_not"])
        return {**copy, "media_type": mimetypes.guess_type(copy["name"])[0] or "application/octet-stream"}


def _queue(server: _Server, upload: Upload, follow_up: FollowUp | None) -> Job:
    basename = PurePosixPath(upload.filename.replace("\\", "/")).name or "upload"
    return server.board.add(upload.path, basename, upload.filename, follow_up)


def _job_state(server: _Server, job: Job) -> dict[str, Any]:
    state: dict[str, Any] = {"id": job.id, "name": job.shown, "state": job.state}
    if job.state == "queued":
        state["position"] = server.board.position(job)
    if job.result is not None:
        state["result"] = job.result
    return state


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **extra}, status_code=status, headers=headers)
