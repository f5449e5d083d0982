"""The read endpoints over HTTP: answers, ETag, and problem details for bad input."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.parsing import system_time
from domain.dates import parse_day
from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    load_demo(services.ledger)
    with TestClient(create_app(services=services)) as c:
        yield c


def test_recognitions_on_the_two_july_dates(client: TestClient) -> None:
    """GET recognitions answers the article's question for 2 and 3 July 2025."""
    before = client.get("/v1/subjects/taliban-iea/recognitions", params={"at": "2025-07-02"}).json()
    after = client.get("/v1/subjects/taliban-iea/recognitions", params={"at": "2025-07-03", "mode": "replay"}).json()
    assert (before["count"], after["count"]) == (0, 1)
    [russia] = after["recognised_by"]
    assert {k: russia[k] for k in ("actor", "actor_name", "form", "since", "since_precision")} == {
        "actor": "RUS",
        "actor_name": "Russian Federation",
        "form": "de_jure",
        "since": "2025-07-03",
        "since_precision": "day",
    }
    assert (russia["approximate"], russia["disputed"]) == (False, False)
    assert after["subject_name"] == "Islamic Emirate of Afghanistan (Taliban)"
    fact = after["evidence"][russia["fact_id"]]
    assert (fact["type"], fact["actor"], fact["effective_on"]) == ("recognition_granted", "RUS", "2025-07-03")
    assert fact["sources"] and all(s["url"].startswith("http") for s in fact["sources"])


@pytest.mark.parametrize("mode", ["view", "replay"])
def test_a_recognition_known_to_the_month_says_so_in_the_recognitions_alone(client: TestClient, mode: str) -> None:
    """1998-01-01: three recognitions since May 1997, exact by then; inside May 1997 they are approximate."""
    later = client.get(f"/v1/subjects/taliban-iea/recognitions?at=1998-01-01&mode={mode}").json()
    assert [(r["actor"], r["since"], r["since_precision"], r["approximate"]) for r in later["recognised_by"]] == [
        ("ARE", "1997-05-01", "month", False),
        ("PAK", "1997-05-01", "month", False),
        ("SAU", "1997-05-01", "month", False),
    ]
    assert {later["evidence"][r["fact_id"]]["effective_on"] for r in later["recognised_by"]} == {"1997-05"}
    within = client.get(f"/v1/subjects/taliban-iea/recognitions?at=1997-05-20&mode={mode}").json()
    assert [r["approximate"] for r in within["recognised_by"]] == [True, True, True]


def test_recognitions_awaited_on_the_loop_answer_as_the_queries_do(client: TestClient, backend: str) -> None:
    """On PostgreSQL the recognitions are read without a worker thread; the answers are the bytes the
    shared read path (the one SQLite and replay take) gives, and unknown subjects are still 404."""
    assert (client.app.state.awaited is not None) == (backend == "postgres")  # type: ignore[attr-defined]
    queries = client.app.state.services.queries  # type: ignore[attr-defined]
    for at, recorded_at in (
        ("2025-07-02", "2025-07-04T00:00:00Z"),
        ("2025-07-03", "2025-07-04T00:00:00Z"),
        ("2025-07-03", "2020-01-01T00:00:00Z"),
        ("2025-07-03", None),
    ):
        params = {"at": at} | ({"recorded_at": recorded_at} if recorded_at else {})
        answer = client.get("/v1/subjects/taliban-iea/recognitions", params=params)
        assert answer.status_code == 200, answer.text
        expected = queries.recognitions("taliban-iea", parse_day(at, "at"), system_time(recorded_at))
        if recorded_at is None:  # "now" is reported, and differs between the two calls
            assert answer.json() | {"recorded_at": None} == expected | {"recorded_at": None}
            assert answer.json()["count"] == 1
        else:
            assert answer.content == orjson.dumps(expected)
    assert client.get("/v1/subjects/nowhere/recognitions").status_code == 404
    assert client.get("/v1/subjects/taliban-iea/recognitions", params={"mode": "maybe"}).status_code == 422


def test_recognitions_documents_its_query_as_the_other_status_reads_do(client: TestClient) -> None:
    """The recognitions route is given its query strings unsolved (api/routes/recognitions.py);
    FastAPI still documents them from its signature, as it does the status route's same five."""
    paths = client.get("/openapi.json").json()["paths"]
    documented = paths["/v1/subjects/{subject_id}/recognitions"]["get"]["parameters"]
    names = [p["name"] for p in documented]
    assert names == ["subject_id", "at", "recorded_at", "mode", "proof", "format", "If-None-Match"]
    assert documented == paths["/v1/subjects/{subject_id}/status"]["get"]["parameters"]


def test_relation_reads_carry_an_etag(client: TestClient) -> None:
    """The relation's ETag is its version, the number of its facts."""
    response = client.get("/v1/relations/RUS/taliban-iea")
    assert response.status_code == 200
    assert response.headers["etag"] == '"7"' == f'"{response.json()["relation_version"]}"'


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/v1/subjects/nowhere/recognitions", 404, None),
        ("/v1/subjects/taliban-iea/recognitions?at=2009-02-30", 422, "at"),
        ("/v1/subjects/taliban-iea/recognitions?at=2025-07-03&recorded_at=soon", 422, "recorded_at"),
        ("/v1/subjects/taliban-iea/recognitions?mode=maybe", 422, "mode"),
        ("/v1/subjects/taliban-iea/status?recorded_at=soon", 422, "recorded_at"),
        ("/v1/subjects/taliban-iea/changes?from=2025-07-02", 422, "to"),
        ("/v1/actors/ZZZ/status", 404, None),
        ("/v1/facts/not-a-uuid", 404, None),
        ("/v1/facts?limit=5000", 422, "limit"),
        ("/v1/subjects/taliban-iea/history?mode=maybe", 422, "mode"),
        # Valid RFC 3339, but before year 1 or after 9999 once in UTC: no time the ledger can hold.
        ("/v1/subjects/taliban-iea/recognitions?recorded_at=0001-01-01T00:00:00%2B05:00", 422, "recorded_at"),
        ("/v1/subjects/taliban-iea/status?recorded_at=9999-12-31T23:59:59-05:00", 422, "recorded_at"),
        ("/v1/facts?recorded_from=0001-01-01T00:00:00%2B05:00", 422, "recorded_from"),
        ("/v1/facts?recorded_to=9999-12-31T23:59:59-00:01", 422, "recorded_to"),
    ],
)
def test_bad_reads_are_problem_details(client: TestClient, path: str, status: int, field: str | None) -> None:
    """Unknown names give 404 and bad values 422, as application/problem+json naming the field."""
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    if field:
        assert field in [e["field"] for e in body["errors"]]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("0001-01-01T00:00:00-05:00", "0001-01-01T05:00:00.000000Z"),
        ("0999-12-31T23:59:59Z", "0999-12-31T23:59:59.000000Z"),
        ("2025-07-03t10:00:00.5z", "2025-07-03T10:00:00.500000Z"),  # RFC 3339 allows lower case
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000000Z"),
    ],
)
def test_a_system_time_is_echoed_in_rfc_3339_utc_at_any_year(client: TestClient, given: str, shown: str) -> None:
    """Four-digit years before 1000 too, and lower-case T and Z taken as RFC 3339 allows."""
    response = client.get(f"/v1/subjects/taliban-iea/recognitions?recorded_at={given}")
    assert response.status_code == 200, response.text
    assert response.json()["recorded_at"] == shown
    assert response.json()["count"] == (1 if given.startswith("9999") else 0)


@pytest.mark.parametrize("mode", ["view", "replay"])
def test_the_last_day_and_the_last_system_time_answer_like_the_ones_before(client: TestClient, mode: str) -> None:
    """No interval covers 9999-12-31 (it ends them all) and the view's open rows end at the last
    system time: both are asked as the day and the microsecond before, and said as asked."""
    last = client.get(f"/v1/subjects/taliban-iea/recognitions?at=9999-12-31&mode={mode}").json()
    before = client.get(f"/v1/subjects/taliban-iea/recognitions?at=9999-12-30&mode={mode}").json()
    assert last["at"] == "9999-12-31" and last["count"] == before["count"] == 1
    for question in ("subjects/taliban-iea/status?at={}", "subjects/taliban-iea/changes?from=2025-07-01&to={}"):
        answers = [client.get(f"/v1/{question.format(day)}&mode={mode}").json() for day in ("9999-12-31", "9999-12-30")]
        key = "relations" if "status" in question else "changes"
        assert answers[0][key] == answers[1][key] and answers[0][key], question
    end = "9999-12-31T23:59:59.999999Z"
    answer = client.get(f"/v1/relations/RUS/taliban-iea?at=2025-07-04&recorded_at={end}&mode={mode}").json()
    assert answer["recorded_at"] == end
    assert answer["status"]["recognition"]["state"] == "recognised" and answer["relation_version"] == 7


def test_days_before_the_earliest_answer_like_it_in_view_and_replay_alike(client: TestClient) -> None:
    """No fact takes effect before 1500-01-01, where every timeline starts: a day before it is
    asked as that day in both modes, so view and replay give the same relations and changes."""
    questions = (
        ("subjects/taliban-iea/status?at={}", "relations"),
        ("actors/RUS/status?at={}", "relations"),
        ("subjects/taliban-iea/changes?from={}&to=2025-07-03", "changes"),
    )
    for question, key in questions:
        answers = {
            (day, mode): client.get(f"/v1/{question.format(day)}&mode={mode}").json()
            for day in ("1499-12-31", "0001-01-01", "1500-01-01")
            for mode in ("view", "replay")
        }
        first = answers[("1500-01-01", "view")][key]
        assert first, question
        assert all(answer[key] == first for answer in answers.values()), question
    early = client.get("/v1/subjects/taliban-iea/status?at=1499-12-31").json()
    assert early["at"] == "1499-12-31"
