"""An import skips a line already in the ledger only when the ledger holds it as the line says."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from infrastructure.bootstrap import Services
from infrastructure.bulk.export import export_lines
from infrastructure.bulk.importer import Importer
from infrastructure.errors import ImportMismatch
from tests.conftest import Clock
from tests.integration.test_rebuild_and_transfer import busy_ledger

Change = Callable[[dict[str, Any]], dict[str, Any]]


def first(lines: list[str], wanted: Callable[[dict[str, Any]], bool]) -> int:
    """The index of the first line whose record is wanted."""
    return next(i for i, line in enumerate(lines) if wanted(json.loads(line)))


def with_quote(r: dict[str, Any]) -> dict[str, Any]:
    return r | {"sources": [r["sources"][0] | {"quote": "another quote"}, *r["sources"][1:]]}


CASES: list[tuple[str, Callable[[dict[str, Any]], bool], Change, str]] = [
    (
        "another actor",
        lambda r: r["record"] == "fact" and r["actor"] == "RUS",
        lambda r: r | {"actor": "CHN"},
        re.escape('is stored with actor "RUS", the file says "CHN"'),
    ),
    (
        "another quote",
        lambda r: r["record"] == "fact" and bool(r["sources"][0].get("quote")),
        with_quote,
        r'is stored with sources\[0\]\.quote "Riyadh opened [^"]+…", the file says "another quote"$',
    ),
    (
        "another form",
        lambda r: r["record"] == "fact" and r["details"].get("form") == "de_jure",
        lambda r: r | {"details": {"form": "de_facto"}},
        re.escape('is stored with details.form "de_jure", the file says "de_facto"'),
    ),
    (
        "a note added",
        lambda r: r["record"] == "fact" and r["note"] is None,
        lambda r: r | {"note": "added later"},
        re.escape('is stored with note null, the file says "added later"'),
    ),
    (
        "another position",
        lambda r: r["record"] == "fact" and r["position"] == 3,
        lambda r: r | {"position": 4},
        re.escape("is stored with position 3, the file says 4"),
    ),
    (
        "an alias dropped",
        lambda r: r["record"] == "subject",
        lambda r: r | {"aliases": r["aliases"][:-1]},
        re.escape("subject 'taliban-iea' is stored with aliases[2] \"IEA\", the file says nothing"),
    ),
    (
        "another principal",
        lambda r: r["record"] == "subject",
        lambda r: r | {"registered_by": "someone"},
        re.escape('is stored with registered_by "demo", the file says "someone"'),
    ),
    (
        "another milestone note",
        lambda r: r["record"] == "milestone",
        lambda r: r | {"note": "Kabul falls."},
        re.escape(
            "of 'taliban-iea' is stored with note \"Taliban take Kabul; first period of rule begins.\", the file"
        ),
    ),
    (
        "another actor name",
        lambda r: r["record"] == "actor",
        lambda r: r | {"name": "OIC"},
        re.escape('actor \'OIC\' is stored with name "Organisation of Islamic Cooperation", the file says "OIC"'),
    ),
]


@pytest.mark.parametrize(("case", "wanted", "change", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_line_stored_otherwise_is_a_mismatch_naming_the_line_and_field(
    services: Services, clock: Clock, case: str, wanted: Callable[[dict[str, Any]], bool], change: Change, message: str
) -> None:
    """Importing a changed export into its own ledger names the first field that differs, and writes nothing."""
    busy_ledger(services, clock)
    lines = list(export_lines(services.ledger, services.log.checkpoints))
    n = first(lines, wanted)
    changed = [*lines[:n], json.dumps(change(json.loads(lines[n]))), *lines[n + 1 :]]
    with pytest.raises(ImportMismatch, match=f"^line {n + 1}: ") as refused:
        Importer(services.ledger, batch_size=5).run(changed)
    assert re.search(message, str(refused.value)), refused.value
    assert list(export_lines(services.ledger, services.log.checkpoints)) == lines, "nothing changed"


def test_an_equal_line_in_another_spelling_is_present(services: Services, clock: Clock) -> None:
    """Keys in another order, spaces, and a UTC time written with +00:00 or Z are the same line."""
    busy_ledger(services, clock)
    lines = list(export_lines(services.ledger, services.log.checkpoints))
    respelt = []
    for line in lines:
        record = json.loads(line)
        for key in ("recorded_at", "registered_at"):
            if key in record:
                record[key] = (
                    record[key].replace("Z", "+00:00") if record[key].endswith("Z") else record[key][:-6] + "Z"
                )
        respelt.append(json.dumps(dict(reversed(record.items())), indent=None, separators=(", ", ": ")))
    assert respelt != lines
    report = Importer(services.ledger, batch_size=5).run(respelt)
    assert (report.written, report.skipped) == (0, len(lines) - 1)  # all but the checkpoint


def test_a_mismatch_in_a_resumed_import_writes_nothing_of_its_batch(
    make_services: Callable[[], Services], clock: Clock
) -> None:
    """An import interrupted after 12 lines, rerun with line 11 changed: the batch of lines 11 to 15
    is refused whole, though 13 to 15 are new; the file put right resumes."""
    source = make_services()
    busy_ledger(source, clock)
    lines = list(export_lines(source.ledger, source.log.checkpoints))
    target = make_services()
    Importer(target.ledger, batch_size=5).run(lines[:12])
    record = json.loads(lines[10])
    assert record["record"] == "fact"
    changed = [*lines[:10], json.dumps(record | {"recorded_by": "someone"}), *lines[11:]]
    with pytest.raises(ImportMismatch, match=f"^line 11: fact {record['fact_id']} is stored with recorded_by"):
        Importer(target.ledger, batch_size=5).run(changed)
    assert list(export_lines(target.ledger, target.log.checkpoints))[:-1] == lines[:12], (
        "nothing of the batch, nor after it"
    )
    report = Importer(target.ledger, batch_size=5).run(lines)
    assert (report.written, report.skipped) == (len(lines) - 1 - 12, 12)
    assert list(export_lines(target.ledger, target.log.checkpoints)) == lines
