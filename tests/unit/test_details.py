"""What a client may send: details per type, sources and text."""

import re

import pytest

from domain.details import URL_PATTERN, clean_details, clean_sources, clean_text
from domain.errors import InvalidValue, InvalidValues
from domain.facts import FactType


def test_recognition_form_defaults_to_de_jure() -> None:
    """A grant without a form is de jure."""
    assert clean_details(FactType.RECOGNITION_GRANTED, None) == {"form": "de_jure"}


@pytest.mark.parametrize(
    ("fact_type", "details", "field"),
    [
        (FactType.RECOGNITION_GRANTED, {"form": "partial"}, "details.form"),
        (FactType.MISSION_OPENED, {}, "details.kind"),
        (FactType.MISSION_OPENED, {"kind": "palace"}, "details.kind"),
        (FactType.SANCTIONS_IMPOSED, {}, "details.regime"),
        (FactType.STATEMENT_MADE, {"stance": "supportive"}, "details.quote"),
        (FactType.STATEMENT_MADE, {"stance": "angry", "quote": "x"}, "details.stance"),
        (FactType.RECOGNITION_WITHDRAWN, {"form": "de_jure"}, "details.form"),
        (FactType.AMBASSADOR_ACCEPTED, {"name": 42}, "details.name"),
        (FactType.FACT_RETRACTED, {"retracts": "nope", "reason": "x"}, "details.retracts"),
    ],
)
def test_bad_details_name_the_field(fact_type: FactType, details: dict, field: str) -> None:  # type: ignore[type-arg]
    """Unknown, missing or invalid details are refused with the field's path."""
    with pytest.raises(InvalidValues) as refused:
        clean_details(fact_type, details)
    assert field in [p.field for p in refused.value.problems]


@pytest.mark.parametrize(
    ("sources", "field"),
    [
        ([], "sources"),
        ([{"url": "ftp://example.org/x"}], "sources[0].url"),
        ([{"url": "javascript:alert(1)"}], "sources[0].url"),
        ([{"title": "no url"}], "sources[0].url"),
        ([{"url": "https://example.org", "rating": 5}], "sources[0].rating"),
        ([{"url": "https://example.org", "published_on": "2009-02-30"}], "sources[0].published_on"),
        ([{"url": f"https://example.org/{i}"} for i in range(21)], "sources"),
        ("https://example.org", "sources"),
    ],
)
def test_bad_sources_are_refused(sources: object, field: str) -> None:
    """One to twenty sources, each with an http(s) URL and known fields only."""
    with pytest.raises(InvalidValue) as refused:
        clean_sources(sources)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://wikimili.com/en/Holy_See\u2013Taiwan_relations", True),  # an IRI, as the sources hold
        ("https://example.org/a%2Fb?q=1#f", True),
        ("HTTPS://example.org", True),
        ("hTTp://0#~Y\\", False),  # a backslash
        ("https://example.org/<x>", False),
        ("https://example.org/a^b", False),
        ("https://example.org/a%2", False),  # a broken escape
        ("https://a\ueb8f.org", False),  # private use
        ("https://example.org/\U000f0001", False),  # private use, plane 15
        ("https://example.org/\ufdd0", False),  # a noncharacter
    ],
)
def test_urls_are_iris_and_the_published_pattern_agrees(url: str, kept: bool) -> None:
    """A source URL is an http(s) IRI (RFC 3987); the schema's pattern says the same in the BMP."""
    if kept:
        assert clean_sources([{"url": url}])[0].url == url
    else:
        with pytest.raises(InvalidValue):
            clean_sources([{"url": url}])
    if "\U000f0001" not in url:
        assert bool(re.match(URL_PATTERN, url)) is kept


def test_good_sources_are_kept() -> None:
    """A full source keeps every field, its date parsed."""
    (s,) = clean_sources(
        [
            {
                "url": "https://example.org/a",
                "title": "T",
                "publisher": "P",
                "published_on": "2025-07-03",
                "quote": "brave decision",
            }
        ]
    )
    assert (s.url, s.published_on.isoformat() if s.published_on else None) == ("https://example.org/a", "2025-07-03")


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "\ud800", "x" * 2001])
def test_odd_text_is_refused(text: str) -> None:
    """Control characters, lone surrogates and over-long text are refused."""
    with pytest.raises(InvalidValue):
        clean_text(text, "note")


def test_text_is_normalised() -> None:
    """Text is trimmed and NFC-normalised; blank optional text is dropped."""
    assert clean_text("  Cafe\u0301 ", "note") == "Café"
    assert clean_text("   ", "note") is None
