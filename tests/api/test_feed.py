"""GET /v1/feed over a real server: every record once, in log order, however a client is cut off."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from typing import Any

import httpx
import pytest
from eventsourcing.persistence import OperationalError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from infrastructure.auth.tokens import Role
from infrastructure.bulk.export import export_lines
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.feed.feed_filters import FeedFilters
from infrastructure.feed.feed_hub import FeedHub
from infrastructure.feed.feed_stream import CaughtUp, Ended, FeedStream, StreamLimits
from tests.api.feed_client import Event, feed_server, read, records, wait_for, write_statement
from tests.conftest import ADMIN_TOKEN

ALL = "?"


def test_the_feed_is_every_record_in_log_order_with_the_data_the_api_gives(backend: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    """A fact as GET /v1/facts/{id} gives it (its corrections are later records); any other
    record as the export writes it; ids are log indexes 0, 1, 2, ...; then caught-up at the last."""
    with feed_server(backend, tmp_path, clock) as (services, base):
        events = read(base)
        exported = [json.loads(line) for line in export_lines(services.ledger, services.log.checkpoints)][:-1]
        assert events[0] == Event("retry", None, 3000)
        got = records(events)
        assert [e.id for e in got] == list(range(len(exported))) == [e.data["log_index"] for e in got]
        for event, line in zip(got, exported, strict=True):
            assert event.name == line["record"]
            if event.name == "fact":
                shown = httpx.get(f"{base}/v1/facts/{line['fact_id']}").json()
                del shown["retraction"], shown["disputes"]
                assert event.data == shown
            else:
                assert event.data == line
        assert events[-1] == Event("caught-up", len(exported) - 1, {"log_index": len(exported) - 1})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.integers(0, 4), st.integers(1, 6)), min_size=1, max_size=5))
def test_a_client_that_resumes_with_its_last_id_misses_nothing_and_sees_nothing_twice(
    feed_ledger: tuple[Any, str], plan: list[tuple[int, int]]
) -> None:
    """Each step writes some facts from another thread while the client reads a few records
    and disconnects; it reconnects with Last-Event-ID. At the end it has every record once."""
    services, base = feed_ledger
    start = services.feed_reader.size() - 1
    seen: list[int] = []
    last = start
    for writes, reads in plan:
        writer = threading.Thread(target=lambda n=writes: [write_statement(services, d) for d in range(n)])
        writer.start()
        events = read(
            base,
            headers={"Last-Event-ID": str(last)},
            until=lambda es, r=reads: len(records(es)) >= r or es[-1].name == "caught-up",
        )
        writer.join()
        seen += [e.id for e in records(events) if e.id is not None]
        last = (
            next(e.id for e in reversed(events) if e.id is not None) if any(e.id is not None for e in events) else last
        )
    rest = read(base, headers={"Last-Event-ID": str(last)})
    seen += [e.id for e in records(rest) if e.id is not None]
    assert seen == list(range(start + 1, services.feed_reader.size()))


@pytest.fixture
def feed_ledger(backend: str, tmp_path, clock):  # type: ignore[no-untyped-def]
    with feed_server(backend, tmp_path, clock) as served:
        yield served


def test_filters_mean_any_of_their_values_and_all_of_the_filters(feed_ledger: tuple[Any, str]) -> None:
    _, base = feed_ledger
    everything = records(read(base))
    last = everything[-1].id
    for query, keep in [
        ("?actor=RUS&actor=PAK", lambda e: e.name == "fact" and e.data["actor"] in ("RUS", "PAK")),
        ("?type=subject&type=milestone", lambda e: e.name in ("subject", "milestone")),
        ("?subject=taliban-iea&type=recognition_granted", lambda e: e.data.get("type") == "recognition_granted"),
    ]:
        events = read(base, query)
        assert [e.id for e in records(events)] == [e.id for e in everything if keep(e)], query
        assert events[-1] == Event("caught-up", last, {"log_index": last}), "caught-up moves past what was left out"


@pytest.mark.parametrize(
    ("query", "headers", "field", "says"),
    [
        ("?type=bogus", {}, "type", "'bogus' is not a fact type or record"),
        ("?actor=rus", {}, "actor", "'rus' is not a known actor code"),
        ("?subject=nowhere", {}, "subject", "'nowhere' is not a registered subject id"),
        ("?after=999", {}, "after", "999 is past the last record's log index; the last is"),
        ("?after=1&since=2025-01-01T00:00:00Z", {}, "since", "give after or since, not both"),
        ("?since=yesterday", {}, "since", "'yesterday' is not an RFC 3339 time"),
        ("", {"Last-Event-ID": "x1"}, "Last-Event-ID", "'x1' is not a log index"),
        ("", {"Last-Event-ID": b"1\xb9"}, "Last-Event-ID", "is not a log index"),
        ("?format=xml", {}, "format", "String should match pattern"),
    ],
)
def test_a_bad_request_is_refused_before_the_stream_starts(
    feed_ledger: tuple[Any, str], query: str, headers: dict[str, Any], field: str, says: str
) -> None:
    services, base = feed_ledger
    answer = httpx.get(f"{base}/v1/feed{query}", headers=headers, timeout=10)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert any(e["field"] == field and says in e["message"] for e in answer.json()["errors"]), answer.json()
    assert not services.feed.subscribers


def test_since_starts_at_the_first_record_recorded_at_or_after_it(feed_ledger: tuple[Any, str], clock) -> None:  # type: ignore[no-untyped-def]
    services, base = feed_ledger
    before = services.feed_reader.size()
    moment = clock.advance(minutes=5)
    write_statement(services, 1)
    clock.advance(minutes=5)
    write_statement(services, 2)
    got = records(read(base, f"?since={rfc3339(moment)}"))
    assert [e.id for e in got] == [before, before + 1]
    later = records(read(base, f"?since={rfc3339(clock.advance(minutes=1))}"))
    assert later == [], "nothing recorded since: only caught-up"


def test_caught_up_heartbeats_and_the_lifetime(backend: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    with feed_server(backend, tmp_path, clock, feed_heartbeat_seconds=0.2, feed_lifetime_seconds=1.5) as (s, base):
        events = read(base, until=lambda es: False)  # to the stream's end
        names = [e.name for e in events]
        assert names.count("caught-up") == 1 and names.count(":") >= 3
        last = s.feed_reader.size() - 1
        assert events[-1] == Event("end", last, {"reason": "lifetime", "log_index": last})


def test_records_written_meanwhile_arrive_live_after_caught_up(feed_ledger: tuple[Any, str]) -> None:
    services, base = feed_ledger
    size = services.feed_reader.size()
    writer = threading.Thread(target=lambda: [write_statement(services, d) for d in range(3)])

    def three_more(events: list[Event]) -> bool:
        if events[-1].name == "caught-up":
            writer.start()  # written only once the stream is live
        return events[-1].name == "fact" and events[-1].id == size + 2

    events = read(base, "?type=statement_made", until=three_more)
    writer.join()
    live = events[[e.name for e in events].index("caught-up") + 1 :]
    assert [e.id for e in live] == [size, size + 1, size + 2]


def test_cloudevents_on_request(feed_ledger: tuple[Any, str]) -> None:
    services, base = feed_ledger
    plain = {e.id: e.data for e in records(read(base))}
    for query, headers in [("?format=cloudevents", {}), ("", {"Accept": "application/cloudevents+json"})]:
        got = records(read(base, query, headers))
        assert [e.id for e in got] == list(plain)
        russia = next(
            e.data
            for e in got
            if e.name == "fact" and e.data["data"]["type"] == "recognition_granted" and e.data["data"]["actor"] == "RUS"
        )
        assert russia["specversion"] == "1.0" and russia["id"] == str(russia["data"]["log_index"])
        assert russia["type"] == "org.recognition-ledger.fact_recorded" and russia["facttype"] == "recognition_granted"
        assert russia["source"] == services.settings.log_origin and russia["subject"] == "RUS/taliban-iea"
        assert russia["time"] == "2025-07-03T00:00:00Z" and russia["recordedtime"] == russia["data"]["recorded_at"]
        assert russia["datacontenttype"] == "application/json"
        assert all(e.data["data"] == plain[e.id] for e in got)
        subject = next(e.data for e in got if e.name == "subject")
        assert subject["type"] == "org.recognition-ledger.subject_registered" and subject["subject"] == "taliban-iea"


def test_streams_are_capped_per_client_and_per_process(backend: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    with feed_server(backend, tmp_path, clock, feed_max_streams=3, feed_max_streams_per_client=2) as (s, base):
        tokens = [{"Authorization": f"Bearer {s.tokens.create(Role.READER, f'r{i}')[1]}"} for i in range(3)]
        with httpx.Client(base_url=base, timeout=10) as client, contextlib.ExitStack() as held:
            for _ in range(2):
                held.enter_context(client.stream("GET", "/v1/feed"))
            refused = client.get("/v1/feed")
            assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
            assert "address 127.0.0.1 has 2 feed streams open" in refused.json()["detail"]
            held.enter_context(client.stream("GET", "/v1/feed", headers=tokens[0]))
            full = client.get("/v1/feed", headers=tokens[1])
            assert full.status_code == 429 and "this server has 3 feed streams open" in full.json()["detail"]
            held.close()
            wait_for(lambda: not s.feed.subscribers, "closed streams let go of their places")
            assert not s.feed.per_client
            ok = read(base, headers=tokens[2])
            assert ok[-1].name == "caught-up"


def test_a_client_that_goes_leaves_nothing_running(feed_ledger: tuple[Any, str]) -> None:
    """Disconnects during the backlog and while live: the stream's generator is closed both times."""
    services, base = feed_ledger
    read(base, until=lambda es: len(records(es)) >= 2)  # gone mid-backlog
    wait_for(lambda: not services.feed.subscribers, "a stream cut off in its backlog is let go")
    read(base)  # gone right after caught-up, while waiting for new records
    wait_for(lambda: not services.feed.subscribers, "a live stream is let go")
    assert not services.feed.per_client


def test_a_revoked_tokens_stream_ends_at_its_next_heartbeat(backend: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    with feed_server(backend, tmp_path, clock, require_auth_for_reads=True, feed_heartbeat_seconds=0.2) as (s, base):
        assert httpx.get(f"{base}/v1/feed").status_code == 401
        token_id, token = s.tokens.create(Role.READER, "watcher")
        headers = {"Authorization": f"Bearer {token}"}

        def revoke_once_caught_up(events: list[Event]) -> bool:
            if events[-1].name == "caught-up":
                s.tokens.revoke(token_id)
            return False

        events = read(base, headers=headers, until=revoke_once_caught_up)
        assert events[-1].name == "end" and events[-1].data["reason"] == "token-revoked"
        admin = read(base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert admin[-1].name == "caught-up"


def test_a_slow_clients_stream_ends_when_its_buffer_fills(backend: str, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    """The client stops taking records once caught up; four more are written with room for two:
    its stream ends saying why, at the last record it passed, from which the client resumes."""
    with feed_server(backend, tmp_path, clock, feed_buffer_events=2) as (services, _):

        async def run() -> list[Any]:
            subscriber = services.feed.subscribe("slow")
            stream = FeedStream(
                services.feed, services.feed_reader, subscriber, FeedFilters(), -1, StreamLimits(60, 600)
            )
            batches = stream.batches()
            got = list(await anext(batches))
            while not isinstance(got[-1], CaughtUp):
                got += await anext(batches)
            await asyncio.to_thread(lambda: [write_statement(services, d) for d in range(4)])
            while not subscriber.overflowed:
                await asyncio.sleep(0.02)
            got += await anext(batches)
            await batches.aclose()
            assert not services.feed.subscribers
            return got

        got = asyncio.run(run())
        caught_up = got[-2]
        assert isinstance(caught_up, CaughtUp)
        assert got[-1] == Ended("slow-client", caught_up.index)


def test_a_client_that_takes_nothing_is_let_go_after_the_send_timeout(feed_ledger: tuple[Any, str]) -> None:
    """At the ASGI level: a send that never completes. The response gives up and closes its stream."""
    services, _ = feed_ledger
    services.settings.feed_send_timeout_seconds = 0.3
    app = create_app(services=services)

    async def run() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/v1/feed",
            "raw_path": b"/v1/feed",
            "query_string": b"",
            "headers": [(b"host", b"test")],
            "client": ("127.0.0.1", 5000),
            "server": ("test", 80),
        }
        requested = False

        async def receive() -> dict[str, Any]:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client never hangs up
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body" and b"id: 3" in message.get("body", b""):
                await asyncio.Event().wait()  # and takes nothing from its fourth record on

        async def send_nothing(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                await asyncio.Event().wait()  # takes not even the first chunk: the stream never starts

        await asyncio.wait_for(app(scope, receive, send), 10)
        requested = False
        await asyncio.wait_for(app(scope, receive, send_nothing), 10)

    asyncio.run(run())
    assert not services.feed.subscribers and not services.feed.per_client


def test_a_stream_whose_database_goes_away_ends_saying_so(feed_ledger: tuple[Any, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    services, _ = feed_ledger

    def away(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    async def run() -> list[Any]:
        subscriber = services.feed.subscribe("someone")
        stream = FeedStream(services.feed, services.feed_reader, subscriber, FeedFilters(), 5, StreamLimits(60, 600))
        monkeypatch.setattr(services.feed_reader, "read", away)
        return [item async for batch in stream.batches() for item in batch]

    assert asyncio.run(run()) == [Ended("unavailable", 5)]
    assert not services.feed.subscribers


def test_a_stream_going_live_reads_once_more_after_its_processs_tail_has_started(feed_ledger: tuple[Any, str]) -> None:
    """A record written after the stream's backlog but before the tail knows where the log ends
    would reach neither: the stream waits for the tail, then reads again, and has it."""
    services, _ = feed_ledger
    hub = FeedHub(10, 10, 10, start_tail=lambda: None)  # a tail that has not started yet

    async def run() -> list[Any]:
        stream = FeedStream(hub, services.feed_reader, hub.subscribe("early"), FeedFilters(), -1, StreamLimits(60, 600))
        batches = stream.batches()
        got = list(await anext(batches))  # the backlog, up to index 20
        waiting = asyncio.create_task(anext(batches))
        await asyncio.sleep(0.2)
        assert not waiting.done(), "it waits for the tail"
        await asyncio.to_thread(write_statement, services, 1)  # index 21, written meanwhile
        hub.tail_ready.set()  # the tail starts after it: it would hand over from 22 on
        while not isinstance(got[-1], CaughtUp):
            got += await waiting if waiting is not None else await anext(batches)
            waiting = None
        await batches.aclose()
        return got

    got = asyncio.run(run())
    assert [e.index for e in got if not isinstance(e, CaughtUp)] == list(range(22))
    assert got[-1] == CaughtUp(21)
