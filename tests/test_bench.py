"""The benchmark command stays runnable: a small run in every test run (no timing is asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    figures, cpu = table.read_text().split("\n\n")
    for figure in FIGURES:
        assert figure in figures, figure
    assert figures.count("\n") == 1 + 11, "a header, a rule and eleven figures"
    header, _, *jobs = cpu.splitlines()
    assert "at most, every core busy" in header
    assert [row.split(" | ")[0] for row in jobs] == ["| import, PostgreSQL", "| rebuild", "| import, SQLite"]
    for row in jobs:
        cells = row.strip("| ").split(" | ")
        own, helpers, database, total = (float(c.replace(",", "")) if c != "—" else 0.0 for c in cells[1:5])
        assert own > 0 and total == pytest.approx(own + helpers + database, abs=2), row
    assert jobs[0].split(" | ")[3] != "—", "PostgreSQL's CPU is counted where it runs on this machine"
    assert jobs[2].split(" | ")[3] == "—", "and not for the SQLite import"
    client = "wrk" if shutil.which("wrk") else "Python client"
    assert figures.count(f"{client})") == 2, "both HTTP figures name the client that loaded the server"


def test_the_sqlite_baseline_is_measured_in_a_file_of_its_own() -> None:
    """On SQLite every application in a file shares one events table: the library's baseline gets its
    own file beside the ledger's, so the ledger is empty when the import is timed."""
    from bench.run import baseline_settings
    from infrastructure.settings import Settings

    sqlite = Settings(database_url="sqlite:///some/dir/bench.db")
    assert baseline_settings(sqlite).database_url == "sqlite:///some/dir/baseline.db"
    postgres = Settings(database_url="postgresql://postgres@127.0.0.1:5432/bench")
    assert baseline_settings(postgres).database_url == postgres.database_url, "its own table there"


def test_postgres_cpu_adds_every_postgres_process_with_the_children_it_has_waited_for(tmp_path: Path) -> None:
    """utime, stime, cutime and cstime (fields 14 to 17 of /proc/PID/stat) of processes named postgres."""
    import os

    from bench.measure import postgres_cpu

    def stat(pid: int, name: str, times: tuple[int, int, int, int]) -> None:
        (tmp_path / str(pid)).mkdir()
        fields = ["S", *["0"] * 10, *map(str, times), "20", "0"]  # state, ppid … cmajflt, the times, priority …
        (tmp_path / str(pid) / "stat").write_text(f"{pid} ({name}) " + " ".join(fields) + "\n")

    assert postgres_cpu(tmp_path) is None, "no PostgreSQL here: nothing to count"
    tick = os.sysconf("SC_CLK_TCK")
    stat(10, "postgres", (tick, tick, 3 * tick, 0))  # the postmaster, with 3 s of exited backends
    stat(11, "postgres", (2 * tick, 0, 0, 0))
    stat(12, "python (x)", (50 * tick, 0, 0, 0))  # a parenthesis in another process's name
    stat(13, "pg) (postgres", (70 * tick, 0, 0, 0))
    assert postgres_cpu(tmp_path) == pytest.approx(7.0)


def test_the_cpu_table_divides_by_the_facts_and_allows_every_core() -> None:
    from bench.measure import CpuTimes
    from bench.run import Spent

    start, end = CpuTimes(1.0, 0.5, 10.0), CpuTimes(3.0, 1.5, 11.0)
    spent = Spent("import, PostgreSQL", 10_000, end.since(start), 10_000)
    assert spent.cells(2) == ["import, PostgreSQL", "200", "100", "100", "400", "5,000 facts/s", "10,000 facts/s"]
    sqlite = Spent("import, SQLite", 10_000, CpuTimes(2.0, 0.0, None), 5_000)
    assert sqlite.cells(4)[3:6] == ["—", "200", "20,000 facts/s"]
    assert CpuTimes(1, 1, 5).since(CpuTimes(0, 0, None)).database is None


def test_runs_started_at_once_each_write_the_dataset_and_none_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs generating the same dataset at the same time (other test runs on the machine)."""
    import tempfile
    import threading

    from bench import run

    both_writing = threading.Barrier(2, timeout=10)

    class Slow:
        def __init__(self, facts: int, seed: int) -> None:
            pass

        def lines(self) -> Any:
            yield "first"
            both_writing.wait()  # neither has finished writing when the other starts
            yield "second"

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(run, "Generator", Slow)
    errors: list[BaseException] = []

    def generate() -> None:
        try:
            run.dataset(500, 1)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (tmp_path / "ledger-bench-500-1.jsonl").read_text() == "first\nsecond\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger-bench-500-1.jsonl"], "no file left behind"
