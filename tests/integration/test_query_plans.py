"""The hottest read is answered from its partial index, on both backends."""

from __future__ import annotations

from typing import Any

from infrastructure.bootstrap import Services
from infrastructure.datasets.loader import load_demo
from infrastructure.view.tables import LIVE


def _plan(services: Services, backend: str, sql: str, params: list[Any]) -> str:
    view: Any = services.ledger.view
    if backend == "sqlite":
        with view.dialect.datastore.transaction(commit=False) as c:
            c.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(tuple(row)) for row in c.fetchall())
    with view.dialect.datastore.transaction(commit=False) as c:
        # A tiny table would be read whole; ask which index the planner would take.
        c.execute("SET LOCAL enable_seqscan = off")
        c.execute("SET LOCAL enable_bitmapscan = off")
        c.execute(("EXPLAIN " + sql).encode(), params)
        return " ".join(row["QUERY PLAN"] for row in c.fetchall())


def test_who_recognises_now_reads_only_the_recognised_until_index(services: Services, backend: str) -> None:
    load_demo(services.ledger)
    sql = services.ledger.view.latest_recognitions
    plan = _plan(services, backend, sql, ["taliban-iea", "2025-07-03", "2025-07-03"])
    if backend == "sqlite":
        assert "COVERING INDEX ledger_status_recognised_until" in plan, plan
    else:
        assert "Index Only Scan using ledger_status_recognised_until" in plan, plan
        assert "valid_to >" in plan.split("Index Cond:")[1].split("Filter")[0], plan


def test_a_timeline_is_read_by_the_primary_key(services: Services, backend: str) -> None:
    load_demo(services.ledger)
    view: Any = services.ledger.view
    sql = view.dialect.sql(view.select_timeline, LIVE)
    rid = "00000000-0000-0000-0000-000000000000"
    end = "9999-12-31T23:59:59.999998Z" if backend == "sqlite" else "9999-12-31 23:59:59.999998+00"
    plan = _plan(services, backend, sql, [rid, end, end])
    if backend == "sqlite":
        assert "USING INDEX sqlite_autoindex_ledger_status_1 (relation_id=?)" in plan, plan
        assert "TEMP B-TREE" not in plan, "rows come in valid_from order, unsorted"
    else:
        assert "Index Scan using ledger_status_pkey" in plan, plan
        assert "Sort" not in plan, plan
