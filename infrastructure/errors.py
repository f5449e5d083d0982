"""Errors of the service layer, beside the domain's own."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of the service layer's errors."""


class NotFound(LedgerError):
    """Raised when a subject, actor or fact named by a client does not exist."""

    def __init__(self, kind: str, key: str, field: str | None = None) -> None:
        super().__init__(f"unknown {kind} {key!r}")
        self.kind = kind
        self.key = key
        self.field = field


class AlreadyExists(LedgerError):
    """Raised when registering a subject or actor that is already registered."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} is already registered")
        self.kind = kind
        self.key = key


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


class ImportMismatch(LedgerError):
    """Raised when an imported line does not reproduce its recorded system fields."""
