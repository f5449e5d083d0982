"""Recording: POST /v1/subjects, /v1/subjects/{id}/milestones, /v1/actors, /v1/facts,
/v1/facts/{fact_id}/retraction and /v1/facts/{fact_id}/dispute."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.auth import Admin, Editor
from api.models import Actor, Milestone, Receipt, Subject
from api.openapi import ETAG, IDEMPOTENT, VERSIONED, WRITE, errors
from api.request_models import ActorIn, DisputeIn, FactIn, MilestoneIn, RetractionIn, SubjectIn
from api.routes.deps import FactId, get_services, write_request
from infrastructure.bootstrap import Services
from infrastructure.write.ledger import Ledger

router = APIRouter(prefix="/v1", tags=["recording"])
# Routes are async and hand only the ledger call to a worker thread: one thread hop per request
# (a sync route costs three: its dependencies, its body and the response's validation).


async def get_ledger(services: Annotated[Services, Depends(get_services)]) -> Ledger:
    return services.ledger


L = Annotated[Ledger, Depends(get_ledger)]


def _data(body: Any) -> dict[str, Any]:
    data: dict[str, Any] = body.model_dump(exclude_unset=True)
    return data


@router.post(
    "/subjects",
    status_code=201,
    response_model=Subject,
    operation_id="registerSubject",
    responses=errors(*WRITE),
    openapi_extra=IDEMPOTENT,
)
async def register_subject(body: SubjectIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Register a subject before facts are recorded about it; 409 if it exists."""
    return await run_in_threadpool(ledger.register_subject, _data(body), write_request(request, who, body))


@router.post(
    "/subjects/{subject_id}/milestones",
    status_code=201,
    response_model=Milestone,
    operation_id="addMilestone",
    responses=errors(*WRITE),
    openapi_extra=IDEMPOTENT,
)
async def add_milestone(subject_id: str, body: MilestoneIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Record a dated, sourced milestone of a subject (it changes no status)."""
    return await run_in_threadpool(ledger.add_milestone, subject_id, _data(body), write_request(request, who, body))


@router.post(
    "/actors",
    status_code=201,
    response_model=Actor,
    operation_id="registerActor",
    responses=errors(*WRITE),
    openapi_extra=IDEMPOTENT,
)
async def register_actor(body: ActorIn, request: Request, who: Admin, ledger: L) -> dict[str, Any]:
    """Register an organisation or entity without an ISO 3166 code (admin)."""
    return await run_in_threadpool(ledger.register_actor, _data(body), write_request(request, who, body))


@router.post(
    "/facts",
    status_code=201,
    response_model=Receipt,
    operation_id="recordFact",
    responses=errors(*WRITE, 412, ok={201: {"description": "Recorded", "headers": ETAG}}),
    openapi_extra=VERSIONED,
)
async def record_fact(body: FactIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Record a fact; 409 names the broken rule and the conflicting fact; If-Match guards the relation."""
    return await run_in_threadpool(ledger.record_fact, _data(body), write_request(request, who, body, versioned=True))


@router.post(
    "/facts/{fact_id}/retraction",
    status_code=201,
    response_model=Receipt,
    operation_id="retractFact",
    responses=errors(*WRITE, 412, ok={201: {"description": "Retracted", "headers": ETAG}}),
    openapi_extra=VERSIONED,
)
async def retract(fact_id: FactId, body: RetractionIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Retract a fact, keeping the reason: from now on it no longer counts."""
    return await run_in_threadpool(
        ledger.retract, fact_id, _data(body), write_request(request, who, body, versioned=True)
    )


@router.post(
    "/facts/{fact_id}/dispute",
    status_code=201,
    response_model=Receipt,
    operation_id="disputeFact",
    responses=errors(*WRITE, 412, ok={201: {"description": "Disputed", "headers": ETAG}}),
    openapi_extra=VERSIONED,
)
async def dispute(fact_id: FactId, body: DisputeIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Dispute a fact: answers that rest on it say `disputed`."""
    return await run_in_threadpool(
        ledger.dispute, fact_id, _data(body), write_request(request, who, body, versioned=True)
    )
