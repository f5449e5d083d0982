"""Creating the view's tables, and the table work of bulk loads and rebuilds."""

from __future__ import annotations

from infrastructure.sql.dialect import Dialect
from infrastructure.view.tables import INDEXES, LIVE, SHADOW, STATUS, TABLES


class Schema:
    """The view's tables and indexes, live or in the shadow tables a rebuild fills."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def create(self, tables: dict[str, str] = LIVE, *, indexes: bool = True) -> None:
        """Create the tables, and unless told not to their indexes, if missing."""
        with self.dialect.writing() as cursor:
            for table in TABLES:
                self.dialect.execute(cursor, self.dialect.create_table_sql(table, tables[table.name]))
        if indexes:
            self.create_indexes(tables)

    def outdated(self) -> bool:
        """Whether the live view was written by an earlier layout, whose rows lack columns of
        this one: it is rebuilt from the event store when the ledger opens (bootstrap)."""
        with self.dialect.writing() as cursor:
            columns = self.dialect.column_names(cursor, LIVE["status"])
        return bool(columns) and not set(STATUS.column_names) <= columns

    def create_indexes(self, tables: dict[str, str] = LIVE) -> None:
        """Create the secondary indexes: after a bulk load, faster than keeping them up all along."""
        with self.dialect.writing() as cursor:
            for index in INDEXES:
                self.dialect.execute(cursor, self.dialect.create_index_sql(index, tables[index.table]))

    def drop_indexes(self, tables: dict[str, str] = LIVE) -> None:
        """Drop the secondary indexes (not the keys) before a bulk load into empty tables.
        Starting the ledger creates any that are missing, so an interrupted load breaks nothing."""
        with self.dialect.writing() as cursor:
            for index in INDEXES:
                self.dialect.execute(cursor, f"DROP INDEX IF EXISTS {tables[index.table]}_{index.suffix}")

    def drop_shadow(self) -> None:
        """Drop the tables an unfinished rebuild left."""
        with self.dialect.writing() as cursor:
            for table in SHADOW.values():
                self.dialect.execute(cursor, f"DROP TABLE IF EXISTS {table}")

    def swap_in(self, cursor: object) -> None:
        """Replace the live tables by the rebuilt ones, inside the given transaction, their
        indexes renamed (or, where the backend cannot rename one, made again) to the live names."""
        dialect = self.dialect
        for name, live in LIVE.items():
            dialect.execute(cursor, f"DROP TABLE IF EXISTS {live}")
            dialect.execute(cursor, f"ALTER TABLE {SHADOW[name]} RENAME TO {live}")
        for old in dialect.index_names(cursor, "ledger%rebuild%"):
            if not dialect.rename_index(cursor, old, old.replace("_rebuild", "")):
                dialect.execute(cursor, f"DROP INDEX IF EXISTS {old}")
        for index in INDEXES:
            dialect.execute(cursor, dialect.create_index_sql(index, LIVE[index.table]))

    def tidy(self) -> None:
        """Fresh planner statistics, no dead row versions: after a bulk load."""
        self.dialect.tidy(list(LIVE.values()))
