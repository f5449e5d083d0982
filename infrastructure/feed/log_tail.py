"""The one reader of new records in a process: it follows the log's end and publishes what is added.

On PostgreSQL it listens on the channel every write notifies, on one connection of its own, and
reads at once; without a notification (or on SQLite) it looks every `poll` seconds.
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

    def __init__(self, reader: FeedReader, hub: FeedHub, poll: float, listen_url: str | None, channel: str) -> None:
        self.reader = reader
        self.hub = hub
        self.poll = poll
        self.listen_url = listen_url
        self.channel = channel
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.cursor: Cursor | None = None

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
                self._read()
            except Exception:  # the database away: streams keep their heartbeat, and this tries again
                log.warning("the feed could not read new records; trying again", exc_info=True)

    def _read(self) -> None:
        assert self.cursor is not None
        while True:
            events, self.cursor = self.reader.read(self.cursor, PAGE)
            if events:
                self.hub.publish(events)
            if len(events) < PAGE:
                return

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
                log.warning("the feed lost its listening connection; polling until it is back", exc_info=True)
                yield
                self.stopped.wait(self.poll)
