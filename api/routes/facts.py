"""The audit log and single facts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.routes.deps import get_queries, system_time, valid_date
from infrastructure.queries import Queries

router = APIRouter(prefix="/v1", tags=["facts"])
Q = Annotated[Queries, Depends(get_queries)]


@router.get("/facts")
def audit_log(
    q: Q,
    actor: str | None = None,
    subject: str | None = None,
    type: str | None = None,
    recorded_by: str | None = None,
    effective_from: str | None = None,
    effective_to: str | None = None,
    recorded_from: str | None = None,
    recorded_to: str | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    filters = {
        "actor": actor,
        "subject": subject,
        "type": type,
        "recorded_by": recorded_by,
        "effective_from": valid_date(effective_from, "effective_from"),
        "effective_to": valid_date(effective_to, "effective_to"),
        "recorded_from": system_time(recorded_from, "recorded_from"),
        "recorded_to": system_time(recorded_to, "recorded_to"),
    }
    return q.audit(filters, after, limit)


@router.get("/facts/{fact_id}")
def get_fact(fact_id: str, q: Q) -> dict[str, Any]:
    return q.fact(fact_id)
