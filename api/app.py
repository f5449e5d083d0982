"""The FastAPI application: built once per process around one set of services."""

from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from api.auth import read_access
from api.auth_throttle import TooManyFailures
from api.caching import Caching
from api.errors import HANDLED, field_errors, outcome_for, public_detail
from api.json_body import json_body
from api.log_fields import field, prose
from api.middleware import BodyLimit, RequestLog
from api.openapi import path_pattern, with_contract
from api.pool_check import PoolCheck
from api.problems import ProblemResponse, problem
from api.routes import facts, feed, reads, recognitions, tokens, writes
from api.routes import log as log_routes
from api.web_page import mount_page
from domain.errors import RuleViolation
from infrastructure.bootstrap import Services, build
from infrastructure.config.settings import Settings, get_settings
from infrastructure.errors import TooManyReplays, TooManyStreams
from infrastructure.sql.idle_check import IdleCheck
from infrastructure.sql.postgres import PostgresDialect

error_log = logging.getLogger("ledger.errors")
IDLE_SECONDS = 1.0  # a pause after which pooled connections are checked before use


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; `services` may be given by tests, otherwise built from settings."""
    settings = services.settings if services else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or build(settings)
        _end_streams_on_exit(app.state.services)
        try:
            async with recognitions.awaited_reads(app):
                app.state.idle_check = _idle_check(app)
                yield
        finally:
            if own:
                app.state.services.close()

    app = FastAPI(
        title="Recognition Ledger",
        version="1",
        lifespan=lifespan,
        redirect_slashes=False,  # a trailing slash is 404, not a redirect built from the Host header
        docs_url=None,
        redoc_url=None,
    )
    if services is not None:
        app.state.services = services  # usable even where no lifespan runs (schema fuzzers)
    app.include_router(recognitions.router)  # checks read access itself; first, so matched first
    app.include_router(reads.router, dependencies=[Depends(read_access)])
    app.include_router(facts.router, dependencies=[Depends(read_access)])
    app.include_router(log_routes.direct)  # checks read access itself
    app.include_router(log_routes.router, dependencies=[Depends(read_access)])
    app.include_router(feed.router, dependencies=[Depends(read_access)])
    app.include_router(writes.router, dependencies=[Depends(json_body)])
    app.include_router(tokens.router, dependencies=[Depends(json_body)])
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    mount_page(app)
    app.openapi = lambda: with_contract(app)  # type: ignore[method-assign]
    _operations(app)
    _handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(Caching, shared=not settings.require_auth_for_reads)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "X-Request-ID", "Retry-After", "Ledger-Provisional"],
        )
    app.add_middleware(PoolCheck)
    app.add_middleware(RequestLog)
    return app


def _idle_check(app: FastAPI) -> IdleCheck | None:
    """On PostgreSQL, a check of both pools' idle connections after a pause (api/pool_check.py)."""
    services: Services = app.state.services
    awaited, dialect = app.state.awaited, services.ledger.dialect
    if awaited is None or not isinstance(dialect, PostgresDialect) or services.settings.bench_without_limits:
        return None
    return IdleCheck([dialect.datastore.pool], [awaited.pool], IDLE_SECONDS)


def _end_streams_on_exit(services: Services) -> None:
    """On SIGINT or SIGTERM, end every feed stream cleanly before the server's own handler runs:
    the server waits for open responses, and a stream would keep it waiting until its lifetime."""
    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (a test's server runs elsewhere)
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if callable(previous):
            signal.signal(sig, functools.partial(_ending, services.feed.close, previous))


def _ending(
    close: Callable[[], None], previous: Callable[[int, FrameType | None], Any], sig: int, frame: FrameType | None
) -> None:
    close()
    previous(sig, frame)


def _operations(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"], include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], include_in_schema=False)
    def readyz(request: Request) -> dict[str, str]:
        request.app.state.services.ledger.view.max_position()  # raises when the database is away
        return {"status": "ready"}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Recognition Ledger API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def _handlers(app: FastAPI) -> None:
    async def ledger_error(request: Request, error: Exception) -> ProblemResponse:
        found = outcome_for(error)
        if found is None:  # pragma: no cover - only the handled kinds are registered
            return problem(500, "Internal error", "an unexpected error")
        told, withheld = public_detail(error)
        if withheld:
            error_log.warning(
                "%s %s request_id=%s %s: %s",
                request.method,
                field(request.url.path),
                getattr(request.state, "request_id", "-"),
                type(error).__name__,
                prose(str(error)),
            )
        headers = {"Retry-After": "2"} if found.status == 503 else None
        if found.status == 503 and getattr(request.app.state, "idle_check", None) is not None:
            request.app.state.idle_check.failed()  # connections may have died with it: check them first
        if isinstance(error, TooManyStreams | TooManyReplays | TooManyFailures):
            headers = {"Retry-After": str(error.retry_after)}
        if found.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        conflict = (
            str(error.conflicting_fact_id) if isinstance(error, RuleViolation) and error.conflicting_fact_id else None
        )
        rule = error.rule if isinstance(error, RuleViolation) else None
        return problem(
            found.status,
            found.title,
            told,
            field_errors(error),
            headers,
            conflicting_fact_id=conflict,
            rule=rule,
        )

    for kind in HANDLED:
        app.add_exception_handler(kind, ledger_error)  # type: ignore[arg-type]

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> ProblemResponse:
        problems = error.errors()
        if any(e.get("type") == "json_invalid" for e in problems):
            return problem(400, "Malformed JSON", "the body is not valid JSON")
        errors = [{"field": _field(e["loc"]), "message": e["msg"]} for e in problems]
        return problem(422, "Invalid fields", "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> ProblemResponse:
        headers = getattr(error, "headers", None)
        if error.status_code == 405:
            headers = {"Allow": _allowed(request.app, request.url.path) or (headers or {}).get("Allow", "")}
        if error.status_code == 400:  # a body FastAPI could not parse at all (not UTF-8, nested too deep)
            return problem(400, "Malformed JSON", f"the body is not valid JSON ({error.detail})")
        return problem(error.status_code, str(error.detail), str(error.detail), headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> ProblemResponse:
        return problem(500, "Internal error", "an unexpected error; it has been logged")


def _field(loc: tuple[Any, ...]) -> str:
    """A field's name as the ledger's own checks write it: `sources[0].url` (its place, not `body`)."""
    name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:]).lstrip(".")
    return name or str(loc[0])


def _allowed(app: FastAPI, path: str) -> str | None:
    """Every method the schema documents at this path (routers each know only their own routes)."""
    if getattr(app.state, "allowed", None) is None:
        app.state.allowed = [
            (path_pattern(p), sorted(m.upper() for m in ops)) for p, ops in app.openapi()["paths"].items()
        ]
    methods = {m for pattern, found in app.state.allowed if pattern.match(path) for m in found}
    return ", ".join(sorted(methods)) if methods else None
