"""The audit log and single facts: GET /v1/facts and GET /v1/facts/{fact_id}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.models import FACT_TYPES, AuditPage, FactWithCorrections
from api.openapi import READ, READ_ONE, errors
from api.parsing import system_time
from api.routes.deps import Day, FactId, Time, get_log, get_queries, plain_values
from domain.dates import parse_day
from infrastructure.read.log_proofs import LogProofs
from infrastructure.read.queries import Queries

router = APIRouter(prefix="/v1", tags=["facts"])
Q = Annotated[Queries, Depends(get_queries)]


@router.get("/facts", response_model=AuditPage, operation_id="listFacts", responses=errors(*READ))
def audit_log(
    q: Q,
    actor: Annotated[list[str] | None, Query(description="Actor code; repeat for any of several")] = None,
    subject: Annotated[list[str] | None, Query(description="Subject id; repeat for any of several")] = None,
    type: Annotated[
        list[str] | None,
        Query(
            description="Fact type; repeat for any of several",
            json_schema_extra={"items": {"type": "string", "enum": FACT_TYPES}},
        ),
    ] = None,
    recorded_by: Annotated[list[str] | None, Query(description="Principal; repeat for any of several")] = None,
    effective_from: Day = None,
    effective_to: Day = None,
    recorded_from: Time = None,
    recorded_to: Time = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="A position; the page starts after it")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The audit log in ledger order, filtered; page with `after` = the last `next_after`.

    Unknown actors, subjects and fact types, and empty date windows, are refused (422)."""
    filters = {
        "actor": plain_values(actor, "actor"),
        "subject": plain_values(subject, "subject"),
        "type": plain_values(type, "type"),
        "recorded_by": plain_values(recorded_by, "recorded_by"),
        "effective_from": parse_day(effective_from, "effective_from"),
        "effective_to": parse_day(effective_to, "effective_to"),
        "recorded_from": system_time(recorded_from, "recorded_from"),
        "recorded_to": system_time(recorded_to, "recorded_to"),
    }
    return q.audit(filters, after, limit)


@router.get("/facts/{fact_id}", response_model=FactWithCorrections, operation_id="getFact", responses=errors(*READ_ONE))
def get_fact(fact_id: FactId, q: Q, log: Annotated[LogProofs, Depends(get_log)]) -> dict[str, Any]:
    """One fact, with its retraction and disputes if any, and its leaf's index in the log."""
    answer = q.fact(fact_id)
    return answer | {"log_index": log.tree.index_of_fact(answer["fact_id"])}
