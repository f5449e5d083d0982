"""The `ledger` command: status, demo, export/import, check, rebuild, tokens, and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app, services
from bench.measure import wait_until_ready
from infrastructure.config.settings import get_settings
from infrastructure.write_request import WriteRequest
from tests.api.server import free_port
from tests.conftest import database
from tests.factories import SUN_KOSOVO, XKX_KOSOVO, older_export

runner = CliRunner()


@pytest.fixture
def ledger_url(backend: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """LEDGER_DATABASE_URL pointing at a fresh database, seen by the CLI's settings."""
    with database(backend, str(tmp_path)) as url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_demo_then_status_on_the_two_july_dates(ledger_url: str) -> None:
    """On 2 July 2025 nobody recognises the Islamic Emirate; on 3 July Russia does."""
    assert invoke("demo")[1].startswith("demo: 21 records loaded")
    code, before = invoke("status", "taliban-iea", "--at", "2025-07-02")
    assert code == 0 and "recognised by 0: none" in before
    code, after = invoke("status", "taliban-iea", "--at", "2025-07-03")
    assert code == 0 and "recognised by 1: RUS (de_jure)" in after
    code, first_period = invoke("status", "taliban-iea", "--at", "1998-01-01", "--mode", "replay")
    assert "recognised by 3: ARE (de_jure), PAK (de_jure), SAU (de_jure)" in first_period


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (("status", "nowhere", "--at", "2025-07-03"), 3, "unknown subject 'nowhere'"),
        (("status", "taliban-iea", "--at", "2009-02-30"), 2, "is not a date"),
        (("status", "taliban-iea", "--recorded-at", "yesterday"), 2, "is not an RFC 3339 time"),
        (("status", "taliban-iea", "--mode", "guess"), 2, "is not one of view, replay"),
        (("tokens", "create", "--role", "king"), 2, "is not one of reader, editor, admin"),
        (("tokens", "revoke", "nope"), 3, "unknown token 'nope'"),
        (("export", "/no/such/dir/x.jsonl"), 2, "cannot write /no/such/dir/x.jsonl: No such file or directory"),
        (("facts", "record", "/no/such/fact.json"), 2, "cannot read /no/such/fact.json: No such file or directory"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(
    ledger_url: str, args: tuple[str, ...], exit_code: int, message: str
) -> None:
    """A bad argument prints one line naming the problem, never a traceback."""
    invoke("demo")
    code, output = invoke(*args)
    assert code == exit_code
    assert message in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_tokens_are_printed_once_and_stored_as_hashes(ledger_url: str) -> None:
    """`tokens create` prints the token last; `tokens list` never shows it; revoke works."""
    code, output = invoke("tokens", "create", "--role", "editor", "--name", "newsroom")
    token = output.strip().splitlines()[-1]
    assert code == 0 and token.startswith("rl_") and len(token) > 30
    token_id = re.search(r"token (\w+) \(editor\) created", output).group(1)  # type: ignore[union-attr]
    listed = invoke("tokens", "list")[1]
    assert "newsroom" in listed and token_id in listed and token not in listed
    assert invoke("tokens", "revoke", token_id)[0] == 0
    code, again = invoke("tokens", "revoke", token_id)
    assert code == 4 and f"token {token_id} was already revoked at" in again, "a revoked token is named as such"


def test_export_import_and_rebuild_through_the_cli(ledger_url: str, tmp_path, backend: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Export, import into an empty ledger, export again: identical files; rebuild reports its work."""
    invoke("demo")
    first = tmp_path / "first.jsonl"
    assert invoke("export", str(first))[0] == 0
    code, rebuilt = invoke("project", "rebuild")
    assert (
        code == 0 and "rebuild: 27 stored events folded (one per record, and one where each relation began)" in rebuilt
    )
    with database(backend, str(tmp_path)) as other:
        monkeypatch.setenv("LEDGER_DATABASE_URL", other)
        get_settings.cache_clear()
        code, imported = invoke("import", str(first))
        assert code == 0 and "import: 21 written, 0 already present" in imported
        assert invoke("import", str(first))[1].strip().endswith("import: 0 written, 21 already present")
        second = tmp_path / "second.jsonl"
        invoke("export", str(second))
        assert second.read_text() == first.read_text()


def test_serve_with_two_workers_answers_and_logs_each_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Worker processes start afresh; the access log must still reach stderr from each."""
    port = free_port()
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/served.db",
        "LEDGER_ADMIN_TOKEN": "t0ken-for-a-served-test",
    }
    command = [sys.executable, "-c", "from api.cli import app; app()", "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}")
        admin = {"Authorization": "Bearer t0ken-for-a-served-test"}
        answer = httpx.get(f"http://127.0.0.1:{port}/v1/subjects/nowhere", headers=admin)
        assert answer.status_code == 404
        assert "server" not in answer.headers  # what runs here is no client's business
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    line = next((x for x in err.splitlines() if "GET /v1/subjects/nowhere 404" in x), None)
    assert line is not None, err[-2000:]
    assert "ledger.access" in line and "principal=admin" in line
    assert "t0ken-for-a-served-test" not in err, "tokens never reach the log"


def test_check_lists_stored_facts_that_break_a_rule_and_exits_4(ledger_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An older export's SUN and XKX recognitions of Kosovo are imported as history; `check` names each
    with its rule until it is retracted, then says there is no problem."""
    older = tmp_path / "older.jsonl"
    older.write_text("\n".join(older_export()) + "\n", encoding="utf-8")
    code, imported = invoke("import", str(older))
    assert code == 0 and "import: 5 written, 0 already present" in imported
    code, output = invoke("check")
    lines = output.strip().splitlines()
    assert code == 4
    assert lines[0] == (
        f"{SUN_KOSOVO} SUN kosovo recognition_granted 2008-02-17 after_actor_ceased: "
        "SUN exists until 1992-08-30; the fact is dated 2008-02-17"
    )
    assert lines[1].startswith(f"{XKX_KOSOVO} XKX kosovo recognition_granted 2008-02-17 acts_toward_own_territory: ")
    assert lines[2] == "check: 2 of 3 facts break a rule (retract them to correct the ledger)"
    with services() as s:
        for fact_id in (SUN_KOSOVO, XKX_KOSOVO):
            s.ledger.retract(str(fact_id), {"reason": "cannot be true"}, WriteRequest("ed"))
    code, output = invoke("check")
    assert (code, output.strip()) == (0, "check: no problems in 5 facts")


def test_check_on_the_demo_finds_no_problem(ledger_url: str) -> None:
    """The article's story breaks no rule: exit 0 and one line."""
    invoke("demo")
    assert invoke("check") == (0, "check: no problems in 17 facts\n")


def test_an_import_line_stored_otherwise_exits_6_and_writes_nothing_of_its_batch(
    ledger_url: str,
    tmp_path,
    backend: str,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """Resuming an import after 10 lines with line 9 changed: one line naming it and the field, exit 6,
    and nothing of the batch of lines 9 to 12 written though 11 and 12 are new."""
    invoke("demo")
    exported = tmp_path / "ledger.jsonl"
    invoke("export", str(exported))
    lines = exported.read_text().splitlines()
    record = json.loads(lines[8])
    assert (record["record"], record["actor"]) == ("fact", "ARE")
    with database(backend, str(tmp_path)) as other:
        monkeypatch.setenv("LEDGER_DATABASE_URL", other)
        get_settings.cache_clear()
        interrupted, changed = tmp_path / "interrupted.jsonl", tmp_path / "changed.jsonl"
        interrupted.write_text("\n".join(lines[:10]) + "\n")
        changed.write_text("\n".join([*lines[:8], json.dumps(record | {"actor": "SAU"}), *lines[9:]]) + "\n")
        assert invoke("import", str(interrupted))[0] == 0
        code, output = invoke("import", str(changed), "--batch-size", "4")
        assert code == 6
        error = f'error: line 9: fact {record["fact_id"]} is stored with actor "ARE", the file says "SAU"'
        assert error in output.splitlines(), output
        now = tmp_path / "now.jsonl"
        invoke("export", str(now))
        assert now.read_text().splitlines()[:-1] == lines[:10], "nothing of the batch, nor after it"
        code, output = invoke("import", str(exported), "--batch-size", "4")
        assert code == 0 and "import: 11 written, 10 already present" in output


@pytest.mark.parametrize("mode", ["view", "replay"])
def test_revisions_print_each_fact_with_its_sources_and_the_intervals_it_replaced(ledger_url: str, mode: str) -> None:
    """`ledger revisions RUS taliban-iea`: seven revisions in order; the recognition's replaces the interval
    from 1 July by one to 3 July and one from then on; an unknown actor exits 3."""
    invoke("demo")
    code, output = invoke("revisions", "RUS", "taliban-iea", "--mode", mode)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("RUS (Russian Federation) → taliban-iea (Islamic Emirate of Afghanistan (Taliban))")
    heads = [line for line in lines if line.startswith("v")]
    assert [h.split()[0] for h in heads] == [f"v{n}" for n in range(1, 8)]
    assert "terrorist_listing_added 2003-02-14" in heads[0] and "recognition_granted 2025-07-03" in heads[5]
    recognition = lines[lines.index(heads[5]) + 1 : lines.index(heads[6])]
    assert all(line.startswith("    source: https://") for line in recognition if "source" in line)
    changed = [line.strip() for line in recognition if line.strip()[:1] in "-+"]
    assert changed == [
        "- 2025-07-01 … open: de_facto",
        "+ 2025-07-01 … 2025-07-03: de_facto",
        "+ 2025-07-03 … open: recognised",
    ]
    first = lines[lines.index(heads[0]) + 1 : lines.index(heads[1])]
    assert "+ no facts … 2003-02-14: none" in [line.strip() for line in first]
    assert invoke("revisions", "QQQ", "taliban-iea")[0] == 3
