"""One client's stream: the backlog from where it resumes, `caught-up`, then live records, with
heartbeats, until its lifetime, a shutdown, a full buffer or a revoked token ends it.

Whatever the path a record takes (read from the store, or handed over by the hub), the stream
sends records in log order, each once: it keeps the cursor of the last one it passed, and
reads from the store whatever the hub's hand-over skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.persistence import PersistenceError

from infrastructure.feed.feed_event import Cursor, FeedEvent
from infrastructure.feed.feed_filters import FeedFilters
from infrastructure.feed.feed_hub import FeedHub, Subscriber
from infrastructure.feed.feed_reader import PAGE, FeedReader


@dataclass(frozen=True)
class CaughtUp:
    """The backlog is sent: the stream is at `index` (None: the log is empty)."""

    index: int | None


@dataclass(frozen=True)
class Heartbeat:
    pass


@dataclass(frozen=True)
class Ended:
    """The stream ends; the client resumes after `index`."""

    reason: str
    index: int | None


Item = FeedEvent | CaughtUp | Heartbeat | Ended
SHUTDOWN, LIFETIME, SLOW, REVOKED, UNAVAILABLE = "shutdown", "lifetime", "slow-client", "token-revoked", "unavailable"


@dataclass(frozen=True)
class StreamLimits:
    heartbeat: float
    lifetime: float


class FeedStream:
    """The items of one stream, for a subscriber the hub has admitted."""

    def __init__(
        self,
        hub: FeedHub,
        reader: FeedReader,
        subscriber: Subscriber,
        filters: FeedFilters,
        after: int,
        limits: StreamLimits,
        since: datetime | None = None,
        allowed: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.hub, self.reader, self.subscriber = hub, reader, subscriber
        self.filters, self.after, self.limits = filters, after, limits
        self.since = since  # until a record recorded since then, records before it are passed over
        self.allowed = allowed
        self.cursor = Cursor()

    async def batches(self) -> AsyncGenerator[list[Item], None]:
        """The stream's items, as many together as are ready: a page of the backlog, or every
        record handed over since the last batch (one send to the client each)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline, beat = start + self.limits.lifetime, start + self.limits.heartbeat
        wake = self.subscriber.wake
        try:
            self.cursor = await asyncio.to_thread(self.reader.after, self.after)
            while True:  # the backlog; once it reads short, the hub's hand-over starts, and one more read follows
                events, self.cursor = await asyncio.to_thread(self.reader.read, self.cursor, PAGE)
                if wanted := [e for e in events if self._wanted(e)]:
                    yield list[Item](wanted)
                if (ended := self._ended(deadline, loop.time())) is not None:
                    yield [ended]
                    return
                if len(events) < PAGE:
                    if self.subscriber.live:
                        break
                    self.subscriber.live = True
                    # The read after going live must follow the tail's start: a record written
                    # between this stream's last read and the tail's start would reach neither.
                    while not self.hub.tail_ready.is_set() and loop.time() < deadline and not self.hub.closing:
                        await asyncio.sleep(0.01)
            yield [CaughtUp(self._index())]
            while True:
                now = loop.time()
                if (ended := self._ended(deadline, now)) is not None:
                    yield [ended]
                    return
                if now >= beat:
                    if self.allowed is not None and not await self.allowed():
                        yield [Ended(REVOKED, self._index())]
                        return
                    yield [Heartbeat()]
                    beat = now + self.limits.heartbeat
                buffer = self.subscriber.buffer
                if buffer:
                    batch: list[Item] = []
                    sent = self.cursor
                    try:
                        while buffer:
                            batch += await self._passed(buffer.popleft())
                    except PersistenceError:
                        self.cursor = sent  # the client resumes after what it was sent, not after what was read
                        raise
                    if batch:
                        yield batch
                    continue
                wake.clear()
                timer = loop.call_at(min(deadline, beat), wake.set)  # a heartbeat's, or the lifetime's, time
                await wake.wait()
                timer.cancel()
        except PersistenceError:  # the database went away: the client resumes, here or elsewhere
            yield [Ended(UNAVAILABLE, self._index())]
        finally:
            self.hub.unsubscribe(self.subscriber)

    async def _passed(self, event: FeedEvent) -> list[FeedEvent]:
        """The records up to `event` this stream has not passed yet and wants, in order."""
        out: list[FeedEvent] = []
        if event.index <= self.cursor.index:
            return out
        while self.cursor.index < event.index - 1:  # handed over after a record this stream missed
            events, self.cursor = await asyncio.to_thread(
                self.reader.read, self.cursor, min(PAGE, event.index - 1 - self.cursor.index), event.index - 1
            )
            out += [e for e in events if self._wanted(e)]
            if not events:  # pragma: no cover - the store holds every record the hub hands over
                break
        self.cursor = event.after
        if self._wanted(event):
            out.append(event)
        return out

    def _wanted(self, event: FeedEvent) -> bool:
        if self.since is not None:
            if datetime.fromisoformat(event.recorded_at) < self.since:
                return False
            self.since = None
        return self.filters.matches(event)

    def _ended(self, deadline: float, now: float) -> Ended | None:
        if self.hub.closing:
            return Ended(SHUTDOWN, self._index())
        if self.subscriber.overflowed:
            return Ended(SLOW, self._index())
        if now >= deadline:
            return Ended(LIFETIME, self._index())
        return None

    def _index(self) -> int | None:
        """The last log index passed; before the first read, where the client said it was."""
        index = max(self.cursor.index, self.after)
        return index if index >= 0 else None
