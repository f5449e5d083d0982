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


class FactWithCorrections(Fact):
    retraction: Fact | None
    disputes: list[Fact]


class AuditPage(BaseModel):
    items: list[Fact]
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


class Recognition(BaseModel):
    state: Literal["recognised", "not_recognised"]
    form: Literal["de_jure", "de_facto"] | None = None
    since: str | None = None
    fact_id: str | None = None


class Relations(BaseModel):
    state: Literal["established", "severed", "none"]
    since: str | None = None


class Envoy(BaseModel):
    active: bool
    name: str | None = None
    since: str | None = None


class Mission(BaseModel):
    kind: str
    city: str | None = None
    since: str


class Listing(BaseModel):
    active: bool
    since: str | None = None
    list: str | None = None


class Sanction(BaseModel):
    regime: str
    since: str


class Status(BaseModel):
    recognition: Recognition
    relations: Relations
    ambassador_accepted: Envoy
    ambassador_sent: Envoy
    missions: list[Mission]
    terrorist_listed: Listing
    sanctions: list[Sanction]
    level: Literal["recognised", "de_facto", "engaged", "none"]
    hostile: bool
    approximate: bool
    disputed: bool
    basis: list[str]


class ActorStatus(Status):
    actor: str


class SubjectStatusRow(Status):
    subject: str


class RecognisedBy(BaseModel):
    actor: str
    form: Literal["de_jure", "de_facto"]
    since: str | None


class Recognitions(BaseModel):
    subject: str
    at: str
    recorded_at: str
    recognised_by: list[RecognisedBy]
    count: int


class SubjectStatus(BaseModel):
    subject: str
    at: str
    recorded_at: str
    relations: list[ActorStatus]


class ActorStatuses(BaseModel):
    actor: str
    at: str
    recorded_at: str
    relations: list[SubjectStatusRow]


class Interval(BaseModel):
    valid_from: str
    valid_to: str | None = Field(description="Exclusive; null when open-ended")
    status: Status


class RelationView(BaseModel):
    actor: str
    subject: str
    at: str
    recorded_at: str
    relation_version: int
    status: Status | None
    timeline: list[Interval]
    facts: list[Fact]


class Change(BaseModel):
    actor: str
    before: ActorStatus | None
    after: ActorStatus | None


class Changes(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    subject: str
    from_: str = Field(alias="from")
    to: str
    recorded_at: str
    changes: list[Change]


class Point(BaseModel):
    date: str
    count: int


class MilestoneMark(BaseModel):
    kind: str
    effective_on: str


class History(BaseModel):
    subject: str
    recorded_at: str
    points: list[Point]
    milestones: list[MilestoneMark]


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
