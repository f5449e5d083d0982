"""Registered actors' lifespans: stored, exported and imported; actors stored before lifespans load."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from domain.actor import ActorKind, RegisteredActor
from domain.errors import RuleViolation
from domain.lifespan import Lifespan
from infrastructure.bootstrap import Services
from infrastructure.bulk.export import export_lines
from infrastructure.bulk.importer import Importer
from infrastructure.encoding.catalogue_bodies import actor_body
from infrastructure.errors import ImportMismatch
from infrastructure.store.logged_events import LoggedEventStore
from infrastructure.view.changes import ViewChanges
from infrastructure.write_request import WriteRequest

SRC = [{"url": "https://example.org/x"}]
SUBJECT = {"id": "kosovo", "name": "Republic of Kosovo", "kind": "state", "territory": "XKX"}
ICO = {"code": "ICO", "name": "International Civilian Office", "kind": "organisation"}


def recognition(actor: str, on: str) -> dict[str, object]:
    return {"type": "recognition_granted", "actor": actor, "subject": "kosovo", "effective_on": on, "sources": SRC}


def store_as_before_lifespans(s: Services, code: str) -> None:
    """An actor's Registered event and view row as the ledger wrote them before actors had lifespans."""
    ledger = s.ledger
    actor = RegisteredActor(code=code, name="Old", kind=ActorKind.ORGANISATION, registered_at=datetime.now(UTC))
    stored = ledger.mapper.to_stored_event(actor.collect_events()[0])
    state = ledger.mapper.transcoder.decode(stored.state)
    for key in ("valid_from", "valid_to", "class_version"):
        state.pop(key, None)
    old = dataclasses.replace(stored, state=ledger.mapper.transcoder.encode(state))
    body = actor_body(actor)
    del body["valid_from"], body["valid_to"]
    changes = ViewChanges(actors=[body])
    assert isinstance(ledger.events, LoggedEventStore)
    changes.leaves = ledger.events.leaves([old], changes)  # as the log's migration makes it
    ledger.rows.prepare(changes)
    ledger.recorder.insert_events([old], view_changes=changes)


def test_an_actor_stored_before_lifespans_loads_with_an_open_one(services: Services) -> None:
    """Its event is upcast and its view row read with no dates: it acts on any date, and exports with nulls."""
    store_as_before_lifespans(services, "OLD")
    ledger = services.ledger
    assert ledger.actors.get("OLD").lifespan == Lifespan()
    loaded = ledger.repository.get(RegisteredActor.create_id("OLD"))
    assert (loaded.valid_from, loaded.valid_to) == (None, None)
    ledger.register_subject(SUBJECT, WriteRequest("ed"))
    assert ledger.record_fact(recognition("OLD", "1600"), WriteRequest("ed"))["relation_version"] == 1
    line = json.loads(
        next(line for line in export_lines(ledger, services.log.checkpoints) if '"record":"actor"' in line)
    )
    assert (line["code"], line["valid_from"], line["valid_to"]) == ("OLD", None, None)


def test_lifespans_survive_export_and_import_and_hold_in_the_new_ledger(
    make_services: Callable[[], Services],
) -> None:
    """Export, import into an empty ledger, export: the same lines; the imported actor is held to its dates."""
    source = make_services()
    source.ledger.register_actor(ICO | {"valid_from": "2008-02-28", "valid_to": "2012-09-10"}, WriteRequest("admin"))
    source.ledger.register_subject(SUBJECT, WriteRequest("ed"))
    source.ledger.record_fact(recognition("ICO", "2008-03-01"), WriteRequest("ed"))
    lines = list(export_lines(source.ledger, source.log.checkpoints))
    target = make_services()
    Importer(target.ledger).run(lines)
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines
    assert target.ledger.actors.get("ICO").lifespan == source.ledger.actors.get("ICO").lifespan
    with pytest.raises(RuleViolation) as refused:
        target.ledger.record_fact(recognition("ICO", "2013") | {"type": "relations_established"}, WriteRequest("ed"))
    assert refused.value.rule == "after_actor_ceased"


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"valid_from": "2008-02-30"}, "line 1: valid_from '2008-02-30' is not a date"),
        ({"valid_to": 2012}, "line 1: valid_to 2012 is not a date"),
    ],
)
def test_an_import_line_with_a_bad_actor_date_stops_naming_the_line(
    services: Services, dates: dict[str, object], message: str
) -> None:
    """A hand-edited export with an impossible date is refused before anything is written."""
    line = {"record": "actor", **ICO, "registered_at": "2026-01-01T10:00:00.000000Z", **dates}
    with pytest.raises(ImportMismatch, match=message):
        Importer(services.ledger).run([json.dumps(line)])
    assert services.ledger.view.actors() == []
