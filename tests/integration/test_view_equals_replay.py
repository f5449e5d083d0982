"""Property: the read model equals a replay of the event store, at any (D, S)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from infrastructure.bootstrap import Services
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock, database, services_for
from tests.strategies import operations

DAYS = [
    date(1999, 6, 1),
    date(2000, 3, 15),
    date(2000, 3, 31),
    date(2000, 4, 1),
    date(2001, 6, 30),
    date(2002, 1, 1),
    date(2025, 1, 1),
    date(9999, 12, 31),  # the last day there is: no interval covers it, it ends them all
]
LAST_TIME = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)  # the last system time there is
SRC = [{"url": "https://example.org/p"}]


def run(services: Services, clock: Clock, ops: list, actors: list[str]) -> list[datetime]:  # type: ignore[type-arg]
    """Play operations through the application; return the system times worth probing."""
    services.ledger.register_subject({"id": "s", "name": "S", "kind": "government"}, WriteRequest("t"))
    times = [clock.now]
    for i, op in enumerate(ops):
        clock.advance(seconds=1)
        actor = actors[i % len(actors)]
        try:
            if op[0] == "record":
                services.ledger.record_fact(
                    {
                        "type": op[1],
                        "actor": actor,
                        "subject": "s",
                        "effective_on": op[2],
                        "details": op[3],
                        "sources": SRC,
                    },
                    WriteRequest("t"),
                )
            else:
                facts = services.ledger.view.audit({"actor": actor}, 0, 1000)
                targets = [f for f in facts if not f["type"].startswith("fact_")]
                if not targets:
                    continue
                target = targets[op[1] % len(targets)]["fact_id"]
                command = services.ledger.retract if op[0] == "retract" else services.ledger.dispute
                command(target, {"reason": f"r{i}", "sources": SRC}, WriteRequest("t"))
        except DomainError:
            pass
        times.append(clock.now)
    return times


def unplaced(answer: dict[str, Any]) -> dict[str, Any]:
    """A view answer without the facts' positions in the ledger, which replay does not give."""
    evidence = {i: {k: v for k, v in f.items() if k != "position"} for i, f in answer["evidence"].items()}
    return answer | {"evidence": evidence}


def check(services: Services, times: list[datetime]) -> None:
    q = services.queries
    for s in [*times, None, LAST_TIME]:
        for d in DAYS:
            assert unplaced(q.subject_status("s", d, s)) == q.subject_status("s", d, s, mode="replay"), (d, s)
            assert unplaced(q.recognitions("s", d, s)) == q.recognitions("s", d, s, mode="replay"), (d, s)
            for actor in ("RUS", "CHN"):
                view = unplaced(q.actor_status(actor, d, s))
                assert view == q.actor_status(actor, d, s, mode="replay"), (actor, d, s)
        for d1, d2 in pairwise(DAYS):
            assert unplaced(q.changes("s", d1, d2, s)) == q.changes("s", d1, d2, s, mode="replay"), (d1, d2, s)
        for actor in ("RUS", "CHN"):
            view = q.relation(actor, "s", DAYS[0], s)
            replay = q.relation(actor, "s", DAYS[0], s, mode="replay")
            assert (view["timeline"], view["status"]) == (replay["timeline"], replay["status"]), (actor, s)
            facts = [{k: v for k, v in f.items() if k != "position"} for f in view["facts"]]
            assert facts == replay["facts"], (actor, s)  # with their retractions and disputes
            revisions = q.revisions(actor, "s", s)["revisions"]
            for revision in revisions:
                revision["fact"] = {k: v for k, v in revision["fact"].items() if k != "position"}
            assert revisions == q.revisions(actor, "s", s, mode="replay")["revisions"], (actor, s)
            # The same facts, in the same shape; positions belong to the audit log, so replay has none.
            assert [{k: v for k, v in f.items() if k != "position"} for f in view["facts"]] == replay["facts"]
        assert q.history("s", s) == q.history("s", s, mode="replay")


def property_for(backend: str, examples: int):  # type: ignore[no-untyped-def]
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(operations, st.sampled_from([["RUS"], ["RUS", "CHN"]]))
    def prop(ops, actors) -> None:  # type: ignore[no-untyped-def]
        clock = Clock(datetime(2025, 7, 5, tzinfo=UTC))
        with tempfile.TemporaryDirectory() as tmp, database(backend, tmp) as url:
            services = services_for(url, clock)
            try:
                check(services, run(services, clock, ops, actors))
            finally:
                services.close()

    return prop


def test_view_equals_replay_on_sqlite() -> None:
    """After any mix of records, backdated records, retractions and disputes, view == replay at any (D, S)."""
    property_for("sqlite", 40)()


@pytest.mark.postgres
def test_view_equals_replay_on_postgres() -> None:
    """The same property, on PostgreSQL."""
    property_for("postgres", 12)()
