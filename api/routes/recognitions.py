"""GET /v1/subjects/{subject_id}/recognitions: the most asked read, served apart from the others.

Written as the other status reads are (a plain route of `reads.router`: the router's dependency
and the query parameters solved by FastAPI, the answer validated against `Recognitions`, the read
in the thread pool, on the one synchronous pool), it answers 0.35 of this route's requests/s, at
3.0 times the server CPU per request: PostgreSQL, 100,000 facts, the largest subject (147 actors
in the answer), two workers, wrk -c8, the median of six alternating rounds of
`python -m bench.hot_route` (0.32 to 0.50 over four such runs). That is more than the 15% for which
the product keeps a route apart, so this one route differs from the others in three ways:

- `Direct` (api/direct_route.py) routes it: FastAPI documents it from the endpoint's signature,
  like any other, but calls the endpoint with the path's and the query's strings as they came,
  solving nothing; the endpoint checks read access itself, with the reads router's own
  `read_access`;
- the answer is sent as `Queries` shapes it, encoded by orjson, without a second validation
  against the response model (the tests compare its bytes with the shared read path's);
- on PostgreSQL, in view mode, it is awaited on the event loop through an asynchronous pool
  (`AwaitedReads`, open while the app runs: `awaited_reads`) instead of in a worker thread; without
  it the route answers 0.82 of the requests/s at 1.3 times the CPU per request
  (`python -m bench.hot_route --against threads`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth import read_access
from api.csv_answers import CSV_RESPONSE, answer_format, recognitions_csv
from api.direct_route import CompactJSON, Direct
from api.openapi import READ_ONE, errors
from api.parsing import system_time
from api.routes.deps import At, Format, Mode, Proof, RecordedAt, SubjectId, flag, get_services, plain, proved
from api.status_models import Recognitions
from domain.dates import parse_day
from infrastructure.read.awaited import AwaitedReads

router = APIRouter(prefix="/v1", tags=["status"], route_class=Direct)
# Direct hands the query's strings as they came: `mode` and `proof` are read below.


@router.get(
    "/subjects/{subject_id}/recognitions",
    response_model=Recognitions,
    operation_id="getRecognitions",
    responses=errors(*READ_ONE, ok=CSV_RESPONSE),
)
async def recognitions(
    request: Request,
    subject_id: SubjectId,
    at: At = None,
    recorded_at: RecordedAt = None,
    mode: Mode = "view",
    proof: Proof = False,
    format: Format = None,
) -> Response:
    """Who recognised the subject on `at`, as the ledger held it at `recorded_at`."""
    services = await get_services(request)
    await read_access(request, services)
    mode, proof = mode or "view", flag(cast(str | None, proof), "proof")
    kind = answer_format(format, proof)
    args = (plain(subject_id, "subject_id") or "", parse_day(at, "at"), system_time(recorded_at))
    awaited: AwaitedReads | None = getattr(request.app.state, "awaited", None)  # None without a lifespan
    if awaited is not None and mode == "view" and not proof and kind == "json":
        found = await awaited.recognitions(*args)  # its evidence comes encoded: JSON only
    else:
        found = await run_in_threadpool(lambda: proved(services.queries.recognitions(*args, mode), services.log, proof))
    if kind == "csv":
        return recognitions_csv(found, f"{found['subject']}-recognitions-{found['at']}")
    return CompactJSON(found)


@asynccontextmanager
async def awaited_reads(app: FastAPI) -> AsyncIterator[None]:
    """`app.state.awaited` while the app runs: the asynchronous pool on PostgreSQL, None on SQLite."""
    app.state.awaited = await AwaitedReads.open(app.state.services.queries, app.state.services.settings)
    try:
        yield
    finally:
        if app.state.awaited is not None:
            await app.state.awaited.close()
        app.state.awaited = None
