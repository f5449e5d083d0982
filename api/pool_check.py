"""ASGI middleware: before the first request after a pause, or after a 503, the pools are checked."""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Receive, Scope, Send

from infrastructure.sql.idle_check import IdleCheck


class PoolCheck:
    """Runs `app.state.idle_check` when due, so no request is lent a connection the database ended."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        check: IdleCheck | None = getattr(scope["app"].state, "idle_check", None) if "app" in scope else None
        if scope["type"] == "http" and check is not None and check.due():
            with contextlib.suppress(Exception):  # a database that is away answers 503 below, as ever
                await check.run()
        await self.app(scope, receive, send)
