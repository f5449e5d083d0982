"""The read side: every question of the design, from the view or by replay."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.dates import EARLIEST, END_OF_TIME
from domain.errors import InvalidValue
from domain.relation import Relation
from infrastructure.encoding.answers import deciding, with_corrections
from infrastructure.encoding.catalogue_bodies import answered_subject
from infrastructure.encoding.rfc3339 import rfc3339
from infrastructure.errors import NotFound, TooManyReplays
from infrastructure.read.audit_filters import AuditFilters
from infrastructure.read.changed_statuses import changed_statuses
from infrastructure.read.names import subject_hint, subjects_matching
from infrastructure.read.replay import Replay
from infrastructure.reference.actors import ActorCatalogue
from infrastructure.view.changes import LATEST
from infrastructure.view.known_subjects import KnownSubjects
from infrastructure.view.reader import ViewReader

MODES = ("view", "replay")
Clock = Callable[[], datetime]
# Every timeline's last interval ends at END_OF_TIME, which no interval covers: on that day the
# status is the day before's (no fact can take effect after today).
LAST_DAY = END_OF_TIME - timedelta(days=1)
MAX_PAGE = 1000
# Parts of a status that say why or how sure, not what: ignored when comparing dates.


class Queries:
    """Answers as plain data; `mode` picks the read model or a replay of the events."""

    def __init__(
        self,
        view: ViewReader,
        replay: Replay,
        actors: ActorCatalogue,
        subjects: KnownSubjects,
        clock: Clock,
        replay_slots: int = 2,
    ) -> None:
        self.view = view
        self.replay = replay
        self.replays = threading.BoundedSemaphore(replay_slots)
        self.catalogue = actors
        self.known_subjects = subjects
        self.clock = clock
        self.audit_filters = AuditFilters(actors, subjects, view.subjects)

    @contextmanager
    def _reading(self, mode: str) -> Iterator[ViewReader | Replay]:
        """The reader for `mode`; a replay holds one of the process's replay slots while it runs."""
        if mode not in MODES:
            raise InvalidValue("mode", f"{mode!r} is not one of view, replay")
        if mode == "view":
            yield self.view
            return
        if not self.replays.acquire(blocking=False):  # folding every relation is costly: a few at a time
            raise TooManyReplays()
        try:
            yield self.replay
        finally:
            self.replays.release()

    def when(self, at: date | None, recorded_at: datetime | None) -> tuple[date, datetime, str]:
        """Valid date, system time to query, and the system time to report.

        Without `recorded_at` the answer is the ledger's latest knowledge (the open
        rows), whatever the clocks of other writers say; it is reported as now.
        """
        now = self.clock()
        if recorded_at is None:
            return at or now.date(), LATEST, rfc3339(now)
        if recorded_at.tzinfo is None:
            recorded_at = recorded_at.replace(tzinfo=UTC)
        # The view's open rows end at the last system time there is: a question asked at that
        # very time is asked at the one before, where they are still open.
        return at or now.date(), min(recorded_at, LATEST), rfc3339(recorded_at)

    def subject(self, slug: str) -> dict[str, Any]:
        body = self.view.subject(slug)
        if body is None:
            raise NotFound("subject", slug, hint=subject_hint(self.view.subjects(), slug))
        return answered_subject(body)

    def subjects(self, search: str | None = None) -> list[dict[str, Any]]:
        """Every subject, or those whose id, name or an alias contains `search` (any case or accent)."""
        bodies = [answered_subject(b) for b in self.view.subjects()]
        return bodies if search is None else subjects_matching(bodies, search)

    def actors(self) -> list[dict[str, Any]]:
        return [a.to_dict() for a in self.catalogue.all()]

    def recognitions(
        self, subject: str, at: date | None = None, recorded_at: datetime | None = None, mode: str = "view"
    ) -> dict[str, Any]:
        with self._reading(mode) as reader:
            d, s, shown = self.when(at, recorded_at)
            name = self.subject_name(subject)
            entries, evidence = reader.recognitions(subject, on(d), s)
            return recognitions_answer(subject, name, d, shown, self.named(entries, "actor"), evidence)

    def subject_name(self, slug: str) -> str:
        """The subject's display name (kept once read), or NotFound."""
        name = self.known_subjects.name(slug)
        if name is None:
            self.subject(slug)  # NotFound, saying which subject was likely meant
            raise NotFound("subject", slug)  # registered meanwhile? not as of this question
        return name

    def named(self, rows: list[dict[str, Any]], key: str, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Rows with the display name of the actor or subject each names under `key` (from `names`
        where given: all of them)."""
        if names is None and key == "actor":
            names = self.catalogue.names({r["actor"] for r in rows})
        elif names is None:
            names = {slug: self.subject_name(slug) for slug in {r["subject"] for r in rows}}
        field = f"{key}_name"
        for row in rows:
            row[field] = names[row[key]]
        return rows

    def evidence(
        self, reader: ViewReader | Replay, statuses: list[tuple[str, str, dict[str, Any]]], s: datetime
    ) -> dict[str, dict[str, Any]]:
        """The deciding facts of these (actor, subject, status), with the standing disputes of those disputed."""
        ids, disputed, relations = set(), set(), set()
        for actor, subject, status in statuses:
            for fact_id, is_disputed in deciding(status):
                ids.add(fact_id)
                if is_disputed:
                    disputed.add(fact_id)
            relations.add(str(Relation.create_id(actor, subject)))
        return reader.evidence(ids, disputed, s, relations)

    def subject_status(
        self, subject: str, at: date | None = None, recorded_at: datetime | None = None, mode: str = "view"
    ) -> dict[str, Any]:
        with self._reading(mode) as reader:
            name = self.subject_name(subject)
            d, s, shown = self.when(at, recorded_at)
            rows = self.named(reader.subject_status(subject, on(d), s), "actor")
            return {
                "subject": subject,
                "subject_name": name,
                "at": d.isoformat(),
                "recorded_at": shown,
                "relations": rows,
                "evidence": self.evidence(reader, [(r["actor"], subject, r) for r in rows], s),
            }

    def actor_status(
        self, actor: str, at: date | None = None, recorded_at: datetime | None = None, mode: str = "view"
    ) -> dict[str, Any]:
        with self._reading(mode) as reader:
            found = self.catalogue.get(actor)
            d, s, shown = self.when(at, recorded_at)
            rows = self.named(reader.actor_status(found.code, on(d), s), "subject")
            return {
                "actor": found.code,
                "actor_name": found.name,
                "at": d.isoformat(),
                "recorded_at": shown,
                "relations": rows,
                "evidence": self.evidence(reader, [(found.code, r["subject"], r) for r in rows], s),
            }

    def relation(
        self, actor: str, subject: str, at: date | None = None, recorded_at: datetime | None = None, mode: str = "view"
    ) -> dict[str, Any]:
        """A relation's status on a date, its whole timeline with basis, and its facts."""
        with self._reading(mode) as reader:
            found = self.catalogue.get(actor)
            code = found.code
            name = self.subject_name(subject)  # remembered once seen: no query, no body
            d, s, shown = self.when(at, recorded_at)
            rid = str(Relation.create_id(code, subject))
            timeline = reader.timeline(rid, s)
            facts = with_corrections(reader.relation_facts(rid, s))
            current = next(
                (
                    iv["status"]
                    for iv in timeline
                    if (iv["valid_from"] is None or iv["valid_from"] <= on(d).isoformat())
                    and (iv["valid_to"] is None or on(d).isoformat() < iv["valid_to"])
                ),
                None,
            )
            return {
                "actor": code,
                "actor_name": found.name,
                "subject": subject,
                "subject_name": name,
                "at": d.isoformat(),
                "recorded_at": shown,
                "relation_version": len(facts),
                "status": current,
                "timeline": timeline,
                "facts": facts,
            }

    def revisions(
        self,
        actor: str,
        subject: str,
        recorded_at: datetime | None = None,
        mode: str = "view",
        after: int = 0,
        limit: int = 100,
    ) -> dict[str, Any]:
        """What the ledger said of a relation at each moment it changed, and why: a page of its facts
        in recorded order, each with the valid-time intervals it replaced, before and after."""
        _page(after, limit, "a relation version")
        with self._reading(mode) as reader:
            found = self.catalogue.get(actor)
            name = self.subject_name(subject)
            _, s, shown = self.when(None, recorded_at)
            rid = str(Relation.create_id(found.code, subject))
            revisions = reader.revisions(rid, after, limit, s)
            return {
                "actor": found.code,
                "actor_name": found.name,
                "subject": subject,
                "subject_name": name,
                "recorded_at": shown,
                "revisions": revisions,
                "next_after": revisions[-1]["relation_version"] if len(revisions) == limit else None,
            }

    def changes(
        self, subject: str, date_from: date, date_to: date, recorded_at: datetime | None = None, mode: str = "view"
    ) -> dict[str, Any]:
        """Every actor whose status differs between two valid dates: before, after, and the dates in
        between on which it changed, with the facts that took effect on each."""
        if date_from > date_to:
            raise InvalidValue("to", f"{date_to.isoformat()} is before from ({date_from.isoformat()})")
        with self._reading(mode) as reader:
            name = self.subject_name(subject)
            _, s, shown = self.when(None, recorded_at)
            start, end = on(date_from), on(date_to)
            changed, days = changed_statuses(reader.subject_intervals(subject, start, end, s), start, end)
            causes: dict[tuple[str, str], list[str]] = {}
            for actor, day, fact_id in reader.facts_on(subject, {d for ds in days.values() for d in ds}, s):
                if day in days.get(actor, ()):
                    causes.setdefault((actor, day), []).append(fact_id)
            for change in changed:
                actor = change["actor"]
                change["dates"] = [{"date": day, "facts": causes.get((actor, day), [])} for day in days[actor]]
            ids = {i for c in changed for d in c["dates"] for i in d["facts"]}
            relations = {str(Relation.create_id(c["actor"], subject)) for c in changed}
            return {
                "subject": subject,
                "subject_name": name,
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "recorded_at": shown,
                "changes": self.named(changed, "actor"),
                "evidence": reader.evidence(ids, ids, s, relations),
            }

    def history(self, subject: str, recorded_at: datetime | None = None, mode: str = "view") -> dict[str, Any]:
        """The number of actors recognising the subject, at each date it changes."""
        with self._reading(mode) as reader:
            body = self.subject(subject)
            _, s, shown = self.when(None, recorded_at)
            steps: Counter[str] = Counter()
            for _actor, start, end in reader.recognised_spans(subject, s):
                steps[start] += 1
                if end is not None:
                    steps[end] -= 1
            points, count = [], 0
            for day in sorted(steps):
                if steps[day]:
                    count += steps[day]
                    points.append({"date": day, "count": count})
            return {
                "subject": subject,
                "recorded_at": shown,
                "points": points,
                "milestones": [{"kind": m["kind"], "effective_on": m["effective_on"]} for m in body["milestones"]],
            }

    def fact(self, fact_id: str) -> dict[str, Any]:
        """One fact, with its retraction and disputes if any."""
        body = self.view.fact_named(fact_id)
        corrections = self.view.corrections_of(body["fact_id"])
        retraction = next((c for c in corrections if c["type"] == "fact_retracted"), None)
        disputes = [c for c in corrections if c["type"] == "fact_disputed"]
        return body | {"retraction": retraction, "disputes": disputes}

    def audit(self, filters: dict[str, Any], after: int = 0, limit: int = 100) -> dict[str, Any]:
        """The audit log in ledger order, filtered (several values of a filter: any of them), one
        page at a time."""
        _page(after, limit, "a position")
        items = self.view.audit(self.audit_filters.checked(filters), after, limit)
        if not items and after and after > (last := self.view.max_position()):
            # No page ends past the last fact: such a cursor was never given out by this ledger.
            raise InvalidValue("after", f"{after} is past the last position in the ledger, {last}")
        return {
            "items": self.view.with_corrections(items),
            "next_after": items[-1]["position"] if len(items) == limit else None,
        }


def _page(after: int, limit: int, what: str) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("limit", f"must be between 1 and {MAX_PAGE}")
    if after < 0:
        raise InvalidValue("after", f"must be {what}, 0 or more")


def on(day: date) -> date:
    """The day to look a status up on; answers still say the day asked about.

    Every timeline starts on EARLIEST (no fact takes effect before it) and ends on END_OF_TIME
    (see LAST_DAY): a day outside them is asked as the nearest one inside.
    """
    return min(max(day, EARLIEST), LAST_DAY)


def recognitions_answer(
    subject: str, name: str, at: date, shown: str, rows: list[dict[str, Any]], evidence: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    return {
        "subject": subject,
        "subject_name": name,
        "at": at.isoformat(),
        "recorded_at": shown,
        "recognised_by": rows,
        "count": len(rows),
        "evidence": evidence,
    }
