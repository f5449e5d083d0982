"""The answers to status questions: parts and statuses with their evidence, recognitions,
timelines, revisions, changes and history."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models import Evidence, Fact, RelationFact


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


class FactProof(BaseModel):
    index: int = Field(description="The fact's leaf in the log")
    leaf_hash: str = Field(description="Base64 SHA-256(0x00 ‖ RFC 8785 JSON of `record`)")
    hashes: list[str] = Field(description="The RFC 9162 inclusion proof at the checkpoint's size, base64, leaf up")
    record: dict[str, Any] = Field(
        description="The fact's record as the export writes it, but `log_index` and `position`"
    )


class AnswerProof(BaseModel):
    checkpoint: str = Field(description="The checkpoint (C2SP tlog-checkpoint, signed note) the proofs lead to")
    size: int = Field(description="The checkpoint's tree size")
    facts: dict[str, FactProof] = Field(description="By fact id: every fact the answer rests on")


class Proven(BaseModel):
    """An answer that carries, when asked with proof=true, the proof of the facts it rests on."""

    proof: AnswerProof | None = Field(
        default=None,
        description="Only with proof=true: the checkpoint and each evidence fact's inclusion proof",
        exclude_if=lambda proof: proof is None,
    )


class Recognitions(Proven):
    subject: str
    subject_name: str
    at: str
    recorded_at: str
    recognised_by: list[RecognisedBy]
    count: int
    evidence: Evidence


class SubjectStatus(Proven):
    subject: str
    subject_name: str
    at: str
    recorded_at: str
    relations: list[ActorStatus]
    evidence: Evidence


class ActorStatuses(Proven):
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


class RelationView(Proven):
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


class Changes(Proven):
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
