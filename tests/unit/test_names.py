"""Names as people type them: folding and did-you-mean, without a database."""

from __future__ import annotations

import pytest

from infrastructure.read.names import did_you_mean, fold

CODES = {"RUS": "RUS", "Russian Federation": "RUS", "BYS": "BYS", "Byelorussian SSR": "BYS", "CHN": "CHN"}


def test_folding_drops_case_and_accents() -> None:
    """'Kosovës' and 'KOSOVES' are the same name to a reader."""
    assert fold("Republika e Kosovës") == fold("REPUBLIKA E KOSOVES") == "republika e kosoves"


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("rus", "RUS"),  # another case
        ("Russian Federaton", "RUS"),  # one letter off
        ("russia", "RUS"),  # starts a word of only Russia's names ('Byelorussian' has it inside)
        ("RUZ", None),  # one letter off in three is a guess, not an obvious mistake
        ("by", None),  # shorter than a code: too short to guess from
        ("RUSS", "RUS"),  # four letters that start a word of Russia's name alone
        ("zzz", None),
    ],
)
def test_did_you_mean_suggests_only_the_obvious(given: str, meant: str | None) -> None:
    """A suggestion when one name is clearly meant, none otherwise."""
    assert did_you_mean(given, CODES) == meant


def test_a_word_start_shared_by_two_things_suggests_neither() -> None:
    """'republic' starts a word of two subjects' names: no single one is meant."""
    assert did_you_mean("republic", {"Republic of Kosovo": "kosovo", "Republic of China": "roc-taiwan"}) is None
