"""Bearer tokens and roles: reader < editor < admin."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.auth_throttle import FailedAuthentications
from api.routes.deps import get_services
from infrastructure.auth.tokens import Principal, Role
from infrastructure.bootstrap import Services

ADMIN_PRINCIPAL = "admin"


class Unauthorized(Exception):
    """Raised when a request needs a token and has none, or a token that is unknown or revoked."""


class Forbidden(Exception):
    """Raised when the token's role is below what the operation needs."""


async def presented(request: Request, services: Services) -> Principal | None:
    """The principal of the request's bearer token; None when it has none.

    Async, and to a worker thread only for a token the database must look up: the admin
    token and open reads cost no thread hop.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    client = request.client.host if request.client else "-"
    failures = throttle(request, services)
    failures.check(client)
    admin = services.settings.admin_token
    if admin is not None and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        principal: Principal | None = Principal(ADMIN_PRINCIPAL, Role.ADMIN)
    else:
        principal = await run_in_threadpool(services.tokens.authenticate, token)
    if principal is None:
        failures.failed(client)
        raise Unauthorized("the token is unknown or revoked")
    request.state.principal = principal.name  # for the access log; never the token
    return principal


def throttle(request: Request, services: Services) -> FailedAuthentications:
    """The app's record of failed authentications, made on first use."""
    state = request.app.state
    if getattr(state, "failed_authentications", None) is None:
        state.failed_authentications = FailedAuthentications(services.settings.auth_failures_per_minute)
    found: FailedAuthentications = state.failed_authentications
    return found


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through principals with at least this role."""

    async def check(request: Request, services: Annotated[Services, Depends(get_services)]) -> Principal:
        principal = await presented(request, services)
        if principal is None:
            raise Unauthorized(f"this needs a bearer token with the {role.name.lower()} role")
        if principal.role < role:
            raise Forbidden(
                f"{principal.name} has the {principal.role.name.lower()} role; this needs the {role.name.lower()} role"
            )
        return principal

    return check


async def read_access(request: Request, services: Annotated[Services, Depends(get_services)]) -> None:
    """Reads are open unless LEDGER_REQUIRE_AUTH_FOR_READS; a presented token must still be valid."""
    if services.settings.require_auth_for_reads:
        await require(Role.READER)(request, services)
    else:
        await presented(request, services)


Editor = Annotated[Principal, Depends(require(Role.EDITOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
