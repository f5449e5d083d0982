"""Recording: POST /v1/subjects, /v1/subjects/{id}/milestones, /v1/actors, /v1/facts,
/v1/facts/{fact_id}/retraction and /v1/facts/{fact_id}/dispute."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.auth import Admin, Editor
from api.models import (
    Actor,
    ActorIn,
    DisputeIn,
    FactIn,
    Milestone,
    MilestoneIn,
    Receipt,
    RetractionIn,
    Subject,
    SubjectIn,
)
from api.routes.deps import get_services, write_request
from infrastructure.application import Ledger
from infrastructure.bootstrap import Services

router = APIRouter(prefix="/v1", tags=["recording"])


def get_ledger(services: Annotated[Services, Depends(get_services)]) -> Ledger:
    return services.ledger


L = Annotated[Ledger, Depends(get_ledger)]


def _data(body: Any) -> dict[str, Any]:
    data: dict[str, Any] = body.model_dump(exclude_unset=True)
    return data


@router.post("/subjects", status_code=201, response_model=Subject)
def register_subject(body: SubjectIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Register a subject before facts are recorded about it; 409 if it exists."""
    return ledger.register_subject(_data(body), write_request(request, who, body))


@router.post("/subjects/{subject_id}/milestones", status_code=201, response_model=Milestone)
def add_milestone(subject_id: str, body: MilestoneIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Record a dated, sourced milestone of a subject (it changes no status)."""
    return ledger.add_milestone(subject_id, _data(body), write_request(request, who, body))


@router.post("/actors", status_code=201, response_model=Actor)
def register_actor(body: ActorIn, request: Request, who: Admin, ledger: L) -> dict[str, Any]:
    """Register an organisation or entity without an ISO 3166 code (admin)."""
    return ledger.register_actor(_data(body), write_request(request, who, body))


@router.post("/facts", status_code=201, response_model=Receipt)
def record_fact(body: FactIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Record a fact; 409 names the broken rule and the conflicting fact; If-Match guards the relation."""
    return ledger.record_fact(_data(body), write_request(request, who, body, versioned=True))


@router.post("/facts/{fact_id}/retraction", status_code=201, response_model=Receipt)
def retract(fact_id: str, body: RetractionIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Retract a fact, keeping the reason: from now on it no longer counts."""
    return ledger.retract(fact_id, _data(body), write_request(request, who, body, versioned=True))


@router.post("/facts/{fact_id}/dispute", status_code=201, response_model=Receipt)
def dispute(fact_id: str, body: DisputeIn, request: Request, who: Editor, ledger: L) -> dict[str, Any]:
    """Dispute a fact: answers that rest on it say `disputed`."""
    return ledger.dispute(fact_id, _data(body), write_request(request, who, body, versioned=True))
