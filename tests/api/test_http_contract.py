"""The contract as a generated client or a fuzzer reads it: the OpenAPI says what the API enforces,
and the HTTP answers follow from it (405 with every method, 415, duplicate keys)."""

from __future__ import annotations

from typing import Any

import pytest

OPERATIONS = {
    "getRecognitions", "listSubjects", "registerSubject", "getSubject", "listActors", "registerActor",
    "getSubjectStatus", "getActorStatus", "getRelation", "getRelationRevisions", "getChanges", "getHistory",
    "listFacts", "recordFact", "getFact", "getCheckpoint", "getLogKey", "getInclusionProof",
    "getConsistencyProof", "followFeed", "addMilestone", "retractFact", "disputeFact", "listTokens",
    "createToken", "revokeToken",
}  # fmt: skip
FACT = {
    "type": "statement_made",
    "actor": "RUS",
    "subject": "taliban-iea",
    "effective_on": "2025-07-01",
    "details": {"stance": "supportive", "quote": "A statement"},
    "sources": [{"url": "https://www.reuters.com/world/"}],
}


def operations(schema: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()
    }


@pytest.fixture
def schema(api: Any) -> dict[str, Any]:
    found: dict[str, Any] = api.get("/openapi.json").json()
    return found


def test_every_operation_has_a_stable_readable_id(schema: dict[str, Any]) -> None:
    assert set(operations(schema)) == OPERATIONS


def test_writes_need_a_bearer_token_and_reads_take_one(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `ledger tokens create` or POST /v1/tokens",
    }
    for name, (method, path, op) in operations(schema).items():
        needs = method != "get" or path.startswith("/v1/tokens")
        assert op["security"] == ([{"bearerAuth": []}] if needs else [{}, {"bearerAuth": []}]), name


def test_the_headers_a_write_reads_are_parameters_and_the_etag_a_header(schema: dict[str, Any]) -> None:
    ops = operations(schema)
    for name in ("recordFact", "retractFact", "disputeFact"):
        headers = {p["name"] for p in ops[name][2]["parameters"] if p["in"] == "header"}
        assert headers == {"Idempotency-Key", "If-Match"}, name
        assert "ETag" in ops[name][2]["responses"]["201"]["headers"]
    for name in ("registerSubject", "registerActor", "addMilestone", "createToken"):
        assert [p["name"] for p in ops[name][2]["parameters"] if p["in"] == "header"] == ["Idempotency-Key"], name
    assert "ETag" in ops["getRelation"][2]["responses"]["200"]["headers"]
    for name, (method, path, op) in ops.items():
        cached = method == "get" and not path.startswith(("/v1/feed", "/v1/tokens"))
        assert (
            ("304" in op["responses"]) == cached == ("If-None-Match" in {p["name"] for p in op.get("parameters", [])})
        ), name


def test_an_operation_lists_only_the_answers_it_can_give(schema: dict[str, Any]) -> None:
    for name, (method, _, op) in operations(schema).items():
        codes = set(op["responses"])
        if method == "get":
            never = {"400", "409", "412", "413", "415"} | (set() if name == "listTokens" else {"403"})
            assert not codes & never, name
        for code, answer in op["responses"].items():
            if int(code) >= 400:
                assert answer["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }
    assert "412" in operations(schema)["recordFact"][2]["responses"]
    assert "412" not in operations(schema)["registerSubject"][2]["responses"]


def test_parameters_have_their_formats_and_choices(schema: dict[str, Any]) -> None:
    params = {p["name"]: p["schema"] for p in operations(schema)["getRelation"][2]["parameters"]}
    assert params["at"]["format"] == "date" and params["recorded_at"]["format"] == "date-time"
    assert params["mode"]["enum"] == ["view", "replay"] and "anyOf" not in params["at"]
    body = schema["components"]["schemas"]["FactIn"]["properties"]
    assert body["effective_on"]["pattern"] and body["type"]["enum"][0] == "recognition_granted"
    assert schema["components"]["schemas"]["SourceIn"]["properties"]["url"]["format"] == "iri"


def test_answers_that_make_ids_link_to_the_operations_that_take_them(schema: dict[str, Any]) -> None:
    ops = operations(schema)
    links = ops["recordFact"][2]["responses"]["201"]["links"]
    assert {n: link["operationId"] for n, link in links.items()} == {
        "GetFact": "getFact",
        "RetractFact": "retractFact",
        "DisputeFact": "disputeFact",
    }
    assert links["GetFact"]["parameters"] == {"fact_id": "$response.body#/fact_id"}
    assert ops["registerSubject"][2]["responses"]["201"]["links"]["AddMilestone"]["operationId"] == "addMilestone"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/facts", "GET, POST"),
        ("/v1/subjects", "GET, POST"),
        ("/v1/tokens", "GET, POST"),
        ("/v1/actors", "GET, POST"),
    ],
)
def test_a_method_not_allowed_lists_every_method_of_the_path(api: Any, path: str, allowed: str) -> None:
    response = api.request("PUT", path, headers=api.admin)
    assert response.status_code == 405 and response.headers["Allow"] == allowed


def test_a_body_not_sent_as_json_is_415_with_a_hint_and_writes_nothing(api: Any) -> None:
    before = api.get("/v1/facts").json()["items"]
    for headers in ({"Content-Type": "text/plain"}, {}):
        response = api.post("/v1/facts", content=b'{"type": "x"}', headers=api.admin | headers)
        assert response.status_code == 415, response.text
        assert "Content-Type: application/json" in response.json()["detail"]
    assert api.get("/v1/facts").json()["items"] == before


def test_a_key_named_twice_in_a_body_is_422_and_writes_nothing(api: Any) -> None:
    text = '{"id": "first", "id": "second", "name": "Twice", "kind": "state"}'
    headers = api.admin | {"Content-Type": "application/json"}
    response = api.post("/v1/subjects", content=text.encode(), headers=headers)
    assert response.status_code == 422 and "'id' more than once" in response.json()["detail"]
    assert api.get("/v1/subjects/second").status_code == 404 and api.get("/v1/subjects/first").status_code == 404


def test_a_field_refused_by_its_schema_is_named_as_the_ledger_names_fields(api: Any) -> None:
    response = api.post(
        "/v1/facts", json={**FACT, "sources": [{"url": "https://a.org/", "title": 3}]}, headers=api.admin
    )
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["sources[0].title"]


def test_every_system_time_in_an_answer_is_rfc_3339_utc_with_z(api: Any) -> None:
    """Milestones, subjects, facts and receipts alike (exports keep the form their log leaves hash)."""
    from infrastructure.datasets.loader import load_demo

    load_demo(api.services.ledger)
    subject = api.get("/v1/subjects/taliban-iea").json()
    times = [subject["registered_at"], *(m["recorded_at"] for m in subject["milestones"])]
    times += [f["recorded_at"] for f in api.get("/v1/facts").json()["items"]]
    times.append(api.post("/v1/facts", json=FACT, headers=api.admin).json()["recorded_at"])
    assert len(times) > 20 and all(t.endswith("Z") and "+" not in t for t in times), times


def test_a_plus_sent_unencoded_in_a_system_time_is_refused_with_the_hint(api: Any) -> None:
    response = api.get("/v1/subjects/taliban-iea/recognitions?recorded_at=2025-07-04T10:00:00+00:00")
    assert response.status_code == 422 and "%2B" in response.json()["detail"]
    encoded = api.get("/v1/subjects/taliban-iea/recognitions?recorded_at=2025-07-04T10:00:00%2B00:00")
    assert encoded.status_code == 404  # no such subject here: the time itself was read


def test_an_unexpected_error_is_a_problem_too(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    def broken() -> list[dict[str, Any]]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.services.queries, "actors", broken)
    with TestClient(api.app, raise_server_exceptions=False) as client:
        response = client.get("/v1/actors")
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Internal error" and "a bug" not in response.text


@pytest.mark.parametrize("depth", [900, 950, 960, 1000, 5000])
def test_a_body_nested_deeper_than_a_parse_goes_is_refused_not_a_500(api: Any, depth: int) -> None:
    text = '{"note": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/v1/facts", content=text.encode(), headers=api.admin | {"Content-Type": "application/json"})
    assert response.status_code in (400, 413, 422), response.text  # 413 past the size limit


def test_a_body_that_is_not_utf_8_is_malformed_json_as_documented(api: Any) -> None:
    response = api.post(
        "/v1/facts", content=b'{"note": "\xff"}', headers=api.admin | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["title"] == "Malformed JSON"


def test_a_required_detail_that_is_only_white_space_is_refused(api: Any) -> None:
    from infrastructure.datasets.loader import load_demo

    load_demo(api.services.ledger)
    for type_, details, field in (
        ("sanctions_imposed", {"regime": "  "}, "details.regime"),
        ("statement_made", {"stance": "neutral", "quote": "   "}, "details.quote"),
    ):
        response = api.post("/v1/facts", json=FACT | {"type": type_, "details": details}, headers=api.admin)
        assert response.status_code == 422 and field in [e["field"] for e in response.json()["errors"]], response.text


def test_a_url_with_a_tab_or_newline_is_refused(api: Any) -> None:
    for url in ("https://exa\nmple.org/", "https://example.org/\tx"):
        response = api.post("/v1/facts", json=FACT | {"sources": [{"url": url}]}, headers=api.admin)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "sources[0].url"
