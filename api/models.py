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


class Part(BaseModel):
    """What every part of a status says of itself: the fact deciding it, and how sure it is."""

    fact_id: str | None = Field(default=None, description="The deciding fact; none before any fact of this part")
    approximate: bool = Field(default=False, description="Its fact's date is known only to a month or year around `at`")
    disputed: bool = Field(default=False, description="Its fact has a dispute that stands")


class Recognition(Part):
    state: Literal["recognised", "not_recognised"]
    form: Literal["de_jure", "de_facto"] | None = None
    since: str | None = None
    since_precision: Literal["day", "month", "year"] | None = Field(
        default=None, description="How precisely `since` is known"
    )


class Relations(Part):
    state: Literal["established", "severed", "none"]
    since: str | None = None


class Envoy(Part):
    active: bool
    name: str | None = None
    since: str | None = None


class Mission(Part):
    kind: str
    city: str | None = None
    since: str


class Listing(Part):
    active: bool
    since: str | None = None
    list: str | None = None


class Sanction(Part):
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
    actor_name: str


class SubjectStatusRow(Status):
    subject: str
    subject_name: str


class RecognisedBy(BaseModel):
    actor: str
    actor_name: str
    form: Literal["de_jure", "de_facto"]
    since: str | None
    since_precision: Literal["day", "month", "year"] = Field(
        description="How precisely `since` is known: 1997-05-01 with `month` reads May 1997"
    )
    fact_id: str = Field(description="The deciding fact, in `evidence`")
    approximate: bool = Field(description="Whether `at` falls in the period of an imprecise `since`")
    disputed: bool = Field(description="Whether the deciding fact has a dispute that stands")


class Recognitions(BaseModel):
    subject: str
    subject_name: str
    at: str
    recorded_at: str
    recognised_by: list[RecognisedBy]
    count: int
    evidence: Evidence


class SubjectStatus(BaseModel):
    subject: str
    subject_name: str
    at: str
    recorded_at: str
    relations: list[ActorStatus]
    evidence: Evidence


class ActorStatuses(BaseModel):
    actor: str
    actor_name: str
    at: str
    recorded_at: str
    relations: list[SubjectStatusRow]
    evidence: Evidence


class Interval(BaseModel):
    valid_from: str | None = Field(description="Null for the interval before the relation's first fact")
    valid_to: str | None = Field(description="Exclusive; null when open-ended")
    no_facts: bool = Field(description="True for the interval before the first fact: nothing is known of it")
    status: Status


class RelationView(BaseModel):
    actor: str
    actor_name: str
    subject: str
    subject_name: str
    at: str
    recorded_at: str
    relation_version: int
    status: Status | None
    timeline: list[Interval]
    facts: list[RelationFact] = Field(description="Every fact of the relation: the evidence of its timeline")


class Revision(BaseModel):
    relation_version: int = Field(description="The relation's version after this fact (its ETag then)")
    recorded_at: str = Field(description="When the ledger recorded the fact: the moment of this revision")
    fact: Fact = Field(description="The fact recorded, with who recorded it and its sources")
    before: list[Interval] = Field(
        description="The valid-time intervals the ledger held until this moment and no longer"
    )
    after: list[Interval] = Field(description="The valid-time intervals the ledger holds from this moment instead")


class Revisions(BaseModel):
    actor: str
    actor_name: str
    subject: str
    subject_name: str
    recorded_at: str
    revisions: list[Revision]
    next_after: int | None = Field(description="The `after` of the next page; null on the last")


class ChangedStatus(Status):
    actor: str


class ChangeDate(BaseModel):
    date: str = Field(description="A day after `from`, up to `to`, from which the status differs from the day before")
    facts: list[str] = Field(description="The facts that take effect that day, in `evidence`")


class Change(BaseModel):
    actor: str
    actor_name: str
    before: ChangedStatus | None
    after: ChangedStatus | None
    dates: list[ChangeDate]


class Changes(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    subject: str
    subject_name: str
    from_: str = Field(alias="from")
    to: str
    recorded_at: str
    changes: list[Change]
    evidence: Evidence


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
