"""The audit log's filters over HTTP: repeats mean any of, and names nobody knows are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo
from infrastructure.write_request import WriteRequest


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    load_demo(services.ledger)
    with TestClient(create_app(services=services)) as c:
        yield c


def facts(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/facts?{query}")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def refused(client: TestClient, query: str) -> dict[str, Any]:
    """The 422 problem of a query, with each field it names."""
    response = client.get(f"/v1/facts?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == 422 and body["detail"]
    return body


def test_a_repeated_filter_means_any_of_its_values(client: TestClient) -> None:
    """actor=RUS&actor=CHN gives the facts of either, in ledger order: the union of each alone."""
    russia, china = facts(client, "actor=RUS"), facts(client, "actor=CHN")
    both = facts(client, "actor=RUS&actor=CHN")
    assert len(russia) == 7 and len(china) == 1
    assert [f["fact_id"] for f in both] == [f["fact_id"] for f in sorted(russia + china, key=lambda f: f["position"])]
    assert facts(client, "actor=CHN&actor=RUS&actor=RUS") == both, "order and repeats of the values do not matter"


def test_repeated_filters_of_several_kinds_are_any_of_each_and_all_of_them(client: TestClient) -> None:
    """Values of one filter are alternatives; different filters must all hold."""
    found = facts(client, "actor=RUS&actor=PAK&type=ambassador_accepted&type=recognition_granted")
    assert found and {f["actor"] for f in found} == {"RUS", "PAK"}
    assert {f["type"] for f in found} == {"ambassador_accepted", "recognition_granted"}
    everything = facts(client, "limit=1000")
    expected = [
        f["fact_id"]
        for f in everything
        if f["actor"] in ("RUS", "PAK") and f["type"] in ("ambassador_accepted", "recognition_granted")
    ]
    assert [f["fact_id"] for f in found] == expected


def test_pages_of_an_any_of_filter_follow_the_cursor(client: TestClient) -> None:
    """Paging with `after` = `next_after` walks the same facts as one big page, and ends with null."""
    whole = facts(client, "actor=RUS&actor=PAK&limit=1000")
    seen, after = [], 0
    while True:
        page = client.get(f"/v1/facts?actor=RUS&actor=PAK&limit=3&after={after}").json()
        seen += page["items"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == whole and len(whole) == 11


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("actor=rus", "actor", "'rus' is not a known actor code; did you mean 'RUS'?"),
        ("actor=Russia", "actor", "did you mean 'RUS'?"),
        ("actor=RUS&actor=ZZZ", "actor", "'ZZZ' is not a known actor code; codes are ISO 3166 alpha-3 or registered"),
        (
            "type=recogntion_granted",
            "type",
            "'recogntion_granted' is not a fact type; did you mean 'recognition_granted'?",
        ),
        ("type=bogus", "type", "'bogus' is not a fact type; one of recognition_granted, recognition_withdrawn"),
        ("subject=Taliban", "subject", "'Taliban' is not a registered subject id; did you mean 'taliban-iea'?"),
        ("subject=atlantis", "subject", "'atlantis' is not a registered subject id"),
        ("effective_from=2025-01-02&effective_to=2025-01-01", "effective_to", "2025-01-01 is before effective_from"),
        (
            "recorded_from=2025-07-05T10:00:00Z&recorded_to=2025-07-05T09:00:00Z",
            "recorded_to",
            "2025-07-05T09:00:00.000000Z is before recorded_from 2025-07-05T10:00:00.000000Z",
        ),
        ("after=abc", "after", "valid integer"),
        ("after=-1", "after", "greater than or equal to 0"),
        ("after=1000000", "after", "1000000 is past the last position in the ledger, 17"),
        ("actor=" + "&actor=".join(f"A{n:02}" for n in range(101)), "actor", "at most 100 values, not 101"),
    ],
)
def test_a_filter_that_names_nothing_is_refused_naming_the_parameter(
    client: TestClient, query: str, field: str, message: str
) -> None:
    """Unknown actors, subjects and types, empty windows and bad cursors are 422, not an empty page."""
    body = refused(client, query)
    assert [e["field"] for e in body["errors"]] == [field]
    assert message in body["errors"][0]["message"] and message in body["detail"]


def test_every_wrong_filter_is_named_at_once(client: TestClient) -> None:
    """Several wrong parameters give one problem with an error for each."""
    body = refused(client, "actor=rus&actor=CHN&type=bogus&subject=talibn-iea")
    assert [e["field"] for e in body["errors"]] == ["actor", "subject", "type"]
    assert "did you mean 'taliban-iea'?" in body["errors"][1]["message"]


def test_equal_bounds_and_the_last_cursor_are_not_refused(client: TestClient) -> None:
    """A window of one day holds that day's facts; after the last position the page is empty."""
    on_the_day = facts(client, "effective_from=2025-07-03&effective_to=2025-07-03")
    assert on_the_day and {f["effective_on"] for f in on_the_day} == {"2025-07-03"}
    assert facts(client, "after=17") == []
    last_of_china = facts(client, "actor=CHN")[-1]["position"]
    assert last_of_china < 17 and facts(client, f"actor=CHN&after={last_of_china}") == [], "past the filter's facts"


def test_a_registered_actor_is_known_to_the_filter(client: TestClient, services: Services) -> None:
    """Codes registered in the ledger are known as ISO codes are, and suggested in another case."""
    services.ledger.register_actor(
        {"code": "OIC", "name": "Organisation of Islamic Cooperation", "kind": "organisation"}, WriteRequest("t")
    )
    assert facts(client, "actor=OIC") == []
    assert "did you mean 'OIC'?" in refused(client, "actor=oic")["detail"]


def test_the_openapi_documents_repeatable_filters_as_arrays(client: TestClient) -> None:
    """actor, subject, type and recorded_by take several values; the rest take one."""
    parameters = client.get("/openapi.json").json()["paths"]["/v1/facts"]["get"]["parameters"]
    arrays = {p["name"] for p in parameters if p["schema"]["type"] == "array"}
    assert arrays == {"actor", "subject", "type", "recorded_by"}
    (type_,) = [p for p in parameters if p["name"] == "type"]
    assert (
        "recognition_granted" in type_["schema"]["items"]["enum"]
        and "fact_disputed" in type_["schema"]["items"]["enum"]
    )
