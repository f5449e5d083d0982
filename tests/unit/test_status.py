"""The status on a date: levels, hostility, approximation, disputes and basis."""

import itertools
import pickle
from dataclasses import fields
from datetime import date

import pytest

from domain.status import Status
from domain.timeline import build_timeline, status_on
from tests.factories import dispute, fact, retraction


def status(day: str, *facts):  # type: ignore[no-untyped-def]
    return status_on(build_timeline(list(facts)), date.fromisoformat(day))


@pytest.mark.parametrize(
    ("facts", "level"),
    [
        ([], "none"),
        ([("recognition_granted", "2000", {"form": "de_jure"})], "recognised"),
        ([("recognition_granted", "2000", {"form": "de_facto"})], "de_facto"),
        ([("ambassador_accepted", "2000", {})], "de_facto"),
        ([("ambassador_sent", "2000", {})], "de_facto"),
        ([("mission_opened", "2000", {"kind": "embassy"})], "de_facto"),
        ([("mission_opened", "2000", {"kind": "business_office"})], "engaged"),
        ([("relations_established", "2000", {})], "engaged"),
        ([("relations_established", "2000", {}), ("relations_severed", "2001", {})], "none"),
        ([("statement_made", "2000", {"stance": "supportive", "quote": "q"})], "none"),
        ([("terrorist_listing_added", "2000", {})], "none"),
    ],
)
def test_level_follows_the_design(facts, level) -> None:  # type: ignore[no-untyped-def]
    """recognised > de_facto > engaged > none, from the facts in force."""
    assert status("2010-01-01", *(fact(t, d, **x) for t, d, x in facts)).level == level


def test_a_fact_takes_effect_on_its_date() -> None:
    """The status on the effective date includes the fact; the day before does not."""
    grant = fact("recognition_granted", "2025-07-03")
    assert status("2025-07-02", grant).recognition.state == "not_recognised"
    assert status("2025-07-03", grant).recognition.state == "recognised"


def test_hostile_when_listed_or_sanctioned() -> None:
    """Terrorist listing or any sanctions regime makes the relation hostile, and lifting ends it."""
    listed = fact("terrorist_listing_added", "2003-02-14")
    delisted = fact("terrorist_listing_removed", "2025-04-17")
    assert status("2010-01-01", listed, delisted).hostile
    assert not status("2025-04-17", listed, delisted).hostile
    imposed = fact("sanctions_imposed", "1999-10-15", regime="1267")
    assert status("2000-01-01", imposed).hostile
    assert [s.regime for s in status("2000-01-01", imposed).sanctions] == ["1267"]


def test_an_imprecise_date_is_approximate_inside_its_period_only() -> None:
    """A month-precise grant is approximate during that month, exact afterwards."""
    grant = fact("recognition_granted", "1997-05")
    assert status("1997-05-01", grant).approximate
    assert status("1997-05-31", grant).approximate
    assert not status("1997-06-01", grant).approximate
    assert status("1997-04-30", grant).recognition.state == "not_recognised"


def test_a_year_precise_fact_is_approximate_all_year() -> None:
    """A year-precise fact marks the whole year, and only while it is in the basis."""
    office = fact("mission_opened", "2023", kind="business_office", city="Kabul")
    assert status("2023-12-31", office).approximate
    assert not status("2024-01-01", office).approximate


def test_basis_names_the_deciding_facts() -> None:
    """The basis lists the facts that decide the status, not statements."""
    grant = fact("recognition_granted", "2025-07-03")
    envoy = fact("ambassador_accepted", "2025-07-01", name="Gul Hassan Hassan")
    said = fact("statement_made", "2025-07-03", stance="supportive", quote="brave")
    s = status("2025-07-04", grant, envoy, said)
    assert set(s.basis) == {grant.fact_id, envoy.fact_id}
    assert s.to_dict()["basis"] == [str(i) for i in s.basis]
    assert s.to_dict()["recognition"]["fact_id"] == str(grant.fact_id)


def test_a_disputed_basis_fact_marks_the_status_disputed() -> None:
    """Answers that rest on a disputed fact say so; others do not."""
    grant = fact("recognition_granted", "2000")
    withdraw = fact("recognition_withdrawn", "2005")
    doubt = dispute(grant)
    assert status("2001-01-01", grant, withdraw, doubt).disputed
    assert not status("2006-01-01", grant, withdraw, doubt).disputed
    assert not status("2001-01-01", grant, withdraw, doubt, retraction(doubt)).disputed


def test_a_retracted_fact_no_longer_counts() -> None:
    """After a retraction the timeline is as if the fact had never been recorded."""
    grant = fact("recognition_granted", "2000")
    assert status("2001-01-01", grant, retraction(grant)).recognition.state == "not_recognised"


def test_the_timeline_covers_all_valid_time_without_gaps() -> None:
    """Intervals are contiguous from 1500-01-01 to the open end, and equal neighbours are merged."""
    facts = [
        fact("recognition_granted", "1997-05"),
        fact("statement_made", "1998", stance="neutral", quote="q"),
        fact("recognition_withdrawn", "2001-09-25"),
    ]
    timeline = build_timeline(facts)
    assert timeline[0].valid_from == date(1500, 1, 1)
    assert all(a.valid_to == b.valid_from for a, b in itertools.pairwise(timeline))
    assert all(a.status != b.status for a, b in itertools.pairwise(timeline))
    assert timeline[-1].valid_to == date(9999, 12, 31)
    assert [iv.valid_from.isoformat() for iv in timeline] == ["1500-01-01", "1997-05-01", "1997-06-01", "2001-09-25"]


def test_a_status_keeps_only_its_own_caches_and_a_copy_leaves_them_behind() -> None:
    """Folding writes nothing onto a status but what Status itself works out; a pickled copy
    has the fields alone (a hash worked out in one process is wrong in another)."""
    grant = fact("recognition_granted", "1997-05")
    doubt = dispute(grant)
    timeline = build_timeline([grant, fact("sanctions_imposed", "1999", regime="arms"), doubt])
    own = {f.name for f in fields(Status)} | {"basis", "basis_set", "_cached_hash"}
    for iv in timeline:
        hash(iv.status)
        assert set(vars(iv.status)) <= own
        for part in iv.status.parts:
            assert set(vars(part)) == {f.name for f in fields(part)}
    copied = pickle.loads(pickle.dumps(timeline[-1].status))
    assert copied == timeline[-1].status
    assert set(vars(copied)) == {f.name for f in fields(Status)}


def test_the_basis_is_the_parts_fact_ids_in_their_order() -> None:
    s = status(
        "2000-06-01",
        fact("sanctions_imposed", "1999", regime="arms"),
        fact("mission_opened", "1999", kind="embassy"),
        fact("recognition_granted", "1999"),
    )
    assert [type(p).__name__ for p in s.parts] == [
        "Recognition",
        "Relations",
        "Envoy",
        "Envoy",
        "Mission",
        "Listing",
        "Sanction",
    ]
    assert s.basis == tuple(p.fact_id for p in s.parts if p.fact_id is not None)
    assert s.to_dict()["missions"] == [s.missions[0].to_dict()]
