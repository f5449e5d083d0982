"""Answers that show their evidence: deciding facts per part, sources, flags per part, dated
changes, timelines without placeholders, and a relation's revisions; view and replay alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo
from infrastructure.write_request import WriteRequest

MODES = pytest.mark.parametrize("mode", ["view", "replay"])
SRC = [{"url": "https://www.reuters.com/world/", "title": "A report", "quote": "a quote"}]


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    load_demo(services.ledger)
    with TestClient(create_app(services=services)) as c:
        yield c


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def russia(client: TestClient, mode: str) -> dict[str, Any]:
    answer = get(client, "/v1/subjects/taliban-iea/status", at="2025-07-03", mode=mode)
    [row] = [r for r in answer["relations"] if r["actor"] == "RUS"]
    return answer | {"row": row}


def mission_fact(services: Services) -> str:
    facts = services.ledger.view.audit({"actor": ["RUS"], "type": ["mission_opened"]}, 0, 10)
    fact_id: str = facts[0]["fact_id"]
    return fact_id


@MODES
def test_every_part_of_a_status_names_its_fact_and_the_answer_gives_its_sources(client: TestClient, mode: str) -> None:
    """Russia on 2025-07-03: recognition, envoy, mission and listing each name a fact, found in `evidence`."""
    answer = russia(client, mode)
    row = answer["row"]
    assert (answer["subject_name"], row["actor_name"]) == (
        "Islamic Emirate of Afghanistan (Taliban)",
        "Russian Federation",
    )
    parts = {
        "recognition": row["recognition"],
        "ambassador_accepted": row["ambassador_accepted"],
        "mission": row["missions"][0],
        "terrorist_listed": row["terrorist_listed"],
    }
    types = {name: answer["evidence"][part["fact_id"]]["type"] for name, part in parts.items()}
    assert types == {
        "recognition": "recognition_granted",
        "ambassador_accepted": "ambassador_accepted",
        "mission": "mission_opened",
        "terrorist_listed": "terrorist_listing_removed",
    }
    assert row["relations"]["fact_id"] is None and row["ambassador_sent"]["fact_id"] is None, "no fact decides them"
    assert set(row["basis"]) == {p["fact_id"] for p in parts.values()} <= set(answer["evidence"])
    for fact in answer["evidence"].values():
        assert fact["sources"] and all(s["url"].startswith("http") for s in fact["sources"])
        assert fact["disputed_by"] == []


@MODES
def test_a_disputed_business_office_flags_the_mission_not_the_recognition(
    client: TestClient, services: Services, mode: str
) -> None:
    """A dispute of the 2023 business office marks that part and the whole, not Russia's 2025 recognition."""
    target = mission_fact(services)
    dispute = services.ledger.dispute(
        target, {"reason": "the office opened in 2022", "sources": SRC}, WriteRequest("t")
    )
    answer = russia(client, mode)
    row = answer["row"]
    assert row["disputed"] is True
    assert (row["missions"][0]["disputed"], row["recognition"]["disputed"]) == (True, False)
    assert answer["evidence"][target]["disputed_by"] == [dispute["fact_id"]]
    assert answer["evidence"][dispute["fact_id"]]["details"] == {
        "disputes": target,
        "reason": "the office opened in 2022",
    }
    recognitions = get(client, "/v1/subjects/taliban-iea/recognitions", at="2025-07-03", mode=mode)
    assert [(r["actor"], r["disputed"]) for r in recognitions["recognised_by"]] == [("RUS", False)]


@MODES
def test_a_disputed_recognition_carries_its_dispute_in_the_recognitions(
    client: TestClient, services: Services, mode: str
) -> None:
    """Disputing Russia's recognition: the entry says disputed, and the dispute is in `evidence`, until retracted."""
    before = get(client, "/v1/subjects/taliban-iea/recognitions", at="2025-07-03")
    target = before["recognised_by"][0]["fact_id"]
    dispute = services.ledger.dispute(target, {"reason": "not formal", "sources": SRC}, WriteRequest("t"))
    answer = get(client, "/v1/subjects/taliban-iea/recognitions", at="2025-07-03", mode=mode)
    assert answer["recognised_by"][0]["disputed"] is True
    assert answer["evidence"][target]["disputed_by"] == [dispute["fact_id"]]
    assert dispute["fact_id"] in answer["evidence"]
    asked_before = get(
        client, "/v1/subjects/taliban-iea/recognitions", at="2025-07-03", recorded_at=dispute["recorded_at"][:-8] + "Z"
    )
    assert asked_before["recognised_by"][0]["disputed"] is False, "a dispute counts from when it was recorded"
    services.ledger.retract(dispute["fact_id"], {"reason": "withdrawn"}, WriteRequest("t"))
    again = get(client, "/v1/subjects/taliban-iea/recognitions", at="2025-07-03", mode=mode)
    assert again["recognised_by"][0]["disputed"] is False and again["evidence"][target]["disputed_by"] == []


@MODES
def test_a_date_known_to_the_year_makes_only_its_own_part_approximate(client: TestClient, mode: str) -> None:
    """In 2023 the business office (known to the year) is approximate; the listing (a day) is not."""
    answer = get(client, "/v1/actors/RUS/status", at="2023-06-01", mode=mode)
    [row] = answer["relations"]
    assert answer["actor_name"] == "Russian Federation" and row["subject_name"].startswith("Islamic Emirate")
    assert row["approximate"] is True
    assert (row["missions"][0]["approximate"], row["terrorist_listed"]["approximate"]) == (True, False)
    later = get(client, "/v1/actors/RUS/status", at="2024-06-01", mode=mode)["relations"][0]
    assert (later["approximate"], later["missions"][0]["approximate"]) == (False, False)


@MODES
def test_changes_give_the_dates_in_the_window_and_the_facts_of_each(client: TestClient, mode: str) -> None:
    """From 30 June to 4 July 2025 Russia changed twice: the envoy on 1 July, the recognition on 3 July."""
    answer = get(client, "/v1/subjects/taliban-iea/changes", **{"from": "2025-06-30", "to": "2025-07-04", "mode": mode})
    [change] = answer["changes"]
    assert (change["actor"], change["actor_name"]) == ("RUS", "Russian Federation")
    dates = [(d["date"], [answer["evidence"][i]["type"] for i in d["facts"]]) for d in change["dates"]]
    assert dates == [("2025-07-01", ["ambassador_accepted"]), ("2025-07-03", ["recognition_granted"])]
    assert (change["before"]["level"], change["after"]["level"]) == ("engaged", "recognised")


def test_changes_from_after_to_is_refused(client: TestClient) -> None:
    """`from` later than `to` is a 422 that names `to`."""
    response = client.get("/v1/subjects/taliban-iea/changes", params={"from": "2025-07-04", "to": "2025-07-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to"


@MODES
def test_a_timeline_starts_with_no_facts_and_lists_facts_with_their_corrections(
    client: TestClient, services: Services, mode: str
) -> None:
    """No made-up start: the first interval has no start and says no_facts; a retracted fact names its retraction."""
    target = mission_fact(services)
    retraction = services.ledger.retract(target, {"reason": "a mistake"}, WriteRequest("t"))
    answer = get(client, "/v1/relations/RUS/taliban-iea", at="2025-07-03", mode=mode)
    first, second = answer["timeline"][:2]
    assert (first["valid_from"], first["no_facts"], first["valid_to"]) == (None, True, "2003-02-14")
    assert (second["valid_from"], second["no_facts"]) == ("2003-02-14", False)
    assert all(iv["valid_from"] for iv in answer["timeline"][1:])
    by_id = {f["fact_id"]: f for f in answer["facts"]}
    assert by_id[target]["retracted_by"] == retraction["fact_id"]
    assert [f["fact_id"] for f in answer["facts"] if f["retracted_by"]] == [target]
    assert (answer["actor_name"], answer["subject_name"]) == ("Russian Federation", answer["subject_name"])


@MODES
def test_revisions_say_what_each_recording_changed(client: TestClient, mode: str) -> None:
    """Russia's seven facts: each a revision with its fact and sources; the recognition replaced the
    interval from 1 July by one to 3 July and one from then; statements changed no interval."""
    answer = get(client, "/v1/relations/RUS/taliban-iea/revisions", mode=mode)
    revisions = answer["revisions"]
    assert [r["relation_version"] for r in revisions] == list(range(1, 8)) and answer["next_after"] is None
    assert [r["fact"]["type"] for r in revisions][:2] == ["terrorist_listing_added", "mission_opened"]
    first = revisions[0]
    assert first["before"] == [] and [iv["valid_from"] for iv in first["after"]] == [None, "2003-02-14"]
    assert all(r["fact"]["sources"] and r["recorded_at"] == r["fact"]["recorded_at"] for r in revisions)
    recognition = next(r for r in revisions if r["fact"]["type"] == "recognition_granted")
    assert [(iv["valid_from"], iv["valid_to"]) for iv in recognition["before"]] == [("2025-07-01", None)]
    assert [(iv["valid_from"], iv["valid_to"], iv["status"]["level"]) for iv in recognition["after"]] == [
        ("2025-07-01", "2025-07-03", "de_facto"),
        ("2025-07-03", None, "recognised"),
    ]
    statements = [r for r in revisions if r["fact"]["type"] == "statement_made"]
    assert len(statements) == 2 and all(r["before"] == r["after"] == [] for r in statements)


@MODES
def test_revisions_are_paged_and_asked_as_of_a_system_time(client: TestClient, mode: str) -> None:
    """limit=3 gives versions 1-3 and next_after 3; the next page goes on from there; as of the third
    fact's recording, three revisions were known."""
    path = "/v1/relations/RUS/taliban-iea/revisions"
    page = get(client, path, limit=3, mode=mode)
    assert [r["relation_version"] for r in page["revisions"]] == [1, 2, 3] and page["next_after"] == 3
    rest = get(client, path, after=3, limit=3, mode=mode)
    assert [r["relation_version"] for r in rest["revisions"]] == [4, 5, 6]
    then = get(client, path, recorded_at=page["revisions"][2]["recorded_at"], mode=mode)
    assert [r["relation_version"] for r in then["revisions"]] == [1, 2, 3]


def test_revisions_view_equals_replay_but_for_positions(client: TestClient) -> None:
    """The view's revisions are replay's, with each fact's position besides."""
    path = "/v1/relations/RUS/taliban-iea/revisions"
    view, replay = get(client, path), get(client, path, mode="replay")
    for revision in view["revisions"]:
        assert revision["fact"].pop("position") > 0
    for revision in replay["revisions"]:
        assert revision["fact"].pop("position") is None
    assert view["revisions"] == replay["revisions"]


def test_revisions_of_an_unknown_actor_or_subject_are_404_and_bad_pages_422(client: TestClient) -> None:
    """Unknown actor or subject: 404; a limit of 0: 422."""
    assert client.get("/v1/relations/QQQ/taliban-iea/revisions").status_code == 404
    assert client.get("/v1/relations/RUS/nowhere/revisions").status_code == 404
    assert client.get("/v1/relations/RUS/taliban-iea/revisions", params={"limit": 0}).status_code == 422
    assert get(client, "/v1/relations/FRA/taliban-iea/revisions")["revisions"] == [], "no facts: no revisions"


def test_the_audit_log_marks_each_fact_with_its_retraction_and_standing_disputes(
    client: TestClient, services: Services
) -> None:
    """A retracted fact names its retraction; a dispute counts until it is retracted itself."""
    target = mission_fact(services)
    dispute = services.ledger.dispute(target, {"reason": "2022", "sources": SRC}, WriteRequest("t"))
    items = {f["fact_id"]: f for f in get(client, "/v1/facts", actor="RUS", limit=100)["items"]}
    assert (items[target]["disputed_by"], items[target]["retracted_by"]) == ([dispute["fact_id"]], None)
    withdrawn = services.ledger.retract(dispute["fact_id"], {"reason": "wrong"}, WriteRequest("t"))
    retraction = services.ledger.retract(target, {"reason": "a mistake"}, WriteRequest("t"))
    items = {f["fact_id"]: f for f in get(client, "/v1/facts", actor="RUS", limit=100)["items"]}
    assert (items[target]["disputed_by"], items[target]["retracted_by"]) == ([], retraction["fact_id"])
    assert items[dispute["fact_id"]]["retracted_by"] == withdrawn["fact_id"]
    assert all(f["retracted_by"] is None for i, f in items.items() if i not in (target, dispute["fact_id"]))
