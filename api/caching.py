"""HTTP caching that follows from time travel.

An answer asked with both `at` and a `recorded_at` in the past can never change: the ledger only
adds records after their time. It is sent with `Cache-Control: ... immutable` and a strong ETag.
Every other answer is `no-cache` (a cache must ask again, and If-None-Match makes that cheap), with
a weak ETag that leaves out the moment it was answered. A route may give its own (the relation's
version). If-None-Match naming it is answered 304. Token routes and writes are `no-store`. An answer asked
at a system time after now says so in `Ledger-Provisional: true`: it is what the ledger holds now.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.parsing import system_time
from api.routes.deps import flag
from domain.errors import InvalidValue

YEAR = "max-age=31536000, immutable"
# A write takes its system time before it commits: a time this recent may still gain records.
SETTLED = timedelta(minutes=1)
UNCACHED = ("/v1/feed", "/v1/tokens")  # a stream; secrets and their list
# The answers fixed by a date and a system time: statuses, recognitions, a relation. (Others may
# hold what no system time fixes, as a subject's milestones.)
SETTLES = re.compile(r"^/v1/(subjects/[^/]+/(recognitions|status)|actors/[^/]+/status|relations/[^/]+/[^/]+)$")
# An answer's own system time: the first top-level field of that name, after plain ones only.
ANSWERED_AT = re.compile(rb'^\{(?:"[a-z_]+":(?:"(?:[^"\\]|\\.)*"|-?[0-9]+|true|false|null),)*?("recorded_at":"[^"]*")')


class Caching:
    """ETag, Cache-Control and 304 on GET answers; no-store on everything else under /v1."""

    def __init__(self, app: ASGIApp, shared: bool) -> None:
        self.app = app
        self.scope_word = "public" if shared else "private"  # reads that need a token are no one else's

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET" or path.startswith(UNCACHED):
            await self.app(scope, receive, _with_header(send, "Cache-Control", "no-store"))
            return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def held(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._send(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, held)

    async def _send(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        settled = SETTLES.match(scope["path"]) is not None and _settled(query)
        if _provisional(query):
            headers["Ledger-Provisional"] = "true"
        given = headers.get("etag")
        if given is None:
            headers["ETag"] = _etag(body, settled)
        headers["Cache-Control"] = f"{self.scope_word}, {YEAR}" if settled else "no-cache"
        # A route's own ETag (a relation's version) names the body only once the question is settled.
        if (given is None or settled) and _matches(_header(scope, b"if-none-match"), headers["ETag"]):
            kept = {k: headers[k] for k in ("ETag", "Cache-Control") if k in headers}
            await send({"type": "http.response.start", "status": 304, "headers": _raw(kept)})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})


def _etag(body: bytes, settled: bool) -> str:
    """Strong for a settled answer; for one about now, weak and blind to the moment it was asked
    (its leading `recorded_at`), so it matches until the ledger or the day changes the answer."""
    if settled or (moment := ANSWERED_AT.match(body)) is None:
        return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    unmoored = body[: moment.start(1)] + body[moment.end(1) :]
    return 'W/"' + hashlib.blake2b(unmoored, digest_size=16).hexdigest() + '"'


def _settled(query: dict[str, list[str]]) -> bool:
    """Both times given, the system time in the past, and no proof (its checkpoint grows)."""
    if "at" not in query or "recorded_at" not in query:
        return False
    try:
        if flag(query.get("proof", ["false"])[-1], "proof"):
            return False
    except InvalidValue:
        return False
    try:
        moment = system_time(query["recorded_at"][-1])
    except InvalidValue:
        return False
    return moment is not None and moment <= datetime.now(UTC) - SETTLED


def _provisional(query: dict[str, list[str]]) -> bool:
    """A system time after now: the answer is what the ledger holds now, and records may still be
    added before that time."""
    try:
        moment = system_time(query["recorded_at"][-1]) if "recorded_at" in query else None
    except InvalidValue:
        return False
    return moment is not None and moment > datetime.now(UTC)


def _matches(condition: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): `*`, or any listed tag, W/ or not."""
    if condition is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in condition.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]


def _with_header(send: Send, name: str, value: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)[name] = value
        await send(message)

    return sending
