"""Who may talk to the drop page's server: only this machine's browser tab that was given the
address with the key in it.

- Host must name this machine on our port (127.0.0.1, localhost, [::1]): a page on another
  site whose name is made to resolve to 127.0.0.1 (DNS rebinding) sends its own name.
- Origin, when sent, must be ours: other sites can make a browser send requests, not read the
  answers, and a scan they start is work and a file they chose.
- Every request but the static script and style carries the per-launch key (as Jupyter does):
  `?token=` in the address, or the X-Smscan-Token header the page's script sends.
- Every answer forbids framing, sniffing, referrers (the address holds the key) and any script
  but our own file.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
TOKEN_HEADER = "x-smscan-token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
PUBLIC_PREFIX = "/static/"


class Guard:
    """ASGI middleware in front of the whole app."""

    def __init__(self, app: ASGIApp, port: int, token: str) -> None:
        self.app = app
        self.token = token
        self.hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
        self.origins = {f"http://{host}" for host in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here: closing before accepting answers 403
            await send({"type": "websocket.close", "code": 1008})
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _refuse(send, 403, *refusal, as_json=scope["path"].startswith("/api/"))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + SECURITY_HEADERS}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[str, str] | None:
        headers = Headers(scope=scope)
        if headers.get("host", "").lower() not in self.hosts:
            return "bad_host", "this server answers only to 127.0.0.1, localhost or [::1] on its own port"
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return "bad_origin", "requests from other sites are refused"
        if headers.get("sec-fetch-site") == "cross-site":
            return "bad_origin", "requests from other sites are refused"
        if scope["path"].startswith(PUBLIC_PREFIX):
            return None
        given = headers.get(TOKEN_HEADER) or _query_token(scope)
        if not given or not secrets.compare_digest(given.encode(), self.token.encode()):
            return "forbidden", "the key is missing or wrong: open the address smscan ui printed (with ?token=...)"
        return None


def _query_token(scope: Scope) -> str:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else ""


async def _refuse(send: Send, status: int, code: str, message: str, as_json: bool) -> None:
    """JSON for the API; a line of text for a person who opened the page without its key."""
    if as_json:
        body, media = json.dumps({"error": message, "code": code}).encode(), b"application/json"
    else:
        body, media = f"smscan ui: {message}\n".encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
               *SECURITY_HEADERS]  # fmt: skip; closing: a refused request's body is not read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
