"""The change feed under load, on PostgreSQL: subscribers on `ledger serve --workers 2`, one writer.

python -m bench.feed_cost                      # 200 subscribers, 3 rounds of 10 s
python -m bench.feed_cost --subscribers 50 --rounds 1

One writer posts statements one at a time, as fast as they are answered (bench.measure.post_load:
wrk -c1, else httpx), for `seconds`; rounds alternate between a server no stream ever reached
and one with `subscribers` streams of GET /v1/feed (each round a new server, warmed by 4 s of
writes first), opened by two client processes (asyncio, one
socket each) and reading every record. A record's latency, at ten streams of each client (parsing
every record at all 200 would load the cores the server runs on), is its arrival minus
its `recorded_at`, the time the server took just before committing it (so a little more than
commit to arrival), on this machine's clock. Worker RSS is sampled during the subscribed rounds.
The figures are the median round's.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.measure import RssWatch, load_client, percentiles, post_load
from bench.run import ADMIN_TOKEN, dataset, postgres_database, served
from infrastructure.bootstrap import build
from infrastructure.bulk.importer import Importer
from infrastructure.config.settings import Settings
from infrastructure.encoding.rfc3339 import rfc3339

app = typer.Typer(add_completion=False)
console = Console()
RECORDED = re.compile(rb'"recorded_at":"([^"]+)"')
CLIENTS = 2  # processes opening the subscribers' streams
WARM_UP = 4.0  # seconds of writes a new server is given before it is measured
MEASURED = 10  # streams of each client whose records' latencies are taken (all read every record)


async def _subscribe(host: str, port: int, since: str, latencies: list[float] | None, stop: asyncio.Event) -> None:
    """One stream, read as raw chunked HTTP until `stop`: each record's latency, if `latencies` is given."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /v1/feed?since={since} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    try:
        while not stop.is_set():
            size_line = await asyncio.wait_for(reader.readline(), 30)
            size = int(size_line.strip() or b"0", 16)
            if size == 0:
                return
            chunk = await reader.readexactly(size + 2)
            if latencies is None:
                continue
            arrived = time.time()
            for found in RECORDED.finditer(chunk):
                latencies.append(arrived - datetime.fromisoformat(found.group(1).decode()).timestamp())
    finally:
        writer.close()


def _client(host: str, port: int, since: str, streams: int, ready: Any, stop: Any, out: str) -> None:
    """A client process: `streams` subscribers until `stop` is set; their latencies to `out`."""

    async def run() -> list[float]:
        latencies: list[float] = []
        stopping = asyncio.Event()
        tasks = [
            asyncio.create_task(_subscribe(host, port, since, latencies if i < MEASURED else None, stopping))
            for i in range(streams)
        ]
        await asyncio.sleep(1.0)  # every stream caught up (nothing was recorded since `since`)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        stopping.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return latencies

    Path(out).write_text(json.dumps(asyncio.run(run())))


def subscribed_round(base: str, token: str, seconds: float, subscribers: int, first: int) -> tuple[float, list[float]]:
    """The writer's rate with `subscribers` streams open, and every record's latency at each."""
    host, port = base.removeprefix("http://").split(":")
    since = rfc3339(datetime.now(UTC))  # only the records of this round: their latencies
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    with tempfile.TemporaryDirectory() as tmp:
        outs = [f"{tmp}/client-{i}.json" for i in range(CLIENTS)]
        readies = [context.Event() for _ in range(CLIENTS)]
        share = [subscribers // CLIENTS + (i < subscribers % CLIENTS) for i in range(CLIENTS)]
        clients = [
            context.Process(target=_client, args=(host, int(port), since, n, ready, stop, out))
            for n, ready, out in zip(share, readies, outs, strict=True)
        ]
        for c in clients:
            c.start()
        for r in readies:
            r.wait(60)
        rate = post_load(base, seconds, token, first).per_second
        time.sleep(1.0)  # the last records reach every subscriber
        stop.set()
        for c in clients:
            c.join(60)
        latencies = [x for out in outs for x in json.loads(Path(out).read_text())]
    return rate, latencies


@app.command()
def main(
    subscribers: Annotated[int, typer.Option(min=1, max=2000)] = 200,
    seconds: Annotated[float, typer.Option(min=1, help="Seconds of writing per round")] = 10.0,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds of each kind, alternating")] = 3,
    postgres: Annotated[str, typer.Option()] = os.environ.get(
        "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    markdown: Annotated[Path | None, typer.Option(help="Also write the table as Markdown here")] = None,
) -> None:
    path = dataset(2000, 1)  # the synthetic subjects the writer's statements name
    with postgres_database(postgres) as url:
        services = build(Settings(database_url=url, pool_size=4, pool_timeout=30))
        try:
            with path.open() as lines:
                Importer(services.ledger, batch_size=2000).run(lines)
        finally:
            services.close()
        os.environ["LEDGER_FEED_MAX_STREAMS_PER_CLIENT"] = str(subscribers)  # all come from one address
        os.environ["LEDGER_FEED_MAX_STREAMS"] = str(subscribers)
        settings = Settings(database_url=url)
        alone: list[float] = []
        loaded: list[tuple[float, list[float]]] = []
        peaks: list[float] = []
        written = 0
        # Each round has a server of its own, warmed by a pass of writes before it is measured (its
        # relations cached); the baseline's never has a stream, nor the reader of new records the
        # first one starts.
        with tempfile.NamedTemporaryFile(suffix=".log") as log:
            for i in range(rounds):
                for with_subscribers in (False, True) if i % 2 == 0 else (True, False):
                    with served(settings, Path(log.name)) as (base, pid):
                        written += int(post_load(base, WARM_UP, ADMIN_TOKEN, written).per_second * WARM_UP) + 1
                        if with_subscribers:
                            watch = RssWatch(pid)
                            rate, latencies = subscribed_round(base, ADMIN_TOKEN, seconds, subscribers, written)
                            peaks.append(watch.stop())
                            loaded.append((rate, latencies))
                            p = percentiles(latencies) or (0.0, 0.0)
                            console.print(
                                f"{subscribers} subscribers: writer {rate:,.0f} facts/s, "
                                f"{len(latencies):,} arrivals, p50 {p[0]:.1f} ms, p99 {p[1]:.1f} ms, "
                                f"largest worker {peaks[-1]:,.0f} MB"
                            )
                        else:
                            rate = post_load(base, seconds, ADMIN_TOKEN, written).per_second
                            alone.append(rate)
                            console.print(f"no subscriber: writer {rate:,.0f} facts/s")
                    written += int(rate * seconds) + 1
        peak = max(peaks)
        pairs = sorted(zip(loaded, alone, strict=True), key=lambda p: p[0][0] / p[1])
        (rate, latencies), bare = pairs[len(pairs) // 2]
    p50, p99 = percentiles(latencies) or (0.0, 0.0)
    ratio = rate / bare if bare else 0.0
    rows = [
        (f"commit to arrival, p50 ({subscribers} subscribers)", f"{p50:.1f} ms", "—", "—", "—", "—"),
        (
            f"commit to arrival, p99 ({subscribers} subscribers)",
            f"{p99:.1f} ms",
            "—",
            "—",
            "<= 500 ms",
            "yes" if p99 <= 500 else "no",
        ),
        (
            f"writer's POST rate with {subscribers} subscribers",
            f"{rate:,.0f} facts/s",
            f"{bare:,.0f} facts/s",
            f"{ratio:.3f}",
            ">= 0.90",
            "yes" if ratio >= 0.9 else "no",
        ),
        ("server RSS, largest worker", f"{peak:,.0f} MB", "—", "—", "<= 300 MB", "yes" if peak <= 300 else "no"),
    ]
    header = ("figure", "measured", "baseline", "ratio", "target", "met")
    table = Table(*header, title=f"The change feed (PostgreSQL, ledger serve --workers 2, writer: {load_client()})")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if markdown is not None:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    app()
