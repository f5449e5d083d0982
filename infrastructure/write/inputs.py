"""Turning a client's raw fields into domain values, collecting every problem."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from domain.dates import EffectiveDate
from domain.details import clean_details, clean_sources, clean_text
from domain.errors import InvalidValue, InvalidValues
from domain.facts import FactType, Source

T = TypeVar("T")

FACT_FIELDS = {"type", "actor", "subject", "effective_on", "details", "sources", "note"}


class Problems:
    """Collects field problems so a client hears of all of them at once."""

    def __init__(self) -> None:
        self.items: list[InvalidValue] = []

    def check(self, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except InvalidValue as problem:
            self.items.append(problem)
        except InvalidValues as problems:
            self.items.extend(problems.problems)
        return None

    def raise_any(self) -> None:
        if self.items:
            raise InvalidValues(self.items)


def enum_value(enum: type[T], value: Any, field: str) -> T:
    try:
        return enum(value)  # type: ignore[call-arg]
    except ValueError:
        allowed = ", ".join(m.value for m in enum)  # type: ignore[attr-defined]
        raise InvalidValue(field, f"{value!r} is not one of {allowed}") from None


def unknown_fields(data: Mapping[str, Any], allowed: set[str], problems: Problems) -> None:
    for key in data:
        if key not in allowed:
            problems.items.append(InvalidValue(key, "is not a known field"))


def fact_fields(
    data: Mapping[str, Any], today: date
) -> tuple[FactType, EffectiveDate, dict[str, Any], tuple[Source, ...], str | None]:
    """Check a fact's own fields (not actor or subject); raise InvalidValues listing all problems."""
    problems = Problems()
    if not isinstance(data, Mapping):
        raise InvalidValue("body", "must be a JSON object")
    unknown_fields(data, FACT_FIELDS, problems)
    fact_type = problems.check(lambda: enum_value(FactType, data.get("type"), "type"))
    if fact_type is not None and fact_type.is_correction:
        problems.items.append(
            InvalidValue("type", f"{fact_type.value} is recorded through the fact's retraction or dispute")
        )
    effective = problems.check(
        lambda: EffectiveDate.parse(text_field(data.get("effective_on"), "effective_on"), today=today)
    )
    details = problems.check(lambda: clean_details(fact_type, data.get("details"))) if fact_type else None
    sources = problems.check(lambda: clean_sources(data.get("sources")))
    note = problems.check(lambda: clean_text(data.get("note"), "note"))
    problems.raise_any()
    assert fact_type and effective and details is not None and sources
    return fact_type, effective, details, sources, note


def text_field(value: Any, field: str) -> str:
    """A required string field, or InvalidValue naming it."""
    if not isinstance(value, str):
        raise InvalidValue(field, "is required, as a string" if value is None else "must be a string")
    return value
