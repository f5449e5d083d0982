"""Checkpoints as the ledger makes, signs and keeps them: every one it ever served is stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from infrastructure.errors import LogMismatch
from infrastructure.log.note import Checkpoint, Signer
from infrastructure.log.tables import CHECKPOINTS
from infrastructure.log.tree import LogTree
from infrastructure.sql.dialect import Dialect

FRESH = timedelta(seconds=1)  # the latest checkpoint is served while at most this old


@dataclass(frozen=True)
class Stored:
    checkpoint: Checkpoint
    note: str  # signed, or the checkpoint's body alone
    made_at: datetime
    signed: bool


class Checkpoints:
    def __init__(
        self, dialect: Dialect, tree: LogTree, origin: str, signer: Signer | None, clock: Callable[[], datetime]
    ) -> None:
        self.dialect = dialect
        self.tree = tree
        self.origin = origin
        self.signer = signer
        self.clock = clock
        # Served checkpoints by size: a stored one changes only when a key signs it in place, so
        # one signed, or one served by a process with no key to sign it, is read once.
        self.served_by_size: dict[int, Stored] = {}
        columns = "size, root, note, made_at"
        self.select_latest = dialect.sql(f"SELECT {columns} FROM {CHECKPOINTS.name} ORDER BY size DESC LIMIT 1")
        self.select_size = dialect.sql(f"SELECT {columns} FROM {CHECKPOINTS.name} WHERE size = ?")
        self.select_all = dialect.sql(f"SELECT {columns} FROM {CHECKPOINTS.name} ORDER BY size")
        self.sign_stored = dialect.sql(f"UPDATE {CHECKPOINTS.name} SET note = ? WHERE size = ? AND note = ?")
        self.insert = dialect.sql(
            f"INSERT INTO {CHECKPOINTS.name} ({columns}) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING"
        )

    def latest(self, *, fresh: bool = False) -> Stored:
        """The latest checkpoint: the one stored if it covers the tree, or was made at most a
        second ago (unless `fresh`), else one made now for the whole tree."""
        size = self.tree.size()
        rows = self.dialect.tuples(self.select_latest, [])
        if rows:
            stored = self._stored(rows[0])
            if stored.checkpoint.size == size or (not fresh and self.clock() - stored.made_at < FRESH):
                return self._signed(stored)
        return self.make(size)

    def at(self, size: int) -> Stored | None:
        rows = self.dialect.tuples(self.select_size, [size])
        return self._stored(rows[0]) if rows else None

    def served(self, size: int) -> Stored | None:
        """The stored checkpoint of `size` leaves, as served: signed, if the ledger has a key."""
        if size in self.served_by_size:
            return self.served_by_size[size]
        stored = self.at(size)
        if stored is None:
            return None
        served = self._signed(stored)
        if (served.signed or self.signer is None) and len(self.served_by_size) < 10_000:
            self.served_by_size[size] = served
        return served

    def all(self) -> list[Stored]:
        return [self._stored(r) for r in self.dialect.tuples(self.select_all, [])]

    def make(self, size: int) -> Stored:
        """The checkpoint of the first `size` leaves, signed if there is a key, and stored; if one
        of that size is stored already, that one."""
        kept = self.at(size)
        if kept is not None:
            return self._signed(kept)
        checkpoint = Checkpoint(self.origin, size, self.tree.root(size))
        note = self.signer.sign(checkpoint) if self.signer else checkpoint.body
        with self.dialect.writing() as cursor:
            self.dialect.execute(cursor, self.insert, [size, checkpoint.root, note, self.dialect.time(self.clock())])
        made = self.at(size)
        assert made is not None
        return made

    def _signed(self, stored: Stored) -> Stored:
        """A checkpoint stored unsigned (before the ledger had a key) signed now, in place; only
        if its root is the tree's (a key never vouches for a root changed behind the service)."""
        if self.signer is None or stored.signed:
            return stored
        size = stored.checkpoint.size
        if size > self.tree.size() or self.tree.root(size) != stored.checkpoint.root:
            raise LogMismatch(f"the stored checkpoint of size {size} is not the log's at that size; not signed")
        note = self.signer.sign(stored.checkpoint)
        with self.dialect.writing() as cursor:
            self.dialect.execute(cursor, self.sign_stored, [note, stored.checkpoint.size, stored.note])
        signed = self.at(stored.checkpoint.size)
        assert signed is not None
        return signed

    def _stored(self, row: tuple[Any, ...]) -> Stored:
        size, root, note, made_at = row
        when = made_at if isinstance(made_at, datetime) else datetime.fromisoformat(str(made_at))
        text = str(note)
        checkpoint = Checkpoint(text.split("\n", 1)[0], int(str(size)), bytes(root))
        return Stored(checkpoint, text, when, "\n\n" in text)
