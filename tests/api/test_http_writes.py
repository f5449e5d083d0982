"""The v1 contract over HTTP: every write, every status code, auth, idempotency and If-Match."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.config.settings import Settings
from tests.conftest import Clock

SRC = [{"url": "https://example.org/report", "title": "Report"}]
SUBJECT = {"id": "taliban-iea", "name": "Islamic Emirate of Afghanistan", "kind": "government", "territory": "AFG"}


def fact(
    type_: str = "recognition_granted", actor: str = "RUS", on: str = "2025-07-03", **extra: Any
) -> dict[str, Any]:
    return {"type": type_, "actor": actor, "subject": "taliban-iea", "effective_on": on, "sources": SRC, **extra}


@pytest.fixture
def editor(api: Any) -> dict[str, str]:
    api.post("/v1/subjects", json=SUBJECT, headers=api.admin)
    return api.token("editor", "newsroom")  # type: ignore[no-any-return]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_the_story_over_http(api: Any, editor: dict[str, str], clock: Clock) -> None:
    """Register, record with sources, ask on 2 and 3 July, retract, ask as recorded before the retraction."""
    created = api.post("/v1/facts", json=fact(), headers=editor)
    assert created.status_code == 201
    receipt = created.json()
    assert set(receipt) == {"fact_id", "position", "relation_version", "recorded_at"}
    assert receipt["relation_version"] == 1
    assert api.get("/v1/subjects/taliban-iea/recognitions?at=2025-07-02").json()["count"] == 0
    assert api.get("/v1/subjects/taliban-iea/recognitions?at=2025-07-03").json()["count"] == 1
    before = clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    clock.advance(minutes=1)
    retraction = api.post(f"/v1/facts/{receipt['fact_id']}/retraction", json={"reason": "premature"}, headers=editor)
    assert retraction.status_code == 201
    assert api.get("/v1/subjects/taliban-iea/recognitions?at=2025-07-03").json()["count"] == 0
    then = api.get(f"/v1/subjects/taliban-iea/recognitions?at=2025-07-03&recorded_at={before}").json()
    assert then["count"] == 1 and then["recorded_at"] == before
    one = api.get(f"/v1/facts/{receipt['fact_id']}").json()
    assert one["recorded_by"] == "newsroom" and one["retraction"]["details"]["reason"] == "premature"


def test_every_write_endpoint_answers_201(api: Any, editor: dict[str, str]) -> None:
    """Subjects, milestones, actors, facts, retractions, disputes and tokens are created with 201."""
    milestone = {"kind": "took_power", "effective_on": "2021-08-15", "sources": SRC}
    assert api.post("/v1/subjects/taliban-iea/milestones", json=milestone, headers=editor).status_code == 201
    assert api.get("/v1/subjects/taliban-iea").json()["milestones"][0]["kind"] == "took_power"
    actor = {"code": "OIC", "name": "Organisation of Islamic Cooperation", "kind": "organisation"}
    assert api.post("/v1/actors", json=actor, headers=api.admin).status_code == 201
    assert any(a["code"] == "OIC" for a in api.get("/v1/actors").json())
    first = api.post("/v1/facts", json=fact(actor="OIC"), headers=editor).json()
    assert (
        api.post(
            f"/v1/facts/{first['fact_id']}/dispute", json={"reason": "r", "sources": SRC}, headers=editor
        ).status_code
        == 201
    )
    made = api.post("/v1/tokens", json={"role": "reader", "name": "analyst"}, headers=api.admin)
    assert made.status_code == 201 and made.json()["token"].startswith("rl_")
    listed = api.get("/v1/tokens", headers=api.admin).json()
    assert any(t["principal"] == "analyst" for t in listed) and made.json()["token"] not in str(listed)
    assert api.delete(f"/v1/tokens/{made.json()['token_id']}", headers=api.admin).status_code == 204
    reader = {"Authorization": f"Bearer {made.json()['token']}"}
    problem(api.get("/v1/facts", headers=reader), 401)


@pytest.mark.parametrize(
    ("method", "path", "body", "who", "status"),
    [
        ("post", "/v1/facts", fact(), None, 401),
        ("post", "/v1/facts", fact(), "bad", 401),
        ("post", "/v1/facts", fact(), "malformed", 401),
        ("post", "/v1/facts", fact(), "reader", 403),
        ("post", "/v1/actors", {"code": "OIC", "name": "O", "kind": "organisation"}, "editor", 403),
        ("post", "/v1/tokens", {"role": "admin"}, "editor", 403),
        ("get", "/v1/tokens", None, "reader", 403),
        ("post", "/v1/subjects", SUBJECT, None, 401),
    ],
)
def test_auth_refuses_missing_bad_and_low_tokens(
    api: Any, editor: dict[str, str], method: str, path: str, body: Any, who: str | None, status: int
) -> None:
    """No token or a bad one gives 401 (with WWW-Authenticate); a role too low gives 403."""
    headers = {
        None: {},
        "bad": {"Authorization": "Bearer nope"},
        "malformed": {"Authorization": "Token x"},
        "reader": api.token("reader"),
        "editor": editor,
    }[who]
    response = (
        getattr(api, method)(path, json=body, headers=headers) if body else getattr(api, method)(path, headers=headers)
    )
    problem(response, status)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**fact(), "colour": "red"}, "colour"),
        ({**fact(), "effective_on": 20250703}, "effective_on"),
        (fact(on="2009-02-30"), "effective_on"),
        (fact(on="2999-01-01"), "effective_on"),
        (fact(on="1400"), "effective_on"),
        ({**fact(), "sources": [{"url": "ftp://example.org/x"}]}, "sources[0].url"),
        ({**fact(), "sources": []}, "sources"),
        ({**fact(), "note": "bad\u0000byte"}, "note"),
        ({**fact(), "note": "lone \ud800 surrogate"}, "note"),
        ({**fact(), "type": "recognition_maybe"}, "type"),
        ({**fact(), "details": {"form": "partial"}}, "details.form"),
        ({**fact(type_="mission_opened")}, "details.kind"),
    ],
)
def test_invalid_fields_are_422_and_named(api: Any, editor: dict[str, str], body: dict[str, Any], field: str) -> None:
    """Unknown fields, wrong types, impossible or future dates, bad URLs, odd unicode: 422 naming the field."""
    raw = json.dumps(body).encode()  # ASCII-escaped, so even a lone surrogate can be sent
    body_problem = problem(
        api.post("/v1/facts", content=raw, headers={**editor, "content-type": "application/json"}), 422
    )
    assert any(field in e["field"] for e in body_problem["errors"]), body_problem
    assert api.get("/v1/facts").json()["items"] == [], "nothing changed"


def test_malformed_and_oversized_bodies(api: Any, editor: dict[str, str]) -> None:
    """Malformed JSON is 400; a body over the limit is 413; neither changes anything."""
    problem(api.post("/v1/facts", content=b'{"type": ', headers={**editor, "content-type": "application/json"}), 400)
    huge = {**fact(), "note": "x" * 10_000}
    problem(api.post("/v1/facts", json=huge, headers=editor), 413)
    assert api.get("/v1/facts").json()["items"] == []


def test_unknown_names_are_404(api: Any, editor: dict[str, str]) -> None:
    """Unknown subject, actor or fact: 404 naming what is unknown."""
    assert (
        "subject"
        in problem(api.post("/v1/facts", json={**fact(), "subject": "atlantis"}, headers=editor), 404)["detail"]
    )
    assert "ZZZ" in problem(api.post("/v1/facts", json=fact(actor="ZZZ"), headers=editor), 404)["detail"]
    missing = "00000000-0000-0000-0000-000000000000"
    problem(api.post(f"/v1/facts/{missing}/retraction", json={"reason": "x"}, headers=editor), 404)
    problem(
        api.post(
            "/v1/subjects/atlantis/milestones",
            json={"kind": "renamed", "effective_on": "2000", "sources": SRC},
            headers=editor,
        ),
        404,
    )
    problem(api.get("/v1/no/such/path"), 404)


def test_rule_conflicts_are_409_naming_rule_and_fact(api: Any, editor: dict[str, str]) -> None:
    """A duplicate recognition names the standing fact; a duplicate subject is 409 too."""
    first = api.post("/v1/facts", json=fact(), headers=editor).json()
    conflict = problem(api.post("/v1/facts", json=fact(on="2025-07-04"), headers=editor), 409)
    assert conflict["rule"] == "duplicate" and conflict["conflicting_fact_id"] == first["fact_id"]
    assert first["fact_id"] in conflict["detail"]
    withdrawal = problem(
        api.post("/v1/facts", json=fact("recognition_withdrawn", on="2020-01-01"), headers=editor), 409
    )
    assert withdrawal["rule"] == "not_in_force"
    problem(api.post("/v1/subjects", json=SUBJECT, headers=editor), 409)


def test_if_match_guards_the_relation(api: Any, editor: dict[str, str]) -> None:
    """The relation's ETag is its version; If-Match with another version is 412 and changes nothing."""
    api.post("/v1/facts", json=fact(), headers=editor)
    etag = api.get("/v1/relations/RUS/taliban-iea").headers["etag"]
    assert etag == '"1"'
    stale = problem(
        api.post("/v1/facts", json=fact("ambassador_accepted", on="2025-07-01"), headers={**editor, "If-Match": '"0"'}),
        412,
    )
    assert "version 1" in stale["detail"]
    ok = api.post("/v1/facts", json=fact("ambassador_accepted", on="2025-07-01"), headers={**editor, "If-Match": etag})
    assert ok.status_code == 201 and ok.json()["relation_version"] == 2
    problem(
        api.post("/v1/facts", json=fact("relations_established", on="1992"), headers={**editor, "If-Match": "soon"}),
        422,
    )


def test_idempotency_key_replays_and_refuses_other_bodies(api: Any, editor: dict[str, str]) -> None:
    """The same key and body give the same answer and one fact; the same key with another body is 422."""
    headers = {**editor, "Idempotency-Key": "grant-1"}
    first = api.post("/v1/facts", json=fact(), headers=headers)
    again = api.post("/v1/facts", json=fact(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert len(api.get("/v1/facts").json()["items"]) == 1
    problem(api.post("/v1/facts", json=fact(on="2025-07-04"), headers=headers), 422)
    subject = {**SUBJECT, "id": "kosovo", "name": "Kosovo", "kind": "state"}
    keyed = {**editor, "Idempotency-Key": "kosovo"}
    assert (
        api.post("/v1/subjects", json=subject, headers=keyed).json()
        == api.post("/v1/subjects", json=subject, headers=keyed).json()
    )


def test_idempotency_survives_a_restart(api_settings: Settings, clock: Clock) -> None:
    """A key used before a restart still replays the first answer after it."""
    headers = {"Authorization": "Bearer admin-secret-for-tests", "Idempotency-Key": "k-1"}
    answers = []
    for _ in range(2):
        services = build(api_settings, clock)
        with TestClient(create_app(services=services)) as client:
            client.post("/v1/subjects", json=SUBJECT, headers={"Authorization": headers["Authorization"]})
            answers.append(client.post("/v1/facts", json=fact(), headers=headers).json())
            assert len(client.get("/v1/facts").json()["items"]) == 1
        services.close()
    assert answers[0] == answers[1]


def test_request_ids_and_an_access_log_without_secrets(
    api: Any, editor: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """X-Request-ID is echoed or made; the access log names the principal, never the token."""
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        given = api.get("/v1/subjects", headers={"X-Request-ID": "abc-123"})
        made = api.post("/v1/facts", json=fact(), headers=editor)
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    lines = [r.getMessage() for r in caplog.records if r.name == "ledger.access"]
    assert any("GET /v1/subjects 200" in line and "request_id=abc-123" in line for line in lines)
    assert any("POST /v1/facts 201" in line and "principal=newsroom" in line for line in lines)
    token = editor["Authorization"].split()[1]
    assert all(token not in r.getMessage() for r in caplog.records)


def test_reads_can_require_a_token(api_settings: Settings, clock: Clock) -> None:
    """With LEDGER_REQUIRE_AUTH_FOR_READS, reads need at least a reader token."""
    settings = api_settings.model_copy(update={"require_auth_for_reads": True})
    services = build(settings, clock)
    recognitions = "/v1/subjects/taliban-iea/recognitions"
    with TestClient(create_app(services=services)) as client:
        problem(client.get("/v1/subjects"), 401)
        problem(client.get(recognitions), 401)  # the hot read, on a router of its own, too
        problem(client.get(recognitions, headers={"Authorization": "Bearer nonsense"}), 401)
        reader = services.tokens.create(__import__("infrastructure.auth.tokens").auth.tokens.Role.READER)[1]
        assert client.get("/v1/subjects", headers={"Authorization": f"Bearer {reader}"}).status_code == 200
        assert client.get(recognitions, headers={"Authorization": f"Bearer {reader}"}).status_code == 404
    services.close()
    with TestClient(create_app(settings=api_settings)) as client:  # open reads: a token given is still checked
        assert client.get(recognitions).status_code == 404
        problem(client.get(recognitions, headers={"Authorization": "Bearer nonsense"}), 401)


def test_cors_is_off_by_default_and_configurable(api_settings: Settings, clock: Clock) -> None:
    """No CORS headers unless LEDGER_CORS_ORIGINS lists the origin."""
    for origins, expected in (([], None), (["https://news.example"], "https://news.example")):
        services = build(api_settings.model_copy(update={"cors_origins": origins}), clock)
        with TestClient(create_app(services=services)) as client:
            response = client.get("/v1/subjects", headers={"Origin": "https://news.example"})
            assert response.headers.get("access-control-allow-origin") == expected
        services.close()


def test_docs_work_without_internet_and_health_endpoints(api: Any) -> None:
    """/docs loads its assets from this server; /healthz and /readyz answer."""
    page = api.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert api.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert api.get("/docs-assets/swagger-ui.css").status_code == 200
    assert api.get("/healthz").json() == {"status": "ok"}
    assert api.get("/readyz").json() == {"status": "ready"}
    schema = api.get("/openapi.json").json()
    responses = schema["paths"]["/v1/facts"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "412", "413", "422", "503"} <= set(responses)
    assert "application/problem+json" in responses["409"]["content"]
