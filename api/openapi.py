"""OpenAPI: every error documented as application/problem+json with the Problem schema."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.models import Problem

ERRORS = {
    400: "Malformed request (for example, invalid JSON)",
    401: "No token, or an unknown or revoked one",
    403: "The token's role is too low",
    404: "Unknown subject, actor or fact",
    409: "A rule conflict or duplicate; names the rule and the conflicting fact",
    412: "If-Match names a relation version that is no longer current",
    413: "The body is over the size limit",
    422: "Invalid fields, each one named",
    429: "Too many wrong tokens from this address, feed streams or replays at once; retry after Retry-After seconds",
    503: "The database is unavailable; retry after Retry-After seconds",
}
REF = {"$ref": "#/components/schemas/Problem"}


def problem_responses() -> dict[int | str, dict[str, Any]]:
    return {code: {"description": text} for code, text in ERRORS.items()}


def with_problem_schemas(app: FastAPI) -> dict[str, Any]:
    """Build the schema once: every 4xx/5xx answer is a Problem in application/problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in components["Problem"].pop("$defs", {}).items():
        components[name] = sub
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = {"application/problem+json": {"schema": REF}}
                    response["description"] = ERRORS.get(int(code), response.get("description", ""))
    app.openapi_schema = schema
    return schema
