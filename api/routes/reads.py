"""Status questions: subjects, actors, statuses, relations, changes and history.

The recognitions of a subject, the most asked, are served apart: api/routes/recognitions.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.csv_answers import CSV_RESPONSE, answer_format, status_csv
from api.models import Actor, Subject
from api.openapi import READ, READ_ONE, errors
from api.parsing import system_time
from api.routes.deps import (
    DATE,
    ActorCode,
    At,
    Format,
    Mode,
    Proof,
    RecordedAt,
    SubjectId,
    get_log,
    get_queries,
    plain,
    proved,
)
from api.status_models import ActorStatuses, Changes, History, RelationView, Revisions, SubjectStatus
from domain.dates import parse_day
from infrastructure.read.log_proofs import LogProofs
from infrastructure.read.queries import Queries

router = APIRouter(prefix="/v1", tags=["status"])
Q = Annotated[Queries, Depends(get_queries)]
Log = Annotated[LogProofs, Depends(get_log)]
RELATION_ETAG = {
    "ETag": {"description": 'The relation version: what If-Match names ("3")', "schema": {"type": "string"}}
}


def _id(value: str, field: str) -> str:
    return plain(value, field) or ""


Search = Annotated[
    str | None, Query(alias="q", description="Only subjects whose id, name or an alias contains this, in any case")
]


@router.get("/subjects", response_model=list[Subject], operation_id="listSubjects", responses=errors(*READ))
def list_subjects(q: Q, search: Search = None) -> list[dict[str, Any]]:
    """Every registered subject, with its milestones; `q` finds subjects by id, name or alias."""
    return q.subjects(plain(search, "q"))


@router.get("/subjects/{subject_id}", response_model=Subject, operation_id="getSubject", responses=errors(*READ_ONE))
def get_subject(subject_id: SubjectId, q: Q) -> dict[str, Any]:
    """One subject, with its milestones."""
    return q.subject(_id(subject_id, "subject_id"))


@router.get("/actors", response_model=list[Actor], operation_id="listActors", responses=errors(401, 429, 503))
def list_actors(q: Q) -> list[dict[str, Any]]:
    """Known actors: ISO 3166-1 and 3166-3 states, built-in entities and registered actors."""
    return q.actors()


@router.get(
    "/subjects/{subject_id}/status",
    response_model=SubjectStatus,
    operation_id="getSubjectStatus",
    responses=errors(*READ_ONE, ok=CSV_RESPONSE),
)
def subject_status(
    subject_id: SubjectId,
    q: Q,
    log: Log,
    at: At = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
    proof: Proof = False,
    format: Format = None,
) -> Any:
    """The status of every actor with facts toward the subject."""
    kind = answer_format(format, proof)
    answer = q.subject_status(_id(subject_id, "subject_id"), parse_day(at, "at"), system_time(recorded_at), mode)
    if kind == "csv":
        return status_csv(answer, SubjectStatus, f"{answer['subject']}-status-{answer['at']}")
    return proved(answer, log, proof)


@router.get(
    "/actors/{code}/status",
    response_model=ActorStatuses,
    operation_id="getActorStatus",
    responses=errors(*READ_ONE, ok=CSV_RESPONSE),
)
def actor_status(
    code: ActorCode,
    q: Q,
    log: Log,
    at: At = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
    proof: Proof = False,
    format: Format = None,
) -> Any:
    """The actor's status toward every subject it has facts about."""
    kind = answer_format(format, proof)
    answer = q.actor_status(_id(code, "code"), parse_day(at, "at"), system_time(recorded_at), mode)
    if kind == "csv":
        return status_csv(answer, ActorStatuses, f"{answer['actor']}-status-{answer['at']}")
    return proved(answer, log, proof)


@router.get(
    "/relations/{actor}/{subject_id}",
    response_model=RelationView,
    operation_id="getRelation",
    responses=errors(*READ_ONE, ok={200: {"description": "The relation", "headers": RELATION_ETAG}}),
)
def relation(
    actor: ActorCode,
    subject_id: SubjectId,
    q: Q,
    response: Response,
    log: Log,
    at: At = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
    proof: Proof = False,
) -> dict[str, Any]:
    """One relation: its status on `at`, its timeline with the basis of each interval, and its facts."""
    answer = q.relation(
        _id(actor, "actor"), _id(subject_id, "subject_id"), parse_day(at, "at"), system_time(recorded_at), mode
    )
    response.headers["ETag"] = f'"{answer["relation_version"]}"'
    return proved(answer, log, proof)


@router.get(
    "/relations/{actor}/{subject_id}/revisions",
    response_model=Revisions,
    operation_id="getRelationRevisions",
    responses=errors(*READ_ONE),
)
def revisions(
    actor: ActorCode,
    subject_id: SubjectId,
    q: Q,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
    after: Annotated[int, Query(ge=0, le=2**62, description="A relation version; the page starts after it")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """What the ledger said of the relation at each moment it changed, and why: each fact recorded, with
    the valid-time intervals whose status it changed, before and after."""
    return q.revisions(_id(actor, "actor"), _id(subject_id, "subject_id"), system_time(recorded_at), mode, after, limit)


@router.get(
    "/subjects/{subject_id}/changes", response_model=Changes, operation_id="getChanges", responses=errors(*READ_ONE)
)
def changes(
    subject_id: SubjectId,
    q: Q,
    log: Log,
    from_: Annotated[
        str, Query(alias="from", description="YYYY-MM-DD", json_schema_extra=DATE, examples=["2021-08-01"])
    ],
    to: Annotated[str, Query(description="YYYY-MM-DD", json_schema_extra=DATE, examples=["2025-07-03"])],
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
    proof: Proof = False,
) -> dict[str, Any]:
    """Every actor whose status differs between two dates, before and after."""
    start, end = parse_day(from_, "from"), parse_day(to, "to")
    assert start is not None and end is not None  # both required
    return proved(q.changes(_id(subject_id, "subject_id"), start, end, system_time(recorded_at), mode), log, proof)


@router.get(
    "/subjects/{subject_id}/history", response_model=History, operation_id="getHistory", responses=errors(*READ_ONE)
)
def history(subject_id: SubjectId, q: Q, recorded_at: RecordedAt = None, mode: Mode = "view") -> dict[str, Any]:
    """The number of recognising actors at each date it changes, with the subject's milestones."""
    return q.history(_id(subject_id, "subject_id"), system_time(recorded_at), mode)
