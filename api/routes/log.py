"""The verifiable log: GET /v1/log/checkpoint, /v1/log/key and the inclusion and consistency proofs."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import read_access
from api.direct_route import CompactJSON, Direct, whole
from api.openapi import READ_ONE, errors
from api.routes.deps import get_log, get_services, plain
from infrastructure.read.log_proofs import LogProofs

router = APIRouter(prefix="/v1/log", tags=["log"])
# The inclusion proof, asked for every fact a client checks, is a hot read (api/direct_route.py):
# served in process in about 1 ms, FastAPI's solving of its parameters took 1.5 ms more.
direct = APIRouter(prefix="/v1/log", tags=["log"], route_class=Direct)
Log = Annotated[LogProofs, Depends(get_log)]
TEXT: dict[int | str, dict[str, Any]] = {200: {"content": {"text/plain": {}}}}


class InclusionProof(BaseModel):
    index: int
    size: int
    leaf_hash: str = Field(description="Base64 SHA-256(0x00 ‖ the record's RFC 8785 JSON)")
    hashes: list[str] = Field(description="RFC 9162 inclusion proof, base64, from the leaf up")
    record: dict[str, Any] | None = Field(
        default=None, description="With fact_id: the fact's record as hashed (the export line but log_index, position)"
    )
    checkpoint: str | None = Field(default=None, description="The stored checkpoint of this size, if there is one")


class ConsistencyProof(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    hashes: list[str] = Field(description="RFC 9162 consistency proof, base64")


@router.get(
    "/checkpoint", response_class=PlainTextResponse, operation_id="getCheckpoint", responses=errors(*READ_ONE, ok=TEXT)
)
def checkpoint(log: Log, size: Annotated[int | None, Query(ge=0, le=2**62)] = None) -> PlainTextResponse:
    """The latest checkpoint (C2SP tlog-checkpoint as a signed note), at most a second old; with
    `size`, the stored one of that size. The Ledger-Checkpoint-Signed header says whether it is signed."""
    stored = log.checkpoint(size)
    headers = {"Ledger-Checkpoint-Signed": "true" if stored.signed else "false", "Cache-Control": "no-cache"}
    return PlainTextResponse(stored.note, headers=headers)


@router.get(
    "/key", response_class=PlainTextResponse, operation_id="getLogKey", responses=errors(401, 404, 429, ok=TEXT)
)
def key(log: Log) -> PlainTextResponse:
    """The verifier key of the checkpoints' signatures: `<name>+<hex key id>+<base64(0x01 ‖ key)>`."""
    return PlainTextResponse(log.key() + "\n")


@direct.get(
    "/proof/inclusion",
    response_model=InclusionProof,
    response_model_exclude_none=True,
    operation_id="getInclusionProof",
    responses=errors(*READ_ONE),
)
async def inclusion(
    request: Request,
    index: Annotated[int | None, Query(ge=0, le=2**62, description="A leaf's index; or give fact_id")] = None,
    fact_id: Annotated[str | None, Query(description="A fact's id; or give index")] = None,
    size: Annotated[
        int | None, Query(ge=1, le=2**62, description="The tree's size (default: the latest checkpoint's)")
    ] = None,
) -> Response:
    """The proof that a leaf is in the tree of `size` leaves."""
    services = await get_services(request)
    await read_access(request, services)
    leaf, tree = whole(cast(str | None, index), "index", 0), whole(cast(str | None, size), "size", 1)
    found = await run_in_threadpool(services.log.inclusion, leaf, tree, plain(fact_id, "fact_id"))
    return CompactJSON(found)


@router.get(
    "/proof/consistency",
    response_model=ConsistencyProof,
    operation_id="getConsistencyProof",
    responses=errors(*READ_ONE),
)
def consistency(
    log: Log,
    from_: Annotated[int, Query(alias="from", ge=0, le=2**62)],
    to: Annotated[int, Query(ge=0, le=2**62)],
) -> dict[str, Any]:
    """The proof that the tree of `from` leaves is a prefix of the tree of `to` leaves."""
    return log.consistency(from_, to)
