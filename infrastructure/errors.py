"""Errors of the service layer, beside the domain's own."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, StoredEvent


class LedgerError(Exception):
    """Base class of the service layer's errors."""


class NotFound(LedgerError):
    """Raised when a subject, actor or fact named by a client does not exist; `hint` says what
    the client may have meant."""

    def __init__(self, kind: str, key: str, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(f"unknown {kind} {key!r}" + (f"; {hint}" if hint else ""))
        self.kind = kind
        self.key = key
        self.field = field


class AlreadyExists(LedgerError):
    """Raised when registering a subject or actor that is already registered."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} is already registered")
        self.kind = kind
        self.key = key


class AlreadyRevoked(LedgerError):
    """Raised when a token to revoke was revoked before."""


class PreconditionFailed(LedgerError):
    """Raised when If-Match names a relation version that is no longer current."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"the relation is at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class IdempotencyMismatch(LedgerError):
    """Raised when an Idempotency-Key is reused with a different request body."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} was already used with a different request")
        self.key = key


class TooMuchContention(LedgerError):
    """Raised when a write lost the optimistic-concurrency race too many times."""


class TooManyStreams(LedgerError):
    """Raised when a feed stream would pass a cap: the process's, or one client's."""

    retry_after = 5  # seconds: others' streams end, at the latest at their lifetime


class TooManyReplays(LedgerError):
    """Raised when a process already computes as many replays (mode=replay) as it may at once."""

    retry_after = 1  # seconds: a replay takes a fraction of one on a ledger of thousands of facts

    def __init__(self) -> None:
        super().__init__("this server is computing as many replays as it may at once; retry, or ask mode=view")


class ImportMismatch(LedgerError):
    """Raised when an imported line does not reproduce its recorded system fields."""


class LogMismatch(LedgerError):
    """Raised when stored records and the log's leaves or checkpoints disagree: storage was changed."""


class DataSetRefused(LedgerError):
    """Raised when a line of a shipped data set cannot be recorded (the message names the line)."""


class Overtaken(IntegrityError):
    """The write was from a copy another process has moved on from: nothing was written.

    `missing` holds the stored events from the first version the write would have taken, in
    order: the copy, brought up to date with them, is the relation as stored.
    """

    def __init__(self, missing: list[StoredEvent]) -> None:
        super().__init__(f"{len(missing)} stored events are newer than the copy written from")
        self.missing = missing
