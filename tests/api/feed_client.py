"""A test's view of the feed: a real server on a fresh ledger, and its streams read as events."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from api.app import create_app
from infrastructure.bootstrap import Services, build
from infrastructure.config.settings import Settings
from infrastructure.datasets.loader import load_demo
from infrastructure.write_request import WriteRequest
from tests.api.server import serving
from tests.conftest import ADMIN_TOKEN, Clock, database


@dataclass(frozen=True)
class Event:
    name: str  # "fact", "subject", ..., "caught-up", "end"; ":" for a comment, "retry" for a retry hint
    id: int | None
    data: Any


def parsed(lines: Iterable[str]) -> Iterator[Event]:
    """The events of an SSE body, its comments and retry hints among them."""
    name, event_id, data = "message", None, list[str]()
    for line in lines:
        if not line:
            if data:
                yield Event(name, event_id, json.loads("\n".join(data)))
            name, event_id, data = "message", None, list[str]()
        elif line.startswith(":"):
            yield Event(":", None, line[1:].strip())
        else:
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "id":
                event_id = int(value)
            elif field == "data":
                data.append(value)
            elif field == "retry":
                yield Event("retry", None, int(value))


@contextmanager
def feed_server(backend: str, tmp_path: Any, clock: Clock, **settings: Any) -> Iterator[tuple[Services, str]]:
    """A served ledger holding the demo story; feed settings short enough for tests, unless given."""
    options = {"feed_poll_seconds": 0.05, "feed_heartbeat_seconds": 5, **settings}
    with database(backend, str(tmp_path)) as url:
        services = build(
            Settings(database_url=url, admin_token=ADMIN_TOKEN, pool_size=2, pool_max_overflow=8, **options), clock
        )
        try:
            load_demo(services.ledger)
            with serving(create_app(services=services)) as base:
                yield services, base
        finally:
            services.close()


def read(
    base: str,
    query: str = "",
    headers: dict[str, str] | None = None,
    until: Callable[[list[Event]], bool] = lambda events: events[-1].name == "caught-up",
) -> list[Event]:
    """A stream's events until `until` holds of them, or the stream ends; then disconnect."""
    events: list[Event] = []
    with httpx.stream("GET", f"{base}/v1/feed{query}", headers=headers, timeout=20) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in parsed(response.iter_lines()):
            events.append(event)
            if until(events):
                break
    return events


def records(events: list[Event]) -> list[Event]:
    return [e for e in events if e.name in ("fact", "subject", "milestone", "actor")]


STATEMENTS = itertools.count(1)


def write_statement(services: Services, day: int) -> dict[str, Any]:
    """One more fact: China's statement on a day of 2025, each with a quote of its own."""
    data = {
        "type": "statement_made",
        "actor": "CHN",
        "subject": "taliban-iea",
        "effective_on": f"2025-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}",
        "details": {
            "speaker": "Ministry of Foreign Affairs",
            "stance": "supportive",
            "quote": f"statement {next(STATEMENTS)}",
        },
        "sources": [{"url": "https://example.org/statement", "title": "A statement", "publisher": "Example"}],
    }
    return services.ledger.record_fact(data, WriteRequest("tests", None, None, None))


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.02)
