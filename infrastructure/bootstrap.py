"""The composition root: builds the ledger and its readers from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from eventsourcing.utils import get_topic

from infrastructure.auth.tokens import TokenStore
from infrastructure.bulk.log_backfill import build_log, log_missing
from infrastructure.bulk.rebuild import Rebuild
from infrastructure.bulk.workers import default_workers
from infrastructure.config.settings import Settings
from infrastructure.feed.feed_hub import FeedHub
from infrastructure.feed.feed_reader import FeedReader
from infrastructure.feed.log_tail import LogTail
from infrastructure.log.checkpoints import Checkpoints
from infrastructure.log.note import Signer
from infrastructure.read.log_proofs import LogProofs
from infrastructure.read.queries import Queries
from infrastructure.read.replay import Replay
from infrastructure.store.postgres_recorder import LedgerPostgresRecorder
from infrastructure.store.sqlite_recorder import LedgerSQLiteRecorder
from infrastructure.write.ledger import Clock, Ledger, utc_now


@dataclass
class Services:
    """Everything a process needs, built once and closed once."""

    ledger: Ledger
    queries: Queries
    log: LogProofs
    tokens: TokenStore
    settings: Settings
    feed: FeedHub = field(init=False)
    feed_reader: FeedReader = field(init=False)
    tail: LogTail = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.feed_reader = FeedReader(self.ledger)
        self.feed = FeedHub(s.feed_buffer_events, s.feed_max_streams, s.feed_max_streams_per_client, self._start_tail)
        listen = s.database_url if s.backend == "postgres" else None
        channel = getattr(self.ledger.recorder, "channel_name", "")
        self.tail = LogTail(
            FeedReader(self.ledger), self.feed, s.feed_poll_seconds, s.feed_gather_seconds, listen, channel
        )

    def _start_tail(self) -> None:
        self.tail.start()

    def close(self) -> None:
        self.feed.close()
        self.tail.stop()
        self.ledger.factory.close()


def build(settings: Settings, clock: Clock = utc_now) -> Services:
    """Wire the application, its views and the token store for these settings."""
    env = settings.eventsourcing_env()
    recorder = LedgerSQLiteRecorder if settings.backend == "sqlite" else LedgerPostgresRecorder
    env["APPLICATION_RECORDER_TOPIC"] = get_topic(recorder)
    ledger = Ledger(env=env, clock=clock)
    if ledger.schema.outdated():
        with ledger.dialect.schema_lock():  # processes starting together: one rebuilds
            if ledger.schema.outdated():
                Rebuild(ledger, workers=default_workers()).run()
    if log_missing(ledger):  # made before the log: its log is built from its events, once
        with ledger.dialect.schema_lock():
            build_log(ledger)
    # Kept subtree hashes caught up, so no read waits for them; a ledger that kept them only from a
    # larger subtree up gets the smaller ones here, once.
    ledger.tree.fill(ledger.tree.size())
    signer = Signer.from_file(settings.log_origin, settings.signing_key_file) if settings.signing_key_file else None
    checkpoints = Checkpoints(ledger.dialect, ledger.tree, settings.log_origin, signer, clock)
    tokens = TokenStore(ledger.dialect, ledger.answers, clock)
    tokens.create_table()
    queries = Queries(
        ledger.view, Replay(ledger), ledger.actors, ledger.subjects, clock, replay_slots=settings.replay_concurrency
    )
    return Services(ledger, queries, LogProofs(checkpoints, ledger.view), tokens, settings)
