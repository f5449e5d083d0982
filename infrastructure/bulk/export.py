"""Export of the whole ledger as JSON Lines, system fields kept.

One line per stored event, in ledger order: subjects, milestones, actors and facts.
Export, import into an empty ledger, export again: the same lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from infrastructure.bulk.lines import subject_record
from infrastructure.encoding.canonical import canonical
from infrastructure.encoding.catalogue_bodies import actor_body
from infrastructure.encoding.transcodings import MilestoneAsDict, fact_to_dict
from infrastructure.store.event_reader import (
    ActorRegistered,
    EventReader,
    FactRecorded,
    MilestoneRecorded,
    SubjectRegistered,
)


def export_lines(app: Application[Any]) -> Iterator[str]:
    """Every stored event as one canonical JSON line, in ledger order."""
    position = 0
    for n, event in EventReader(app).events():
        if isinstance(event, FactRecorded):
            position += 1
            record = {
                "record": "fact",
                **fact_to_dict(event.fact),
                "position": position,
                "relation_version": event.originator_version - 1,
            }
        elif isinstance(event, SubjectRegistered):
            record = subject_record(event)
        elif isinstance(event, MilestoneRecorded):
            subject: Any = app.repository.get(UUID(str(n.originator_id)), version=1)
            record = {"record": "milestone", "subject": subject.slug, **MilestoneAsDict().encode(event.milestone)}
        elif isinstance(event, ActorRegistered):
            record = {"record": "actor", **actor_body(event)}
        else:
            continue
        yield canonical(record)
