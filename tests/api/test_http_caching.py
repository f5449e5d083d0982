"""Caching that follows from time travel: a settled answer is immutable, others are revalidated
by their ETag, and nothing about tokens or writes is stored."""

from __future__ import annotations

from typing import Any

from infrastructure.datasets.loader import load_demo
from tests.conftest import Clock

SETTLED = "at=2025-07-03&recorded_at=2025-07-04T00:00:00Z"
YEAR = "max-age=31536000, immutable"


def story(api: Any) -> Any:
    load_demo(api.services.ledger)
    return api


def test_an_answer_asked_at_both_times_in_the_past_is_immutable_and_revalidates_to_304(api: Any) -> None:
    story(api)
    for path in ("subjects/taliban-iea/recognitions", "subjects/taliban-iea/status", "actors/RUS/status"):
        first = api.get(f"/v1/{path}?{SETTLED}")
        assert first.status_code == 200 and first.headers["Cache-Control"] == f"public, {YEAR}", path
        etag = first.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), etag  # strong
        again = api.get(f"/v1/{path}?{SETTLED}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == f"public, {YEAR}"


def test_an_answer_about_now_is_no_cache_with_an_etag_that_changes_with_the_ledger(api: Any, clock: Clock) -> None:
    """Its weak ETag leaves out the moment it was answered: a second later it still matches, until
    a record changes the answer."""
    story(api)
    first = api.get("/v1/subjects/taliban-iea/recognitions?at=2025-07-03")
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"].startswith('W/"')
    clock.advance(seconds=1)
    assert (
        api.get(
            "/v1/subjects/taliban-iea/recognitions?at=2025-07-03", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    fact = {
        "type": "recognition_granted",
        "actor": "CHN",
        "subject": "taliban-iea",
        "effective_on": "2025-07-02",
        "sources": [{"url": "https://www.reuters.com/world/"}],
    }
    assert api.post("/v1/facts", json=fact, headers=api.admin).status_code == 201
    later = api.get(
        "/v1/subjects/taliban-iea/recognitions?at=2025-07-03", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert later.status_code == 200 and later.headers["ETag"] != first.headers["ETag"] and later.json()["count"] == 2


def test_a_proof_or_a_recent_system_time_is_not_settled(api: Any) -> None:
    story(api)
    proved = api.get(f"/v1/subjects/taliban-iea/recognitions?{SETTLED}&proof=true")
    assert proved.status_code == 200 and proved.headers["Cache-Control"] == "no-cache"
    soon = api.get("/v1/subjects/taliban-iea/recognitions?at=2025-07-03&recorded_at=9999-01-01T00:00:00Z")
    assert soon.headers["Cache-Control"] == "no-cache" and soon.headers["Ledger-Provisional"] == "true"
    assert soon.json()["count"] == 1  # what the ledger holds now
    assert "Ledger-Provisional" not in api.get(f"/v1/subjects/taliban-iea/recognitions?{SETTLED}").headers


def test_a_relation_keeps_its_version_as_etag_and_answers_304_only_once_settled(api: Any) -> None:
    story(api)
    now = api.get("/v1/relations/RUS/taliban-iea")
    version = now.headers["ETag"]
    assert version == f'"{now.json()["relation_version"]}"' and now.headers["Cache-Control"] == "no-cache"
    assert api.get("/v1/relations/RUS/taliban-iea", headers={"If-None-Match": version}).status_code == 200
    settled = api.get(f"/v1/relations/RUS/taliban-iea?{SETTLED}")
    again = api.get(f"/v1/relations/RUS/taliban-iea?{SETTLED}", headers={"If-None-Match": settled.headers["ETag"]})
    assert again.status_code == 304


def test_tokens_and_writes_are_never_stored(api: Any) -> None:
    story(api)
    assert api.get("/v1/tokens", headers=api.admin).headers["Cache-Control"] == "no-store"
    made = api.post("/v1/tokens", json={"role": "reader", "name": "cached"}, headers=api.admin)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    refused = api.get("/v1/subjects/nosuch/recognitions")
    assert refused.status_code == 404 and "ETag" not in refused.headers


def test_only_a_status_a_relation_or_recognitions_is_settled_and_only_without_proof(api: Any) -> None:
    story(api)
    for proof in ("yes", "on", "1", "TRUE"):
        answer = api.get(f"/v1/subjects/taliban-iea/recognitions?{SETTLED}&proof={proof}")
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache", proof
    fact_id = api.get("/v1/facts").json()["items"][0]["fact_id"]
    for path in (f"facts/{fact_id}", "facts", "subjects", "subjects/taliban-iea", "actors", "log/checkpoint"):
        answer = api.get(f"/v1/{path}?{SETTLED}")
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache", path
