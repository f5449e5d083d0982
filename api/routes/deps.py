"""Dependencies shared by the routers."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel

from api.request_models import DAY_PATTERN
from domain.details import storable
from domain.errors import InvalidValue
from infrastructure.auth.tokens import Principal
from infrastructure.bootstrap import Services
from infrastructure.read.log_proofs import LogProofs
from infrastructure.read.queries import Queries
from infrastructure.write_request import WriteRequest

# Dependencies that do no I/O are async: a sync one would cost a thread hop per request.


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_queries(services: Annotated[Services, Depends(get_services)]) -> Queries:
    return services.queries


async def get_log(services: Annotated[Services, Depends(get_services)]) -> LogProofs:
    return services.log


def flag(text: str | None, field: str) -> bool:
    """A boolean query parameter as FastAPI reads one, for a route that reads its query itself."""
    if text is None:
        return False
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise InvalidValue(field, f"{text!r} is not a boolean: true or false")


def proved(answer: dict[str, Any], log: LogProofs, proof: bool) -> dict[str, Any]:
    """The answer, with the proof of every fact it rests on if asked."""
    if proof:
        evidence = answer.get("evidence")
        if evidence is None:  # a relation: its facts are its evidence
            evidence = {f["fact_id"]: f for f in answer["facts"]}
        answer["proof"] = log.proof_of(evidence, evidence)
    return answer


AT_HELP = "Valid date YYYY-MM-DD (default: today, UTC)"
RECORDED_AT_HELP = "System time, RFC 3339 (default: now)"
MODE_HELP = "view (read model) or replay (event store)"
DATE = {"format": "date", "pattern": DAY_PATTERN}
DATE_TIME = {"format": "date-time"}
At = Annotated[str | None, Query(description=AT_HELP, json_schema_extra=DATE, examples=["2025-07-03"])]
RecordedAt = Annotated[
    str | None, Query(description=RECORDED_AT_HELP, json_schema_extra=DATE_TIME, examples=["2025-07-04T12:00:00Z"])
]
Mode = Annotated[Literal["view", "replay"], Query(description=MODE_HELP)]
Day = Annotated[str | None, Query(description="YYYY-MM-DD", json_schema_extra=DATE)]
Time = Annotated[str | None, Query(description="RFC 3339", json_schema_extra=DATE_TIME)]
FactId = Annotated[str, Path(description="A fact's id", json_schema_extra={"format": "uuid"})]
SubjectId = Annotated[str, Path(description="A subject's id", examples=["taliban-iea"])]
ActorCode = Annotated[
    str, Path(description="An actor's code (ISO 3166 alpha-3, or a registered actor's)", examples=["RUS"])
]
PROOF_HELP = "true: add the log's checkpoint and an inclusion proof of every fact the answer rests on"
Proof = Annotated[bool, Query(description=PROOF_HELP)]
FORMAT_HELP = "json (default) or csv: one row per entry, with its deciding facts and their sources' URLs"
Format = Annotated[Literal["json", "csv"] | None, Query(description=FORMAT_HELP)]


KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
VERSION = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def plain(text: str | None, field: str) -> str | None:
    """A query or path string that any store can hold (no NUL, no unpaired surrogate)."""
    if text is not None and not storable(text):
        raise InvalidValue(field, "contains a NUL or an unpaired surrogate character")
    return text


def plain_values(values: list[str] | None, field: str) -> list[str]:
    """A repeatable query parameter's values, each checked by `plain`."""
    return [plain(v, field) or "" for v in values or ()]


def request_digest(method: str, path: str, payload: Any) -> str:
    """What an Idempotency-Key is held to: the method, the path and the parsed body, hashed."""
    return hashlib.sha256(json.dumps([method, path, payload], sort_keys=True).encode()).hexdigest()


def write_request(
    request: Request, principal: Principal, body: BaseModel | None, *, versioned: bool = False
) -> WriteRequest:
    """Principal, Idempotency-Key with the body's hash, and If-Match (fact writes only)."""
    key = request.headers.get("idempotency-key")
    digest = None
    if key is not None:  # the body's hash is only kept, and only needed, with a key
        if not KEY.match(key):
            raise InvalidValue("Idempotency-Key", "must be 1 to 200 visible ASCII characters")
        payload = body.model_dump(mode="json", exclude_unset=True) if body is not None else None
        digest = request_digest(request.method, request.url.path, payload)
    expected = None
    if versioned and (match := request.headers.get("if-match")) is not None:
        parsed = VERSION.match(match.strip())
        if parsed is None:
            raise InvalidValue("If-Match", 'must be a relation version in quotes, like "3"')
        expected = int(parsed.group(1))
    return WriteRequest(principal.name, key, digest, expected)
