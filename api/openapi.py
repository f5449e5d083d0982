"""OpenAPI: what each operation can answer, the headers it reads, who may call it, and where its ids lead.

Routes declare their own answers (`errors`) and headers (`IDEMPOTENT`, `VERSIONED`); `with_contract`
adds what follows from those declarations: the Problem schema on every error, bearer security (an
operation that can answer 403 needs a token, others take one optionally), and the links from the
answers that make ids to the operations that take them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.caching import UNCACHED
from api.models import Problem

ERRORS = {
    400: "Malformed JSON: the body is not valid JSON",
    401: "No token where one is needed, or an unknown or revoked one",
    403: "The token's role is too low",
    404: "Unknown subject, actor, fact or token",
    409: "A rule conflict or duplicate; names the rule and the conflicting fact",
    412: "If-Match names a relation version that is no longer current",
    413: "The body is over the size limit",
    415: "The body is not sent as application/json",
    422: "Invalid fields, each one named",
    429: "Too many wrong tokens from this address, feed streams or replays at once; retry after Retry-After seconds",
    503: "The database is unavailable; retry after Retry-After seconds",
}
REF = {"$ref": "#/components/schemas/Problem"}
BEARER = "bearerAuth"

READ = (401, 422, 429, 503)  # any read: a wrong token, a bad parameter, the throttle, the database
READ_ONE = (*READ, 404)  # a read of something named in the path
WRITE = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
ADMIN = (401, 403, 422, 429, 503)


def errors(*codes: int, ok: dict[int | str, dict[str, Any]] | None = None) -> dict[int | str, dict[str, Any]]:
    """An operation's error answers (their Problem schema is added by `with_contract`), beside `ok`."""
    return {**(ok or {}), **{code: {"description": ERRORS[code]} for code in codes}}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A retry with the same key and body answers the first answer again and writes nothing; "
    "the same key with another body is 422",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]{1,200}$"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The relation version the write expects, as the relation\'s ETag gives it ("3"); another is 412',
    "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,9}"?$'},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of answers held; if one is this answer's, 304 without a body",
    "schema": {"type": "string"},
}
IDEMPOTENT = {"parameters": [IDEMPOTENCY_KEY]}
VERSIONED = {"parameters": [IDEMPOTENCY_KEY, IF_MATCH]}
ETAG = {"ETag": {"description": "The relation's version after the write", "schema": {"type": "string"}}}


def _takers(parameter: str, pointer: str, *operations: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Links from an answer's id (at `pointer`) to the operations taking it as `parameter`."""
    return {op[0].upper() + op[1:]: (op, {parameter: f"$response.body#/{pointer}"}) for op in operations}


# Where an answer's ids lead: (operation, answer) -> {link name: (operation taking it, its parameters)}.
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("recordFact", "201"): _takers("fact_id", "fact_id", "getFact", "retractFact", "disputeFact"),
    ("listFacts", "200"): _takers("fact_id", "items/0/fact_id", "getFact", "retractFact", "disputeFact"),
    ("getFact", "200"): _takers("fact_id", "fact_id", "retractFact", "disputeFact")
    | {"GetRelation": ("getRelation", {"actor": "$response.body#/actor", "subject_id": "$response.body#/subject"})},
    ("registerSubject", "201"): _takers(
        "subject_id", "id", "addMilestone", "getSubject", "getRecognitions", "getSubjectStatus"
    ),
    ("getSubject", "200"): _takers(
        "subject_id", "id", "addMilestone", "getRecognitions", "getSubjectStatus", "getHistory"
    ),
    ("createToken", "201"): _takers("token_id", "token_id", "revokeToken"),
}
DESCRIPTION = """Sourced, dated, correctable recognition facts: who recognised whom, when, and on what evidence.

Every answer can be asked as of a valid date (`at`) and as of a system time (`recorded_at`). Writes
need a bearer token (editor; admin for actors and tokens); reads take one when the ledger requires it.
Errors are RFC 9457 problems (application/problem+json). Docs: docs/api.md in the repository."""


def with_contract(app: FastAPI) -> dict[str, Any]:
    """Build the schema once, from the routes' declarations."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=DESCRIPTION, routes=app.routes)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schemas["Problem"].pop("$defs", {}).items():
        schemas[name] = sub
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `ledger tokens create` or POST /v1/tokens",
        }
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "get" and not path.startswith(UNCACHED):
                operation["responses"]["304"] = {"description": "Not modified: If-None-Match names this answer's ETag"}
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
            _problems(operation)
            _parameters(operation)
            needs_token = "403" in operation["responses"]
            operation["security"] = [{BEARER: []}] if needs_token else [{}, {BEARER: []}]
            for code, links in LINKS.items():
                if operation.get("operationId") == code[0]:
                    operation["responses"][code[1]]["links"] = {
                        name: {"operationId": target, "parameters": params} for name, (target, params) in links.items()
                    }
    app.openapi_schema = schema
    return schema


def _problems(operation: dict[str, Any]) -> None:
    for code, response in operation.get("responses", {}).items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = {"application/problem+json": {"schema": REF}}
            response["description"] = ERRORS.get(int(code), response.get("description", ""))


def _parameters(operation: dict[str, Any]) -> None:
    """A query or header parameter is absent or a value, never null: `X | None` is documented as X."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        choices = schema.get("anyOf")
        if choices and len(choices) == 2 and {"type": "null"} in choices:
            (kept,) = [c for c in choices if c != {"type": "null"}]
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            parameter["schema"] = {**kept, **rest}


def path_pattern(path: str) -> re.Pattern[str]:
    """A documented path as a pattern its requests match: `{name}` is one segment."""
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")
