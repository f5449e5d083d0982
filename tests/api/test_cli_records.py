"""The command line's own writes and lists: facts record, subjects list, --json, tokens saved in a file."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from infrastructure.config.settings import get_settings
from tests.conftest import database

runner = CliRunner()
FACT = {
    "type": "recognition_granted",
    "actor": "CHN",
    "subject": "taliban-iea",
    "effective_on": "2025-07-02",
    "sources": [{"url": "https://www.reuters.com/world/"}],
}


@pytest.fixture
def ledger_url(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with database(backend, str(tmp_path)) as url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", url)
        get_settings.cache_clear()
        assert runner.invoke(app, ["demo"]).exit_code == 0
        yield url
        get_settings.cache_clear()


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def printed(*args: str) -> str:
    """What a command wrote to standard output alone (its notes go to standard error)."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_fact_recorded_from_the_command_line_goes_through_the_rules_once(ledger_url: str, tmp_path: Path) -> None:
    path = tmp_path / "fact.json"
    path.write_text(json.dumps(FACT), encoding="utf-8")
    code, output = invoke("facts", "record", str(path), "--idempotency-key", "cli-chn")
    receipt = json.loads(output.strip().splitlines()[-1])
    assert code == 0 and receipt["relation_version"] >= 1
    code, again = invoke("facts", "record", "-", "--idempotency-key", "cli-chn", stdin=json.dumps(FACT))
    assert code == 0 and json.loads(again.strip().splitlines()[-1])["fact_id"] == receipt["fact_id"]
    code, duplicate = invoke("facts", "record", str(path))
    assert code == 4 and duplicate.count(receipt["fact_id"]) == 1 and "already recorded" in duplicate
    code, stale = invoke(
        "facts", "record", "-", "--if-match", "0", stdin=json.dumps(FACT | {"effective_on": "2025-07-04"})
    )
    assert code == 5 and f"version {receipt['relation_version']}, not 0" in stale
    code, bad = invoke("facts", "record", "-", stdin="{not json")
    assert code == 2 and "fact: is not JSON" in bad
    status = json.loads(invoke("status", "taliban-iea", "--at", "2025-07-03", "--json")[1])
    chn = [r for r in status["relations"] if r["actor"] == "CHN"]
    assert (
        chn
        and chn[0]["recognition"]["state"] == "recognised"
        and chn[0]["recognition"]["fact_id"] == receipt["fact_id"]
    )
    audit = json.loads(invoke("revisions", "CHN", "taliban-iea", "--json")[1])
    assert audit["revisions"][-1]["fact"]["recorded_by"] == "cli"


def test_subjects_are_listed_and_found_by_name(ledger_url: str) -> None:
    code, table = invoke("subjects", "list")
    assert code == 0 and "taliban-iea" in table and "Islamic Emirate" in table
    lines = invoke("subjects", "list", "--q", "TALIBAN", "--json")[1].strip().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["taliban-iea"]
    assert invoke("subjects", "list", "--q", "nowhere", "--json")[1].strip() == ""


def test_every_read_command_prints_json_when_asked(ledger_url: str) -> None:
    assert json.loads(invoke("status", "taliban-iea", "--at", "1998-01-01", "--json")[1])["at"] == "1998-01-01"
    assert json.loads(invoke("revisions", "RUS", "taliban-iea", "--json")[1])["actor"] == "RUS"
    assert printed("check", "--json").strip() == ""
    sets = [json.loads(line) for line in invoke("data", "list", "--json")[1].strip().splitlines()]
    assert {s["name"] for s in sets} >= {"kosovo", "palestine"} and all(s["lines"] > 0 for s in sets)
    invoke("tokens", "create", "--role", "reader", "--name", "reader-one")
    listed = [json.loads(line) for line in invoke("tokens", "list", "--json")[1].strip().splitlines()]
    assert [t["principal"] for t in listed] == ["reader-one"] and "token" not in listed[0]


def test_a_token_needs_a_role_and_a_saved_one_is_printed_again_while_it_works(ledger_url: str, tmp_path: Path) -> None:
    code, output = invoke("tokens", "create")
    assert code == 2 and "Missing option '--role'" in output
    saved = tmp_path / "editor.token"
    code, first = invoke("tokens", "create", "--role", "editor", "--name", "newsroom", "--save", str(saved))
    token = first.strip().splitlines()[-1]
    assert code == 0 and saved.read_text().strip() == token and stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    code, again = invoke("tokens", "create", "--role", "editor", "--name", "newsroom", "--save", str(saved))
    assert code == 0 and again.strip().splitlines()[-1] == token and "still works; none made" in again
    token_id = json.loads(invoke("tokens", "list", "--json")[1].strip().splitlines()[0])["token_id"]
    invoke("tokens", "revoke", token_id)
    code, fresh = invoke("tokens", "create", "--role", "editor", "--name", "newsroom", "--save", str(saved))
    assert code == 0 and fresh.strip().splitlines()[-1] == saved.read_text().strip() != token


def test_a_saved_token_of_another_role_or_an_unwritable_file_is_refused_and_makes_nothing(
    ledger_url: str, tmp_path: Path
) -> None:
    saved = tmp_path / "reader.token"
    assert invoke("tokens", "create", "--role", "reader", "--name", "r1", "--save", str(saved))[0] == 0
    code, output = invoke("tokens", "create", "--role", "admin", "--name", "boss", "--save", str(saved))
    assert code == 2 and "holds a working token of r1 (reader)" in output
    code, output = invoke("tokens", "create", "--role", "editor", "--save", str(tmp_path / "nodir" / "t"))
    assert code == 2 and "cannot write" in output and "No such file or directory" in output
    code, output = invoke("tokens", "create", "--role", "editor", "--save", str(tmp_path))
    assert code == 2 and f"cannot read {tmp_path}: Is a directory" in output
    assert [json.loads(line)["principal"] for line in printed("tokens", "list", "--json").strip().splitlines()] == [
        "r1"
    ]


def test_a_fact_naming_a_key_twice_is_refused_from_the_command_line_too(ledger_url: str) -> None:
    text = json.dumps(FACT)[:-1] + ', "type": "statement_made"}'
    code, output = invoke("facts", "record", "-", stdin=text)
    assert code == 2 and "'type' more than once" in output
