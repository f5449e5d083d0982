"""How domain values are written into stored events, and read back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.actor import ActorKind
from domain.cache import IdentityCache
from domain.dates import EffectiveDate, Precision
from domain.facts import Fact, FactType, Source
from domain.subject import Milestone, MilestoneKind, SubjectKind


def source_to_dict(s: Source) -> dict[str, Any]:
    out: dict[str, Any] = {"url": s.url}  # then the fields it has, in this order
    if s.title is not None:
        out["title"] = s.title
    if s.publisher is not None:
        out["publisher"] = s.publisher
    if s.quote is not None:
        out["quote"] = s.quote
    if s.published_on:
        out["published_on"] = s.published_on.isoformat()
    return out


def source_from_dict(d: dict[str, Any]) -> Source:
    published = d.get("published_on")
    return Source(
        d["url"],
        d.get("title"),
        d.get("publisher"),
        date.fromisoformat(published) if published else None,
        d.get("quote"),
    )


def effective_to_text(e: EffectiveDate) -> str:
    return str(e)


def effective_from_text(text: str) -> EffectiveDate:
    parts = text.split("-")
    precision = [Precision.YEAR, Precision.MONTH, Precision.DAY][len(parts) - 1]
    start = date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    return EffectiveDate(start, precision)


# Storing a fact encodes it twice, for the audit log's body and for its event, a batch apart at most.
_FACT_DICT_CACHE: IdentityCache[Fact, dict[str, Any]] = IdentityCache(1 << 12)


def fact_to_dict(f: Fact) -> dict[str, Any]:
    """The fact's JSON shape; a new dict each time (callers add to it), made once per fact."""
    return dict(_FACT_DICT_CACHE.get(f) or _keep_fact_dict(f))


def _keep_fact_dict(f: Fact) -> dict[str, Any]:
    """Make the fact's dict and keep it; never hand it out: callers get copies, and add to them."""
    shape = {
        "fact_id": str(f.fact_id),
        "type": f.type.value,
        "actor": f.actor,
        "subject": f.subject,
        "effective_on": str(f.effective_on),
        "details": f.details,
        "sources": [source_to_dict(s) for s in f.sources],
        "note": f.note,
        "recorded_at": f.recorded_at.isoformat(),
        "recorded_by": f.recorded_by,
    }
    return _FACT_DICT_CACHE.put(f, shape)


def fact_from_dict(d: dict[str, Any]) -> Fact:
    return Fact(
        fact_id=UUID(d["fact_id"]),
        type=FactType(d["type"]),
        actor=d["actor"],
        subject=d["subject"],
        effective_on=effective_from_text(d["effective_on"]),
        details=dict(d["details"]),
        sources=tuple(source_from_dict(s) for s in d["sources"]),
        note=d.get("note"),
        recorded_at=datetime.fromisoformat(d["recorded_at"]),
        recorded_by=d["recorded_by"],
    )


class FactAsDict(Transcoding):
    type = Fact
    name = "fact"

    def encode(self, obj: Fact) -> dict[str, Any]:
        return fact_to_dict(obj)

    def decode(self, data: dict[str, Any]) -> Fact:
        return fact_from_dict(data)


class MilestoneAsDict(Transcoding):
    type = Milestone
    name = "milestone"

    def encode(self, obj: Milestone) -> dict[str, Any]:
        return {
            "milestone_id": str(obj.milestone_id),
            "kind": obj.kind.value,
            "effective_on": str(obj.effective_on),
            "sources": [source_to_dict(s) for s in obj.sources],
            "note": obj.note,
            "recorded_at": obj.recorded_at.isoformat(),
            "recorded_by": obj.recorded_by,
        }

    def decode(self, data: dict[str, Any]) -> Milestone:
        return Milestone(
            UUID(data["milestone_id"]),
            MilestoneKind(data["kind"]),
            effective_from_text(data["effective_on"]),
            tuple(source_from_dict(s) for s in data["sources"]),
            data.get("note"),
            datetime.fromisoformat(data["recorded_at"]),
            data["recorded_by"],
        )


def _enum_transcoding(enum: type[Any], tag: str) -> Transcoding:
    class EnumAsStr(Transcoding):
        type = enum
        name = tag

        def encode(self, obj: Any) -> str:
            return str(obj.value)

        def decode(self, data: str) -> Any:
            return enum(data)

    return EnumAsStr()


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register(transcoder: JSONTranscoder) -> None:
    """Register every transcoding the ledger's events need."""
    transcoder.register(FactAsDict())
    transcoder.register(MilestoneAsDict())
    transcoder.register(DateAsISO())
    transcoder.register(_enum_transcoding(SubjectKind, "subject_kind"))
    transcoder.register(_enum_transcoding(ActorKind, "actor_kind"))
    transcoder.register(_enum_transcoding(MilestoneKind, "milestone_kind"))
