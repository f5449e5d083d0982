"""The log's leaves: every record `ledger export` writes, made from the events that store it.

A leaf is the RFC 8785 (JCS) form of a record without the fields that only number it
(`UNHASHED`): its place in the log gives them. The export and every write make records here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from uuid import UUID

import orjson

from domain.actor import RegisteredActor
from domain.relation import Relation
from domain.subject import Subject
from infrastructure.encoding.catalogue_bodies import actor_body, kind_text
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.encoding.transcodings import MilestoneAsDict, fact_from_dict, fact_to_dict
from infrastructure.log.merkle import leaf_hash

# An export line's fields that are not hashed: its index in the log, and a fact's among facts.
UNHASHED = ("log_index", "position")

FactRecorded: Any = Relation.FactRecorded  # type: ignore[attr-defined]
SubjectRegistered: Any = Subject.Registered  # type: ignore[attr-defined]
MilestoneRecorded: Any = Subject.MilestoneRecorded  # type: ignore[attr-defined]
ActorRegistered: Any = RegisteredActor.Registered  # type: ignore[attr-defined]


def subject_record(subject: Any) -> dict[str, Any]:
    """A subject's registration as the export writes it, from its aggregate or its Registered event."""
    return {
        "record": "subject",
        "id": subject.slug,
        "name": subject.name,
        "kind": kind_text(subject.kind),
        "territory": subject.territory,
        "aliases": list(subject.aliases),
        "registered_at": rfc3339(subject.registered_at),
        "registered_by": subject.registered_by,
    }


def record_of(event: Any, slugs: Mapping[UUID, str]) -> dict[str, Any] | None:
    """The record an event stores, without its numbering; None for an event that is no record
    (a relation's opening). `slugs` names the subject of a milestone by its aggregate id."""
    if isinstance(event, FactRecorded):
        return {"record": "fact", **fact_to_dict(event.fact), "relation_version": event.originator_version - 1}
    if isinstance(event, SubjectRegistered):
        return subject_record(event)
    if isinstance(event, MilestoneRecorded):
        milestone = MilestoneAsDict().encode(event.milestone)
        return {"record": "milestone", "subject": slugs[event.originator_id], **milestone}
    if isinstance(event, ActorRegistered):
        return {"record": "actor", **actor_body(event)}
    return None


def records_of(events: Iterable[Any], slugs: dict[UUID, str]) -> Iterator[dict[str, Any]]:
    """The records of events in ledger order; subjects registered among them name their milestones."""
    for event in events:
        if isinstance(event, SubjectRegistered):
            slugs[event.originator_id] = event.slug
        record = record_of(event, slugs)
        if record is not None:
            yield record


def leaf_bytes(record: Mapping[str, Any]) -> bytes:
    """The record's RFC 8785 canonical JSON, its numbering left out.

    Records hold strings, booleans, nulls, small integers, lists and objects with ASCII keys;
    for those, compact JSON with sorted keys and unescaped non-ASCII is exactly JCS (a property
    test holds it to the rfc8785 library), at a hundredth of that library's cost.
    """
    return orjson.dumps({k: v for k, v in record.items() if k not in UNHASHED}, option=orjson.OPT_SORT_KEYS)


def record_hash(record: Mapping[str, Any]) -> bytes:
    """The record's leaf hash."""
    return leaf_hash(leaf_bytes(record))


def fact_record(body: Mapping[str, Any]) -> dict[str, Any]:
    """A fact's record, from its body as the audit log shows it (which writes times otherwise)."""
    fact = fact_from_dict(dict(body))
    return {"record": "fact", **fact_to_dict(fact), "relation_version": body["relation_version"]}
