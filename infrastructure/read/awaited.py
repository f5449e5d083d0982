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

import psycopg
from eventsourcing.persistence import OperationalError
from psycopg_pool import AsyncConnectionPool

from infrastructure.config.settings import Settings
from infrastructure.read.queries import Queries, on, recognitions_answer
from infrastructure.sql.postgres import PostgresDialect
from infrastructure.view.reader import ViewReader


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
        sql, params = self.view.recognitions_query(subject, on(d), s)
        try:
            async with self.pool.connection() as conn:
                cursor = await conn.execute(sql.encode(), params, prepare=True)
                rows = await cursor.fetchall()
        except psycopg.OperationalError as e:  # the database away, or no connection in time
            raise OperationalError(str(e)) from e
        if not rows:  # rows exist only for registered subjects; none: is it registered at all?
            await asyncio.to_thread(self.queries.subject, subject)
        return recognitions_answer(subject, d, shown, recognised_dates(rows))


def recognised_dates(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """As `recognised`, with each `since` left a date: the route sends the answer through orjson,
    which writes a date as `date.isoformat()` does, so the bytes are the same, in less time."""
    return [{"actor": actor, "form": form, "since": since} for actor, form, since in rows]
