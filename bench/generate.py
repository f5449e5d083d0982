"""A reproducible synthetic ledger: valid facts, heavy-tailed, every fact type.

Lines are in `ledger export` format, so `ledger import` loads them. Each relation's facts
are generated as a valid walk through time; then some are recorded late (backdated
facts on independent parts of the status), some retracted and some disputed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pycountry

SOURCE = [{"url": "https://example.org/synthetic"}]
KINDS = ["embassy", "consulate", "business_office", "liaison_office", "other"]
CITIES = [None, "Capital", "Port", "North"]
REGIMES = ["arms", "assets", "travel"]
NAMES = ["A. Envoy", "B. Envoy", "C. Envoy"]
STEPS = ["statement_made", "relations", "envoy_in", "envoy_out", "mission", "listing", "sanctions", "recognition"]


@dataclass
class Relation:
    actor: str
    subject: str
    facts: list[dict[str, Any]] = field(default_factory=list)


def actors(n: int = 250) -> list[str]:
    codes = sorted(c.alpha_3 for c in pycountry.countries) + sorted(c.alpha_3 for c in pycountry.historic_countries)
    return list(dict.fromkeys(codes))[:n]


class Generator:
    """Builds `facts` valid facts over `n_actors` actors and `n_subjects` subjects from `seed`."""

    def __init__(self, facts: int, seed: int = 1, n_actors: int = 250, n_subjects: int = 2000) -> None:
        self.rng = random.Random(seed)
        self.target = facts
        self.actors = actors(n_actors)
        self.subjects = [f"subject-{i:04d}" for i in range(n_subjects)]
        self.counter = 0

    def _uuid(self) -> str:
        return str(UUID(int=self.rng.getrandbits(128), version=4))

    def relations(self) -> list[Relation]:
        """Heavy-tailed: the first subjects have facts from almost every actor, most from a few."""
        rng = self.rng
        pairs_wanted = max(1, self.target // 25)
        weights = [1 / (i + 1) for i in range(len(self.subjects))]
        low, high = 0.0, float(pairs_wanted * 10)
        for _ in range(60):  # find the scale that gives the wanted number of relations
            scale = (low + high) / 2
            count = sum(min(len(self.actors), max(1, round(w * scale))) for w in weights)
            low, high = (scale, high) if count < pairs_wanted else (low, scale)
        pairs = [
            (actor, subject)
            for w, subject in zip(weights, self.subjects, strict=True)
            for actor in rng.sample(self.actors, min(len(self.actors), max(1, round(w * scale))))
        ]
        raw = [rng.paretovariate(1.5) for _ in pairs]
        factor = self.target / sum(raw)
        sizes = [max(1, min(150, round(r * factor))) for r in raw]
        while sum(sizes) > self.target:
            sizes[rng.randrange(len(sizes))] -= 1
            sizes = [max(1, x) for x in sizes] if sum(sizes) > len(sizes) else sizes
        while sum(sizes) < self.target:
            i = rng.randrange(len(sizes))
            sizes[i] = min(150, sizes[i] + 1)
        out = []
        for (actor, subject), size in zip(pairs, sizes, strict=True):
            relation = Relation(actor, subject)
            self.walk(relation, size)
            out.append(relation)
        total = sum(len(r.facts) for r in out)
        while total < self.target:  # top up with backdated facts, always valid, to the exact count
            self.late(out[rng.randrange(len(out))], date(2026, 1, 1))
            total += 1
        return out

    def walk(self, r: Relation, size: int) -> None:
        """A valid walk through valid time, then late (backdated) facts and corrections."""
        rng = self.rng
        day = date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
        state: dict[str, Any] = {
            "rec": None,
            "rel": False,
            "acc": None,
            "sent": None,
            "missions": set(),
            "listed": False,
            "sanctions": set(),
        }
        limit = size
        main = max(1, int(size * 0.85))
        size = max(main, size - max(0, round(size * 0.04)))  # room for corrections
        while len(r.facts) < main and day < date(2026, 1, 1):
            day += timedelta(days=rng.randrange(1, 400))
            fact_type, details = self.step(state)
            precision = rng.choices(["day", "month", "year"], [90, 7, 3])[0]
            start, text = _period(day, precision)
            if r.facts and start < r.facts[-1]["_start"]:
                start, text = day, day.isoformat()
            r.facts.append(self.fact(r, fact_type, text, start, details))
            day = start
        while len(r.facts) < size:
            self.late(r, day)
        self.corrections(r, limit)

    def step(self, s: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        options = [
            "statement_made",
            "relations",
            "envoy_in",
            "envoy_out",
            "mission",
            "listing",
            "sanctions",
            "recognition",
        ]
        kind = rng.choices(options, [20, 10, 10, 10, 15, 8, 12, 15])[0]
        self.counter += 1
        if kind == "recognition":
            if s["rec"] and rng.random() < 0.6:
                s["rec"] = None
                return "recognition_withdrawn", {}
            form = rng.choice([f for f in ("de_jure", "de_facto") if f != s["rec"]])
            s["rec"] = form
            return "recognition_granted", {"form": form}
        if kind == "relations":
            s["rel"] = not s["rel"]
            return ("relations_established" if s["rel"] else "relations_severed"), {}
        if kind in ("envoy_in", "envoy_out"):
            slot = rng.choice(["acc", "sent"])
            if kind == "envoy_out" and s[slot]:
                s[slot] = None
                return ("ambassador_expelled" if slot == "acc" else "ambassador_recalled"), {}
            name = rng.choice([n for n in NAMES if n != s[slot]])
            s[slot] = name
            return ("ambassador_accepted" if slot == "acc" else "ambassador_sent"), {"name": name}
        if kind == "mission":
            key = (rng.choice(KINDS), rng.choice(CITIES))
            details = {"kind": key[0], **({"city": key[1]} if key[1] else {})}
            if key in s["missions"]:
                s["missions"].discard(key)
                return "mission_closed", details
            s["missions"].add(key)
            return "mission_opened", details
        if kind == "listing":
            s["listed"] = not s["listed"]
            return ("terrorist_listing_added" if s["listed"] else "terrorist_listing_removed"), {"list": "national"}
        if kind == "sanctions":
            regime = rng.choice(REGIMES)
            if regime in s["sanctions"]:
                s["sanctions"].discard(regime)
                return "sanctions_lifted", {"regime": regime}
            s["sanctions"].add(regime)
            return "sanctions_imposed", {"regime": regime}
        return "statement_made", {
            "stance": rng.choice(["supportive", "critical", "neutral"]),
            "quote": f"q{self.counter}",
        }

    def late(self, r: Relation, last: date) -> None:
        """A backdated fact on a part of the status nothing else touches."""
        rng = self.rng
        self.counter += 1
        day = last - timedelta(days=rng.randrange(1, 20000))
        day = max(day, date(1900, 1, 1))
        choice = rng.random()
        if choice < 0.8:
            t, d = "statement_made", {"stance": "neutral", "quote": f"late {self.counter}"}
        elif choice < 0.9:
            t, d = "sanctions_imposed", {"regime": f"late-{self.counter}"}
        else:
            t, d = "mission_opened", {"kind": "other", "city": f"Late {self.counter}"}
        r.facts.append(self.fact(r, t, day.isoformat(), day, d))

    def corrections(self, r: Relation, limit: int) -> None:
        """Retract some statements (always safe) and dispute some facts, up to `limit` facts in all."""
        rng = self.rng
        for f in list(r.facts):
            if len(r.facts) >= limit:
                return
            roll = rng.random()
            if f["type"] == "statement_made" and roll < 0.08:
                r.facts.append(self.correction(r, "fact_retracted", "retracts", f))
            elif roll < 0.02:
                r.facts.append(self.correction(r, "fact_disputed", "disputes", f))

    def correction(self, r: Relation, t: str, link: str, target: dict[str, Any]) -> dict[str, Any]:
        self.counter += 1
        return self.fact(
            r, t, "2025-06-01", date(2025, 6, 1), {link: target["fact_id"], "reason": f"synthetic {self.counter}"}
        )

    def fact(self, r: Relation, t: str, text: str, start: date, details: dict[str, Any]) -> dict[str, Any]:
        return {
            "fact_id": self._uuid(),
            "type": t,
            "actor": r.actor,
            "subject": r.subject,
            "effective_on": text,
            "details": details,
            "_start": start,
        }

    def lines(self) -> Iterator[str]:
        """Subjects first, then every fact, relations interleaved, with system fields."""
        rng = self.rng
        relations = self.relations()
        clock = datetime(2024, 1, 1, tzinfo=UTC)
        for subject in self.subjects:
            clock += timedelta(milliseconds=1)
            yield _dump(
                {
                    "record": "subject",
                    "id": subject,
                    "name": subject.replace("-", " ").title(),
                    "kind": "government",
                    "territory": None,
                    "aliases": [],
                    "registered_at": _time(clock),
                    "registered_by": "generator",
                }
            )
        keyed = []
        for r in relations:
            keys = sorted(rng.random() for _ in r.facts)
            keyed += [
                (k, i, version, f)
                for version, (k, f) in enumerate(zip(keys, r.facts, strict=True), start=1)
                for i in [id(r)]
            ]
        keyed.sort(key=lambda x: x[0])
        for position, (_, _, version, f) in enumerate(keyed, start=1):
            clock += timedelta(microseconds=rng.randrange(500, 5000))
            body = {k: v for k, v in f.items() if not k.startswith("_")}
            yield _dump(
                {
                    "record": "fact",
                    **body,
                    "sources": SOURCE,
                    "note": None,
                    "recorded_at": clock.isoformat(),
                    "recorded_by": "generator",
                    "position": position,
                    "relation_version": version,
                }
            )


def _period(day: date, precision: str) -> tuple[date, str]:
    if precision == "month":
        return day.replace(day=1), day.isoformat()[:7]
    if precision == "year":
        return day.replace(month=1, day=1), day.isoformat()[:4]
    return day, day.isoformat()


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))
