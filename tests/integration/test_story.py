"""The article's story end to end, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolation
from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock

SUBJECT = "taliban-iea"
SRC = [{"url": "https://example.org/correction"}]


def recognised(s: Services, day: str, recorded_at=None, mode: str = "view") -> list[str]:  # type: ignore[no-untyped-def]
    answer = s.queries.recognitions(SUBJECT, date.fromisoformat(day), recorded_at, mode)
    assert answer["count"] == len(answer["recognised_by"])
    return [r["actor"] for r in answer["recognised_by"]]


def test_who_recognised_the_islamic_emirate_and_when(services: Services) -> None:
    """On 2 July 2025 nobody; on 3 July Russia, the first; in 1998 the three of the first period."""
    assert load_demo(services.ledger) == 21
    assert load_demo(services.ledger) == 0, "loading the demo twice adds nothing"
    for mode in ("view", "replay"):
        assert recognised(services, "2025-07-02", mode=mode) == []
        assert recognised(services, "2025-07-03", mode=mode) == ["RUS"]
        assert sorted(recognised(services, "1998-01-01", mode=mode)) == ["ARE", "PAK", "SAU"]
        assert recognised(services, "2002-01-01", mode=mode) == []
    changes = services.queries.changes(SUBJECT, date(2025, 7, 2), date(2025, 7, 3))["changes"]
    assert [(c["actor"], c["before"]["level"], c["after"]["level"]) for c in changes] == [
        ("RUS", "de_facto", "recognised")
    ]
    points = services.queries.history(SUBJECT)["points"]
    assert points == [
        {"date": "1997-05-01", "count": 3},
        {"date": "2001-09-22", "count": 2},
        {"date": "2001-09-25", "count": 1},
        {"date": "2001-11-22", "count": 0},
        {"date": "2025-07-03", "count": 1},
    ]


def test_russias_path_step_by_step_with_sources(services: Services) -> None:
    """Russia's timeline: listed, business office, delisted, envoy accepted, recognised; each with its source."""
    load_demo(services.ledger)
    rel = services.queries.relation("RUS", SUBJECT, date(2025, 7, 3))
    assert rel["status"]["level"] == "recognised"
    levels = [(iv["valid_from"], iv["status"]["level"], iv["status"]["hostile"]) for iv in rel["timeline"]]
    assert levels == [
        (None, "none", False),
        ("2003-02-14", "none", True),
        ("2023-01-01", "engaged", True),
        ("2024-01-01", "engaged", True),
        ("2025-04-17", "engaged", False),
        ("2025-07-01", "de_facto", False),
        ("2025-07-03", "recognised", False),
    ]
    assert rel["timeline"][2]["status"]["approximate"] is True, "the office's year-precise date"
    facts = {f["fact_id"]: f for f in rel["facts"]}
    for interval in rel["timeline"]:
        for fact_id in interval["status"]["basis"]:
            assert facts[fact_id]["sources"][0]["url"].startswith("http")
    assert rel == services.queries.relation("RUS", SUBJECT, date(2025, 7, 3), mode="replay") | {
        "recorded_at": rel["recorded_at"],
        "facts": rel["facts"],
    }


def test_the_articles_question_is_answered_with_its_evidence(services: Services) -> None:
    """On 3 July 2025 Russia recognises the Islamic Emirate: the answer names the decree's fact and
    its sources; in 1998 three states had recognised it since May 1997, a date known to the month."""
    load_demo(services.ledger)
    answer = services.queries.recognitions(SUBJECT, date(2025, 7, 3))
    [russia] = answer["recognised_by"]
    fact = answer["evidence"][russia["fact_id"]]
    assert (russia["actor_name"], fact["type"], fact["effective_on"]) == (
        "Russian Federation",
        "recognition_granted",
        "2025-07-03",
    )
    assert fact["sources"] and all(s["url"].startswith("https://") for s in fact["sources"])
    earlier = services.queries.recognitions(SUBJECT, date(1998, 1, 1))
    assert {(r["actor"], r["since"], r["since_precision"]) for r in earlier["recognised_by"]} == {
        ("ARE", "1997-05-01", "month"),
        ("PAK", "1997-05-01", "month"),
        ("SAU", "1997-05-01", "month"),
    }
    assert all(earlier["evidence"][r["fact_id"]]["effective_on"] == "1997-05" for r in earlier["recognised_by"])


def test_a_backdated_fact_and_a_retraction_with_as_recorded_queries(services: Services, clock: Clock) -> None:
    """What the ledger said before a correction stays answerable; after it, the fact no longer counts."""
    load_demo(services.ledger)
    before_all = clock.now
    clock.advance(hours=1)
    # Backdated: recorded today, effective in 1992.
    services.ledger.record_fact(
        {"type": "relations_established", "actor": "RUS", "subject": SUBJECT, "effective_on": "1992", "sources": SRC},
        WriteRequest("editor"),
    )
    rel = services.queries.relation("RUS", SUBJECT, date(1995, 1, 1))
    assert rel["status"]["relations"]["state"] == "established"
    then = services.queries.relation("RUS", SUBJECT, date(1995, 1, 1), recorded_at=before_all)
    assert then["status"]["relations"]["state"] == "none", "as recorded before, the backdated fact was unknown"

    clock.advance(hours=1)
    wrong = services.ledger.record_fact(
        {
            "type": "recognition_granted",
            "actor": "UZB",
            "subject": SUBJECT,
            "effective_on": "2025-07-04",
            "sources": SRC,
        },
        WriteRequest("editor"),
    )
    clock.advance(hours=1)
    published = clock.now
    assert recognised(services, "2025-07-05") == ["RUS", "UZB"]
    clock.advance(days=1)
    services.ledger.retract(
        wrong["fact_id"], {"reason": "misreported; Uzbekistan did not recognise"}, WriteRequest("editor")
    )
    for mode in ("view", "replay"):
        assert recognised(services, "2025-07-05", mode=mode) == ["RUS"]
        assert recognised(services, "2025-07-05", published, mode=mode) == ["RUS", "UZB"]
    fact = services.queries.fact(wrong["fact_id"])
    assert fact["retraction"]["details"]["reason"].startswith("misreported")
    with pytest.raises(RuleViolation):
        services.ledger.retract(wrong["fact_id"], {"reason": "again"}, WriteRequest("editor"))


def test_a_dispute_marks_answers_that_rest_on_the_fact(services: Services, clock: Clock) -> None:
    """After a dispute of Russia's recognition, Russia's status says disputed; China's does not."""
    load_demo(services.ledger)
    grant = services.ledger.view.audit({"actor": "RUS", "type": "recognition_granted"}, 0, 10)[0]
    clock.advance(hours=1)
    services.ledger.dispute(grant["fact_id"], {"reason": "not yet formalised", "sources": SRC}, WriteRequest("editor"))
    rows = {r["actor"]: r for r in services.queries.subject_status(SUBJECT, date(2025, 7, 4))["relations"]}
    assert rows["RUS"]["disputed"] and not rows["CHN"]["disputed"]
    assert services.queries.fact(grant["fact_id"])["disputes"][0]["details"]["reason"] == "not yet formalised"


def test_the_audit_log_filters_and_pages(services: Services) -> None:
    """Filters narrow the log; the cursor walks it in ledger order without repeats."""
    load_demo(services.ledger)
    everything = services.queries.audit({}, 0, 1000)["items"]
    assert [f["position"] for f in everything] == list(range(1, 18))
    russian = services.queries.audit({"actor": "RUS"}, 0, 1000)["items"]
    assert {f["actor"] for f in russian} == {"RUS"} and len(russian) == 7
    seen, after = [], 0
    while True:
        page = services.queries.audit({"actor": "RUS"}, after, 3)
        seen += page["items"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == russian
    early = services.queries.audit({"effective_to": date(2001, 12, 31)}, 0, 1000)["items"]
    assert len(early) == 7
    assert services.queries.audit({"type": "statement_made"}, 0, 1000)["items"][0]["details"]["stance"] == "supportive"
