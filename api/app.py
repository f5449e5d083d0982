"""The FastAPI application: built once per process around one set of services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from eventsourcing.persistence import OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import detail, field_errors, outcome_for
from api.routes import facts, reads
from domain.errors import DomainError
from infrastructure.bootstrap import Services, build
from infrastructure.errors import LedgerError
from infrastructure.settings import Settings, get_settings

PROBLEM = "application/problem+json"


def problem(
    status: int,
    title: str,
    text: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": text}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; `services` may be given by tests, otherwise built from settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or build(settings or get_settings())
        yield
        if own:
            app.state.services.close()

    app = FastAPI(title="Recognition Ledger", version="1", lifespan=lifespan)
    app.include_router(reads.router)
    app.include_router(facts.router)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    async def ledger_error(request: Request, error: Exception) -> JSONResponse:
        found = outcome_for(error)
        if found is None:
            return problem(500, "Internal error", "an unexpected error; it has been logged")
        headers = {"Retry-After": "2"} if found.status == 503 else None
        return problem(found.status, found.title, detail(error), field_errors(error), headers)

    for kind in (DomainError, LedgerError, OperationalError):
        app.add_exception_handler(kind, ledger_error)  # type: ignore[arg-type]

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"]}
            for e in error.errors()
        ]
        return problem(422, "Invalid fields", "the request has invalid fields", errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), str(error.detail))

    return app
