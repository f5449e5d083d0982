"""Facts that cannot be true: an actor toward its own territory, an actor outside its lifespan."""

from __future__ import annotations

from datetime import date

import pytest

from domain.dates import EffectiveDate
from domain.errors import InvalidValue, RuleViolation
from domain.facts import FactType
from domain.impossible_facts import check_possible, refusal
from domain.lifespan import Lifespan

G = FactType.RECOGNITION_GRANTED
SUN = Lifespan(last=date(1992, 8, 30))
REGISTERED = Lifespan(date(2008, 2, 17), date(2010, 6, 30))
OPEN = Lifespan()


def on(text: str) -> EffectiveDate:
    return EffectiveDate.parse(text, today=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("lifespan", "effective", "rule"),
    [
        (SUN, "2008-02-17", "after_actor_ceased"),
        (SUN, "1992-08-30", None),  # the last day is a day it exists
        (SUN, "1992-08-31", "after_actor_ceased"),
        (SUN, "1992-08", None),  # the month holds days it existed
        (SUN, "1992", None),
        (SUN, "1992-09", "after_actor_ceased"),
        (SUN, "1993", "after_actor_ceased"),
        (REGISTERED, "2008-02-16", "before_actor_existed"),
        (REGISTERED, "2008-02-17", None),
        (REGISTERED, "2008-02", None),  # its last days are within the lifespan
        (REGISTERED, "2008-01", "before_actor_existed"),
        (REGISTERED, "2007", "before_actor_existed"),
        (REGISTERED, "2010-06-30", None),
        (REGISTERED, "2010-07-01", "after_actor_ceased"),
        (REGISTERED, "2010", None),
        (OPEN, "1500", None),
        (Lifespan(first=date(2000, 1, 1)), "2025-07-03", None),
    ],
)
def test_a_fact_is_refused_only_when_no_day_of_its_period_lies_within_the_lifespan(
    lifespan: Lifespan, effective: str, rule: str | None
) -> None:
    """Imprecise dates get the benefit of the doubt; exact days outside the lifespan do not."""
    broken = refusal(G, "ACT", "kosovo", on(effective), lifespan, None)
    assert (broken.rule if broken else None) == rule


def test_an_actor_toward_a_subject_whose_territory_it_is_is_refused() -> None:
    """XKX recognising kosovo, whose territory is XKX, names the rule and both parties."""
    with pytest.raises(RuleViolation) as refused:
        check_possible(G, "XKX", "kosovo", on("2008-02-17"), OPEN, "XKX")
    assert refused.value.rule == "acts_toward_own_territory"
    assert "XKX" in refused.value.reason and "kosovo" in refused.value.reason
    assert refusal(G, "ALB", "kosovo", on("2008-02-17"), OPEN, "XKX") is None
    assert refusal(G, "XKX", "taliban-iea", on("2008-02-17"), OPEN, None) is None


def test_the_reason_says_when_the_actor_ceased_and_when_the_fact_is_dated() -> None:
    """The 409's detail lets a client see the two dates that clash."""
    broken = refusal(G, "SUN", "kosovo", on("2008-02-17"), SUN, "XKX")
    assert broken is not None
    assert broken.reason == "SUN exists until 1992-08-30; the fact is dated 2008-02-17"
    assert broken.conflicting_fact_id is None


@pytest.mark.parametrize("correction", [FactType.FACT_RETRACTED, FactType.FACT_DISPUTED])
def test_corrections_are_never_refused(correction: FactType) -> None:
    """An impossible fact stored before the rules existed can still be retracted or disputed."""
    assert refusal(correction, "SUN", "kosovo", on("2026-01-01"), SUN, None) is None
    assert refusal(correction, "XKX", "kosovo", on("2026-01-01"), OPEN, "XKX") is None


def test_a_lifespan_that_ends_before_it_starts_is_refused_naming_valid_to() -> None:
    """A registered actor's end may be its start, never before it."""
    with pytest.raises(InvalidValue) as refused:
        Lifespan.checked(date(2010, 1, 1), date(2009, 12, 31))
    assert refused.value.field == "valid_to"
    assert Lifespan.checked(date(2010, 1, 1), date(2010, 1, 1)) == Lifespan(date(2010, 1, 1), date(2010, 1, 1))
