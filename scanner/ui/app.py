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
import base64
import mimetypes
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader

from scanner.model import FileReport
from scanner.policy import Policy
from scanner.report.previews import annotated_pages, data_url, has_boxes
from scanner.ui.guard import Guard
from scanner.ui.jobs import Busy, Job, JobBoard, PoolScans, ScanService
from scanner.ui.messages import LANGUAGES, page_messages
from scanner.ui.uploads import Upload, UploadRefused, receive_files
from scanner.version import LICENSE, __version__, source_url

PREVIEW_SIDE = 900
# Findings a shareable copy can take out (`smscan fix`): the page offers the button for these.
FIXABLE_KINDS = ("face", "pii", "logo", "metadata")
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
    """What lives from start-up to shut-down: the spool folder, the scans, the thread that makes
    shareable copies (one at a time: PyMuPDF must not be used from two threads at once)."""

    def __init__(self, policy: Policy, limit: int, make_service: ServiceFactory) -> None:
        self.policy = policy
        self.limit = limit
        self._make_service = make_service
        self._face_detector: Any = None

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        self.spool = Path(tempfile.mkdtemp(prefix="smscan-ui-"))  # private (0700), removed at exit
        self.fixer = ThreadPoolExecutor(1, thread_name_prefix="smscan-ui-fix")
        self.service = self._make_service(self.policy)
        self.board = JobBoard(self.service, self.policy, PagePictures())
        try:
            yield
        finally:
            self.board.close()
            self.service.close()
            self.fixer.shutdown(wait=False, cancel_futures=True)
            shutil.rmtree(self.spool, ignore_errors=True)

    async def finished(self, job: Job) -> dict[str, Any]:
        result = await asyncio.wrap_future(job.finished)
        self.board.fetched(job)
        return result

    def fix(self, upload: Upload) -> tuple[str, bytes, Any]:
        """Write the shareable copy (on the fix thread): its name, bytes and what was done. This runs
        in the server's process, without the workers' hard limits; the copy is then checked by them."""
        from scanner.detectors.face.detector import FaceDetector
        from scanner.fix import write_fixed_copy

        original = PurePosixPath(upload.filename)
        suffix = original.suffix.lower()
        name = f"{original.stem}-shareable{suffix}"
        out = self.spool / f"{secrets.token_hex(12)}{suffix}"
        try:
            if self._face_detector is None:
                self._face_detector = FaceDetector()
            done = write_fixed_copy(upload.path.read_bytes(), out, filename=original.name, faces=self._face_detector)
            return name, out.read_bytes(), done
        finally:
            out.unlink(missing_ok=True)
            upload.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class PagePictures:
    """The follow-up of a scan for the page: the pages with boxes on the findings, numbered as the
    findings are. None when no finding has a place on a page (metadata, a ZIP member's text): a
    picture would show nothing found. Picklable, so a worker process can draw them."""

    side: int = PREVIEW_SIDE

    def __call__(self, report: FileReport, data: bytes) -> list[dict[str, Any]] | None:
        if report.error or not has_boxes(report):
            return None
        return [{"page": number, "image": data_url(image)}
                for number, image in annotated_pages(data, report, self.side, numbered=True)]  # fmt: skip


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
        job = _queue(server, upload, pictures=True)
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
                jobs.append(_queue(server, upload, pictures=previews))
        except Busy:
            for upload in uploads[len(jobs) + 1 :]:
                upload.path.unlink(missing_ok=True)
            raise
        return [await server.finished(job) for job in jobs]

    @api.post("/api/fix", response_model=None)
    async def fix(request: Request) -> dict[str, Any] | JSONResponse:
        from scanner.fix import FixError

        (upload,) = await receive_files(request, server.spool, server.limit, "file")
        try:
            name, data, done = await asyncio.wrap_future(server.fixer.submit(server.fix, upload))
        except FixError as error:
            return _error(422, "fix_failed", str(error))
        except Exception as error:  # the copy is extra: say what happened instead of a bare 500
            return _error(422, "fix_failed", f"the copy could not be made ({type(error).__name__}: {error})")
        spooled = server.spool / secrets.token_hex(12)
        spooled.write_bytes(data)
        job = server.board.add(spooled, name, name, pictures=True, first=True)
        return {
            "name": name,
            "media_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "data": base64.b64encode(data).decode("ascii"),
            "changes": list(done.removed) + ([f"{done.faces_blurred} face(s) blurred"] if done.faces_blurred else []),
            "notes": list(done.notes),
            "report": await server.finished(job),
        }


def _queue(server: _Server, upload: Upload, pictures: bool) -> Job:
    basename = PurePosixPath(upload.filename.replace("\\", "/")).name or "upload"
    return server.board.add(upload.path, basename, upload.filename, pictures=pictures)


def _job_state(server: _Server, job: Job) -> dict[str, Any]:
    state: dict[str, Any] = {"id": job.id, "name": job.shown, "state": job.state}
    if job.state == "queued":
        state["position"] = server.board.position(job)
    if job.result is not None:
        state["result"] = job.result
    return state


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **extra}, status_code=status, headers=headers)
