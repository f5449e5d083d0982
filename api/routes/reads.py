"""Status questions: recognitions, statuses, relations, changes and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.routes.deps import At, Mode, RecordedAt, get_queries, system_time, valid_date
from domain.errors import InvalidValue
from infrastructure.queries import Queries

router = APIRouter(prefix="/v1", tags=["status"])
Q = Annotated[Queries, Depends(get_queries)]


@router.get("/subjects")
def list_subjects(q: Q) -> list[dict[str, Any]]:
    return q.subjects()


@router.get("/subjects/{subject_id}")
def get_subject(subject_id: str, q: Q) -> dict[str, Any]:
    return q.subject(subject_id)


@router.get("/actors")
def list_actors(q: Q) -> list[dict[str, Any]]:
    return q.actors()


@router.get("/subjects/{subject_id}/recognitions")
def recognitions(
    subject_id: str, q: Q, at: At = None, recorded_at: RecordedAt = None, mode: Mode = "view"
) -> dict[str, Any]:
    return q.recognitions(subject_id, valid_date(at, "at"), system_time(recorded_at), mode)


@router.get("/subjects/{subject_id}/status")
def subject_status(
    subject_id: str, q: Q, at: At = None, recorded_at: RecordedAt = None, mode: Mode = "view"
) -> dict[str, Any]:
    return q.subject_status(subject_id, valid_date(at, "at"), system_time(recorded_at), mode)


@router.get("/actors/{code}/status")
def actor_status(code: str, q: Q, at: At = None, recorded_at: RecordedAt = None, mode: Mode = "view") -> dict[str, Any]:
    return q.actor_status(code, valid_date(at, "at"), system_time(recorded_at), mode)


@router.get("/relations/{actor}/{subject_id}")
def relation(
    actor: str,
    subject_id: str,
    q: Q,
    response: Response,
    at: At = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
) -> dict[str, Any]:
    answer = q.relation(actor, subject_id, valid_date(at, "at"), system_time(recorded_at), mode)
    response.headers["ETag"] = f'"{answer["relation_version"]}"'
    return answer


@router.get("/subjects/{subject_id}/changes")
def changes(
    subject_id: str,
    q: Q,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
) -> dict[str, Any]:
    start, end = valid_date(from_, "from"), valid_date(to, "to")
    if start is None or end is None:
        raise InvalidValue("from" if start is None else "to", "is required, as YYYY-MM-DD")
    return q.changes(subject_id, start, end, system_time(recorded_at), mode)


@router.get("/subjects/{subject_id}/history")
def history(subject_id: str, q: Q, recorded_at: RecordedAt = None, mode: Mode = "view") -> dict[str, Any]:
    return q.history(subject_id, system_time(recorded_at), mode)
