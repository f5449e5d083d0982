"""Facts that cannot be true are refused over HTTP with 409 and the rule's name; corrections are not."""

from __future__ import annotations

from typing import Any

import pytest

from infrastructure.bulk.importer import Importer
from tests.factories import SUN_KOSOVO, XKX_KOSOVO, older_export

SRC = [{"url": "https://example.org/report"}]
KOSOVO = {"id": "kosovo", "name": "Republic of Kosovo", "kind": "state", "territory": "XKX"}


@pytest.fixture
def editor(api: Any) -> dict[str, str]:
    assert api.post("/v1/subjects", json=KOSOVO, headers=api.admin).status_code == 201
    return api.token("editor", "newsroom")  # type: ignore[no-any-return]


def recognises(actor: str, on: str) -> dict[str, Any]:
    return {"type": "recognition_granted", "actor": actor, "subject": "kosovo", "effective_on": on, "sources": SRC}


def refused(response: Any, rule: str) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["rule"] == rule and body["title"] == "Rule conflict" and "conflicting_fact_id" not in body
    return body


def test_the_soviet_union_cannot_recognise_kosovo_in_2008(api: Any, editor: dict[str, str]) -> None:
    """SUN's ISO 3166-3 code was withdrawn on 1992-08-30: a fact of 2008 is refused, naming both dates."""
    body = refused(api.post("/v1/facts", json=recognises("SUN", "2008-02-17"), headers=editor), "after_actor_ceased")
    assert body["detail"] == "SUN exists until 1992-08-30; the fact is dated 2008-02-17"
    assert api.get("/v1/facts?actor=SUN").json()["items"] == [], "nothing was recorded"


def test_kosovo_cannot_recognise_itself(api: Any, editor: dict[str, str]) -> None:
    """XKX is the territory of kosovo: XKX acting toward kosovo is refused; another actor is not."""
    for type_ in ("recognition_granted", "relations_established", "mission_opened"):
        fact = recognises("XKX", "2008-02-17") | {"type": type_}
        if type_ == "mission_opened":
            fact["details"] = {"kind": "embassy"}
        refused(api.post("/v1/facts", json=fact, headers=editor), "acts_toward_own_territory")
    assert api.post("/v1/facts", json=recognises("ALB", "2008-02-18"), headers=editor).status_code == 201


def test_a_historic_state_acts_until_its_code_was_withdrawn(api: Any, editor: dict[str, str]) -> None:
    """YMD (South Yemen) until 1990-08-14: a month-precise fact of that month is taken, the next month's is not."""
    assert api.post("/v1/facts", json=recognises("YMD", "1990-08"), headers=editor).status_code == 201
    refused(
        api.post("/v1/facts", json=recognises("YMD", "1990-09") | {"type": "relations_established"}, headers=editor),
        "after_actor_ceased",
    )


def test_yugoslavia_lasts_as_long_as_serbia_and_montenegro(api: Any, editor: dict[str, str]) -> None:
    """YUG, under which Serbia and Montenegro's acts are recorded, ends with SCG's code (2006-09-26)."""
    actors = {a["code"]: a for a in api.get("/v1/actors").json()}
    assert actors["YUG"]["valid_to"] == actors["SCG"]["valid_to"] == "2006-09-26"
    assert api.post("/v1/facts", json=recognises("YUG", "2004"), headers=editor).status_code == 201
    refused(
        api.post("/v1/facts", json=recognises("YUG", "2008-02-17") | {"type": "relations_established"}, headers=editor),
        "after_actor_ceased",
    )


def test_a_registered_actor_acts_only_between_its_dates(api: Any, editor: dict[str, str]) -> None:
    """valid_from and valid_to are shown as given; a fact before or after them is refused, one between is taken."""
    actor = {"code": "ICO", "name": "International Civilian Office", "kind": "organisation"}
    made = api.post(
        "/v1/actors", json=actor | {"valid_from": "2008-02-28", "valid_to": "2012-09-10"}, headers=api.admin
    )
    assert made.status_code == 201
    assert made.json() | {"registered_at": None} == actor | {
        "source": "registered",
        "registered_at": None,
        "valid_from": "2008-02-28",
        "valid_to": "2012-09-10",
    }
    listed = next(a for a in api.get("/v1/actors").json() if a["code"] == "ICO")
    assert (listed["valid_from"], listed["valid_to"]) == ("2008-02-28", "2012-09-10")
    refused(api.post("/v1/facts", json=recognises("ICO", "2008-02-27"), headers=editor), "before_actor_existed")
    refused(api.post("/v1/facts", json=recognises("ICO", "2012-09-11"), headers=editor), "after_actor_ceased")
    assert api.post("/v1/facts", json=recognises("ICO", "2008-02"), headers=editor).status_code == 201
    ended = {"type": "recognition_withdrawn", "actor": "ICO", "subject": "kosovo", "effective_on": "2012-09-10"}
    assert api.post("/v1/facts", json=ended | {"sources": SRC}, headers=editor).status_code == 201


def test_an_actor_registered_without_dates_acts_on_any_date(api: Any, editor: dict[str, str]) -> None:
    """Both dates are optional; without them nothing is refused for the date, and the body shows nulls."""
    made = api.post("/v1/actors", json={"code": "OIC", "name": "OIC", "kind": "organisation"}, headers=api.admin)
    assert (made.json()["valid_from"], made.json()["valid_to"]) == (None, None)
    assert api.post("/v1/facts", json=recognises("OIC", "1600"), headers=editor).status_code == 201


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"valid_from": "2008-02-30"}, "valid_from"),
        ({"valid_from": "2008"}, "valid_from"),
        ({"valid_to": "10 June 2012"}, "valid_to"),
        ({"valid_from": "2012-01-01", "valid_to": "2011-12-31"}, "valid_to"),
        ({"valid_to": 2012}, "valid_to"),
    ],
)
def test_bad_actor_dates_are_refused_naming_the_field(api: Any, dates: dict[str, Any], field: str) -> None:
    """A date that is not a real YYYY-MM-DD day, or an end before the start, is a 422 naming the field."""
    actor = {"code": "ICO", "name": "International Civilian Office", "kind": "organisation"}
    response = api.post("/v1/actors", json=actor | dates, headers=api.admin)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert all(a["code"] != "ICO" for a in api.get("/v1/actors").json())


@pytest.mark.parametrize(("territory", "status"), [("XKX", 201), ("SUN", 201), ("UN", 422), ("EU", 422)])
def test_a_territory_is_a_state_or_kosovo(api: Any, territory: str, status: int) -> None:
    """XKX and ISO 3166 codes are territories; an organisation's code is not."""
    subject = {"id": "somewhere", "name": "Somewhere", "kind": "government", "territory": territory}
    response = api.post("/v1/subjects", json=subject, headers=api.admin)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"][0]["field"] == "territory"


def test_an_impossible_fact_from_an_older_export_is_kept_and_can_be_retracted(api: Any) -> None:
    """Import keeps history as it was; a retraction or a dispute of such a fact is not refused."""
    report = Importer(api.services.ledger).run(older_export())
    assert report.written == 5
    assert api.get(f"/v1/facts/{SUN_KOSOVO}").json()["actor"] == "SUN"
    editor = api.token("editor", "newsroom")
    disputed = api.post(f"/v1/facts/{XKX_KOSOVO}/dispute", json={"reason": "cannot be", "sources": SRC}, headers=editor)
    assert disputed.status_code == 201, disputed.text
    retracted = api.post(f"/v1/facts/{SUN_KOSOVO}/retraction", json={"reason": "SUN had ceased"}, headers=editor)
    assert retracted.status_code == 201, retracted.text
    recognised = api.get("/v1/subjects/kosovo/recognitions?at=2008-03-01").json()["recognised_by"]
    assert sorted(r["actor"] for r in recognised) == ["ALB", "XKX"], "a retracted fact no longer counts"
