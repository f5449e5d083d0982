"""Reading the event store in ledger order, page by page, as typed domain events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.utils import get_topic

from domain.actor import RegisteredActor
from domain.relation import Relation
from domain.subject import Subject
from infrastructure.sql.dialect import Dialect

PAGE = 1000

# The event classes are made by the library's @event decorator, so their types are looked up.
RelationOpened: Any = Relation.Opened  # type: ignore[attr-defined]
FactRecorded: Any = Relation.FactRecorded  # type: ignore[attr-defined]
SubjectRegistered: Any = Subject.Registered  # type: ignore[attr-defined]
MilestoneRecorded: Any = Subject.MilestoneRecorded  # type: ignore[attr-defined]
ActorRegistered: Any = RegisteredActor.Registered  # type: ignore[attr-defined]
# Topics as stored: a reader that needs only some events can leave the others undecoded.
RELATION_OPENED = get_topic(RelationOpened)
FACT_RECORDED = get_topic(FactRecorded)


class EventReader:
    """Stored events of one application, in the order the ledger recorded them."""

    def __init__(self, app: Application[Any]) -> None:
        self.recorder = app.recorder
        self.mapper = app.mapper
        self.events_table: str = getattr(app.recorder, "events_table_name")  # noqa: B009 - both backends' recorders have it
        self.dialect: Dialect = getattr(app.recorder, "dialect")  # noqa: B009 - the ledger's recorders have it

    def rows(self, after: int, stop: int, size: int = PAGE) -> Iterator[list[tuple[Any, ...]]]:
        """The events numbered after `after` up to `stop`, a page at a time, as plain rows
        (records.Row): a reader of millions makes no Notification of each."""
        while after < stop:
            page = self.dialect.event_rows(self.events_table, after, stop, size)
            if page:
                yield page
            if len(page) < size:
                return
            after = int(page[-1][0])

    def pages(
        self, start: int = 1, stop: int | None = None, topics: Sequence[str] = (), size: int = PAGE
    ) -> Iterator[Sequence[Notification]]:
        """The notifications from `start` up to `stop` (all, if None), a page at a time."""
        while stop is None or start <= stop:
            page = self.recorder.select_notifications(start, size, stop, topics=topics)
            if page:
                yield page
            if len(page) < size:
                return
            start = page[-1].id + 1

    def events(self, start: int = 1, topics: Sequence[str] = ()) -> Iterator[tuple[Notification, Any]]:
        """Each stored event with its notification, decoded."""
        for page in self.pages(start, topics=topics):
            for n in page:
                yield n, self.mapper.to_domain_event(n)

    def decode(self, stored: StoredEvent) -> Any:
        return self.mapper.to_domain_event(stored)
