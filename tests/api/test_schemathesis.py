"""Schemathesis's own runner against a served ledger: every check but positive_data_acceptance, on
every phase (examples, coverage, fuzzing, stateful through the schema's links), with no failure.

It runs with tests/api/schemathesis_hooks.py, which gives each valid Idempotency-Key a fresh
suffix per call, as a careful client would. Its warnings are printed, not asserted: they name what
no schema can say (docs/api.md lists them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.app import create_app
from infrastructure.bootstrap import build
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
                    cwd=tmp_path,  # its cache directory
                    env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks", "PYTHONPATH": ROOT},
                )
        finally:
            services.close()
    summary = run.stdout.strip().splitlines()[-1]
    warnings = run.stdout.partition("= WARNINGS =")[2].partition("= SUMMARY =")[0]
    print(f"\nschemathesis: {summary}\n{warnings.strip()}")
    assert run.returncode == 0, run.stdout[-6000:]
    assert "failure" not in summary and "error" not in summary, summary
    assert "Failures:" not in run.stdout and "Errors:" not in run.stdout
