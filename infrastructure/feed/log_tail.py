"""The one reader of new records in a process: it follows the log's end and publishes what is added.

On PostgreSQL it listens on the channel every write notifies, on one connection of its own, and
reads at once; without a notification (or on SQLite) it looks every `poll` seconds. After a
hand-over it waits `gather` seconds, so that under a stream of writes each of its streams is sent
many records at a time, not each on its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import psycopg

from infrastructure.feed.feed_event import Cursor
from infrastructure.feed.feed_hub import FeedHub
from infrastructure.feed.feed_reader import PAGE, FeedReader

log = logging.getLogger("ledger.feed")


class LogTail:
    """A daemon thread publishing every record added to the log after it started."""

    def __init__(
        self, reader: FeedReader, hub: FeedHub, poll: float, gather: float, listen_url: str | None, channel: str
    ) -> None:
        self.reader = reader
        self.hub = hub
        self.poll = poll
        self.gather = gather  # after a hand-over, records written within this go out together
        self.listen_url = listen_url
        self.channel = channel
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.cursor: Cursor | None = None
        self.failing = False  # an outage is logged once, and its end

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="ledger-feed-tail", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(5)

    def _run(self) -> None:
        for _ in self._wakes():
            try:
                if self.cursor is None:
                    self.cursor = self.reader.after(self.reader.size() - 1)
                    self.hub.tail_ready.set()
                if self._read() and self.gather:
                    self.stopped.wait(self.gather)
                if self.failing:
                    self.failing = False
                    log.info("the feed reads new records again")
            except Exception:  # the database away: streams keep their heartbeat, and this tries again
                if not self.failing:
                    self.failing = True
                    log.warning("the feed cannot read new records; trying again", exc_info=True)

    def _read(self) -> bool:
        """Hand over every record added since the last read; whether there was one."""
        assert self.cursor is not None
        found = False
        while True:
            events, self.cursor = self.reader.read(self.cursor, PAGE)
            if events:
                self.hub.publish(events)
                found = True
            if len(events) < PAGE:
                return found

    def _wakes(self) -> Iterator[None]:
        """Each time there may be new records, until stopped."""
        while not self.stopped.is_set():
            if self.listen_url is None:
                yield
                self.stopped.wait(self.poll)
                continue
            try:
                with psycopg.connect(self.listen_url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'LISTEN "{self.channel}"'.encode())
                    while not self.stopped.is_set():
                        yield  # also right after LISTEN: what was written before it is read now
                        for _ in conn.notifies(timeout=self.poll, stop_after=1):
                            pass
            except psycopg.Error:
                if not self.failing:
                    self.failing = True
                    log.warning("the feed lost its listening connection; polling until it is back", exc_info=True)
                yield
                self.stopped.wait(self.poll)
