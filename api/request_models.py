"""Request bodies of the v1 contract: validated here for their types, checked by the domain for the
rest, and documented with the patterns, lengths and choices those checks hold."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue

from api.models import FactTypeName
from domain.details import URL_PATTERN, detail_fields, storable
from domain.facts import FactType
from infrastructure.reference.actors import known_codes, territories


def _plain(value: str) -> str:
    """Refuse NUL and lone surrogates early: no store can hold them."""
    if not storable(value):
        raise ValueError("contains a NUL or an unpaired surrogate character")
    return value


Str = Annotated[str, AfterValidator(_plain)]


class Closed(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# The ledger's rule for text (domain.details.clean_text): no control characters but tab and
# newline, and not only white space.
CONTROL = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f"
TEXT_PATTERN = f"^[^{CONTROL}]*[^\\s{CONTROL}][^{CONTROL}]*$"
OPTIONAL_TEXT_PATTERN = f"^[^{CONTROL}]*$"
TEXT_RULE = "No control characters but tab and newline; not only white space"
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
YEAR_1_ON = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"  # there is no year 0
DAY_PATTERN = f"^{YEAR_1_ON}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
# From 1500, where timelines start, to 2099; a date after today is refused too, which no pattern says.
EFFECTIVE_PATTERN = "^(1[5-9][0-9]{2}|20[0-9]{2})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


def text(limit: int = 2000, **extra: Any) -> Any:
    """A text field as the ledger checks it: no control characters, at most `limit` once trimmed; a
    required one not empty, an optional one empty or blank taken as not given."""
    extra["description"] = f"{extra['description']}. {TEXT_RULE}" if "description" in extra else TEXT_RULE
    if "default" in extra:
        return Field(json_schema_extra={"pattern": OPTIONAL_TEXT_PATTERN}, **extra)
    return Field(json_schema_extra={"pattern": TEXT_PATTERN, "minLength": 1, "maxLength": limit}, **extra)


EFFECTIVE = "YYYY-MM-DD, YYYY-MM or YYYY (month or year precision), from 1500 and not after today"


class SourceIn(Closed):
    url: Str = Field(
        description="http or https URL of a public page that reports the fact",
        json_schema_extra={"format": "iri", "pattern": URL_PATTERN, "maxLength": 2000},
        examples=["https://en.prothomalo.com/international/ro4lapha3n"],
    )
    title: Str | None = text(500, default=None)
    publisher: Str | None = text(200, default=None)
    published_on: Str | None = Field(
        default=None, description="YYYY-MM-DD", json_schema_extra={"format": "date", "pattern": DAY_PATTERN}
    )
    quote: Str | None = text(default=None, description="A short phrase from the source")


class SubjectIn(Closed):
    id: Str = Field(
        description="A slug: lower-case words joined by hyphens",
        json_schema_extra={"pattern": SLUG_PATTERN, "maxLength": 64},
        examples=["taliban-iea"],
    )
    name: Str = text(200, examples=["Islamic Emirate of Afghanistan (Taliban)"])
    kind: Literal["government", "state", "organisation"]
    territory: Annotated[Str, Field(json_schema_extra={"enum": list(territories())})] | None = Field(
        default=None, description="ISO 3166 alpha-3 code of a state (current or former), or XKX (Kosovo)"
    )
    aliases: list[Annotated[Str, text(200)]] | None = Field(default=None, max_length=50)


class MilestoneIn(Closed):
    kind: Literal["took_power", "lost_power", "declared_independence", "dissolved", "renamed"]
    effective_on: Str = Field(
        description=EFFECTIVE, json_schema_extra={"pattern": EFFECTIVE_PATTERN}, examples=["2021-08-15"]
    )
    sources: list[SourceIn] = Field(min_length=1, max_length=20)
    note: Str | None = text(default=None)


CODE_PATTERN = "^[A-Z][A-Z0-9_-]{1,15}$"
KNOWN_CODES: list[JsonValue] = list(known_codes())


class ActorIn(Closed):
    code: Str = Field(
        description="2 to 16 of A-Z, 0-9, _ and -, starting with a letter",
        json_schema_extra={"pattern": CODE_PATTERN},
        examples=["OIC"],
    )
    name: Str = text(200, examples=["Organisation of Islamic Cooperation"])
    kind: Literal["state", "organisation", "entity"]
    valid_from: Str | None = Field(
        default=None,
        description="YYYY-MM-DD: the first day the actor exists; facts before it are refused",
        json_schema_extra={"format": "date", "pattern": DAY_PATTERN},
    )
    valid_to: Str | None = Field(
        default=None,
        description="YYYY-MM-DD: the last day the actor exists, not before valid_from; facts after it are refused",
        json_schema_extra={"format": "date", "pattern": DAY_PATTERN},
    )


class Details(Closed):
    """Every detail a fact can carry; each fact type takes only its own (docs/model.md)."""

    form: Literal["de_jure", "de_facto"] | None = Field(
        default=None, description="recognition_granted (default de_jure)"
    )
    name: Str | None = text(200, default=None, description="ambassador_*: the envoy")
    kind: Literal["embassy", "consulate", "business_office", "liaison_office", "other"] | None = Field(
        default=None, description="mission_opened, mission_closed (required)"
    )
    city: Str | None = text(200, default=None, description="mission_*")
    list: Str | None = text(200, default=None, description="terrorist_listing_*")
    authority: Str | None = text(200, default=None, description="terrorist_listing_*")
    regime: Str | None = text(200, default=None, description="sanctions_* (required)")
    speaker: Str | None = text(200, default=None, description="statement_made")
    stance: Literal["supportive", "critical", "neutral"] | None = Field(
        default=None, description="statement_made (required)"
    )
    quote: Str | None = text(default=None, description="statement_made (required)")


def _details_by_type(schema: dict[str, Any]) -> None:
    """Each fact type takes only its own details, some of them required: one condition per type."""
    rules: list[JsonValue] = []
    for name in get_args(FactTypeName):
        fields = detail_fields(FactType(name))
        required = [k for k, needed in fields.items() if needed]
        details: dict[str, JsonValue] = {"propertyNames": {"enum": list(fields)}} if fields else {"maxProperties": 0}
        then: dict[str, JsonValue] = {"properties": {"details": details}}
        if required:  # present, and not null
            details |= {"type": "object", "required": list(required)}
            details["properties"] = {k: {"type": "string", "pattern": TEXT_PATTERN} for k in required}
            then["required"] = ["details"]
        rules.append({"if": {"properties": {"type": {"const": name}}, "required": ["type"]}, "then": then})
    schema["allOf"] = rules


class FactIn(Closed):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_details_by_type)

    type: FactTypeName
    actor: Str = Field(
        description="An actor's code: a known one (GET /v1/actors), or a registered actor's",
        examples=["RUS"],
        json_schema_extra={"anyOf": [{"enum": KNOWN_CODES}, {"pattern": CODE_PATTERN}]},
    )
    subject: Str = Field(
        description="A registered subject's id", json_schema_extra={"pattern": SLUG_PATTERN}, examples=["taliban-iea"]
    )
    effective_on: Str = Field(
        description=EFFECTIVE, json_schema_extra={"pattern": EFFECTIVE_PATTERN}, examples=["2025-07-03"]
    )
    details: Details | None = Field(default=None, description="The fact type's details: each type takes only its own")
    sources: list[SourceIn] = Field(min_length=1, max_length=20)
    note: Str | None = text(default=None)


class RetractionIn(Closed):
    reason: Str = text(examples=["Recorded against the wrong subject"])
    sources: list[SourceIn] | None = Field(default=None, max_length=20)
    note: Str | None = text(default=None)


class DisputeIn(Closed):
    reason: Str = text(examples=["Another report dates the recognition a day later"])
    sources: list[SourceIn] = Field(min_length=1, max_length=20)
    note: Str | None = text(default=None)


class TokenIn(Closed):
    role: Literal["reader", "editor", "admin"]
    name: Str | None = Field(
        default=None,
        description="The principal recorded on facts: 1 to 64 of A-Z, a-z, 0-9, '.', '_', '@' and '-', "
        "starting with a letter or digit",
        json_schema_extra={"pattern": "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"},
        examples=["analyst"],
    )
