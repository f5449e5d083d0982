"""A request body is JSON: a body sent as anything else is 415 with a hint, not a field error, and
an object naming a key twice is 422, not its last value silently kept."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from domain.errors import InvalidValue

BODILESS = ("GET", "HEAD", "DELETE", "OPTIONS")


class UnsupportedMediaType(Exception):
    """Raised when a request with a body does not say it is application/json."""


async def json_body(request: Request) -> None:
    """A router dependency: application/json (or a +json type), with any parameters."""
    if request.method in BODILESS:
        return
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        body = await request.body()  # kept by the request: the route reads it again at no cost
        try:
            json.loads(body, object_pairs_hook=once)
        except (ValueError, RecursionError):
            return  # not JSON, or nested deeper than a parse can follow: the route's own parse says so
        return
    given = f"'{media}'" if media else "no Content-Type"
    raise UnsupportedMediaType(f"the body was sent with {given}; send it as JSON with 'Content-Type: application/json'")


def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads's object_pairs_hook: an object naming a key twice is an InvalidValue."""
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise InvalidValue("body", f"names {', '.join(repr(k) for k in twice)} more than once in one object")
    return dict(pairs)
