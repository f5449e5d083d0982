"""The hottest read, awaited on the server's event loop (PostgreSQL only).

Every other read runs in a worker thread, as blocking database calls must. For the recognitions
of a subject the hand-over to the thread and back costs more than the query itself (measured:
api/routes/recognitions.py), so this one waits on the loop, through psycopg's asynchronous
connections: the same statement, the same rows, the same answer.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import OperationalError
from psycopg_pool import AsyncConnectionPool

from infrastructure.config.settings import Settings
from infrastructure.encoding.answers import fact_answer
from infrastructure.encoding.canonical import parsed
from infrastructure.read.queries import Queries, on, recognitions_answer
from infrastructure.sql.postgres import PostgresDialect
from infrastructure.view.reader import ViewReader, recognised
from infrastructure.view.tables import LIVE


class AwaitedReads:
    """Recognitions answered without a worker thread; `open()` gives None on SQLite."""

    def __init__(self, queries: Queries, view: ViewReader, pool: AsyncConnectionPool) -> None:
        self.queries = queries
        self.view = view
        self.pool = pool

    @classmethod
    async def open(cls, queries: Queries, settings: Settings) -> AwaitedReads | None:
        """A pool of asynchronous connections to the view's database, in the running loop.

        Connections are made in the background: a database that is away does not stop the
        server from starting; its reads wait `pool_timeout` seconds and answer 503.
        """
        view = queries.view
        if not isinstance(view.dialect, PostgresDialect):
            return None
        given = view.dialect.datastore.pool.kwargs  # the event store's connection settings
        kwargs = {k: v for k, v in (given() if callable(given) else given or {}).items() if k != "row_factory"}
        pool: AsyncConnectionPool = AsyncConnectionPool(
            kwargs={**kwargs, "autocommit": True},
            min_size=1,
            max_size=settings.pool_size,
            timeout=settings.pool_timeout,
            open=False,
        )
        await pool.open(wait=False)
        return cls(queries, view, pool)

    async def close(self) -> None:
        await self.pool.close()

    async def recognitions(self, subject: str, at: date | None, recorded_at: datetime | None) -> dict[str, Any]:
        """As `Queries.recognitions` in view mode."""
        d, s, shown = self.queries.when(at, recorded_at)
        cached = self.queries.known_subjects.names.get(subject)  # read once: subjects are never renamed
        name = cached if cached is not None else await asyncio.to_thread(self.queries.subject_name, subject)
        sql, params = self.view.recognitions_query(subject, on(d), s)
        try:
            async with self.pool.connection() as conn:
                rows = await (await conn.execute(sql.encode(), params, prepare=True)).fetchall()
                entries, disputed = recognised(rows)
                ids = [e["fact_id"] for e in entries]
                found, missing = self.view.bodies.take(ids)
                if missing:
                    statement, values = self.view.bodies_query(missing)
                    self.view.bodies.put(await (await conn.execute(statement.encode(), values)).fetchall(), found)
                disputes = []
                if disputed:  # rare: a dispute of a recognition that stands
                    statement, values = self.view.disputes_query(disputed, s)
                    cursor = await conn.execute(self.view.dialect.sql(statement, LIVE).encode(), values)
                    disputes = [fact_answer(parsed(body), int(position)) for position, body in await cursor.fetchall()]
        except psycopg.OperationalError as e:  # the database away, or no connection in time
            raise OperationalError(str(e)) from e
        actors = self.queries.catalogue.iso_names(e["actor"] for e in entries)
        if actors is not None:
            rows_named = self.queries.named(entries, "actor", actors)
        else:  # a registered actor's name is read from the database
            rows_named = await asyncio.to_thread(self.queries.named, entries, "actor")
        return recognitions_answer(subject, name, d, shown, rows_named, sent_evidence(ids, found, disputes))


def sent_evidence(ids: list[str], found: dict[str, tuple[int, str]], disputes: list[dict[str, Any]]) -> dict[str, Any]:
    """`evidence` of these facts as the route sends it: an undisputed fact's stored text with its position
    and no disputes spliced in, the JSON orjson would write for `evidence`'s entry (a test holds the
    bytes equal); a disputed one, rare, as `evidence` makes it."""
    by_target: dict[str, list[str]] = {}
    for d in disputes:
        by_target.setdefault(d["details"]["disputes"], []).append(d["fact_id"])
    out: dict[str, Any] = {}
    # A stored body is the canonical JSON text of an object without `position`: `}` ends it.
    for i in ids:
        if i not in found:
            continue
        position, body = found[i]
        if i in by_target:
            out[i] = fact_answer(parsed(body), position) | {"disputed_by": by_target[i]}
        else:
            out[i] = orjson.Fragment(f'{body[:-1]},"position":{position},"disputed_by":[]}}')
    for d in disputes:
        out[d["fact_id"]] = d | {"disputed_by": []}
    return out
