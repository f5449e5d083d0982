"""The feed's items as Server-Sent Events: each record plain, or as a CloudEvents 1.0 structured event."""

from __future__ import annotations

from typing import Any

import orjson

from api.models import FeedFact
from infrastructure.feed.feed_event import FeedEvent
from infrastructure.feed.feed_stream import CaughtUp, Ended, Heartbeat, Item

CLOUDEVENTS = "application/cloudevents+json"
TYPE_PREFIX = "org.recognition-ledger."
CLOUD_TYPES = {
    "fact": "fact_recorded",
    "subject": "subject_registered",
    "milestone": "milestone_recorded",
    "actor": "actor_registered",
}


def retry_line(milliseconds: int) -> str:
    return f"retry: {milliseconds}\n\n"


def sse(item: Item, cloud_source: str | None) -> str:
    """One item as SSE text; records as CloudEvents when a source is given."""
    if isinstance(item, FeedEvent):
        text = item.rendered.get(cloud_source)
        if text is None:  # made once per record and format, however many streams send it
            data = shown(item) if cloud_source is None else cloud_event(item, cloud_source)
            text = item.rendered[cloud_source] = f"id: {item.index}\nevent: {item.kind}\ndata: {_json(data)}\n\n"
        return text
    if isinstance(item, Heartbeat):
        return ": heartbeat\n\n"
    if isinstance(item, CaughtUp):
        return _signal("caught-up", item.index, {"log_index": item.index})
    assert isinstance(item, Ended)
    return _signal("end", item.index, {"reason": item.reason, "log_index": item.index})


def _signal(name: str, index: int | None, data: dict[str, Any]) -> str:
    # The id moves a client's Last-Event-ID on past records its filters left out.
    id_line = f"id: {index}\n" if index is not None else ""
    return f"event: {name}\n{id_line}data: {_json(data)}\n\n"


def shown(event: FeedEvent) -> dict[str, Any]:
    """The record's data: a fact in the shape of every fact the API shows, any other as exported."""
    if event.kind == "fact":
        return FeedFact.model_validate(event.data).model_dump(mode="json")
    return event.data


def cloud_event(event: FeedEvent, source: str) -> dict[str, Any]:
    """The record as a CloudEvents 1.0 structured event (JSON format)."""
    data = shown(event)
    out: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(event.index),
        "source": source,
        "type": TYPE_PREFIX + CLOUD_TYPES[event.kind],
        "subject": _subject(event),
        "time": _effective_time(data.get("effective_on")) or event.recorded_at,
        "recordedtime": event.recorded_at,
        "datacontenttype": "application/json",
        "data": data,
    }
    if event.kind == "fact":
        out["facttype"] = data["type"]
    return out


def _subject(event: FeedEvent) -> str:
    if event.kind == "fact":
        return f"{event.data['actor']}/{event.data['subject']}"  # the relation, as /v1/relations/{actor}/{subject}
    return str(event.subject or event.actor)


def _effective_time(day: str | None) -> str | None:
    """An effective date (YYYY, YYYY-MM or YYYY-MM-DD) as the RFC 3339 time it starts at."""
    if day is None:
        return None
    year, month, date_ = ([*day.split("-"), "01", "01"])[:3]
    return f"{year}-{month}-{date_}T00:00:00Z"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
