"""Pooled connections checked before a process answers again after a pause, or after a failure.

A database that restarts, or ends the ledger's sessions, leaves dead connections in the pools;
lent out, each would fail one request. Checking every idle one (one round trip each) after a
pause finds them all at once; under steady load the pools go unchecked and cost nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from psycopg_pool import AsyncConnectionPool, ConnectionPool


class IdleCheck:
    """`due()` after `idle_seconds` without a request, or after `failed()`; `run()` checks the pools."""

    def __init__(
        self,
        pools: Sequence[ConnectionPool[Any]],
        async_pools: Sequence[AsyncConnectionPool[Any]],
        idle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pools = list(pools)
        self.async_pools = list(async_pools)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.last = clock()

    def due(self) -> bool:
        """Whether a check is due now; either way, now is the last request."""
        now, last = self.clock(), self.last
        self.last = now
        return now - last >= self.idle_seconds

    def failed(self) -> None:
        """The database failed a request: check before the next one."""
        self.last = -float("inf")

    async def run(self) -> None:
        """Discard the idle connections the database no longer answers on; the pools open new ones."""
        for pool in self.pools:
            await asyncio.to_thread(pool.check)
        for async_pool in self.async_pools:
            await async_pool.check()
