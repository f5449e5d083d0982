"""Status and recognitions answers as CSV (`format=csv`): the table behind the web page's map.

One row per relation or recognition, flat, with the deciding facts' ids and their sources' URLs,
so a spreadsheet holds the evidence as the JSON answer does.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel

from api.status_models import Recognitions
from domain.errors import InvalidValue

FORMATS = ("json", "csv")
SAFE = re.compile(r"[^A-Za-z0-9._-]")
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The answer; as CSV with format=csv"}
}

STATUS_COLUMNS = (
    "level",
    "hostile",
    "approximate",
    "disputed",
    "recognition",
    "recognition_form",
    "recognition_since",
    "recognition_since_precision",
    "basis",
    "source_urls",
    "at",
    "recorded_at",
)
RECOGNITION_COLUMNS = ("actor", "actor_name", "form", "since", "since_precision", "approximate", "disputed", "fact_id")


def answer_format(text: str | None, proof: bool) -> str:
    """The `format` query value, checked; a proof comes with JSON answers only."""
    if text is None:
        return "json"
    if text not in FORMATS:
        raise InvalidValue("format", f"{text!r} is not a format: json or csv")
    if text == "csv" and proof:
        raise InvalidValue("proof", "comes with JSON answers only: leave out format=csv, or proof")
    return text


def status_csv(found: dict[str, Any], model: type[BaseModel], name: str) -> Response:
    """A subject's or an actor's status answer: one row per relation, keyed by the other side."""
    answer = model.model_validate(found).model_dump()  # every field, as the JSON answer has them
    key = ("actor", "actor_name") if "subject_name" in answer else ("subject", "subject_name")
    evidence = answer["evidence"]
    rows = []
    for entry in answer["relations"]:
        recognition = entry["recognition"]
        basis = entry["basis"]
        rows.append(
            [entry[key[0]], entry[key[1]], *(entry[c] for c in ("level", "hostile", "approximate", "disputed"))]
            + [recognition[c] for c in ("state", "form", "since", "since_precision")]
            + [" ".join(basis), " ".join(_urls(evidence, basis)), answer["at"], answer["recorded_at"]]
        )
    return _csv((*key, *STATUS_COLUMNS), rows, name)


def recognitions_csv(found: dict[str, Any], name: str) -> Response:
    """A subject's recognitions answer: one row per recognising actor, with its fact's sources."""
    answer = Recognitions.model_validate(found).model_dump()
    evidence = answer["evidence"]
    rows = [
        [entry[c] for c in RECOGNITION_COLUMNS]
        + [" ".join(_urls(evidence, [entry["fact_id"]])), answer["at"], answer["recorded_at"]]
        for entry in answer["recognised_by"]
    ]
    return _csv((*RECOGNITION_COLUMNS, "source_urls", "at", "recorded_at"), rows, name)


def _urls(evidence: dict[str, Any], fact_ids: Iterable[str]) -> list[str]:
    return [s["url"] for f in fact_ids if f in evidence for s in evidence[f]["sources"]]


def _csv(header: Iterable[str], rows: Iterable[list[Any]], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{SAFE.sub("_", name)}.csv"'},
    )


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # not a formula when a spreadsheet opens it
    return "" if value is None else value
