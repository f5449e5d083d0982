"""Finding subjects over HTTP: `?q=` searches ids, names and aliases; an unknown id says what was meant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo, records, set_names
from infrastructure.write_request import WriteRequest


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """The demo, and the subjects of every data set (their facts are not needed here)."""
    load_demo(services.ledger)
    subjects = {r["id"]: r for name in set_names() for r in records(name) if r.pop("record") == "subject"}
    for slug, subject in subjects.items():
        if slug != "taliban-iea":
            services.ledger.register_subject(subject, WriteRequest("data"))
    with TestClient(create_app(services=services)) as c:
        yield c


def ids(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/subjects?{query}")
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("taliban", ["taliban-iea"]),  # an alias, in another case
        ("TALIB", ["taliban-iea"]),  # part of one
        ("iea", ["taliban-iea"]),  # part of the id
        ("kosoves", ["kosovo"]),  # 'Republika e Kosovës', without its accent
        ("  Western Sahara ", ["sadr"]),  # spaces around are not part of it
        ("china", ["prc-china", "roc-taiwan"]),  # an alias of one, the name of the other
        ("atlantis", []),
    ],
)
def test_q_finds_subjects_by_id_name_or_alias_in_any_case(client: TestClient, q: str, found: list[str]) -> None:
    """A subject is found when its id, name or an alias contains q, whatever the case and accents."""
    assert ids(client, f"q={q}") == found


def test_without_q_or_with_an_empty_one_every_subject_is_listed(client: TestClient) -> None:
    """The list is every subject in id order, with its milestones, as without a search."""
    every = client.get("/v1/subjects").json()
    assert [s["id"] for s in every] == sorted(s["id"] for s in every) and len(every) == 7
    assert ids(client, "q=") == [s["id"] for s in every]
    assert any(s["milestones"] for s in client.get("/v1/subjects?q=taliban").json())


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("/v1/subjects/Taliban", "unknown subject 'Taliban'; did you mean 'taliban-iea'?"),
        ("/v1/subjects/south-sudn", "did you mean 'south-sudan'?"),
        ("/v1/subjects/China/status", "did you mean 'prc-china'?"),
        ("/v1/subjects/republic", "did you mean one of 'kosovo', 'prc-china', 'roc-taiwan', 'sadr', 'south-sudan'?"),
    ],
)
def test_an_unknown_subject_id_is_404_saying_what_was_meant(client: TestClient, path: str, hint: str) -> None:
    """Ids are slugs: a name or a misspelt id is not found, and the problem names the likely subject."""
    response = client.get(path)
    assert response.status_code == 404
    assert hint in response.json()["detail"]


def test_a_search_with_a_nul_is_refused(client: TestClient) -> None:
    """q is text any store could hold, or 422 naming it."""
    response = client.get("/v1/subjects", params={"q": "tali\x00ban"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "q"
