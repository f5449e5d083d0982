"""Backends for integration tests: SQLite always; PostgreSQL when reachable, and always in CI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from infrastructure.auth.tokens import Role
from infrastructure.bootstrap import Services, build
from infrastructure.config.settings import Settings

PG_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class Clock:
    """A settable clock, so system times in tests are known."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as e:
        return str(e).strip().splitlines()[0]


@contextmanager
def database(backend: str, tmp_dir: str) -> Iterator[str]:
    """A fresh, empty database of the backend; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir}/ledger-{uuid.uuid4().hex[:8]}.db"
        return
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL must run in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def services_for(url: str, clock: Clock) -> Services:
    return build(Settings(database_url=url, pool_size=2, pool_max_overflow=4), clock)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 7, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def make_services(backend: str, tmp_path, clock: Clock) -> Iterator[Callable[[], Services]]:  # type: ignore[no-untyped-def]
    """Build services on fresh databases of the test's backend; all closed at the end."""
    opened: list[tuple[Services, object]] = []

    def make() -> Services:
        ctx = database(backend, str(tmp_path))
        url = ctx.__enter__()
        services = services_for(url, clock)
        opened.append((services, ctx))
        return services

    yield make
    for services, ctx in reversed(opened):
        services.close()
        ctx.__exit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture
def services(make_services: Callable[[], Services]) -> Services:
    return make_services()


ADMIN_TOKEN = "admin-secret-for-tests"


@pytest.fixture
def api_settings(backend: str, tmp_path) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    """Settings for an API on a fresh database, with a known admin token."""
    with database(backend, str(tmp_path)) as url:
        yield Settings(database_url=url, admin_token=ADMIN_TOKEN, pool_size=2, pool_max_overflow=8, max_body_bytes=8192)


@pytest.fixture
def api(api_settings: Settings, clock: Clock) -> Iterator[Any]:
    """A TestClient on the whole app, with its services; `api.token(role)` makes tokens."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    services = build(api_settings, clock)
    with TestClient(create_app(services=services)) as client:
        client.services = services  # type: ignore[attr-defined]

        def token(role: str, name: str | None = None) -> dict[str, str]:
            made = services.tokens.create(Role.parse(role), name)[1]
            return {"Authorization": f"Bearer {made}"}

        client.token = token  # type: ignore[attr-defined]
        client.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}  # type: ignore[attr-defined]
        yield client
    services.close()
