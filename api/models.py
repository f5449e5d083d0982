"""Response models of the v1 contract, for OpenAPI (requests: api/request_models.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field

FactTypeName = Literal[
    "recognition_granted", "recognition_withdrawn", "relations_established", "relations_severed",
    "ambassador_accepted", "ambassador_expelled", "ambassador_sent", "ambassador_recalled",
    "mission_opened", "mission_closed", "terrorist_listing_added", "terrorist_listing_removed",
    "sanctions_imposed", "sanctions_lifted", "statement_made",
]  # fmt: skip
AnyFactType = FactTypeName | Literal["fact_retracted", "fact_disputed"]
FACT_TYPES = [*get_args(FactTypeName), "fact_retracted", "fact_disputed"]


class Source(BaseModel):
    url: str
    title: str | None = None
    publisher: str | None = None
    published_on: str | None = None
    quote: str | None = None


class Receipt(BaseModel):
    fact_id: str
    position: int
    relation_version: int
    recorded_at: str


class Fact(BaseModel):
    fact_id: str
    type: AnyFactType
    actor: str
    subject: str
    effective_on: str
    precision: Literal["day", "month", "year"]
    details: dict[str, Any]
    sources: list[Source]
    note: str | None
    recorded_at: str
    recorded_by: str
    position: int | None = Field(default=None, description="Absent in replay answers")
    relation_version: int


class RelationFact(Fact):
    retracted_by: str | None = Field(description="The retraction of this fact, if any (listed with the facts)")
    disputed_by: list[str] = Field(description="The disputes of this fact that stand (listed with the facts)")


class EvidenceFact(Fact):
    disputed_by: list[str] = Field(description="The disputes of this fact that stand: entries of the same map")


Evidence = Annotated[
    dict[str, EvidenceFact],
    Field(description="The deciding facts named by the answer's entries, and their disputes, by fact id"),
]


class FactWithCorrections(Fact):
    retraction: Fact | None
    disputes: list[Fact]
    log_index: int | None = Field(
        default=None, description="The fact's leaf in the log (GET /v1/log/proof/inclusion?index=)"
    )


class FeedFact(Fact):
    log_index: int


class AuditPage(BaseModel):
    items: list[RelationFact]
    next_after: int | None


class Milestone(BaseModel):
    milestone_id: str
    kind: str
    effective_on: str
    sources: list[Source]
    note: str | None
    recorded_at: str
    recorded_by: str


class Subject(BaseModel):
    id: str
    name: str
    kind: str
    territory: str | None
    aliases: list[str]
    registered_at: str
    milestones: list[Milestone]


class Actor(BaseModel):
    code: str
    name: str
    kind: str
    source: Literal["iso3166-1", "iso3166-3", "built-in", "registered"]
    registered_at: str | None = None
    valid_from: str | None = Field(default=None, description="The first day the actor can act; null: no bound")
    valid_to: str | None = Field(
        default=None, description="The last day the actor can act (for ISO 3166-3 states, when ISO withdrew the code)"
    )


class TokenCreated(BaseModel):
    token_id: str
    token: str | None = Field(description="Shown once; null when an Idempotency-Key replays the request")
    principal: str
    role: str


class TokenInfo(BaseModel):
    token_id: str
    principal: str
    role: str
    created_at: str
    revoked_at: str | None


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    conflicting_fact_id: str | None = None
    rule: str | None = None
