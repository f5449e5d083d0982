"""A client generated from the served OpenAPI by openapi-python-client tells the article's story."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.config.settings import Settings
from tests.conftest import ADMIN_TOKEN, Clock

SOURCE = {
    "url": "https://en.prothomalo.com/international/ro4lapha3n",
    "title": "Russia becomes first country to recognise Taliban government",
    "publisher": "Prothom Alo (AFP)",
    "quote": "Afghanistan's Taliban government said on Thursday that Russia had become the first country to "
    "officially recognise its rule",
}


@pytest.fixture
def generated(tmp_path: Path, api_settings: Settings, clock: Clock) -> Iterator[tuple[ModuleType, Any]]:
    """The package generated from this app's /openapi.json, and a client of it talking to the app."""
    services = build(api_settings, clock)
    with TestClient(create_app(services=services), base_url="http://ledger") as http:
        (tmp_path / "openapi.json").write_text(http.get("/openapi.json").text, encoding="utf-8")
        env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        command = ["openapi-python-client", "generate", "--path", "openapi.json", "--meta", "none"]
        made = subprocess.run(
            [*command, "--output-path", "ledger_client"], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert made.returncode == 0, made.stdout + made.stderr
        assert "Warning" not in made.stdout, made.stdout  # every schema part was understood
        sys.path.insert(0, str(tmp_path))
        try:
            package = importlib.import_module("ledger_client")
            client = package.AuthenticatedClient(base_url="http://ledger", token=ADMIN_TOKEN)
            client.set_httpx_client(http)
            http.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
            yield package, client
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m == "ledger_client" or m.startswith("ledger_client.")]:
                del sys.modules[name]
    services.close()


def module(name: str) -> ModuleType:
    return importlib.import_module(f"ledger_client.{name}")


def test_the_story_through_a_generated_client(generated: tuple[ModuleType, Any]) -> None:
    """Register, record with an Idempotency-Key (a retry records nothing), conflict on If-Match,
    retract, dispute, and ask as of a past system time: every answer parsed into its model."""
    _, client = generated
    models = module("models")
    recording, status, facts = module("api.recording"), module("api.status"), module("api.facts")
    for name in ("register_subject", "record_fact", "retract_fact", "dispute_fact", "add_milestone"):
        importlib.import_module(f"ledger_client.api.recording.{name}")
    for name in ("get_relation", "get_recognitions"):
        importlib.import_module(f"ledger_client.api.status.{name}")
    importlib.import_module("ledger_client.api.facts.get_fact")

    subject = models.SubjectIn.from_dict(
        {
            "id": "taliban-iea",
            "name": "Islamic Emirate of Afghanistan (Taliban)",
            "kind": "government",
            "territory": "AFG",
        }
    )
    registered = recording.register_subject.sync_detailed(client=client, body=subject)
    assert registered.status_code == 201 and registered.parsed.id == "taliban-iea"

    def fact(type_: str, on: str, **details: Any) -> Any:
        return models.FactIn.from_dict(
            {
                "type": type_,
                "actor": "RUS",
                "subject": "taliban-iea",
                "effective_on": on,
                "sources": [SOURCE],
                "details": details,
            }
        )

    grant = fact("recognition_granted", "2025-07-03", form="de_jure")
    first = recording.record_fact.sync_detailed(client=client, body=grant, idempotency_key="story-russia")
    again = recording.record_fact.sync_detailed(client=client, body=grant, idempotency_key="story-russia")
    assert first.status_code == again.status_code == 201
    assert isinstance(first.parsed, models.Receipt) and again.parsed.fact_id == first.parsed.fact_id
    recognised_at = first.parsed.recorded_at

    relation = status.get_relation.sync_detailed("RUS", "taliban-iea", client=client)
    assert relation.status_code == 200 and relation.headers["ETag"] == '"1"'
    stale = recording.record_fact.sync_detailed(
        client=client, body=fact("relations_established", "2025-07-03"), if_match='"0"'
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem) and stale.parsed.status == 412
    fresh = recording.record_fact.sync_detailed(
        client=client, body=fact("relations_established", "2025-07-03"), if_match=relation.headers["ETag"]
    )
    assert fresh.status_code == 201 and fresh.parsed.relation_version == 2

    disputed = recording.dispute_fact.sync_detailed(
        first.parsed.fact_id,
        client=client,
        body=models.DisputeIn(
            reason="Another report dates it a day later", sources=[models.SourceIn.from_dict(SOURCE)]
        ),
    )
    assert disputed.status_code == 201
    retracted = recording.retract_fact.sync_detailed(
        first.parsed.fact_id, client=client, body=models.RetractionIn(reason="Recorded in error, for the test")
    )
    assert retracted.status_code == 201
    shown = facts.get_fact.sync(first.parsed.fact_id, client=client)
    assert shown.retraction is not None and len(shown.disputes) == 1

    day = date(2025, 7, 3)
    now = status.get_recognitions.sync("taliban-iea", client=client, at=day)
    assert now.count == 0  # retracted
    as_recorded = datetime.fromisoformat(recognised_at.replace("Z", "+00:00"))
    then = status.get_recognitions.sync("taliban-iea", client=client, at=day, recorded_at=as_recorded)
    assert then.count == 1 and then.recognised_by[0].actor == "RUS" and then.recorded_at == recognised_at
