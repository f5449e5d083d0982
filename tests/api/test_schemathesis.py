"""Schemathesis against the app's own OpenAPI: no server errors, no schema violations."""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.config.settings import Settings
from infrastructure.datasets.loader import load_demo
from tests.conftest import ADMIN_TOKEN, Clock

EXAMPLES = 40
CHECKS = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def test_every_operation_without_server_errors_or_schema_violations(api_settings: Settings, clock: Clock) -> None:
    """Every operation, authenticated as admin, answers within its documented codes and schemas."""
    # Feed streams end soon, so each call of GET /v1/feed gets a whole response.
    services = build(api_settings.model_copy(update={"feed_lifetime_seconds": 0.2}), clock)
    load_demo(services.ledger)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(services=services))
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    tested, statuses = [], Counter[int]()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
            def call(case: Any) -> None:
                statuses[case.call_and_validate(headers=headers, checks=CHECKS).status_code] += 1

            call()
            tested.append(operation.label)
    finally:
        services.close()
    assert len(tested) == 26, tested
    assert sum(statuses.values()) >= 26 * 10 and any(200 <= code < 300 for code in statuses)
    print(
        f"\nschemathesis: {len(tested)} operations, {sum(statuses.values())} calls, statuses {dict(sorted(statuses.items()))}"
    )
