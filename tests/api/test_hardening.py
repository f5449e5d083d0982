"""Hostile clients: log forging, names that break the database, what a 503 tells, and HTTP details."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from typer.testing import CliRunner

from api.auth_throttle import FailedAuthentications, TooManyFailures
from api.cli import app as cli
from api.log_fields import field, prose
from api.middleware import RequestLog
from infrastructure.config.settings import Settings, get_settings
from infrastructure.datasets.loader import load_demo
from infrastructure.sql.idle_check import IdleCheck
from tests.api.test_feed_processes import STATEMENT
from tests.conftest import database


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The CLI's settings read afresh from the environment the test sets, and forgotten after."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


FORGED = "/v1/subjects/x%0D%0AGET%20/v1/tokens%20204%20principal=admin"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ledger.access"]


def test_a_path_with_cr_and_lf_stays_one_line_of_the_access_log(api: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        assert api.get(FORGED).status_code == 404
    [line] = access_lines(caplog)
    assert "\r" not in line and "\n" not in line
    assert line.startswith("GET /v1/subjects/x%0D%0AGET%20/v1/tokens%20204%20principal=admin 404 ")
    assert line.endswith(" principal=-")


def test_log_fields_escape_what_could_end_a_line_or_a_field() -> None:
    assert field("ed\r\nGET /v1/tokens 204 principal=admin") == "ed%0D%0AGET%20/v1/tokens%20204%20principal=admin"
    assert field("rédaction") == "r%C3%A9daction"
    assert (
        prose('ERROR: index row size 3016\nCONTEXT: SQL "INSERT"')
        == 'ERROR: index row size 3016\\nCONTEXT: SQL "INSERT"'
    )


@pytest.mark.parametrize("name", ["x" * 65, "x" * 3000, "news\r\nroom", "news room", "-lead", "rédaction", ""])
def test_a_token_name_that_is_not_short_and_plain_is_refused(api: Any, name: str) -> None:
    refused = api.post("/v1/tokens", json={"role": "editor", "name": name}, headers=api.admin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "name"
    assert [t["principal"] for t in api.get("/v1/tokens", headers=api.admin).json()] == []


@pytest.mark.parametrize("name", ["admin", "Admin", "demo", "data", "cli"])
def test_the_ledgers_own_principals_cannot_be_taken(api: Any, name: str) -> None:
    refused = api.post("/v1/tokens", json={"role": "reader", "name": name}, headers=api.admin)
    assert refused.status_code == 422
    assert "the ledger's own principal" in refused.json()["detail"]


def test_an_active_tokens_name_is_its_own(api: Any) -> None:
    made = api.post("/v1/tokens", json={"role": "editor", "name": "newsroom"}, headers=api.admin)
    assert made.status_code == 201
    for name in ("newsroom", "NewsRoom"):
        again = api.post("/v1/tokens", json={"role": "reader", "name": name}, headers=api.admin)
        assert again.status_code == 409, again.text
        assert "newsroom" in again.json()["detail"].lower()
    assert api.delete(f"/v1/tokens/{made.json()['token_id']}", headers=api.admin).status_code == 204
    assert api.post("/v1/tokens", json={"role": "editor", "name": "newsroom"}, headers=api.admin).status_code == 201


def test_the_cli_refuses_a_taken_name_with_exit_4(
    backend: str, tmp_path: Any, fresh_settings: pytest.MonkeyPatch
) -> None:
    with database(backend, str(tmp_path)) as url:
        fresh_settings.setenv("LEDGER_DATABASE_URL", url)
        cli_refuses_a_taken_name()


def cli_refuses_a_taken_name() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["tokens", "create", "--role", "editor", "--name", "desk"]).exit_code == 0
    taken = runner.invoke(cli, ["tokens", "create", "--role", "editor", "--name", "desk"])
    assert taken.exit_code == 4, taken.output
    assert "desk" in taken.output


def test_a_503_tells_the_client_nothing_of_the_databases_text(
    api: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = 'index row size 3016 exceeds btree maximum\nCONTEXT: PL/pgSQL line 12 at SQL "INSERT INTO ledger_requests"'

    def failing(*args: object, **kwargs: object) -> None:
        raise OperationalError(secret)

    monkeypatch.setattr(api.services.queries, "subjects", failing)
    with caplog.at_level(logging.WARNING, logger="ledger.errors"):
        answer = api.get("/v1/subjects", headers={"X-Request-ID": "req-503"})
    assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
    assert answer.json()["detail"] == "the database is unavailable; retry after the time Retry-After gives"
    assert "INSERT" not in answer.text and "btree" not in answer.text
    [logged] = [r.getMessage() for r in caplog.records if r.name == "ledger.errors"]
    assert "request_id=req-503" in logged and "PL/pgSQL line 12" in logged and "\n" not in logged


def test_a_trailing_slash_is_404_without_a_redirect(api: Any) -> None:
    answer = api.get("/v1/subjects/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert answer.status_code == 404
    assert "location" not in answer.headers


def test_every_answer_says_its_type_is_its_type(api: Any) -> None:
    for path in ("/v1/subjects", "/v1/subjects/nowhere", "/openapi.json", "/", "/web/app.js"):
        assert api.get(path).headers.get_list("x-content-type-options") == ["nosniff"], path


def test_a_short_admin_token_is_refused_at_start(fresh_settings: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="at least 16 characters"):
        Settings(admin_token="x")
    fresh_settings.setenv("LEDGER_ADMIN_TOKEN", "change-me")
    refused = CliRunner().invoke(cli, ["serve"])
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == ["error: LEDGER_ADMIN_TOKEN: must be at least 16 characters"]


def test_a_request_whose_client_left_before_an_answer_is_logged_as_499(caplog: pytest.LogCaptureFixture) -> None:
    async def gone(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # the disconnect: nothing is sent

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        raise AssertionError("nothing is sent")

    scope = {"type": "http", "method": "GET", "path": "/v1/feed", "headers": []}
    with caplog.at_level(logging.INFO, logger="ledger.access"):
        asyncio.run(RequestLog(gone)(scope, receive, send))
    [line] = access_lines(caplog)
    assert line.startswith("GET /v1/feed 499 ")


def test_an_address_that_keeps_failing_to_authenticate_must_wait(api: Any) -> None:
    now = [1000.0]
    api.app.state.failed_authentications = FailedAuthentications(limit=10, window=60, clock=lambda: now[0])
    wrong = {"Authorization": "Bearer rl_not-a-token"}
    assert [api.get("/v1/subjects", headers=wrong).status_code for _ in range(10)] == [401] * 10
    refused = api.get("/v1/subjects", headers=wrong)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    assert refused.json()["title"] == "Too many failed authentications"
    # Meanwhile even the right token waits, and asking without one is still open.
    assert api.get("/v1/tokens", headers=api.admin).status_code == 429
    assert api.get("/v1/subjects").status_code == 200
    now[0] += 30
    assert api.get("/v1/subjects", headers=wrong).headers["retry-after"] == "30"
    now[0] += 30.5
    assert api.get("/v1/tokens", headers=api.admin).status_code == 200


def test_failures_are_counted_per_client_and_forgotten_oldest_first() -> None:
    now = [0.0]
    failures = FailedAuthentications(limit=2, window=10, clients=2, clock=lambda: now[0])
    for client in ("a", "a", "b"):
        failures.failed(client)
    with pytest.raises(TooManyFailures):
        failures.check("a")
    failures.check("b")
    failures.failed("c")  # a third client: the one seen longest ago ("a") is forgotten
    failures.check("a")
    now[0] = 10
    failures.failed("b")
    failures.check("b")  # its first failure has left the window


def test_a_replay_past_the_processs_slots_gets_429_and_a_view_does_not(api: Any) -> None:
    slots = api.services.queries.replays
    while slots.acquire(blocking=False):  # every slot busy, as with that many replays running
        pass
    try:
        for path in ("/v1/subjects/x/status", "/v1/actors/RUS/status", "/v1/relations/RUS/x"):
            busy = api.get(path, params={"mode": "replay"})
            assert busy.status_code == 429, path
            assert busy.headers["retry-after"] == "1" and busy.json()["title"] == "Too many replays"
        assert api.get("/v1/actors/RUS/status", params={"mode": "view"}).status_code == 200
    finally:
        for _ in range(api.services.settings.replay_concurrency):
            slots.release()
    assert api.get("/v1/actors/RUS/status", params={"mode": "replay"}).status_code == 200


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_connections_the_database_dropped_are_replaced_not_handed_out(api: Any, api_settings: Settings) -> None:
    """The database stays up but ends every session of the ledger's (a restart behind a proxy,
    an operator's pg_terminate_backend): the next requests are answered, none gets 503."""
    load_demo(api.services.ledger)
    headers = api.token("editor")
    fact = {**STATEMENT, "details": {**STATEMENT["details"], "quote": "after the drop"}}
    questions = ("/readyz", "/v1/subjects/taliban-iea/recognitions", "/v1/subjects/taliban-iea/status")
    for path in questions:
        assert api.get(path).status_code == 200, path  # every pool holds connections now
    name = api_settings.database_url.rsplit("/", 1)[1]
    with psycopg.connect(api_settings.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()
    assert ended is not None and ended[0] >= 2
    api.app.state.idle_check.last -= 60  # as after a minute with no request
    answered = [api.get(path).status_code for path in questions]
    written = api.post("/v1/facts", json=fact, headers=headers)
    assert answered == [200, 200, 200] and written.status_code == 201, written.text


def test_pools_are_checked_after_a_pause_or_a_failure_and_not_under_load() -> None:
    now = [100.0]
    check = IdleCheck([], [], idle_seconds=1.0, clock=lambda: now[0])
    answers = []
    for step in (0.2, 0.5, 0.9, 1.0, 0.1):
        now[0] += step
        answers.append(check.due())
    assert answers == [False, False, False, True, False]
    check.failed()
    assert check.due() and not check.due()
