"""Errors the domain raises before anything changes."""

from __future__ import annotations

from uuid import UUID


class DomainError(Exception):
    """Base class of every error the domain raises."""


class InvalidValue(DomainError):
    """Raised when a value is malformed; `field` names where it was found."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidValues(DomainError):
    """Raised when several fields are wrong at once; each is an InvalidValue."""

    def __init__(self, problems: list[InvalidValue]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class RuleViolation(DomainError):
    """Raised when a fact would break a rule of its relation's timeline.

    `conflicting_fact_id` names the recorded fact the new one clashes with, if any.
    """

    def __init__(self, rule: str, reason: str, conflicting_fact_id: UUID | None = None) -> None:
        super().__init__(reason)
        self.rule = rule
        self.reason = reason
        self.conflicting_fact_id = conflicting_fact_id


class UnknownFact(DomainError):
    """Raised when a fact id names no fact of the relation."""

    def __init__(self, fact_id: UUID) -> None:
        super().__init__(f"no fact {fact_id} in this relation")
        self.fact_id = fact_id
