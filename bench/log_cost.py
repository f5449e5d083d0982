"""What the verifiable log costs, and how fast it checks and proves, on PostgreSQL (and SQLite's import).

python -m bench.log_cost                    # 100,000 facts, 3 rounds
python -m bench.log_cost --facts 1000000 --rounds 1
python -m bench.log_cost --store postgresql://…/big   # verify and proofs timed on an existing ledger, first

Each round imports the synthetic ledger (`ledger import`'s Importer) into two fresh databases, one
with the log and one with it switched off by the benchmark-only setting LEDGER_BENCH_WITHOUT_LOG,
in alternating order; then one thread records single facts through the service layer (the path of
POST /v1/facts, without HTTP's fixed cost) on each, in alternating short rounds. The figure is
the median round's ratio. On the ledger with the log (or on `--store`, before the imports) it times `ledger verify`
with the command's default workers, and GET /v1/log/proof/inclusion at random indexes (at the
latest checkpoint's size) from `ledger serve --workers 2`, one request at a time, beside GET /healthz.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from bench.measure import load_client, per_second, percentiles, timed, wrk_latency
from bench.run import dataset, postgres_database, served
from infrastructure.bootstrap import Services, build
from infrastructure.bulk.importer import Importer
from infrastructure.bulk.verify import verify_log
from infrastructure.bulk.workers import default_workers
from infrastructure.config.settings import Settings
from infrastructure.write_request import WriteRequest

app = typer.Typer(add_completion=False)
console = Console()
SRC = [{"url": "https://example.org/bench", "title": "bench"}]
# wrk's requests for proofs: a random leaf of the tree of SIZE leaves each time.
PROOF_SCRIPT = """
math.randomseed(SEED)
request = function()
  return wrk.format("GET", string.format("/v1/log/proof/inclusion?index=%d&size=%d", math.random(0, SIZE - 1), SIZE))
end
"""


def import_rate(settings: Settings, path: Path) -> tuple[Services, float]:
    services = build(settings)
    with path.open() as lines:
        started = time.perf_counter()
        Importer(services.ledger, batch_size=2000).run(lines)
        elapsed = time.perf_counter() - started
    return services, per_second(services.ledger.view.max_position(), elapsed)


def single_writes(services: Services, seconds: float, counter: list[int]) -> float:
    """Facts/s recorded one at a time, each a new sanctions regime of a relation in turn."""
    ledger, done, started = services.ledger, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        n = counter[0] = counter[0] + 1
        fact = {
            "type": "sanctions_imposed",
            "actor": "FRA",
            "subject": f"subject-{1000 + n % 900:04d}",
            "effective_on": "2020-01-01",
            "details": {"regime": f"bench regime {n}"},
            "sources": SRC,
        }
        ledger.record_fact(fact, WriteRequest("bench"))
        done += 1
    return per_second(done, time.perf_counter() - started)


def paired(with_log: Any, without: Any, rounds: int) -> tuple[float, float]:
    """Median-ratio round of two measures taken in alternating order."""
    pairs = []
    for i in range(rounds):
        if i % 2:
            b = without()
            a = with_log()
        else:
            a = with_log()
            b = without()
        pairs.append((a, b))
    a, b = sorted(pairs, key=lambda p: p[0] / p[1])[len(pairs) // 2]
    return a, b


def proof_rows(services: Services, proofs: int, seed: int) -> list[tuple[str, str, str, str, str, str]]:
    """`ledger verify` (as the command runs it) and inclusion proofs at random indexes."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    started = time.perf_counter()
    result = verify_log(services.ledger, services.log.checkpoints, default_workers())
    elapsed = time.perf_counter() - started
    assert result.problem is None, result.problem
    rate = per_second(result.records, elapsed)
    rows.append(
        (
            f"ledger verify ({result.records:,} records)",
            f"{rate:,.0f} records/s",
            "—",
            "—",
            ">= 50,000",
            "yes" if rate >= 50_000 else "no",
        )
    )
    size = services.log.checkpoint().checkpoint.size
    picks = random.Random(seed)
    with (
        tempfile.NamedTemporaryFile(suffix=".log") as log,
        served(services.settings, Path(log.name)) as (base, _),
        httpx.Client(base_url=base) as client,
    ):
        if shutil.which("wrk"):  # a client that costs the shared cores less than Python's
            script = PROOF_SCRIPT.replace("SEED", str(seed)).replace("SIZE", str(size))
            found = wrk_latency(base, max(5.0, proofs / 60), script)
            trivial = wrk_latency(f"{base}/healthz", max(5.0, proofs / 60))
            p50, p99 = found or (0.0, 0.0)
            base50 = trivial[0] if trivial else 0.0
        else:

            def get(path: str, params: dict[str, Any]) -> None:
                answer = client.get(path, params=params)
                assert answer.status_code == 200, answer.text

            proof = {"size": size}
            samples = timed(lambda: get("/v1/log/proof/inclusion", {**proof, "index": picks.randrange(size)}), proofs)
            p50, p99 = percentiles(samples) or (0.0, 0.0)
            base50 = (percentiles(timed(lambda: get("/healthz", {}), proofs)) or (0.0, 0.0))[0]
    rows.append(
        (
            f"GET /v1/log/proof/inclusion at size {size:,}, p50 (p99), one client ({load_client()}); "
            "beside it GET /healthz",
            f"{p50:.2f} ms ({p99:.2f})",
            f"{base50:.2f} ms",
            "—",
            "<= 5 ms",
            "yes" if 0 < p50 <= 5 else "no",
        )
    )
    return rows


@app.command()
def main(
    facts: Annotated[int, typer.Option(min=500)] = 100_000,
    seed: Annotated[int, typer.Option()] = 1,
    rounds: Annotated[int, typer.Option(min=1, help="Imports of each kind, alternating")] = 3,
    write_seconds: Annotated[float, typer.Option(min=0.5, help="Seconds per round of single writes")] = 3.0,
    proofs: Annotated[int, typer.Option(min=1, help="Inclusion proofs timed")] = 300,
    postgres: Annotated[str, typer.Option()] = os.environ.get(
        "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    store: Annotated[
        str | None,
        typer.Option(help="Time verify and proofs on this existing ledger (e.g. of 1,000,000 facts) instead"),
    ] = None,
    markdown: Annotated[Path | None, typer.Option(help="Also write the table as Markdown here")] = None,
) -> None:
    path = dataset(facts, seed)
    rows: list[tuple[str, str, str, str, str, str]] = []

    def ratio_row(figure: str, a: float, b: float, unit: str) -> None:
        r = a / b if b else 0.0
        rows.append(
            (figure, f"{a:,.0f} {unit}", f"{b:,.0f} {unit}", f"{r:.3f}", ">= 0.90", "yes" if r >= 0.9 else "no")
        )

    if store is not None:  # first, before the imports leave PostgreSQL busy with their upkeep
        other = build(Settings(database_url=store, pool_size=4))
        try:
            stored_rows = proof_rows(other, proofs, seed)
        finally:
            other.close()
    imports: dict[bool, list[float]] = {True: [], False: []}
    kept: dict[bool, tuple[Services, Any]] = {}
    with postgres_database(postgres) as url_a, postgres_database(postgres) as url_b:
        urls = {True: url_a, False: url_b}
        for i in range(rounds):
            for logged in (True, False) if i % 2 == 0 else (False, True):
                with postgres_database(postgres) as scratch:
                    last = i == rounds - 1
                    url = urls[logged] if last else scratch
                    settings = Settings(database_url=url, pool_size=4, pool_timeout=30, bench_without_log=not logged)
                    services, rate = import_rate(settings, path)
                    imports[logged].append(rate)
                    console.print(f"import {'with' if logged else 'without'} the log: {rate:,.0f} facts/s")
                    if last:
                        kept[logged] = (services, None)
                    else:
                        services.close()
        pairs = sorted(zip(imports[True], imports[False], strict=True), key=lambda p: p[0] / p[1])
        a, b = pairs[len(pairs) // 2]
        ratio_row(f"import, PostgreSQL ({facts:,} facts)", a, b, "facts/s")
        try:
            counter = [0]
            logged_s, plain_s = kept[True][0], kept[False][0]
            a, b = paired(
                lambda: single_writes(logged_s, write_seconds, counter),
                lambda: single_writes(plain_s, write_seconds, counter),
                5,
            )
            ratio_row("single writes (the POST /v1/facts path), PostgreSQL", a, b, "facts/s")
            rows += proof_rows(logged_s, proofs, seed) if store is None else stored_rows
        finally:
            for services, _ in kept.values():
                services.close()
    with tempfile.TemporaryDirectory() as tmp:
        rates: dict[bool, list[float]] = {True: [], False: []}
        for i in range(rounds):
            for logged in (True, False) if i % 2 == 0 else (False, True):
                settings = Settings(database_url=f"sqlite:///{tmp}/{i}-{logged}.db", bench_without_log=not logged)
                services, rate = import_rate(settings, path)
                services.close()
                rates[logged].append(rate)
        pairs = sorted(zip(rates[True], rates[False], strict=True), key=lambda p: p[0] / p[1])
        a, b = pairs[len(pairs) // 2]
        ratio_row(f"import, SQLite ({facts:,} facts)", a, b, "facts/s")
    table = Table(title=f"the log's cost and speed, {facts:,} facts (median of {rounds} import rounds)")
    for column in ("figure", "with the log", "without (same run)", "ratio", "target", "met"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if markdown:
        lines = ["| figure | with the log | without (same run) | ratio | target | met |", "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    app()
