"""`make bench`: the ledger at scale, each figure beside a baseline measured in the same run.

python -m bench.run --facts 100000            # the default scale
python -m bench.run --facts 1000000           # the full run

A figure that could not be measured (a load round that completed no request, a server that did
not come up) is reported in the table, not met and with a note saying why; it never stops the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import psycopg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.baseline import batched_save_rate, read_rate, single_save_rate
from bench.generate import Generator
from bench.measure import (
    CpuTimes,
    RssWatch,
    children,
    load,
    load_client,
    per_second,
    percentiles,
    post_load,
    rss_mb,
    timed,
    wait_until_ready,
)
from infrastructure.bootstrap import Services, build
from infrastructure.bulk.importer import Importer
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.bulk.workers import default_workers
from infrastructure.config.settings import Settings

console = Console(stderr=True)
app = typer.Typer(add_completion=False)


ADMIN_TOKEN = "bench-admin-token-0123"  # the served ledger's admin, for the write loads


@dataclass
class Row:
    figure: str
    value: float
    unit: str
    target: str
    baseline: float | None
    baseline_name: str
    ratio: float | None
    met: bool | None
    note: str = ""  # why a figure could not be measured, or what failed while it was


def dataset(facts: int, seed: int) -> Path:
    """The synthetic ledger for (facts, seed), generated once and kept in the temp directory.

    Each run writes a file of its own and renames it into place, so runs started at once (other
    test runs on the machine) neither collide nor read a half-written file.
    """
    path = Path(tempfile.gettempdir()) / f"ledger-bench-{facts}-{seed}.jsonl"
    if not path.exists():
        console.print(f"generating {facts} facts (seed {seed}) into {path}")
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=path.stem, suffix=".tmp", delete=False) as f:
            try:
                for line in Generator(facts, seed).lines():
                    f.write(line + "\n")
            except BaseException:
                Path(f.name).unlink()
                raise
        os.replace(f.name, path)  # the same bytes whichever run renames last
    return path


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"ledger_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def baseline_settings(settings: Settings) -> Settings:
    """Where the library's own application is measured: the same database, in a table of its own.

    On PostgreSQL each application has its own events table; on SQLite every application in a
    file shares one (`stored_events`), so the baseline gets a file of its own beside the ledger's
    (else the ledger would not be empty when the import starts, and an import into a ledger that
    holds events looks every new relation up).
    """
    if settings.backend != "sqlite":
        return settings
    ledger_file = Path(settings.sqlite_file)
    return settings.model_copy(update={"database_url": f"sqlite:///{ledger_file.with_name('baseline.db')}"})


def import_rate(services: Services, path: Path, label: str) -> tuple[float, int, CpuTimes]:
    """Facts/s of `ledger import` of the dataset, the facts imported, and the CPU it took."""
    total = sum(1 for _ in path.open())
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar, path.open() as lines:
        task = bar.add_task(label, total=total)
        cpu, started = CpuTimes.now(), time.perf_counter()
        report = Importer(services.ledger, batch_size=2000).run(lines, lambda n: bar.advance(task, n))
        elapsed, cpu = time.perf_counter() - started, CpuTimes.now().since(cpu)
    facts = services.ledger.view.max_position()
    assert report.written == total, report
    return per_second(facts, elapsed), facts, cpu


def imported(settings: Settings, path: Path, backend: str, target: int) -> tuple[Services, Row, Spent]:
    """Import the dataset into a fresh database of the backend, beside the library's batched saves."""
    baseline = batched_save_rate(baseline_settings(settings), 50_000)
    services = build(settings)
    if services.ledger.recorder.max_notification_id():
        raise RuntimeError(f"the {backend} ledger holds events before the import: not a fresh import")
    rate, count, cpu = import_rate(services, path, f"import {backend}")
    row = ratio_row(
        f"import, {backend} ({count:,} facts)",
        rate,
        "facts/s",
        f">= {target:,}",
        baseline,
        "library batched save, events/s",
        rate >= target,
    )
    if settings.backend == "sqlite":
        cpu = CpuTimes(cpu.own, cpu.helpers, None)  # the PostgreSQL server had no part in it
    return services, row, Spent(f"import, {backend}", count, cpu, target)


@dataclass
class Spent:
    """The CPU a piece of bulk work took, over every process that did it, against its target rate."""

    work: str
    facts: int
    cpu: CpuTimes
    target: int  # facts/s

    def cells(self, cores: int) -> list[str]:
        """Microseconds per fact by process, their total, and the rate that total allows at most:
        every core busy all the time, none waiting for another ("—" where nothing was counted)."""
        parts = [self.cpu.own, self.cpu.helpers, self.cpu.database]
        total = sum(p for p in parts if p is not None)
        per_fact = [f"{p / self.facts * 1e6:,.0f}" if p is not None and self.facts else "—" for p in [*parts, total]]
        ceiling = f"{cores * self.facts / total:,.0f} facts/s" if total > 0 and self.facts else "—"
        return [self.work, *per_fact, ceiling, f"{self.target:,} facts/s"]


def ratio_row(
    figure: str,
    value: float,
    unit: str,
    target: str,
    baseline: float | None,
    name: str,
    met: bool | None,
    *,
    inverse: bool = False,
    note: str = "",
) -> Row:
    """A figure beside its baseline; the ratio is value/baseline (baseline/value if `inverse`), none if either is 0."""
    ratio = None
    if value > 0 and baseline is not None and baseline > 0:
        ratio = baseline / value if inverse else value / baseline
    return Row(figure, value, unit, target, baseline, name, ratio, met, note)


def share_row(
    figure: str, value: float, unit: str, share: float, of: str, baseline: float, name: str, failed: int = 0
) -> Row:
    """A rate whose target is a share of its baseline's, both measured in the same rounds. A figure or
    baseline that completed nothing (a busy machine, a short round) is not met, and says so."""
    notes = [f"{failed:,} requests failed"] if failed else []
    if value <= 0:
        met, notes = False, [*notes, "no request completed"]
    elif baseline <= 0:
        met, notes = False, [*notes, "baseline: none completed"]
    else:
        met = value >= share * baseline
    return ratio_row(figure, value, unit, f">= {share:.0%} of {of}", baseline, name, met, note="; ".join(notes))


def latency_row(figure: str, value: float | None, limit: float, replay: float | None) -> Row:
    """A latency in ms against its limit, beside replay's p50 (None: no replay); no sample is not met."""
    target, name = f"<= {limit:g}", "replay p50" if replay is not None else "(no replay)"
    if value is None:
        return Row(figure, 0.0, "ms", target, replay, name, None, False, "no sample")
    return ratio_row(figure, value, "ms", target, replay, name, value <= limit, inverse=True)


def query_rows(services: Services, path: Path, runs: int) -> list[Row]:
    """Latencies of the status questions on the largest subject, view beside replay."""
    q, rng = services.queries, random.Random(7)
    facts = [json.loads(line) for line in path.open() if '"record":"fact"' in line]
    counts: dict[str, set[str]] = {}
    for f in facts:
        counts.setdefault(f["subject"], set()).add(f["actor"])
    largest = max(counts, key=lambda s: len(counts[s]))
    first = datetime.fromisoformat(facts[0]["recorded_at"])
    last = datetime.fromisoformat(facts[-1]["recorded_at"])
    pairs = sorted({(f["actor"], f["subject"]) for f in facts})

    def when() -> tuple[date, datetime | None]:
        day = date(1950, 1, 1) + timedelta(days=rng.randrange(27000))
        system = None if rng.random() < 0.5 else first + (last - first) * rng.random()
        return day, system

    def sample(mode: str, ask: Any, n: int) -> tuple[float | None, float | None]:
        found = percentiles(timed(lambda: ask(mode, *when()), n))
        return found if found else (None, None)

    recognitions = lambda mode, d, s: q.recognitions(largest, d, s, mode)  # noqa: E731
    view50, view99 = sample("view", recognitions, runs)
    replay50, _ = sample("replay", recognitions, 3)
    status = lambda mode, d, s: q.subject_status(largest, d, s, mode)  # noqa: E731
    s50, _ = sample("view", status, max(10, runs // 3))
    r50, _ = sample("replay", status, 2)

    def relation(mode: str, d: date, s: datetime | None) -> Any:
        actor, subject = pairs[rng.randrange(len(pairs))]
        return q.relation(actor, subject, d, s, mode)

    t50, _ = sample("view", relation, runs)
    tr50, _ = sample("replay", relation, 20)
    sizes: dict[tuple[str, str], int] = {}
    for f in facts:
        sizes[f["actor"], f["subject"]] = sizes.get((f["actor"], f["subject"]), 0) + 1
    biggest = max(sizes, key=lambda pair: sizes[pair])
    revisions = lambda mode, d, s: q.revisions(*biggest, None, mode, 0, 1000)  # noqa: E731  every revision, one page
    v50, _ = sample("view", revisions, runs)
    vr50, _ = sample("replay", revisions, 5)
    top = services.ledger.view.max_position()
    page = percentiles(timed(lambda: q.audit({}, rng.randrange(max(1, top - 100)), 100), runs))
    return [
        latency_row(f"recognitions of the largest subject ({len(counts[largest])} actors), p50", view50, 5, replay50),
        latency_row("recognitions of the largest subject, p99", view99, 20, replay50),
        latency_row("full status of the largest subject, p50", s50, 20, r50),
        latency_row("one relation's timeline, p50", t50, 3, tr50),
        latency_row(f"revisions of the largest relation ({sizes[biggest]} facts), p50", v50, 10, vr50),
        latency_row("audit-log page of 100, p50", page[0] if page else None, 10, None),
    ]


class NotServed(Exception):
    """The server did not come up; the HTTP figures say why instead of being measured."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served(settings: Settings, log: Path, attempts: int = 3, **extra: str) -> Iterator[tuple[str, int]]:
    """`ledger serve --workers 2` on a free loopback port, ready: yields its URL and pid, stops it after.

    A server that exits before it is ready is started again on another port (another process may
    have taken the first); NotServed, with why, if none is ready.
    """
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": settings.database_url,
        "LEDGER_ADMIN_TOKEN": ADMIN_TOKEN,
        "LEDGER_POOL_SIZE": "4",
        "LEDGER_POOL_MAX_OVERFLOW": "8",
        "LEDGER_POOL_TIMEOUT": "10",  # a busy machine can take more than the default second to connect
        **extra,
    }
    problem = "the server was not started"
    for _ in range(attempts):
        port = free_port()
        command = ["-c", "from api.cli import app; app()", "serve", "--workers", "2", "--port", str(port)]
        with log.open("a") as stderr:
            server = subprocess.Popen(
                [sys.executable, *command],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # a process group of its own: it and its workers are stopped together
            )
        exited = False
        try:
            base = f"http://127.0.0.1:{port}"
            not_ready = wait_until_ready(base, server)
            if not_ready is None:
                yield base, server.pid
                return
            problem, exited = not_ready, server.poll() is not None
        finally:
            stop(server)
        if not exited:
            break  # running but not ready in time: another port would not help
    raise NotServed(problem)


def stop(server: subprocess.Popen[bytes]) -> None:
    """Terminate the server; its process group is killed if it has not exited in 30 s."""
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@dataclass(frozen=True)
class HttpLoad:
    """What the HTTP rounds measured: the median round of each paired load, failures over every round."""

    trivial: float = 0.0
    reads: float = 0.0
    read_failures: int = 0
    saves: float = 0.0
    writes: float = 0.0
    write_failures: int = 0
    idle: float = 0.0
    peak: float = 0.0


def http_rows(settings: Settings, seconds: float) -> list[Row]:
    """Two server workers on loopback: a status read against a trivial endpoint, and one writing client."""
    fd, name = tempfile.mkstemp(prefix="ledger-bench-server-", suffix=".log")
    os.close(fd)
    log = Path(name)
    try:
        with served(settings, log) as (base, pid):
            measured = http_load(base, pid, settings, seconds)
    except NotServed as problem:
        console.print(f"{problem}; server log {log}:\n" + log.read_text()[-3000:])
        return http_figures(load_client(), HttpLoad(), str(problem))
    except Exception:
        console.print(f"server log {log}:\n" + log.read_text()[-3000:])
        raise
    log.unlink()  # kept only when the run failed
    return http_figures(load_client(), measured)


def http_load(base: str, pid: int, settings: Settings, seconds: float) -> HttpLoad:
    time.sleep(1)  # /readyz was answered by one worker; the other may still be starting
    idle = max(rss_mb(p) for p in [pid, *children(pid)])
    watch = RssWatch(pid)
    try:
        trivial, reads, read_failures = paired_load(
            f"{base}/healthz", f"{base}/v1/subjects/subject-0000/recognitions?at=2025-07-03", seconds
        )
        saves, writes, write_failures = paired_writes(base, settings, seconds)
    finally:
        peak = watch.stop()
    return HttpLoad(trivial, reads, read_failures, saves, writes, write_failures, idle, peak)


def http_figures(client: str, m: HttpLoad, problem: str = "") -> list[Row]:
    """The three HTTP rows; with a `problem` (the server did not come up) none is met, and each says why."""
    rows = [
        share_row(
            f"HTTP GET recognitions (2 workers, {client})",
            m.reads,
            "req/s",
            0.5,
            "trivial",
            m.trivial,
            "GET /healthz req/s",
            m.read_failures,
        ),
        share_row(
            f"HTTP POST /v1/facts, one client ({client})",
            m.writes,
            "facts/s",
            0.4,
            "save()",
            m.saves,
            "library save()/s",
            m.write_failures,
        ),
        ratio_row(
            "server RSS under load (largest worker)",
            m.peak,
            "MB",
            "< 300",
            m.idle,
            "idle worker MB",
            0 < m.peak < 300,
            note="" if m.peak > 0 else "not sampled",
        ),
    ]
    return [replace(row, met=False, note=problem) for row in rows] if problem else rows


def paired_load(trivial_url: str, url: str, seconds: float, rounds: int = 5) -> tuple[float, float, int]:
    """Requests/s of both URLs in alternating short rounds: the round with the median ratio (trivial's,
    then the URL's), and the requests that failed in all rounds.

    This machine's CPU share varies from second to second (a shared VM): a trivial and a real
    load measured back to back see the same conditions, one after the other do not.
    """
    pairs, failed = [], 0
    for _ in range(rounds):
        trivial, real = load(trivial_url, seconds / rounds), load(url, seconds / rounds)
        pairs.append((trivial.per_second, real.per_second))
        failed += trivial.failed + real.failed
    baseline, value = median_round(pairs)
    return baseline, value, failed


def median_round(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """Of (baseline, value) rounds, the one whose ratio is the median among those that have one; if none
    has (no baseline completed anything), the one with the median value; (0, 0) if there is no round."""
    measured = [p for p in pairs if p[0] > 0]
    if measured:
        return sorted(measured, key=lambda p: p[1] / p[0])[len(measured) // 2]
    return sorted(pairs, key=lambda p: p[1])[len(pairs) // 2] if pairs else (0.0, 0.0)


def paired_writes(base: str, settings: Settings, seconds: float, rounds: int = 5) -> tuple[float, float, int]:
    """The library's save()/s on the same database and the facts/s one client posts, in alternating
    short rounds (as paired_load, for the same reason): the median round, and the posts that failed."""
    pairs, posted, failed = [], 0, 0
    for _ in range(rounds):
        posts = post_load(base, seconds / rounds, ADMIN_TOKEN, first=posted)
        posted += round(posts.per_second * max(1, int(seconds / rounds)))  # one sequence over the 900 relations
        failed += posts.failed
        pairs.append((single_save_rate(settings, seconds / rounds), posts.per_second))
    baseline, value = median_round(pairs)
    return baseline, value, failed


MET = {True: "yes", False: "no", None: "—"}


def figure_cells(r: Row) -> list[str]:
    """A row of the table: figure, value, target, baseline, ratio, met (with the note, if any)."""
    return [
        r.figure,
        f"{r.value:,.1f} {r.unit}",
        r.target,
        f"{r.baseline:,.1f} ({r.baseline_name})" if r.baseline is not None else r.baseline_name,
        f"{r.ratio:.2f}" if r.ratio is not None else "—",
        MET[r.met] + (f" ({r.note})" if r.note else ""),
    ]


def show(rows: list[Row], spent: list[Spent], facts: int, markdown: Path | None) -> None:
    table = Table(title=f"Recognition Ledger benchmark, {facts} facts")
    for column in ("figure", "value", "target", "baseline", "ratio", "met"):
        table.add_column(column)
    lines = ["| figure | value | target | baseline | ratio | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = figure_cells(r)
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    Console(width=200).print(table)
    lines += ["", *cpu_lines(spent)]
    if markdown:
        markdown.write_text("\n".join(lines) + "\n")


CPU_COLUMNS = (
    "bulk work",
    "this process, µs/fact",
    "helper processes",
    "PostgreSQL",
    "total",
    "at most, every core busy",
    "target",
)


def cpu_lines(spent: list[Spent]) -> list[str]:
    """The CPU each bulk job took per fact, printed as a table; returned as Markdown lines."""
    cores = os.cpu_count() or 1
    table = Table(title=f"CPU per fact, all processes ({cores} cores)")
    for column in CPU_COLUMNS:
        table.add_column(column)
    lines = ["| " + " | ".join(CPU_COLUMNS) + " |", "|" + "---|" * len(CPU_COLUMNS)]
    for cost in spent:
        cells = cost.cells(cores)
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    Console(width=200).print(table)
    return lines


@app.command()
def main(
    facts: Annotated[int, typer.Option(min=500, help="How many synthetic facts")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the generator")] = 1,
    postgres: Annotated[str, typer.Option(help="A PostgreSQL URL that may create databases")] = os.environ.get(
        "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    http_seconds: Annotated[float, typer.Option(min=0.1, help="Seconds per HTTP figure, in 5 rounds")] = 10.0,
    query_runs: Annotated[int, typer.Option(min=1, help="Samples per query figure")] = 300,
    markdown: Annotated[Path | None, typer.Option(help="Also write the table as Markdown here")] = None,
) -> None:
    """Generate, import (PostgreSQL and SQLite), query, serve and rebuild; print one table."""
    path = dataset(facts, seed)
    rows: list[Row] = []
    spent: list[Spent] = []
    with postgres_database(postgres) as url:
        settings = Settings(database_url=url, pool_size=4, pool_timeout=30)  # connects on a busy machine too
        services, row, cost = imported(settings, path, "PostgreSQL", 10_000)
        rows.append(row)
        spent.append(cost)
        try:
            rows += query_rows(services, path, query_runs)
            cpu, started = CpuTimes.now(), time.perf_counter()
            Rebuild(services.ledger, workers=default_workers()).run()
            elapsed, cpu = time.perf_counter() - started, CpuTimes.now().since(cpu)
            rebuilt = per_second(cost.facts, elapsed)
            spent.append(Spent("rebuild", cost.facts, cpu, 20_000))
            raw = read_rate(settings, services.ledger)
            rows.append(
                ratio_row(
                    "rebuild of the status view",
                    rebuilt,
                    "facts/s",
                    ">= 20,000",
                    raw,
                    "library read+decode, events/s",
                    rebuilt >= 20_000,
                )
            )
        finally:
            services.close()
        rows += http_rows(settings, http_seconds)
    with tempfile.TemporaryDirectory() as tmp:
        services, row, cost = imported(Settings(database_url=f"sqlite:///{tmp}/bench.db"), path, "SQLite", 5_000)
        services.close()
        rows.append(row)
        spent.append(cost)
    show(rows, spent, facts, markdown)


if __name__ == "__main__":
    app()
