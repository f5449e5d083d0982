"""Schemathesis's own runner against a served ledger: every check but positive_data_acceptance, on
every phase (examples, coverage, fuzzing, stateful through the schema's links), with no failure.

It runs as a careful client would send requests: tests/api/schemathesis_hooks.py gives valid cases
a fresh Idempotency-Key, the relation's current If-Match, fresh codes and ids to register, and an
actor's dates in order; a schemathesis.toml draws fact ids and subjects from those the ledger
holds. Then it must end with no warning either: no writes that mostly refuse what the schema
allows, and no operations it could not reach for want of data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from api.app import create_app
from infrastructure.bootstrap import Services, build
from infrastructure.config.settings import Settings
from infrastructure.datasets.loader import load_demo
from infrastructure.log.note import create_key_file
from tests.api.server import serving
from tests.conftest import ADMIN_TOKEN, Clock, database

EXAMPLES = 10  # per operation and phase: enough to reach every operation, a few minutes in all
SEED = 20250703
ROOT = str(Path(__file__).resolve().parents[2])


def test_schemathesis_finds_no_failure_on_any_phase(tmp_path: Path, clock: Clock) -> None:
    """Authenticated as admin, on a signing ledger holding the demo (SQLite: the contract is the same
    on both backends, and one run keeps CI short): the run's exit code and summary."""
    key = tmp_path / "signing.key"
    create_key_file(key)
    with database("sqlite", str(tmp_path)) as url:
        settings = Settings(
            database_url=url, admin_token=ADMIN_TOKEN, signing_key_file=key, feed_lifetime_seconds=0.2, pool_size=4
        )
        services = build(settings, clock)
        try:
            load_demo(services.ledger)
            (tmp_path / "schemathesis.toml").write_text(known_values(services))
            with serving(create_app(services=services)) as base:
                run = subprocess.run(
                    [
                        str(Path(sys.executable).parent / "st"),
                        "run",
                        f"{base}/openapi.json",
                        "--checks=all",
                        "--exclude-checks=positive_data_acceptance",
                        f"--max-examples={EXAMPLES}",
                        f"--seed={SEED}",
                        "--no-color",
                        "-H",
                        f"Authorization: Bearer {ADMIN_TOKEN}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=900,
                    cwd=tmp_path,  # its cache directory and its schemathesis.toml
                    env={
                        **os.environ,
                        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
                        "PYTHONPATH": ROOT,
                        "LEDGER_FUZZ_URL": base,
                        "LEDGER_FUZZ_TOKEN": ADMIN_TOKEN,
                    },
                )
        finally:
            services.close()
    summary = run.stdout.strip().splitlines()[-1]
    warnings = run.stdout.partition("= WARNINGS =")[2].partition("= SUMMARY =")[0]
    print(f"\nschemathesis: {summary}\n{warnings.strip()}")
    assert run.returncode == 0, run.stdout[-6000:]
    assert "failure" not in summary and "error" not in summary, summary
    assert "Failures:" not in run.stdout and "Errors:" not in run.stdout
    assert "Warnings:" not in run.stdout and not warnings.strip(), warnings


def known_values(services: Services) -> str:
    """Fuzz dictionaries of ids the ledger holds: the fact ids of paths, a fact's subject."""
    facts = [f["fact_id"] for f in services.ledger.view.audit({}, 0, 10)]
    subjects = [s["id"] for s in services.ledger.view.subjects()]
    return (
        f"[dictionaries.facts]\nvalues = {json.dumps(facts)}\n\n"
        f"[dictionaries.subjects]\nvalues = {json.dumps(subjects)}\n\n"
        '[parameters]\n"path.fact_id" = { dictionary = "facts" }\n'
        '"body.subject" = { dictionary = "subjects", probability = 0.8 }\n'
    )
