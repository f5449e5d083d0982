"""Effective dates: the three precisions, their periods, and what is refused; plain days."""

from datetime import date

import pytest

from domain.dates import EffectiveDate, Precision, parse_day
from domain.errors import InvalidValue

TODAY = date(2025, 7, 10)


@pytest.mark.parametrize(
    ("text", "start", "precision", "end"),
    [
        ("2025-07-03", date(2025, 7, 3), Precision.DAY, date(2025, 7, 4)),
        ("2025-04", date(2025, 4, 1), Precision.MONTH, date(2025, 5, 1)),
        ("2024-12", date(2024, 12, 1), Precision.MONTH, date(2025, 1, 1)),
        ("1997", date(1997, 1, 1), Precision.YEAR, date(1998, 1, 1)),
        ("1500-01-01", date(1500, 1, 1), Precision.DAY, date(1500, 1, 2)),
    ],
)
def test_each_form_parses_to_the_start_of_its_period(text: str, start: date, precision: Precision, end: date) -> None:
    """A date, month or year takes effect from the first day of its period."""
    parsed = EffectiveDate.parse(text, today=TODAY)
    assert (parsed.start, parsed.precision, parsed.end) == (start, precision, end)
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2009-02-30", "not a real date"),
        ("2025-13", "not a real date"),
        ("2025-7-3", "is not YYYY-MM-DD"),
        ("03/07/2025", "is not YYYY-MM-DD"),
        ("", "is not YYYY-MM-DD"),
        ("1499-12-31", "before 1500-01-01"),
        ("2025-07-11", "after today"),
        ("2025-08", "after today"),
        ("2026", "after today"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(text: str, reason: str) -> None:
    """Impossible, malformed, too early and future dates are refused, naming the field."""
    with pytest.raises(InvalidValue) as refused:
        EffectiveDate.parse(text, today=TODAY)
    assert refused.value.field == "effective_on"
    assert reason in refused.value.message


def test_the_current_month_and_year_are_allowed() -> None:
    """A period that has started is not in the future, even if it has not ended."""
    assert EffectiveDate.parse("2025-07", today=TODAY).precision is Precision.MONTH
    assert EffectiveDate.parse("2025", today=TODAY).precision is Precision.YEAR


def test_a_plain_day_is_read_and_none_stays_none() -> None:
    """The one reader of the `at`, `from`, `to` and published dates of the API and the CLI."""
    assert parse_day("2025-07-03", "at") == date(2025, 7, 3)
    assert parse_day("9999-12-31", "at") == date(9999, 12, 31)
    assert parse_day(None, "at") is None


@pytest.mark.parametrize(
    "text",
    [
        "2009-02-30",
        "2025-7-3",
        "20250703",
        "2025-07-03T00:00",
        "",
        "03/07/2025",
        20250703,
        "2025-W27-4",
        "2025-07-03\n",
    ],
)
def test_a_plain_day_that_is_not_one_is_refused_naming_the_field(text: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_day(text, "--at")  # type: ignore[arg-type]
    assert refused.value.field == "--at"
    assert refused.value.message == f"{text!r} is not a date in the form YYYY-MM-DD"
