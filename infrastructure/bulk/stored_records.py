"""The records the event store holds, in ledger order: what the export writes and the log hashes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from infrastructure.log import records
from infrastructure.store.event_reader import EventReader


def stored_records(app: Application[Any]) -> Iterator[dict[str, Any]]:
    """Every stored record, without its numbering, in the order of the log's leaves."""
    slugs: dict[UUID, str] = {}
    pages = EventReader(app).pages(size=10_000)
    return records.stored_records((n for page in pages for n in page), app.mapper, slugs)
