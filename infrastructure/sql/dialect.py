"""What differs between the backends' SQL, behind one interface: one implementation per backend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from infrastructure.sql.table import Index, Table


class Dialect(ABC):
    """Placeholders, value types, reads, bulk writes and upkeep of one backend."""

    # The literal for END_OF_SYSTEM_TIME, as partial indexes and their queries must spell it.
    end_literal: str
    # Whether the database works in a process of its own, so a bulk writer can fold its next
    # batch while one commits (an embedded database works in this process).
    server_process: bool
    types: ClassVar[dict[str, str]]  # portable column type -> this backend's

    @property
    def shared(self) -> bool:
        """Whether other processes can open this database (not an SQLite database in memory)."""
        return True

    def sql(self, statement: str, tables: Mapping[str, str] | None = None) -> str:
        """A statement with this backend's placeholders, and table names filled in from `tables`."""
        return statement.format(**tables) if tables else statement

    def create_table_sql(self, table: Table, name: str) -> str:
        columns = [f"{c} {self.types[t]} {constraint}".rstrip() for c, t, constraint in table.columns]
        if table.primary_key:
            columns.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(columns)})"

    @abstractmethod
    def create_index_sql(self, index: Index, table: str) -> str:
        """CREATE INDEX IF NOT EXISTS for this index on the named table."""

    @abstractmethod
    def rows(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Run a read and return its rows as dicts."""

    @abstractmethod
    def tuples(self, sql: str, params: Sequence[Any], *, binary: bool = False) -> list[tuple[Any, ...]]:
        """Run a read and return its rows as tuples (no dict per row: hot reads); `binary` asks for
        results in the backend's binary form where it has one (bytes come as bytes, not hex text)."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[Any]:
        """A cursor in a write transaction, committed at the end."""

    @abstractmethod
    def execute(self, cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement (made by `sql`) in the cursor's transaction."""

    @abstractmethod
    def executemany(self, cursor: Any, sql: str, params: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""

    @abstractmethod
    def copy(self, cursor: Any, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """Append many rows in the backend's fastest way."""

    @abstractmethod
    def close_rows(self, cursor: Any, table: str, closes: Sequence[tuple[UUID, date, datetime]]) -> None:
        """End the system time of open status rows: (relation_id, valid_from, at) each."""

    @abstractmethod
    def day(self, value: date) -> Any:
        """A date as this backend stores it."""

    @abstractmethod
    def time(self, value: datetime) -> Any:
        """A system time as this backend stores it."""

    @abstractmethod
    def column_names(self, cursor: Any, table: str) -> set[str]:
        """The columns a table has now (for migrations)."""

    @abstractmethod
    def index_names(self, cursor: Any, like: str) -> list[str]:
        """The names of this schema's indexes that match a LIKE pattern."""

    @abstractmethod
    def rename_index(self, cursor: Any, old: str, new: str) -> bool:
        """Rename an index, if this backend can; whether it did."""

    def schema_lock(self) -> AbstractContextManager[None]:
        """Held while tables are created, so processes starting together take turns."""
        return nullcontext()

    @abstractmethod
    def notification_id(self, events_table: str, originator_id: UUID, version: int) -> int | None:
        """The notification id of one stored event, if it is stored."""

    @abstractmethod
    def event_rows(self, events_table: str, after: int, stop: int, size: int) -> list[tuple[Any, ...]]:
        """Up to `size` stored events numbered after `after` up to `stop`, in order, as plain
        (notification id, originator id, version, topic, state) tuples: for readers of millions."""

    @abstractmethod
    def lock_writers(self, cursor: Any) -> None:
        """Inside a write transaction: keep new events from committing until it ends."""

    @abstractmethod
    def tidy(self, tables: Sequence[str]) -> None:
        """After a bulk load: refresh the planner's statistics and clear dead row versions."""
