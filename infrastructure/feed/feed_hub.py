"""The streams of one process and the records they are sent: one tail of the log feeds them all.

Records reach a stream's buffer only once it has caught up; each buffer is bounded, and a
stream whose buffer fills is marked, to be ended so its client resumes from its last id.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence

from infrastructure.errors import TooManyStreams
from infrastructure.feed.feed_event import FeedEvent


class Subscriber:
    """One stream's buffer, filled in the event loop by the hub, emptied by the stream."""

    def __init__(self, client: str, limit: int) -> None:
        self.client = client
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
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lock = threading.Lock()
        self.tail_started = False

    def subscribe(self, client: str) -> Subscriber:
        """A new stream's subscriber, in the event loop; TooManyStreams past a cap."""
        if len(self.subscribers) >= self.max_streams:
            raise TooManyStreams(f"this server has {len(self.subscribers)} feed streams open, its most")
        if self.per_client[client] >= self.max_per_client:
            raise TooManyStreams(f"{client} has {self.per_client[client]} feed streams open, the most one client may")
        self.loop = asyncio.get_running_loop()
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
        """From the tail's thread: hand the records to every live stream, in the event loop."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._deliver, events)

    def _deliver(self, events: Sequence[FeedEvent]) -> None:
        for s in self.subscribers:
            if not s.live or s.overflowed:
                continue
            room = s.limit - len(s.buffer)
            s.buffer.extend(events[:room])
            s.overflowed = len(events) > room
            s.wake.set()

    def close(self) -> None:
        """The server is stopping: every stream ends, now and from now on. Safe from a signal handler."""
        self.closing = True
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for s in self.subscribers:
            s.wake.set()
