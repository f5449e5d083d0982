"""The log's commands: keys create, verify (and an edit behind the service's back named),
verify-proof of a saved answer, and import --expect-checkpoint refusing an edited export."""

from __future__ import annotations

import base64
import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from infrastructure.bootstrap import build
from infrastructure.config.settings import Settings, get_settings
from tests.conftest import database
from tests.integration.test_log import events, fact_event, raw

runner = CliRunner()
ORIGIN = "example.org/cli-test"
KEY_LINE = rf"^{ORIGIN}\+[0-9a-f]{{8}}\+[A-Za-z0-9+/]{{44}}$"  # the hex key id, base64 of 0x01 and 32 bytes


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def signed_url(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database and a signing key, both seen by the CLI's settings."""
    monkeypatch.setenv("LEDGER_LOG_ORIGIN", ORIGIN)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    with database(backend, str(tmp_path)) as url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def test_keys_create_writes_a_private_key_once_and_prints_its_verifier_key(signed_url: str, tmp_path: Path) -> None:
    key = tmp_path / "signing.key"
    code, output = invoke("keys", "create")
    assert code == 0
    verifier = output.strip()
    assert re.match(KEY_LINE, verifier), verifier
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and b"PRIVATE KEY" in key.read_bytes()
    assert "PRIVATE" not in output
    before = key.read_bytes()
    code, output = invoke("keys", "create")
    assert (code, key.read_bytes()) == (2, before) and "exists; a key is never overwritten" in output
    assert invoke("keys", "create", "--if-missing") == (0, verifier + "\n")
    other = tmp_path / "other.key"
    code, output = invoke("keys", "create", str(other))
    assert code == 0 and output.strip() != verifier and other.exists()


def test_keys_create_without_a_path_names_the_setting(signed_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEDGER_SIGNING_KEY_FILE")
    get_settings.cache_clear()
    assert invoke("keys", "create") == (2, "error: give a path, or set LEDGER_SIGNING_KEY_FILE\n")


def test_verify_prints_the_root_and_names_an_edited_event(signed_url: str) -> None:
    invoke("keys", "create")
    invoke("demo")
    s = build(Settings(database_url=signed_url))
    try:
        root = base64.b64encode(s.log.checkpoint().checkpoint.root).decode()
        code, output = invoke("verify")
        assert code == 0
        assert output.splitlines()[0] == f"verified 21 records, root {root}"
        facts = s.ledger.view.audit(s.queries.audit_filters.checked({"actor": ["RUS"]}), 0, 10)
        fact_id = next(f["fact_id"] for f in facts if f["type"] == "recognition_granted")
        index = s.ledger.tree.index_of_fact(fact_id)
        table, nid = events(s)
        with raw(signed_url) as run:
            n = fact_event(s, run, fact_id)
            [(state,)] = run(f"SELECT state FROM {table} WHERE {nid} = ?", (n,))
            edited = bytes(state).replace(b"2025-07-03", b"2025-07-02")
            run(f"UPDATE {table} SET state = ? WHERE {nid} = ?", (edited, n))
    finally:
        s.close()
    code, output = invoke("verify")
    assert code == 9
    assert output == f"verify: log index {index}: fact {fact_id} as stored does not hash to its leaf\n"


def saved_answer(url: str, tmp_path: Path) -> tuple[Path, str]:
    settings = Settings(database_url=url)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/v1/subjects/taliban-iea/recognitions", params={"at": "2025-07-03", "proof": "true"})
        key = client.get("/v1/log/key").text
    assert answer.status_code == 200 and "proof" in answer.json()
    path = tmp_path / "answer.json"
    path.write_text(answer.text)
    return path, key


def test_verify_proof_checks_a_saved_answer_offline_and_refuses_an_edit_or_another_key(
    signed_url: str, tmp_path: Path
) -> None:
    invoke("keys", "create")
    invoke("demo")
    path, key = saved_answer(signed_url, tmp_path)
    code, output = invoke("verify-proof", str(path), "--key", key)
    assert code == 0 and output.startswith(f"proof holds: 1 records in {ORIGIN} at size 21, signed by {ORIGIN}")
    answer = json.loads(path.read_text())
    fact_id = answer["recognised_by"][0]["fact_id"]
    answer["evidence"][fact_id]["effective_on"] = "2025-07-02"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(answer))
    code, output = invoke("verify-proof", str(edited), "--key", key)
    assert code == 9 and output.startswith("verify-proof: ")
    _, other = invoke("keys", "create", str(tmp_path / "other.key"))
    code, output = invoke("verify-proof", str(path), "--key", other.strip())
    assert code == 9 and output.startswith("verify-proof: ")
    code, output = invoke("verify-proof", str(tmp_path / "missing.json"), "--key", key)
    assert code == 9 and "missing.json" in output


def test_import_expect_checkpoint_refuses_an_edited_export_before_writing(
    signed_url: str, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("keys", "create")
    invoke("demo")
    export = tmp_path / "ledger.jsonl"
    assert invoke("export", str(export))[0] == 0
    checkpoint = tmp_path / "checkpoint.txt"
    checkpoint.write_text(json.loads(export.read_text().splitlines()[-1])["checkpoint"])
    edited = tmp_path / "edited.jsonl"
    edited.write_text(export.read_text().replace('"2025-07-03"', '"2025-07-02"', 1))
    (tmp_path / "copy").mkdir()
    with database(backend, str(tmp_path / "copy")) as copy:
        monkeypatch.setenv("LEDGER_DATABASE_URL", copy)
        get_settings.cache_clear()
        code, output = invoke("import", str(edited), "--expect-checkpoint", str(checkpoint))
        assert code == 6 and "do not hash to the checkpoint's root: a record was changed" in output
        s = build(Settings(database_url=copy))
        try:
            assert s.ledger.tree.size() == 0 and not s.ledger.recorder.max_notification_id()
        finally:
            s.close()
        code, output = invoke("import", str(export), "--expect-checkpoint", str(export))
        assert code == 0 and "the 21 records hash to the checkpoint's root" in output
        assert invoke("verify")[1].startswith("verified 21 records, root ")
