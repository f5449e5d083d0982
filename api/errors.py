"""One table from errors to HTTP status and CLI exit code, shared by both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import DataError, InterfaceError, OperationalError

from api.auth import Forbidden, Unauthorized
from api.auth_throttle import TooManyFailures
from api.file_problem import FileProblem
from api.json_body import UnsupportedMediaType
from domain.errors import DomainError, InvalidValue, InvalidValues, RuleViolation, UnknownFact
from infrastructure.errors import (
    AlreadyExists,
    AlreadyRevoked,
    DataSetRefused,
    IdempotencyMismatch,
    ImportMismatch,
    LedgerError,
    LogMismatch,
    NotFound,
    PreconditionFailed,
    TooManyReplays,
    TooManyStreams,
    TooMuchContention,
)


@dataclass(frozen=True)
class Outcome:
    """How an error is reported: HTTP status, problem title, CLI exit code."""

    status: int
    title: str
    exit_code: int


TABLE: list[tuple[type[BaseException], Outcome]] = [
    (InvalidValues, Outcome(422, "Invalid fields", 2)),
    (InvalidValue, Outcome(422, "Invalid field", 2)),
    (IdempotencyMismatch, Outcome(422, "Idempotency-Key reused with another request", 2)),
    (NotFound, Outcome(404, "Not found", 3)),
    (UnknownFact, Outcome(404, "Not found", 3)),
    (RuleViolation, Outcome(409, "Rule conflict", 4)),
    (AlreadyExists, Outcome(409, "Already exists", 4)),
    (AlreadyRevoked, Outcome(409, "Already revoked", 4)),
    (TooMuchContention, Outcome(409, "Conflict", 4)),
    (PreconditionFailed, Outcome(412, "Precondition failed", 5)),
    (TooManyStreams, Outcome(429, "Too many streams", 10)),
    (TooManyReplays, Outcome(429, "Too many replays", 10)),
    (TooManyFailures, Outcome(429, "Too many failed authentications", 8)),
    (ImportMismatch, Outcome(422, "Import mismatch", 6)),
    (DataSetRefused, Outcome(422, "Data set refused", 6)),
    (LogMismatch, Outcome(500, "Stored records and the log disagree", 9)),
    (Unauthorized, Outcome(401, "Unauthorized", 8)),
    (Forbidden, Outcome(403, "Forbidden", 8)),
    (UnsupportedMediaType, Outcome(415, "Unsupported media type", 2)),
    (FileProblem, Outcome(422, "File problem", 2)),  # the command line's only
    (OperationalError, Outcome(503, "Database unavailable", 7)),
    (InterfaceError, Outcome(503, "Database unavailable", 7)),
    (DataError, Outcome(422, "Invalid value", 2)),  # e.g. text the database cannot hold
]
# The base classes the API registers handlers for.
HANDLED: tuple[type[BaseException], ...] = (
    DomainError,
    LedgerError,
    Unauthorized,
    Forbidden,
    UnsupportedMediaType,
    FileProblem,
    TooManyFailures,
    OperationalError,
    InterfaceError,
    DataError,
)


def outcome_for(error: BaseException) -> Outcome | None:
    """The first row of the table that matches, or None for an unexpected error."""
    for kind, outcome in TABLE:
        if isinstance(error, kind):
            return outcome
    return None


def outcome_of(kind: type[BaseException]) -> Outcome:
    """The row for a kind of error, for a command that reports one without raising it."""
    return next(outcome for k, outcome in TABLE if issubclass(kind, k))


def field_errors(error: BaseException) -> list[dict[str, Any]]:
    """The `errors` member of a problem: each bad field and what is wrong with it."""
    if isinstance(error, InvalidValues):
        return [{"field": p.field, "message": p.message} for p in error.problems]
    if isinstance(error, InvalidValue):
        return [{"field": error.field, "message": error.message}]
    if isinstance(error, NotFound) and error.field:
        return [{"field": error.field, "message": str(error)}]
    return []


# What a client is told of a database's own error: its text (SQL, constraint names, line numbers) is
# kept for the log, where an operator reads it with the request's id.
PUBLIC = {
    503: "the database is unavailable; retry after the time Retry-After gives",
    DataError: "a value cannot be stored as given (the database refused it)",
}


def public_detail(error: BaseException) -> tuple[str, bool]:
    """The detail a client is told, and whether it differs from the error's own (then log the latter)."""
    found = outcome_for(error)
    if found is not None and found.status == 503:
        return PUBLIC[503], True
    if isinstance(error, DataError):
        return PUBLIC[DataError], True
    return detail(error), False


def detail(error: BaseException) -> str:
    if isinstance(error, RuleViolation):
        named = error.conflicting_fact_id is None or str(error.conflicting_fact_id) in error.reason
        suffix = "" if named else f" (conflicting fact: {error.conflicting_fact_id})"
        return f"{error.reason}{suffix}"
    return str(error)
