"""Token management (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from api.auth import Admin
from api.models import TokenCreated, TokenInfo
from api.openapi import ADMIN, IDEMPOTENT, errors
from api.request_models import TokenIn
from api.routes.deps import get_services, plain, write_request
from infrastructure.auth.tokens import Role
from infrastructure.bootstrap import Services

router = APIRouter(prefix="/v1/tokens", tags=["tokens"])
S = Annotated[Services, Depends(get_services)]


@router.post(
    "",
    status_code=201,
    response_model=TokenCreated,
    operation_id="createToken",
    responses=errors(400, 409, 413, 415, *ADMIN),
    openapi_extra=IDEMPOTENT,
)
def create_token(body: TokenIn, request: Request, who: Admin, services: S) -> dict[str, Any]:
    """Make a token; it is in this answer only, and stored as a hash."""
    return services.tokens.create_once(Role.parse(body.role), body.name, write_request(request, who, body))


@router.get("", response_model=list[TokenInfo], operation_id="listTokens", responses=errors(401, 403, 429, 503))
def list_tokens(who: Admin, services: S) -> list[dict[str, Any]]:
    """Every token, without the tokens themselves."""
    return services.tokens.list()


@router.delete("/{token_id}", status_code=204, operation_id="revokeToken", responses=errors(*ADMIN, 404, 409))
def revoke_token(token_id: str, who: Admin, services: S) -> Response:
    """Revoke a token; it stops working at once."""
    services.tokens.revoke(plain(token_id, "token_id") or "")
    return Response(status_code=204)
