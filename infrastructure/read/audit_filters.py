"""The audit log's filters, checked before any is asked: a name the ledger does not know, or a
window no fact can fall in, is refused, so an empty page always means no such facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from domain.errors import InvalidValue, InvalidValues
from domain.facts import FactType
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.read.names import did_you_mean, subject_spellings
from infrastructure.reference.actors import ActorCatalogue
from infrastructure.view.known_subjects import KnownSubjects

# Filters that name things; each may be given several times, meaning any of the values.
NAMED = ("actor", "subject", "type", "recorded_by")
MAX_VALUES = 100  # of one filter: more than a page of names is a query, not a question
WINDOWS = (("effective_from", "effective_to"), ("recorded_from", "recorded_to"))
FACT_TYPES = {t.value: t.value for t in FactType}
ISO_OR_REGISTERED = "codes are ISO 3166 alpha-3 or registered"


class AuditFilters:
    """Checks the audit log's filters against the actors, subjects and fact types there are."""

    def __init__(
        self,
        actors: ActorCatalogue,
        subjects: KnownSubjects,
        subject_bodies: Callable[[], list[dict[str, Any]]],
        types: dict[str, str] = FACT_TYPES,
        type_name: str = "fact type",
    ) -> None:
        self.actors = actors
        self.subjects = subjects
        self.subject_bodies = subject_bodies
        self.types, self.type_name = types, type_name

    def checked(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The filters with each named one as a tuple of distinct values; InvalidValue(s) naming
        every parameter that is wrong, and what it most likely meant."""
        out, problems = dict(filters), []
        for name in NAMED:
            values = tuple(dict.fromkeys(_values(filters.get(name))))
            out[name] = values
            if len(values) > MAX_VALUES:
                problems.append(InvalidValue(name, f"at most {MAX_VALUES} values, not {len(values)}"))
                continue
            problems += [p for v in values if (p := self._unknown(name, v)) is not None]
        for low, high in WINDOWS:
            start, end = filters.get(low), filters.get(high)
            if start is not None and end is not None and start > end:
                message = f"{_text(end)} is before {low} {_text(start)}: no fact is in between"
                problems.append(InvalidValue(high, message))
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise InvalidValues(problems)
        return out

    def _unknown(self, name: str, value: str) -> InvalidValue | None:
        """The problem with one value of a named filter, if it names nothing."""
        if name == "actor" and not self.actors.known(value):
            known = self.actors.all()
            meant = did_you_mean(value, {a.code: a.code for a in known} | {a.name: a.code for a in known})
            return _problem(name, f"{value!r} is not a known actor code", meant, ISO_OR_REGISTERED)
        if name == "subject" and not self.subjects.exists(value):
            meant = did_you_mean(value, subject_spellings(self.subject_bodies()))
            return _problem(name, f"{value!r} is not a registered subject id", meant)
        if name == "type" and value not in self.types:
            meant = did_you_mean(value, self.types)
            return _problem(name, f"{value!r} is not a {self.type_name}", meant, f"one of {', '.join(self.types)}")
        return None  # recorded_by: any principal may have recorded, or may yet


def _values(value: str | Iterable[str] | None) -> Iterable[str]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _problem(name: str, what: str, meant: str | None, otherwise: str | None = None) -> InvalidValue:
    if meant is not None:
        return InvalidValue(name, f"{what}; did you mean {meant!r}?")
    return InvalidValue(name, f"{what}; {otherwise}" if otherwise else what)


def _text(value: date | datetime) -> str:
    return rfc3339(value) if isinstance(value, datetime) else value.isoformat()
