"""The shipped data sets load through the rules on both backends, and answer as their sources say."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from domain.errors import RuleViolation
from infrastructure.bootstrap import Services
from infrastructure.bulk.check import stored_problems
from infrastructure.datasets.loader import DEMO, load_demo, load_set, records, set_names
from infrastructure.errors import DataSetRefused, NotFound
from infrastructure.write_request import WriteRequest
from tests.conftest import Clock


@pytest.fixture
def clock() -> Clock:
    """Today, as the sets were made: their latest facts are dated 2025."""
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


DOCS = Path(__file__).parents[2] / "docs" / "data.md"
EXAMPLE_HOSTS = re.compile(r"(^|\.)(example\.(com|org|net)|example|invalid|test|localhost)$")


def sourced_records() -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    return [(name, r) for name in [DEMO, *set_names()] for r in records(name) if r["record"] != "subject"]


def test_the_sourced_sets_are_the_ones_documented() -> None:
    """Six sets beside the demo, more than 300 facts over at least six subjects."""
    facts = [r for name, r in sourced_records() if name != DEMO and r["record"] == "fact"]
    assert set_names() == ["china-taiwan", "kosovo", "palestine", "sadr", "south-sudan", "taliban-iea"]
    assert len(facts) >= 300
    assert len({r["subject"] for r in facts}) >= 6


def test_every_fact_of_a_set_has_a_quoted_source_on_an_http_page() -> None:
    """Each fact and milestone of the sourced sets cites a page with a quote that states it."""
    for name, r in sourced_records():
        if name == DEMO:
            continue
        assert r["sources"], (name, r)
        for source in r["sources"]:
            assert urlsplit(source["url"]).scheme in ("http", "https"), (name, source)
            assert source.get("quote", "").strip(), (name, r["effective_on"], r.get("actor"), source["url"])


def test_no_source_points_to_an_example_domain() -> None:
    for name, r in sourced_records():
        for source in r["sources"]:
            host = urlsplit(source["url"]).hostname or ""
            assert not EXAMPLE_HOSTS.search(host), (name, source["url"])


def documented_counts() -> list[tuple[str, date, list[str] | int]]:
    """The rows of docs/data.md's "Counts the sources state" table: the states a source lists, or its number."""
    section = DOCS.read_text(encoding="utf-8").split("## Counts the sources state")[1].split("\n## ")[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            named = int(cells[2]) if cells[2].isdigit() else sorted(cells[2].split(", "))
            rows.append((cells[0].strip("`"), date.fromisoformat(cells[1]), named))
    return rows


def test_every_set_loads_through_the_rules_once_and_answers_as_its_sources_say(services: Services) -> None:
    """All sets and the demo, in any order, then again: nothing written twice; the counts of docs/data.md."""
    ledger = services.ledger
    reports = {name: load_set(ledger, name) for name in set_names()}
    assert load_demo(ledger) == sum(1 for r in records(DEMO)) - 1, "the demo's subject was registered by a set"
    assert reports["taliban-iea"].present == 0 and reports["kosovo"].written == len(list(records("kosovo")))
    again = {name: load_set(ledger, name) for name in set_names()}
    assert all(r.written == 0 and r.present == len(list(records(n))) for n, r in again.items())
    assert load_demo(ledger) == 0
    disputes = [r for name in set_names() for r in records(name) if r["record"] == "dispute"]
    assert len(ledger.view.audit({"type": "fact_disputed"}, 0, 1000)) == len(disputes) > 0
    rows = documented_counts()
    assert len(rows) >= 3
    for subject, day, expected in rows:
        actors = sorted(r["actor"] for r in services.queries.recognitions(subject, day)["recognised_by"])
        assert (len(actors) if isinstance(expected, int) else actors) == expected, (subject, day)


def test_an_unknown_set_is_refused_before_anything_is_written(services: Services) -> None:
    with pytest.raises(NotFound, match="nosuch"):
        load_set(services.ledger, "nosuch")
    assert services.ledger.view.max_position() == 0


def test_a_line_the_rules_refuse_stops_the_load_naming_it(services: Services, clock: Clock) -> None:
    """Loaded on a day before its last facts, a set stops at the first fact dated later, by line."""
    clock.now = datetime(2011, 7, 10, tzinfo=UTC)
    with pytest.raises(DataSetRefused, match=r"south-sudan line \d+: .*lies after today"):
        load_set(services.ledger, "south-sudan")
    assert 0 < services.ledger.view.max_position() < len(list(records("south-sudan")))


def test_every_set_holds_no_fact_that_cannot_be_true(services: Services) -> None:
    """After every set is loaded, `ledger check` finds nothing, and the rules bite on the real data:
    Kosovo's territory is XKX, so XKX cannot recognise it, nor can the Soviet Union in 2008."""
    for name in set_names():
        load_set(services.ledger, name)
    problems, count = stored_problems(services.ledger)
    assert problems == [] and count == services.ledger.view.max_position() > 600
    assert services.ledger.view.subject("kosovo")["territory"] == "XKX"
    for actor, rule in (("XKX", "acts_toward_own_territory"), ("SUN", "after_actor_ceased")):
        fact = {"type": "recognition_granted", "actor": actor, "subject": "kosovo", "effective_on": "2008-02-17"}
        with pytest.raises(RuleViolation) as refused:
            services.ledger.record_fact(fact | {"sources": [{"url": "https://example.org/x"}]}, WriteRequest("ed"))
        assert refused.value.rule == rule
