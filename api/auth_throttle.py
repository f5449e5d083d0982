"""A per-client limit on failed authentications, so tokens cannot be guessed at network speed.

Kept in each server process's memory: with N workers a client gets N times the budget, which still
makes guessing a 46-character token hopeless. Behind a proxy every client has the proxy's address,
so they share one budget (see docs/operations.md).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class TooManyFailures(Exception):
    """Raised when a client has failed to authenticate too often in the last window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed authentications from this address; retry in {retry_after} s")
        self.retry_after = retry_after


class FailedAuthentications:
    """Each client's failures in the last `window` seconds; `limit` of them, and it must wait."""

    def __init__(
        self, limit: int, window: float = 60, clients: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clients = clients  # the most remembered at once: the oldest are forgotten first
        self.clock = clock
        self.failures: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, client: str) -> None:
        """Raise TooManyFailures if the client has used up its failures."""
        times = self._recent(client)
        if times is not None and len(times) >= self.limit:
            raise TooManyFailures(max(1, math.ceil(times[0] + self.window - self.clock())))

    def failed(self, client: str) -> None:
        times = self._recent(client)
        if times is None:
            times = self.failures[client] = deque()
            if len(self.failures) > self.clients:
                self.failures.popitem(last=False)
        self.failures.move_to_end(client)
        times.append(self.clock())

    def _recent(self, client: str) -> deque[float] | None:
        times = self.failures.get(client)
        if times is None:
            return None
        while times and times[0] <= self.clock() - self.window:
            times.popleft()
        return times
