"""A real server: concurrent writers, a database that goes away and comes back, the compose file."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.config.settings import Settings
from tests.api.server import Proxy, serving
from tests.conftest import ADMIN_TOKEN, Clock, database

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SRC = [{"url": "https://example.org/r"}]
SUBJECT = {"id": "taliban-iea", "name": "IEA", "kind": "government"}


def race(
    url: str, bodies: list[dict[str, Any]], headers: dict[str, str] | None = None, path: str = "/v1/facts"
) -> list[httpx.Response]:
    """POST every body at once from its own thread."""
    start = threading.Barrier(len(bodies))
    answers: list[httpx.Response | None] = [None] * len(bodies)

    def post(i: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            start.wait()
            answers[i] = client.post(path, json=bodies[i], headers=ADMIN | (headers or {}))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [a for a in answers if a is not None]


@pytest.fixture
def live(api_settings: Settings) -> Any:
    services = build(api_settings)
    with serving(create_app(services=services)) as url:
        httpx.post(f"{url}/v1/subjects", json=SUBJECT, headers=ADMIN).raise_for_status()
        yield url, services
    services.close()


def test_eight_writers_on_one_relation_lose_nothing(live: Any) -> None:
    """Eight different facts on one relation at once: all 201, versions 1..8, positions distinct."""
    url, _ = live
    bodies = [
        {
            "type": "sanctions_imposed",
            "actor": "UN",
            "subject": "taliban-iea",
            "effective_on": "1999-10-15",
            "details": {"regime": f"regime-{i}"},
            "sources": SRC,
        }
        for i in range(8)
    ]
    answers = race(url, bodies)
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert sorted(a.json()["relation_version"] for a in answers) == list(range(1, 9))
    assert len({a.json()["position"] for a in answers}) == 8
    status = httpx.get(f"{url}/v1/relations/UN/taliban-iea").json()
    assert len(status["status"]["sanctions"]) == 8 and status["relation_version"] == 8


def test_racing_conflicting_facts_give_one_201_and_409s_that_say_why(live: Any) -> None:
    """Eight recognitions of one relation at once: exactly one wins; the others name it."""
    url, _ = live
    bodies = [
        {
            "type": "recognition_granted",
            "actor": "RUS",
            "subject": "taliban-iea",
            "effective_on": f"2025-07-{3 + i:02d}",
            "sources": SRC,
        }
        for i in range(8)
    ]
    answers = race(url, bodies)
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 7, [a.text for a in answers]
    winner = next(a.json()["fact_id"] for a in answers if a.status_code == 201)
    for refused in (a.json() for a in answers if a.status_code == 409):
        assert refused["conflicting_fact_id"] == winner and refused["rule"] == "duplicate"


@pytest.mark.postgres
def test_one_request_sent_eight_times_at_once_with_its_key_records_one_fact(live: Any) -> None:
    """A client retrying with the same Idempotency-Key, all at once: one fact, and every answer is its receipt."""
    url, _ = live
    body = {
        "type": "statement_made",
        "actor": "PAK",
        "subject": "taliban-iea",
        "effective_on": "2025-07-04",
        "details": {"stance": "supportive", "quote": "q"},
        "sources": SRC,
    }
    answers = race(url, [body] * 8, {"Idempotency-Key": "retry-1"})
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert len({a.json()["fact_id"] for a in answers}) == 1
    assert len({a.json()["position"] for a in answers}) == 1
    facts = httpx.get(f"{url}/v1/facts", params={"actor": "PAK"}).json()["items"]
    assert len(facts) == 1 and facts[0]["fact_id"] == answers[0].json()["fact_id"]


def test_one_retraction_sent_eight_times_at_once_with_its_key_retracts_once(live: Any) -> None:
    """A retraction retried at once: every answer is the one retraction's receipt, none says 'already retracted'."""
    url, _ = live
    fact = {"type": "relations_established", "actor": "PAK", "subject": "taliban-iea", "effective_on": "1997-05-26"}
    made = httpx.post(f"{url}/v1/facts", json=fact | {"sources": SRC}, headers=ADMIN).json()
    answers = race(
        url,
        [{"reason": "wrong date", "sources": SRC}] * 8,
        {"Idempotency-Key": "r-1"},
        f"/v1/facts/{made['fact_id']}/retraction",
    )
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert len({a.json()["fact_id"] for a in answers}) == 1


@pytest.mark.parametrize(
    ("path", "body", "identity"),
    [
        ("/v1/subjects", {"id": "ntc-libya", "name": "National Transitional Council", "kind": "government"}, "id"),
        ("/v1/actors", {"code": "X-AU", "name": "African Union", "kind": "organisation"}, "code"),
        (
            "/v1/subjects/taliban-iea/milestones",
            {"kind": "took_power", "effective_on": "2021-08-15", "sources": SRC},
            "milestone_id",
        ),
        ("/v1/tokens", {"name": "retrying-client", "role": "reader"}, "token_id"),
    ],
)
def test_one_registration_sent_eight_times_at_once_with_its_key_is_made_once(
    live: Any, path: str, body: dict[str, Any], identity: str
) -> None:
    """The same for the other writes: one thing made, every answer names it, none says it exists already."""
    url, _ = live
    answers = race(url, [body] * 8, {"Idempotency-Key": "register-1"}, path)
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert len({a.json()[identity] for a in answers}) == 1
    made = {"registered_at", "recorded_at", "created_at"} & set(answers[0].json())
    assert all(len({a.json()[k] for a in answers}) == 1 for k in made), "the one answer, not eight"


def test_database_away_gives_503_fast_and_the_service_recovers(tmp_path: Path) -> None:
    """With PostgreSQL unreachable, reads and writes answer 503 with Retry-After within 2 s; then it heals."""
    with database("postgres", str(tmp_path)) as url:
        parts = urlsplit(url)
        proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        proxy.start()
        proxied = url.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")
        services = build(
            Settings(database_url=proxied, admin_token=ADMIN_TOKEN, pool_size=2, pool_timeout=1),
            Clock(__import__("datetime").datetime.now(__import__("datetime").UTC)),
        )
        try:
            with serving(create_app(services=services)) as base, httpx.Client(base_url=base, timeout=30) as client:
                assert client.post("/v1/subjects", json=SUBJECT, headers=ADMIN).status_code == 201
                proxy.stop()
                for method, path, body in (
                    ("GET", "/v1/subjects/taliban-iea/recognitions", None),
                    (
                        "POST",
                        "/v1/facts",
                        {
                            "type": "recognition_granted",
                            "actor": "RUS",
                            "subject": "taliban-iea",
                            "effective_on": "2025-07-03",
                            "sources": SRC,
                        },
                    ),
                    ("GET", "/readyz", None),
                ):
                    started = time.monotonic()
                    answer = client.request(method, path, json=body, headers=ADMIN)
                    elapsed = time.monotonic() - started
                    assert answer.status_code == 503, answer.text
                    assert answer.headers["retry-after"] and elapsed < 2.5, elapsed
                assert client.get("/healthz").status_code == 200, "the process itself is up"
                proxy.start()
                deadline = time.monotonic() + 30
                while client.get("/readyz").status_code != 200:
                    assert time.monotonic() < deadline, "did not recover"
                    time.sleep(0.5)
                assert client.get("/v1/subjects/taliban-iea/recognitions").status_code == 200
        finally:
            proxy.stop()
            services.close()


def test_the_compose_file_uses_only_real_settings() -> None:
    """docker-compose.yml: db with a volume and healthcheck; api built here, waiting for db, set by LEDGER_* only."""
    compose = yaml.safe_load(Path(__file__).parents[2].joinpath("docker-compose.yml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert db["healthcheck"]["test"] and any(":" in v for v in db["volumes"])
    assert api["build"] == "." and api["depends_on"]["db"]["condition"] == "service_healthy"
    fields = Settings.model_fields
    for name in api["environment"]:
        assert name.startswith("LEDGER_") and name.removeprefix("LEDGER_").lower() in fields, name
    assert Path(__file__).parents[2].joinpath("Dockerfile").read_text().count("USER ") == 1


@pytest.mark.postgres
def test_server_processes_starting_together_all_start(tmp_path: Path) -> None:
    """Workers of one server create the schema at once; none may fail (PostgreSQL refuses concurrent DDL)."""
    with database("postgres", str(tmp_path)) as url:
        build(Settings(database_url=url)).close()  # the tables exist; the library still replaces its function
        failures: list[str] = []

        def start() -> None:
            try:
                build(Settings(database_url=url, pool_size=2)).close()
            except Exception as e:  # any failure to start is the finding
                failures.append(repr(e))

        for _ in range(4):
            workers = [threading.Thread(target=start) for _ in range(4)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        assert failures == []
