"""Status questions: recognitions, statuses, relations, changes and history."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth import read_access
from api.models import Actor, ActorStatuses, Changes, History, Recognitions, RelationView, Subject, SubjectStatus
from api.parsing import system_time, valid_date
from api.routes.deps import At, Mode, RecordedAt, as_of_parameters, get_queries, plain
from domain.errors import InvalidValue
from infrastructure.read.awaited import AwaitedReads
from infrastructure.read.queries import Queries

router = APIRouter(prefix="/v1", tags=["status"])
# The hottest read alone, included first and without router dependencies: it checks read access
# itself, so FastAPI matches fewer routes and solves no dependencies for it.
hot = APIRouter(prefix="/v1", tags=["status"])
Q = Annotated[Queries, Depends(get_queries)]


def _id(value: str, field: str) -> str:
    return plain(value, field) or ""


@router.get("/subjects", response_model=list[Subject])
def list_subjects(q: Q) -> list[dict[str, Any]]:
    """Every registered subject, with its milestones."""
    return q.subjects()


@router.get("/subjects/{subject_id}", response_model=Subject)
def get_subject(subject_id: str, q: Q) -> dict[str, Any]:
    """One subject, with its milestones."""
    return q.subject(_id(subject_id, "subject_id"))


@router.get("/actors", response_model=list[Actor])
def list_actors(q: Q) -> list[dict[str, Any]]:
    """Known actors: ISO 3166-1 and 3166-3 states, built-in entities and registered actors."""
    return q.actors()


class CompactJSON(JSONResponse):
    """The bytes Starlette's JSONResponse sends (compact, UTF-8), encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@hot.get("/subjects/{subject_id}/recognitions", response_model=Recognitions, openapi_extra=as_of_parameters())
async def recognitions(subject_id: str, request: Request) -> JSONResponse:
    """Who recognised the subject on `at`, as the ledger held it at `recorded_at`."""
    # The hottest read, kept lean: the queries taken from the app (no dependency to solve), the
    # query string read here (FastAPI's solving of three optional strings was about a tenth of a
    # worker's CPU per request; documented the same, `as_of_parameters`), the answer sent as
    # Queries shapes it (checked by the tests) without a second validation.
    services = request.app.state.services
    await read_access(request, services)
    q: Queries = services.queries
    query = request.query_params
    at, recorded_at, mode = query.get("at"), query.get("recorded_at"), query.get("mode", "view")
    args = (_id(subject_id, "subject_id"), valid_date(at, "at"), system_time(recorded_at))
    awaited: AwaitedReads | None = getattr(request.app.state, "awaited", None)
    if awaited is not None and mode == "view":  # PostgreSQL, with the app's lifespan running
        return CompactJSON(await awaited.recognitions(*args))
    return CompactJSON(await run_in_threadpool(q.recognitions, *args, mode))


@router.get("/subjects/{subject_id}/status", response_model=SubjectStatus)
def subject_status(
    subject_id: str, q: Q, at: At = None, recorded_at: RecordedAt = None, mode: Mode = "view"
) -> dict[str, Any]:
    """The status of every actor with facts toward the subject."""
    return q.subject_status(_id(subject_id, "subject_id"), valid_date(at, "at"), system_time(recorded_at), mode)


@router.get("/actors/{code}/status", response_model=ActorStatuses)
def actor_status(code: str, q: Q, at: At = None, recorded_at: RecordedAt = None, mode: Mode = "view") -> dict[str, Any]:
    """The actor's status toward every subject it has facts about."""
    return q.actor_status(_id(code, "code"), valid_date(at, "at"), system_time(recorded_at), mode)


@router.get("/relations/{actor}/{subject_id}", response_model=RelationView)
def relation(
    actor: str,
    subject_id: str,
    q: Q,
    response: Response,
    at: At = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
) -> dict[str, Any]:
    """One relation: its status on `at`, its timeline with the basis of each interval, and its facts."""
    answer = q.relation(
        _id(actor, "actor"), _id(subject_id, "subject_id"), valid_date(at, "at"), system_time(recorded_at), mode
    )
    response.headers["ETag"] = f'"{answer["relation_version"]}"'
    return answer


@router.get("/subjects/{subject_id}/changes", response_model=Changes)
def changes(
    subject_id: str,
    q: Q,
    from_: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    to: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
) -> dict[str, Any]:
    """Every actor whose status differs between two dates, before and after."""
    start, end = valid_date(from_, "from"), valid_date(to, "to")
    if start is None or end is None:
        raise InvalidValue("from" if start is None else "to", "is required, as YYYY-MM-DD")
    return q.changes(_id(subject_id, "subject_id"), start, end, system_time(recorded_at), mode)


@router.get("/subjects/{subject_id}/history", response_model=History)
def history(subject_id: str, q: Q, recorded_at: RecordedAt = None, mode: Mode = "view") -> dict[str, Any]:
    """The number of recognising actors at each date it changes, with the subject's milestones."""
    return q.history(_id(subject_id, "subject_id"), system_time(recorded_at), mode)
