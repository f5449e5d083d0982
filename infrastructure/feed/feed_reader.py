"""The ledger's records after any log index, read from the event store, each with its index.

The log numbers records but does not say which event holds each, so a read starts from an
anchor the view can place: the last fact at or before the index asked for (its leaf names the
fact, the view its relation and version, the event store the event's notification id).
From there the events are read in order and counted as the export counts them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.subject import Subject
from infrastructure.encoding.answers import audit_body
from infrastructure.encoding.transcodings import fact_from_dict
from infrastructure.feed.feed_event import START, Cursor, FeedEvent
from infrastructure.log import records
from infrastructure.log.tables import LEAVES
from infrastructure.view.tables import LIVE
from infrastructure.write.ledger import Ledger

PAGE = 500  # events read at a time


class FeedReader:
    """Records from the event store as feed events, in log order."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.mapper = ledger.mapper
        self.events_table: str = getattr(ledger.recorder, "events_table_name")  # noqa: B009 - both backends' recorders have it
        self.slugs: dict[UUID, str] = {}  # subjects' ids: a milestone's record names its subject
        d = ledger.dialect
        self.select_anchor = d.sql(
            f"SELECT l.log_index, f.relation_id, f.relation_version, f.position FROM {LEAVES.name} AS l "
            "JOIN {facts} AS f ON f.fact_id = l.fact_id "
            "WHERE l.log_index <= ? AND l.fact_id IS NOT NULL ORDER BY l.log_index DESC LIMIT 1",
            LIVE,
        )
        self.select_first_recorded = d.sql("SELECT MIN(position) FROM {facts} WHERE recorded_at >= ?", LIVE)
        self.select_fact_index = d.sql(
            f"SELECT l.log_index FROM {LEAVES.name} AS l JOIN {{facts}} AS f ON f.fact_id = l.fact_id "
            "WHERE f.position = ?",
            LIVE,
        )

    def size(self) -> int:
        """How many records the log holds."""
        return self.ledger.tree.size()

    def after(self, index: int) -> Cursor:
        """The cursor just past the record at `index` (-1: the start)."""
        if index < 0:
            return START
        cursor = self._anchor(index)
        while cursor.index < index:
            events, cursor = self.read(cursor, min(PAGE, index - cursor.index), stop_at=index)
            if not events:  # past the last record: the caller checks `index` against the size
                break
        return cursor

    def since(self, moment: datetime) -> int:
        """An index at or before which nothing was recorded at or after `moment`: that of the
        last fact recorded before it (system times grow along the log; the records between it
        and the first one recorded since are for the reader to pass over)."""
        rows = self.ledger.dialect.tuples(self.select_first_recorded, [self.ledger.dialect.time(moment)])
        first = rows[0][0]
        before = self.ledger.view.max_position() if first is None else int(first) - 1
        if before == 0:
            return -1
        found = self.ledger.dialect.tuples(self.select_fact_index, [before])
        return int(found[0][0])

    def read(self, cursor: Cursor, limit: int = PAGE, stop_at: int | None = None) -> tuple[list[FeedEvent], Cursor]:
        """Up to `limit` records after the cursor (none past `stop_at`), and the cursor after them."""
        out: list[FeedEvent] = []
        start = cursor.notification_id + 1
        while len(out) < limit:
            page = self.ledger.recorder.select_notifications(start, PAGE)
            if not page:
                break
            for n in page:
                record = self._record(n)
                if record is None:
                    cursor = replace(cursor, notification_id=n.id)
                    continue
                event = self._event(
                    record, Cursor(n.id, cursor.index + 1, cursor.position + (record["record"] == "fact"))
                )
                cursor = event.after
                out.append(event)
                if len(out) >= limit or (stop_at is not None and event.index >= stop_at):
                    return out, cursor
            if len(page) < PAGE:
                break
            start = page[-1].id + 1
        return out, cursor

    def _anchor(self, index: int) -> Cursor:
        """The cursor just past the last fact at or before `index`, or the start."""
        d = self.ledger.dialect
        rows = d.tuples(self.select_anchor, [index])
        if not rows:
            return START
        log_index, relation_id, relation_version, position = rows[0]
        event = d.notification_id(self.events_table, UUID(str(relation_id)), int(relation_version) + 1)
        if event is None:  # pragma: no cover - the view and the events are written together
            return START
        return Cursor(event, int(log_index), int(position))

    def _record(self, n: Any) -> dict[str, Any] | None:
        try:
            record = records.stored_record(n, self.mapper, self.slugs)
        except KeyError:  # a milestone of a subject registered before this reader's first page
            self.slugs.update({Subject.create_id(s): s for s in self.ledger.view.subject_slugs()})
            record = records.stored_record(n, self.mapper, self.slugs)
        if record is not None and record["record"] == "subject":
            self.slugs[UUID(str(n.originator_id))] = record["id"]
        return record

    @staticmethod
    def _event(record: dict[str, Any], after: Cursor) -> FeedEvent:
        kind, index = record.pop("record"), after.index
        if kind != "fact":
            return FeedEvent(index, kind, {**records.shown({"record": kind, **record}), "log_index": index}, after)
        version = record.pop("relation_version")
        data = audit_body(fact_from_dict(record), version)
        return FeedEvent(index, kind, {**data, "position": after.position, "log_index": index}, after)
