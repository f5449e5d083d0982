"""`ledger status` and `ledger revisions`: what the ledger says of a subject, and of one relation over time."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli_runtime import out, print_json, services
from api.parsing import system_time
from domain.dates import parse_day
from infrastructure.encoding.rfc3339 import parse_rfc3339


def status(
    subject: str,
    at: Annotated[str | None, typer.Option("--at", help="Valid date YYYY-MM-DD (default today)")] = None,
    recorded_at: Annotated[str | None, typer.Option("--recorded-at", help="System time, RFC 3339")] = None,
    mode: Annotated[str, typer.Option(help="view or replay")] = "view",
    as_json: Annotated[bool, typer.Option("--json", help="The answer as JSON, as the HTTP API gives it")] = False,
) -> None:
    """Every actor's status toward SUBJECT on a date, as the ledger held it at a time."""
    with services() as s:
        answer = s.queries.subject_status(
            subject, parse_day(at, "--at"), system_time(recorded_at, "--recorded-at"), mode
        )
        if as_json:
            print_json(answer)
            return
        recognised = s.queries.recognitions(
            subject, parse_day(at, "--at"), system_time(recorded_at, "--recorded-at"), mode
        )
        table = Table(title=f"{subject} on {answer['at']} (as recorded at {answer['recorded_at']})")
        for column in ("actor", "level", "recognition", "since", "hostile", "flags"):
            table.add_column(column)
        for row in answer["relations"]:
            rec = row["recognition"]
            flags = ",".join(f for f in ("approximate", "disputed") if row[f])
            table.add_row(
                row["actor"],
                row["level"],
                f"{rec['state']} {rec.get('form', '')}".strip(),
                rec.get("since", ""),
                "yes" if row["hostile"] else "",
                flags,
            )
        out.print(table)
        names = ", ".join(f"{r['actor']} ({r['form']})" for r in recognised["recognised_by"]) or "none"
        out.print(f"recognised by {recognised['count']}: {names}")


def revisions(
    actor: str,
    subject: str,
    recorded_at: Annotated[str | None, typer.Option("--recorded-at", help="System time, RFC 3339")] = None,
    mode: Annotated[str, typer.Option(help="view or replay")] = "view",
    as_json: Annotated[bool, typer.Option("--json", help="The answer as JSON, as the HTTP API gives it")] = False,
) -> None:
    """What the ledger said of ACTOR's relation to SUBJECT at each moment it changed, and why."""
    with services() as s:
        after, pages, as_of = 0, [], system_time(recorded_at, "--recorded-at")
        while after is not None:
            page = s.queries.revisions(actor, subject, as_of, mode, after, 1000)
            pages.append(page)
            as_of = as_of or parse_rfc3339(page["recorded_at"])  # every page as of the first one's time
            after = page["next_after"]
        first = pages[0]
        if as_json:
            whole = {k: v for k, v in first.items() if k != "next_after"}
            print_json(whole | {"revisions": [r for page in pages for r in page["revisions"]]})
            return
        out.print(
            f"{first['actor']} ({first['actor_name']}) → {first['subject']} ({first['subject_name']}), "
            f"as recorded at {first['recorded_at']}",
            markup=False,
            soft_wrap=True,
        )
        for revision in (r for page in pages for r in page["revisions"]):
            fact = revision["fact"]
            out.print(
                f"v{revision['relation_version']} {revision['recorded_at']} by {fact['recorded_by']}: "
                f"{fact['type']} {fact['effective_on']} ({fact['fact_id']})",
                markup=False,
                soft_wrap=True,
            )
            for source in fact["sources"]:
                quote = f' "{source["quote"]}"' if source.get("quote") else ""
                out.print(f"    source: {source['url']}{quote}", markup=False, soft_wrap=True)
            for sign, key in (("-", "before"), ("+", "after")):
                for iv in revision[key]:
                    out.print(f"    {sign} {_interval_text(iv)}", markup=False, soft_wrap=True)


def _interval_text(iv: dict[str, Any]) -> str:
    status = iv["status"]
    span = "no facts" if iv["no_facts"] else iv["valid_from"]
    flags = "".join(f", {f}" for f in ("hostile", "approximate", "disputed") if status[f])
    return f"{span} … {iv['valid_to'] or 'open'}: {status['level']}{flags}"
