"""The streams of one process and the records they are sent: one tail of the log feeds them all.

Records reach a stream's buffer only once it has caught up; each buffer is bounded, and a
stream whose buffer fills is marked, to be ended so its client resumes from its last id.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from infrastructure.errors import TooManyStreams
from infrastructure.feed.feed_event import FeedEvent


class Subscriber:
    """One stream's buffer, filled in the event loop by the hub, emptied by the stream."""

    def __init__(self, client: str, limit: int) -> None:
        self.client = client
        self.loop = asyncio.get_running_loop()  # one per server process; tests may run several
        self.limit = limit
        self.buffer: deque[FeedEvent] = deque()
        self.live = False  # caught up: the hub hands it what the tail reads
        self.overflowed = False
        self.wake = asyncio.Event()


class FeedHub:
    """Streams' subscriptions, capped per process and per client, fed by a tail started with the first."""

    def __init__(self, buffer: int, max_streams: int, max_per_client: int, start_tail: Callable[[], None]) -> None:
        self.buffer = buffer
        self.max_streams = max_streams
        self.max_per_client = max_per_client
        self.start_tail = start_tail
        self.subscribers: set[Subscriber] = set()
        self.per_client: Counter[str] = Counter()
        self.closing = False
        self.lock = threading.Lock()
        self.tail_started = False
        self.tail_ready = threading.Event()  # the tail knows where the log ends: what follows, it hands over

    def subscribe(self, client: str) -> Subscriber:
        """A new stream's subscriber, in the event loop; TooManyStreams past a cap."""
        if len(self.subscribers) >= self.max_streams:
            raise TooManyStreams(f"this server has {len(self.subscribers)} feed streams open, its most")
        if self.per_client[client] >= self.max_per_client:
            raise TooManyStreams(f"{client} has {self.per_client[client]} feed streams open, the most one client may")
        subscriber = Subscriber(client, self.buffer)
        self.subscribers.add(subscriber)
        self.per_client[client] += 1
        with self.lock:
            if not self.tail_started:
                self.tail_started = True
                self.start_tail()
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self.subscribers:
            self.subscribers.discard(subscriber)
            self.per_client[subscriber.client] -= 1
            if not self.per_client[subscriber.client]:
                del self.per_client[subscriber.client]

    def publish(self, events: Sequence[FeedEvent]) -> None:
        """From the tail's thread: hand the records to every live stream, in its event loop."""
        self._in_loops(self._deliver, events)

    def _deliver(self, loop: asyncio.AbstractEventLoop, events: Sequence[FeedEvent]) -> None:
        for s in self.subscribers:
            if s.loop is not loop or not s.live or s.overflowed:
                continue
            room = s.limit - len(s.buffer)
            s.buffer.extend(events[:room])
            s.overflowed = len(events) > room
            s.wake.set()

    def close(self) -> None:
        """The server is stopping: every stream ends, now and from now on. Safe from a signal handler."""
        self.closing = True
        self._in_loops(self._wake)

    def _wake(self, loop: asyncio.AbstractEventLoop) -> None:
        for s in self.subscribers:
            if s.loop is loop:
                s.wake.set()

    def _in_loops(self, call: Callable[..., None], *args: Any) -> None:
        """Run `call(loop, *args)` in each loop that has subscribers."""
        for loop in {s.loop for s in list(self.subscribers)}:
            if not loop.is_closed():
                loop.call_soon_threadsafe(call, loop, *args)
