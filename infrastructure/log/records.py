"""The log's leaves: every record `ledger export` writes, made from the events that store it.

A leaf is the RFC 8785 (JCS) form of a record without the fields that only number it
(`UNHASHED`): its place in the log gives them. The export and every write make records here.

A fact's and a milestone's `recorded_at` is hashed as Python's `isoformat()` writes the UTC time
(`…+00:00`), the form the log has hashed since it began, and shown (`shown`) as every system
time is, `…ffffffZ`; `hashed` turns the one into the other, so either form hashes alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.actor import RegisteredActor
from domain.relation import Relation
from domain.subject import Subject
from infrastructure.encoding.catalogue_bodies import actor_body, kind_text
from infrastructure.encoding.rfc3339 import parse_rfc3339, rfc3339
from infrastructure.encoding.transcodings import fact_from_dict, fact_to_dict
from infrastructure.log.merkle import leaf_hash

# An export line's fields that are not hashed: its index in the log, and a fact's among facts.
UNHASHED = ("log_index", "position")

FactRecorded: Any = Relation.FactRecorded  # type: ignore[attr-defined]
SubjectRegistered: Any = Subject.Registered  # type: ignore[attr-defined]
MilestoneRecorded: Any = Subject.MilestoneRecorded  # type: ignore[attr-defined]
ActorRegistered: Any = RegisteredActor.Registered  # type: ignore[attr-defined]
RelationOpened: Any = Relation.Opened  # type: ignore[attr-defined]
FACT_RECORDED, MILESTONE_RECORDED = get_topic(FactRecorded), get_topic(MilestoneRecorded)
RELATION_OPENED = get_topic(RelationOpened)


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


def record_of(event: Any) -> dict[str, Any] | None:
    """The record of a decoded registration event; None for any other."""
    if isinstance(event, SubjectRegistered):
        return subject_record(event)
    if isinstance(event, ActorRegistered):
        return {"record": "actor", **actor_body(event)}
    return None


# A stored event as plain fields, as readers of millions read it: its last four are
# (originator id, originator version, topic, state); a notification id may come first.
Row = tuple[Any, ...]


def stored_record(stored: StoredEvent, mapper: Mapper[Any], slugs: Mapping[UUID, str]) -> dict[str, Any] | None:
    """The record a stored event holds, without its numbering; None for an event that is no record."""
    return row_record((stored.originator_id, stored.originator_version, stored.topic, stored.state), mapper, slugs)


def row_record(row: Row, mapper: Mapper[Any], slugs: Mapping[UUID, str]) -> dict[str, Any] | None:
    """The record of a stored event's row (`Row`), without its numbering; None for no record.

    A fact's and a milestone's record is the body their transcoding stored (`{"_type_", "_data_"}`
    is how the library stores a transcoded value), read as it is: the millions of facts a log
    is checked against are never made into domain objects. The few other records are decoded.
    """
    topic = row[-2]
    if topic == FACT_RECORDED:
        fact: dict[str, Any] = orjson.loads(row[-1])["fact"]["_data_"]  # a new dict: made the record
        fact["record"], fact["relation_version"] = "fact", row[-3] - 1
        return fact
    if topic == MILESTONE_RECORDED:
        milestone = orjson.loads(row[-1])["milestone"]["_data_"]
        return {"record": "milestone", "subject": slugs[UUID(str(row[-4]))], **milestone}
    if topic == RELATION_OPENED:
        return None
    return record_of(mapper.to_domain_event(StoredEvent(UUID(str(row[-4])), row[-3], topic, bytes(row[-1]))))


def stored_records(
    stored: Iterable[StoredEvent], mapper: Mapper[Any], slugs: dict[UUID, str]
) -> Iterator[dict[str, Any]]:
    """The records of stored events in ledger order; subjects registered among them name their milestones."""
    return row_records(((s.originator_id, s.originator_version, s.topic, s.state) for s in stored), mapper, slugs)


def row_records(rows: Iterable[Row], mapper: Mapper[Any], slugs: dict[UUID, str]) -> Iterator[dict[str, Any]]:
    """The records of stored events' rows in ledger order; subjects registered among them name
    their milestones."""
    for row in rows:
        record = row_record(row, mapper, slugs)
        if record is not None:
            if record["record"] == "subject":
                slugs[UUID(str(row[-4]))] = record["id"]
            yield record


def hashed(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record with its `recorded_at` as the log hashes it; the record itself when it is so."""
    at = record.get("recorded_at")
    if not isinstance(at, str) or at.endswith("+00:00") or record.get("record") not in ("fact", "milestone"):
        return record
    try:
        return {**record, "recorded_at": datetime.fromisoformat(at).astimezone(UTC).isoformat()}
    except ValueError:  # no time: left as written, so it hashes to no stored leaf
        return record


def shown(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the export and the feed write it: its `recorded_at` as `…ffffffZ`."""
    if record.get("record") in ("fact", "milestone"):
        record["recorded_at"] = rfc3339(parse_rfc3339(record["recorded_at"]))
    return record


def leaf_bytes(record: Mapping[str, Any]) -> bytes:
    """The record's RFC 8785 canonical JSON, its numbering left out.

    Records hold strings, booleans, nulls, small integers, lists and objects with ASCII keys;
    for those, compact JSON with sorted keys and unescaped non-ASCII is exactly JCS (a property
    test holds it to the rfc8785 library), at a hundredth of that library's cost.
    """
    at = record.get("recorded_at")
    if isinstance(at, str) and not at.endswith("+00:00"):  # as stored: hashed() would return it as it is
        record = hashed(record)
    if not record.keys().isdisjoint(UNHASHED):
        record = {k: v for k, v in record.items() if k not in UNHASHED}
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def record_hash(record: Mapping[str, Any]) -> bytes:
    """The record's leaf hash."""
    return leaf_hash(leaf_bytes(record))


def fact_record(body: Mapping[str, Any]) -> dict[str, Any]:
    """A fact's record as shown, from its body as the audit log shows it (which writes its
    sources' absent fields as null)."""
    fact = fact_from_dict(dict(body))
    return shown({"record": "fact", **fact_to_dict(fact), "relation_version": body["relation_version"]})
