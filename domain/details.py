"""Checking and normalising what a client sends: details, sources and text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from domain.dates import parse_day
from domain.errors import InvalidValue, InvalidValues
from domain.facts import FactType, MissionKind, RecognitionForm, Source, Stance

MAX_SOURCES = 20
MAX_TEXT = 2000
MAX_NAME = 200
MAX_URL = 2000


def storable(text: str) -> bool:
    """False for text no store can hold: a NUL or an unpaired surrogate."""
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def clean_text(value: Any, field: str, *, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    """A trimmed, NFC-normalised string free of control characters (tab and newline apart), or None.

    The rule is one a pattern can state, so the API's schema states it exactly."""
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise InvalidValue(field, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, "must be a string")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise InvalidValue(field, "must not be empty")
    if len(text) > limit:
        raise InvalidValue(field, f"is longer than {limit} characters")
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"]
    if bad:
        raise InvalidValue(field, f"contains a control character ({bad[0]!r})")
    return text


def _choice(enum: type[Any], default: Any = None) -> Callable[[Any, str], str | None]:
    def check(value: Any, field: str) -> str | None:
        if value is None:
            return default.value if default is not None else None
        allowed = [m.value for m in enum]
        if value not in allowed:
            raise InvalidValue(field, f"must be one of {', '.join(allowed)}")
        return str(value)

    return check


def _required(check: Callable[[Any, str], str | None]) -> Callable[[Any, str], str | None]:
    def wrapped(value: Any, field: str) -> str | None:
        checked = None if value is None else check(value, field)
        if checked is None:  # not given, or only white space
            raise InvalidValue(field, "is required")
        return checked

    return wrapped


def _name(value: Any, field: str) -> str | None:
    return clean_text(value, field, limit=MAX_NAME)


def _text(value: Any, field: str) -> str | None:
    return clean_text(value, field)


def _fact_id(value: Any, field: str) -> str | None:
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise InvalidValue(field, f"{value!r} is not a fact id (UUID)") from None


Check = Callable[[Any, str], str | None]

_ENVOY: dict[str, Check] = {"name": _name}
_LISTING: dict[str, Check] = {"list": _name, "authority": _name}
_MISSION: dict[str, Check] = {"kind": _required(_choice(MissionKind)), "city": _name}
_REGIME: dict[str, Check] = {"regime": _required(_name)}
_SCHEMAS: dict[FactType, dict[str, Check]] = {
    FactType.RECOGNITION_GRANTED: {"form": _choice(RecognitionForm, RecognitionForm.DE_JURE)},
    FactType.RECOGNITION_WITHDRAWN: {},
    FactType.RELATIONS_ESTABLISHED: {},
    FactType.RELATIONS_SEVERED: {},
    FactType.AMBASSADOR_ACCEPTED: _ENVOY,
    FactType.AMBASSADOR_EXPELLED: _ENVOY,
    FactType.AMBASSADOR_SENT: _ENVOY,
    FactType.AMBASSADOR_RECALLED: _ENVOY,
    FactType.MISSION_OPENED: _MISSION,
    FactType.MISSION_CLOSED: _MISSION,
    FactType.TERRORIST_LISTING_ADDED: _LISTING,
    FactType.TERRORIST_LISTING_REMOVED: _LISTING,
    FactType.SANCTIONS_IMPOSED: _REGIME,
    FactType.SANCTIONS_LIFTED: _REGIME,
    FactType.STATEMENT_MADE: {
        "speaker": _name,
        "stance": _required(_choice(Stance)),
        "quote": _required(_text),
    },
    FactType.FACT_RETRACTED: {"retracts": _required(_fact_id), "reason": _required(_text)},
    FactType.FACT_DISPUTED: {"disputes": _required(_fact_id), "reason": _required(_text)},
}


def detail_fields(fact_type: FactType) -> dict[str, bool]:
    """Each detail a fact of this type takes, and whether it must be given."""
    fields = {}
    for key, check in _SCHEMAS[fact_type].items():
        try:
            check(None, key)
            fields[key] = False
        except InvalidValue:
            fields[key] = True
    return fields


def clean_details(fact_type: FactType, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The details of a fact of this type, checked, with defaults and no empty keys."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise InvalidValue("details", "must be an object")
    schema = _SCHEMAS[fact_type]
    problems = [
        InvalidValue(f"details.{key}", f"is not a detail of {fact_type.value}") for key in raw if key not in schema
    ]
    clean: dict[str, Any] = {}
    for key, check in schema.items():
        try:
            value = check(raw.get(key), f"details.{key}")
        except InvalidValue as problem:
            problems.append(problem)
            continue
        if value is not None:
            clean[key] = value
    if problems:
        raise InvalidValues(problems)
    return clean


def clean_sources(raw: Any, *, required: bool = True) -> tuple[Source, ...]:
    """One to twenty sources, each with an http(s) URL."""
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        raise InvalidValue("sources", "must be a list")
    if required and not raw:
        raise InvalidValue("sources", "at least one source is required")
    if len(raw) > MAX_SOURCES:
        raise InvalidValue("sources", f"at most {MAX_SOURCES} sources are allowed")
    return tuple(_source(item, f"sources[{i}]") for i, item in enumerate(raw))


def _source(item: Any, field: str) -> Source:
    if isinstance(item, Source):
        item = item.__dict__
    if not isinstance(item, Mapping):
        raise InvalidValue(field, "must be an object with a url")
    unknown = set(item) - {"url", "title", "publisher", "published_on", "quote"}
    if unknown:
        raise InvalidValue(f"{field}.{sorted(unknown)[0]}", "is not a field of a source")
    return Source(
        url=_url(item.get("url"), f"{field}.url"),
        title=clean_text(item.get("title"), f"{field}.title", limit=500),
        publisher=clean_text(item.get("publisher"), f"{field}.publisher", limit=MAX_NAME),
        published_on=_published(item.get("published_on"), f"{field}.published_on"),
        quote=clean_text(item.get("quote"), f"{field}.quote"),
    )


# One character of an IRI (RFC 3987): a %XX escape, or any character but spaces, controls, those
# no URI or IRI holds anywhere (<>"{}|\^`), private-use characters and noncharacters. The
# schema publishes this pattern; in Python and ECMAScript alike it reads the same.
_IRI_CHAR = '(?:%[0-9A-Fa-f]{2}|[^%\\x00-\\x20\\x7f-\\x9f<>"{}|\\\\^`\\ue000-\\uf8ff\\ufdd0-\\ufdef\\ufffe\\uffff])'
URL_PATTERN = f"^[hH][tT][tT][pP][sS]?://(?:(?![/?#]){_IRI_CHAR})+(?:[/?#]{_IRI_CHAR}*)?$"
_URL = re.compile(URL_PATTERN)
# Planes 15 and 16 are private use too, and end in noncharacters, as every plane does.
_OUTSIDE_BMP_REFUSED = re.compile("[\U000f0000-\U0010ffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff]")


def _url(value: Any, field: str) -> str:
    text = clean_text(value, field, limit=MAX_URL, required=True)
    assert text is not None
    try:
        parts = urlsplit(text)
    except ValueError:  # a bracketed host that is no IPv6 address
        raise InvalidValue(field, f"{text!r} is not an http or https URL") from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or not _URL.match(text)
        or _OUTSIDE_BMP_REFUSED.search(text)
    ):
        raise InvalidValue(field, f"{text!r} is not an http or https URL")
    return text


def _published(value: Any, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidValue(field, "must be a date YYYY-MM-DD")
    return parse_day(value, field)
