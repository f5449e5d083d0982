"""The benchmark command stays runnable: a small run in every test run (no timing is asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, _pg_reachable

ROOT = Path(__file__).parents[1]
FIGURES = (
    "import, PostgreSQL",
    "import, SQLite",
    "recognitions of the largest subject",
    "full status",
    "one relation's timeline",
    "audit-log page",
    "rebuild",
    "HTTP GET recognitions (2 workers, ",
    "HTTP POST /v1/facts, one client (",
    "server RSS",
)


@pytest.mark.postgres
@pytest.mark.slow
def test_the_benchmark_runs_end_to_end_at_a_small_scale(tmp_path: Path) -> None:
    """`python -m bench.run` on 1,500 synthetic facts measures every figure and prints the table."""
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL must run in CI: {problem}")
        pytest.skip(problem)
    table = tmp_path / "bench.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--facts",
            "1500",
            "--seed",
            "3",
            "--http-seconds",
            "1",
            "--query-runs",
            "10",
            "--markdown",
            str(table),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = table.read_text()
    for figure in FIGURES:
        assert figure in text, figure
    assert text.count("\n") == 2 + 11, "a header, a rule and eleven figures"
    client = "wrk" if shutil.which("wrk") else "Python client"
    assert text.count(f"{client})") == 2, "both HTTP figures name the client that loaded the server"


def test_the_sqlite_baseline_is_measured_in_a_file_of_its_own() -> None:
    """On SQLite every application in a file shares one events table: the library's baseline gets its
    own file beside the ledger's, so the ledger is empty when the import is timed."""
    from bench.run import baseline_settings
    from infrastructure.settings import Settings

    sqlite = Settings(database_url="sqlite:///some/dir/bench.db")
    assert baseline_settings(sqlite).database_url == "sqlite:///some/dir/baseline.db"
    postgres = Settings(database_url="postgresql://postgres@127.0.0.1:5432/bench")
    assert baseline_settings(postgres).database_url == postgres.database_url, "its own table there"
