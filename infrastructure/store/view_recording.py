"""What both backends' recorders add to the event store: the view and the log, written with the events."""

from __future__ import annotations

from infrastructure.log.tree import LogTree
from infrastructure.sql.dialect import Dialect
from infrastructure.store.idempotency import IdempotencyStore
from infrastructure.store.migrations import migrate
from infrastructure.view.reader import ViewReader
from infrastructure.view.row_writer import RowWriter
from infrastructure.view.schema import Schema


class ViewRecording:
    """The view's parts over one dialect, for the application to read and write through."""

    dialect: Dialect
    view: ViewReader
    rows: RowWriter
    schema: Schema
    answers: IdempotencyStore
    tree: LogTree

    def open_view(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.view = ViewReader(dialect)
        self.rows = RowWriter(dialect)
        self.schema = Schema(dialect)
        self.answers = IdempotencyStore(dialect)
        self.tree = LogTree(dialect)

    def create_view(self) -> None:
        """The view's tables and the kept answers' table, made if missing and migrated."""
        self.schema.create(indexes=not self.schema.outdated())  # an outdated view gets them when rebuilt
        with self.dialect.writing() as cursor:
            self.answers.create_table(cursor)
            self.tree.create(cursor)
            migrate(self.dialect, cursor)
