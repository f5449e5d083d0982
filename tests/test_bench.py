"""The benchmark command stays runnable: a small run in every test run (no timing is asserted)."""

from __future__ import annotations

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
    "HTTP GET",
    "HTTP POST",
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
