"""RFC 9457 problem details: the one place their body and bytes are made, for the app's error
handlers and for the middleware that answers before any route (the body limit)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class ProblemResponse(JSONResponse):
    """application/problem+json, ASCII-escaped so any echoed input can be sent."""

    media_type = "application/problem+json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


def problem(
    status: int,
    title: str,
    text: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    """A problem with `errors` when there are any, and each of `extra` that has a value; an ASGI
    app too, so middleware sends it as `await problem(...)(scope, receive, send)`."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": text}
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    return ProblemResponse(body, status_code=status, headers=headers)
