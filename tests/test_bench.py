"""The benchmark command stays runnable: a small run in every test run (no timing is asserted)."""

from __future__ import annotations

import re
import shutil
import socket
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
    "revisions of the largest relation",
    "audit-log page",
    "rebuild",
    "HTTP GET recognitions (2 workers, ",
    "HTTP POST /v1/facts, one client (",
    "server RSS",
)


def _need_postgres() -> None:
    """Skip without PostgreSQL, except in CI, where it must run."""
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL must run in CI: {problem}")
        pytest.skip(problem)


def _bench(module: str, args: list[str], table: Path) -> subprocess.CompletedProcess[str]:
    """`python -m module args --markdown table`, which must succeed."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args, "--markdown", str(table)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.postgres
@pytest.mark.slow
def test_the_benchmark_runs_end_to_end_at_a_small_scale(tmp_path: Path) -> None:
    """`python -m bench.run` on 1,500 synthetic facts measures every figure and prints the table.

    Only the table's shape is checked: on a busy machine any figure may miss its target, or say it
    could not be measured."""
    _need_postgres()
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
    assert figures.count("\n") == 1 + 12, "a header, a rule and twelve figures"
    for row in figures.splitlines()[2:]:
        cells = row.strip("| ").split(" | ")
        assert len(cells) == 6, row
        assert cells[5].split(" (")[0] in ("yes", "no", "—"), row
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


@pytest.mark.postgres
@pytest.mark.slow
def test_the_log_benchmark_runs_end_to_end_at_a_small_scale(tmp_path: Path) -> None:
    """`python -m bench.log_cost` on 1,000 facts prints its six figures (shape only, no timing)."""
    _need_postgres()
    table = tmp_path / "log.md"
    args = ["--facts", "1000", "--seed", "3", "--rounds", "1", "--write-seconds", "0.5", "--proofs", "20"]
    _bench("bench.log_cost", args, table)
    rows = table.read_text().splitlines()[2:]
    assert [re.sub(r" at size [\d,]+", "", row.split(" | ")[0].split(" (")[0]) for row in rows] == [
        "| import, PostgreSQL",
        "| single writes",
        "| ledger verify",
        "| GET /v1/log/proof/inclusion p50",
        "| import, SQLite",
    ]
    for row in rows:
        cells = row.strip("| ").split(" | ")
        assert len(cells) == 6 and cells[5] in ("yes", "no"), row


def test_the_sqlite_baseline_is_measured_in_a_file_of_its_own() -> None:
    """On SQLite every application in a file shares one events table: the library's baseline gets its
    own file beside the ledger's, so the ledger is empty when the import is timed."""
    from bench.run import baseline_settings
    from infrastructure.config.settings import Settings

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


# A busy machine can leave a short load round with no completed request, a server slow to start, or a
# run beside another: each is reported in the table (not met, with a note), never raised. No timing is
# asserted below; the loads are fed in.

WRK_NO_REQUEST = """Running 1s test @ http://127.0.0.1:8798/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  0 requests in 1.01s, 0.00B read
Requests/sec:      0.00
Transfer/sec:       0.00B
"""

WRK_REFUSED_AND_TIMED_OUT = """Running 1s test @ http://127.0.0.1:8799/v1/facts
  2 threads and 16 connections
  1250 requests in 1.00s, 631.21KB read
  Socket errors: connect 0, read 0, write 0, timeout 4
  Non-2xx or 3xx responses: 250
Requests/sec:   1250.00
Transfer/sec:    630.04KB
"""


def unanswered_url() -> str:
    """A loopback URL nothing listens on (a port the kernel just handed out and took back)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_the_median_round_passes_over_rounds_whose_baseline_completed_no_request() -> None:
    from bench.run import median_round

    rounds = [(0.0, 0.0), (100.0, 50.0), (0.0, 30.0), (100.0, 70.0), (100.0, 60.0)]  # (baseline, value)
    assert median_round(rounds) == (100.0, 60.0)
    assert median_round([(100.0, 0.0), (0.0, 0.0), (100.0, 80.0)]) == (100.0, 80.0), "a value of 0 is a ratio of 0"
    assert median_round([(0.0, 0.0)] * 5) == (0.0, 0.0)
    assert median_round([(0.0, 5.0), (0.0, 0.0), (0.0, 9.0)]) == (0.0, 5.0), "no ratio anywhere: the median value"
    assert median_round([]) == (0.0, 0.0)


def test_http_figures_with_no_request_completed_are_not_met_and_say_so(tmp_path: Path) -> None:
    from bench.run import HttpLoad, figure_cells, http_figures

    nothing = http_figures("wrk", HttpLoad(trivial=0.0, reads=0.0, saves=700.0, writes=0.0, idle=64.0, peak=0.0))
    get, post, rss = (figure_cells(row) for row in nothing)
    assert get[1:] == ["0.0 req/s", ">= 50% of trivial", "0.0 (GET /healthz req/s)", "—", "no (no request completed)"]
    assert post[1:] == ["0.0 facts/s", ">= 40% of save()", "700.0 (library save()/s)", "—", "no (no request completed)"]
    assert rss[4:] == ["—", "no (not sampled)"]
    no_baseline = http_figures("wrk", HttpLoad(trivial=0.0, reads=900.0, saves=0.0, writes=300.0, idle=64, peak=70))
    assert [figure_cells(row)[4:] for row in no_baseline[:2]] == [["—", "no (baseline: none completed)"]] * 2
    measured = http_figures("wrk", HttpLoad(2000.0, 900.0, 3, 700.0, 300.0, 0, 64.0, 70.0))
    assert [figure_cells(row)[4:] for row in measured] == [
        ["0.45", "no (3 requests failed)"],
        ["0.43", "yes"],
        ["1.09", "yes"],
    ]


def test_a_server_that_never_came_up_gives_http_figures_that_say_why() -> None:
    from bench.run import HttpLoad, figure_cells, http_figures

    rows = http_figures("wrk", HttpLoad(), "the server exited with code 1 before it was ready")
    assert [row.figure for row in rows] == [
        "HTTP GET recognitions (2 workers, wrk)",
        "HTTP POST /v1/facts, one client (wrk)",
        "server RSS under load (largest worker)",
    ]
    assert {figure_cells(row)[5] for row in rows} == {"no (the server exited with code 1 before it was ready)"}


def test_wrk_reports_are_read_with_failed_requests_taken_out() -> None:
    from bench.measure import Load, wrk_load

    assert wrk_load(WRK_NO_REQUEST) == Load(0.0, 0)
    assert wrk_load(WRK_REFUSED_AND_TIMED_OUT) == Load(1000.0, 254)
    assert wrk_load("") == Load(0.0, 0), "no report at all: nothing completed"


def test_the_python_client_counts_requests_that_fail_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import measure

    monkeypatch.setattr(measure.shutil, "which", lambda name: None)  # no wrk: the Python client
    nobody = unanswered_url()
    posted = measure.post_load(nobody, 0.2, "token")
    assert posted.per_second == 0.0 and posted.failed > 0
    got = measure.load(f"{nobody}/healthz", 0.2)
    assert got.per_second == 0.0 and got.failed > 0


def test_percentiles_of_no_sample_are_none_and_a_latency_without_one_is_not_met() -> None:
    from bench.measure import percentiles

    assert percentiles([]) is None
    assert percentiles([0.002, 0.001, 0.003]) == pytest.approx((2.0, 3.0))
    from bench.run import figure_cells, latency_row

    row = latency_row("one relation's timeline, p50", None, 3, None)
    assert figure_cells(row)[1:] == ["0.0 ms", "<= 3", "(no replay)", "—", "no (no sample)"]


def test_ratios_with_a_zero_on_either_side_are_not_divided() -> None:
    from bench.run import ratio_row

    assert ratio_row("p50", 0.0, "ms", "<= 3", 2.0, "replay p50", True, inverse=True).ratio is None
    assert ratio_row("rate", 10.0, "facts/s", ">= 1", 0.0, "baseline", True).ratio is None
    assert ratio_row("rate", 10.0, "facts/s", ">= 1", None, "(none)", True).ratio is None
    assert ratio_row("p50", 0.5, "ms", "<= 3", 2.0, "replay p50", True, inverse=True).ratio == 4.0


def test_the_cpu_table_says_so_when_no_fact_or_no_cpu_was_counted() -> None:
    from bench.measure import CpuTimes
    from bench.run import Spent

    assert Spent("rebuild", 0, CpuTimes(1.0, 0.0, None), 20_000).cells(2) == [
        "rebuild",
        *["—"] * 5,
        "20,000 facts/s",
    ]
    assert Spent("rebuild", 1000, CpuTimes(0.0, 0.0, 0.0), 20_000).cells(2)[4:6] == ["0", "—"]


def test_rates_over_no_measured_time_are_zero() -> None:
    from bench.measure import per_second

    assert per_second(10, 0.0) == 0.0
    assert per_second(10, 2.0) == 5.0


def test_waiting_for_a_server_reports_why_it_is_not_ready_instead_of_raising() -> None:
    from bench.measure import wait_until_ready

    nobody = unanswered_url()
    assert wait_until_ready(nobody, seconds=0.3) == f"the server at {nobody} was not ready in 0.3 s"
    exits = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    exits.wait()
    assert wait_until_ready(nobody, exits) == "the server exited with code 3 before it was ready"


def test_memory_of_a_process_that_has_gone_is_zero_not_an_error() -> None:
    from bench.measure import children, rss_mb

    gone = 4_194_305  # above the largest pid Linux allows
    assert rss_mb(gone) == 0.0
    assert children(gone) == []


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


@pytest.mark.postgres
@pytest.mark.slow
def test_the_feed_benchmark_runs_end_to_end_at_a_small_scale(tmp_path: Path) -> None:
    """`python -m bench.feed_cost` with 6 subscribers prints its four figures, with arrivals measured."""
    _need_postgres()
    table = tmp_path / "feed.md"
    args = ["--subscribers", "6", "--seconds", "1", "--rounds", "1"]
    result = _bench("bench.feed_cost", args, table)
    rows = table.read_text().splitlines()[2:]
    assert [row.split(" | ")[0].split(" (")[0].split(" with ")[0] for row in rows] == [
        "| commit to arrival, p50",
        "| commit to arrival, p99",
        "| writer's POST rate",
        "| server RSS, largest worker",
    ]
    assert "arrivals" in result.stdout and " 0 arrivals" not in result.stdout, result.stdout[-2000:]
    for row in rows:
        cells = row.strip("| ").split(" | ")
        assert len(cells) == 6 and cells[5] in ("yes", "no", "—"), row
