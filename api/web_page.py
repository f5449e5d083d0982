"""The web page at `/`: static files from api/web, served from the ledger's own origin only.

The page's Content-Security-Policy lets it load and ask nothing from anywhere else, so it works
offline and cannot leak what a reader looks at to a third party.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

WEB = Path(__file__).parent / "web"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Cache-Control": "no-cache",  # revalidated by ETag: a new release shows at once
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a followed source link does not learn what was looked at
}


class PageFiles(StaticFiles):
    """The page's files, with the page's headers."""

    async def get_response(self, path: str, scope: Scope) -> Any:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def mount_page(app: FastAPI) -> None:
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB / "index.html", headers=HEADERS)

    app.mount("/web", PageFiles(directory=str(WEB)), name="web")
