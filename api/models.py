"""Request and response models of the v1 contract, for validation and OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.details import storable


def _plain(value: str) -> str:
    """Refuse NUL and lone surrogates early: no store can hold them."""
    if not storable(value):
        raise ValueError("contains a NUL or an unpaired surrogate character")
    return value


Str = Annotated[str, AfterValidator(_plain)]

FactTypeName = Literal[
    "recognition_granted", "recognition_withdrawn", "relations_established", "relations_severed",
    "ambassador_accepted", "ambassador_expelled", "ambassador_sent", "ambassador_recalled",
    "mission_opened", "mission_closed", "terrorist_listing_added", "terrorist_listing_removed",
    "sanctions_imposed", "sanctions_lifted", "statement_made",
]  # fmt: skip
AnyFactType = FactTypeName | Literal["fact_retracted", "fact_disputed"]


class Closed(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class SourceIn(Closed):
    url: Str = Field(description="http or https URL of a public page that reports the fact")
    title: Str | None = None
    publisher: Str | None = None
    published_on: Str | None = Field(default=None, description="YYYY-MM-DD")
    quote: Str | None = Field(default=None, description="A short phrase from the source")


class SubjectIn(Closed):
    id: Str = Field(description="A slug: lower-case words joined by hyphens", examples=["taliban-iea"])
    name: Str
    kind: Literal["government", "state", "organisation"]
    territory: Str | None = Field(default=None, description="ISO 3166 alpha-3 code")
    aliases: list[Str] | None = None


class MilestoneIn(Closed):
    kind: Literal["took_power", "lost_power", "declared_independence", "dissolved", "renamed"]
    effective_on: Str = Field(description="YYYY-MM-DD, YYYY-MM or YYYY", examples=["2021-08-15"])
    sources: list[SourceIn]
    note: Str | None = None


class ActorIn(Closed):
    code: Str = Field(description="2 to 16 of A-Z, 0-9, _ and -", examples=["OIC"])
    name: Str
    kind: Literal["state", "organisation", "entity"]
    valid_from: Str | None = Field(
        default=None, description="YYYY-MM-DD: the first day the actor exists; facts before it are refused"
    )
    valid_to: Str | None = Field(
        default=None, description="YYYY-MM-DD: the last day the actor exists; facts after it are refused"
    )


class FactIn(Closed):
    type: FactTypeName
    actor: Str = Field(examples=["RUS"])
    subject: Str = Field(examples=["taliban-iea"])
    effective_on: Str = Field(description="YYYY-MM-DD, YYYY-MM or YYYY", examples=["2025-07-03"])
    details: dict[Str, Any] | None = None
    sources: list[SourceIn]
    note: Str | None = None


class RetractionIn(Closed):
    reason: Str
    sources: list[SourceIn] | None = None
    note: Str | None = None


class DisputeIn(Closed):
    reason: Str
    sources: list[SourceIn]
    note: Str | None = None


class TokenIn(Closed):
    role: Literal["reader", "editor", "admin"]
    name: Str | None = Field(default=None, description="The principal recorded on facts")


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
