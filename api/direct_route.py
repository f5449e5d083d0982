"""The route class of the hottest reads: FastAPI documents the endpoint from its signature, like
any other, but calls it with the request and each parameter's string as it came, solving nothing.

For such a read, FastAPI's solving of dependencies and parameters, and its second validation of
the answer, cost more than the read itself (docs/benchmarks.md gives the figures; each route's
module says what they were for it). The endpoint checks read access itself (`read_access`), reads
its parameters from the strings with the parsers the others' validation matches (naming the field
in a 422), and answers with `CompactJSON`. Router or route dependencies would not run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from domain.errors import InvalidValue


class CompactJSON(JSONResponse):
    """The bytes Starlette's JSONResponse sends (compact, UTF-8), encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class Direct(APIRoute):
    """A route whose endpoint gets the request, then each other parameter of its signature by name:
    a path parameter's string, or a query parameter's (None when absent)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint
        names = [name for name in inspect.signature(endpoint).parameters if name != "request"]

        async def handle(request: Request) -> Response:
            path, query = request.path_params, request.query_params
            response: Response = await endpoint(request, *[path[n] if n in path else query.get(n) for n in names])
            return response

        return handle


def whole(text: str | None, field: str, low: int, high: int = 2**62) -> int | None:
    """A whole-number query parameter from `low` to `high`, as FastAPI would take it; None if absent."""
    if text is None:
        return None
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not a whole number") from None
    if not low <= value <= high:
        raise InvalidValue(field, f"{value} is not from {low} to {high}")
    return value
