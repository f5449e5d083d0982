"""docs/verification.md's example, run as a reader would: it accepts a saved answer with the
verifier key, and refuses the answer with one byte of its evidence changed or its checkpoint
signed by another key."""

from __future__ import annotations

import ast
import base64
import copy
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.bootstrap import build
from infrastructure.config.settings import Settings
from infrastructure.datasets.loader import load_demo
from infrastructure.log.note import Signer, create_key_file, split_note

DOC = Path(__file__).resolve().parents[2] / "docs" / "verification.md"
ORIGIN = "example.org/ledger-doc"
# What the example may import: the standard library's modules it needs, and the two packages.
ALLOWED = {"base64", "hashlib", "json", "sys", "rfc8785", "cryptography"}


@dataclass(frozen=True)
class Saved:
    script: Path
    answer: dict[str, Any]
    key: str
    directory: Path


def example() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "docs/verification.md has one python block"
    return str(blocks[0])


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Saved]:
    directory = tmp_path_factory.mktemp("verification-doc")
    key_file = directory / "signing.key"
    create_key_file(key_file)
    settings = Settings(database_url=f"sqlite:///{directory}/ledger.db", log_origin=ORIGIN, signing_key_file=key_file)
    s = build(settings)
    try:
        load_demo(s.ledger)
        with TestClient(create_app(services=s)) as client:
            params = {"at": "2025-07-03", "proof": "true"}
            answer = client.get("/v1/subjects/taliban-iea/recognitions", params=params).json()
            key = client.get("/v1/log/key").text
    finally:
        s.close()
    script = directory / "check_answer.py"
    script.write_text(example(), encoding="utf-8")
    yield Saved(script, answer, key, directory)


def run(saved: Saved, answer: dict[str, Any], key: str | None = None) -> subprocess.CompletedProcess[str]:
    """The example as the doc runs it, in a fresh interpreter that reads nothing from this repo's tree."""
    path = saved.directory / "answer.json"
    path.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    command = [sys.executable, "-I", str(saved.script), str(path), key or saved.key]
    return subprocess.run(command, cwd=saved.directory, capture_output=True, text=True, timeout=30, check=False)


def refused(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("proof does not hold:") and reason in result.stderr, result.stderr


def the_fact(answer: dict[str, Any]) -> dict[str, Any]:
    """Russia's recognition of 3 July 2025: the one fact of the answer's evidence."""
    (entry,) = answer["evidence"].values()
    assert entry["actor"] == "RUS" and entry["effective_on"] == "2025-07-03"
    return dict(entry)


def test_the_example_imports_nothing_of_the_ledger() -> None:
    names = set()
    for node in ast.walk(ast.parse(example())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(str(node.module).split(".")[0])
    assert names <= ALLOWED, names - ALLOWED


def test_the_example_accepts_a_saved_answer(saved: Saved) -> None:
    result = run(saved, saved.answer)
    assert result.returncode == 0, result.stderr
    size = saved.answer["proof"]["size"]
    assert result.stdout == f"proof holds: 1 facts in {ORIGIN} at size {size}\n"
    assert size == 21 and len(saved.answer["evidence"]) == 1


def one_byte(text: str) -> str:
    """The text with its last character, an ASCII letter or digit, the next one instead."""
    last = text[-1]
    assert last.isascii() and last.isalnum()
    return text[:-1] + ("0" if last == "9" else "a" if last == "z" else chr(ord(last) + 1))


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("sources", lambda s: [{**s[0], "quote": one_byte(s[0]["quote"])}, *s[1:]]),
        ("sources", lambda s: [s[0], {**s[1], "publisher": one_byte(s[1]["publisher"])}]),
        ("effective_on", one_byte),
        ("recorded_at", lambda t: one_byte(t[:-1]) + "Z"),
        ("details", lambda d: {"form": one_byte(d["form"])}),
        ("fact_id", one_byte),
    ],
)
def test_the_example_refuses_a_changed_evidence_field(saved: Saved, field: str, change: Any) -> None:
    answer = copy.deepcopy(saved.answer)
    entry = the_fact(answer)
    before, after = json.dumps(entry[field]), json.dumps(change(entry[field]))
    assert len(before) == len(after) and sum(a != b for a, b in zip(before, after, strict=True)) == 1
    answer["evidence"][entry["fact_id"]] = entry | {field: json.loads(after)}  # under its id as saved
    refused(run(saved, answer), "is not in the checkpoint's tree")


def test_the_example_refuses_a_checkpoint_signed_by_another_key(saved: Saved) -> None:
    note = saved.answer["proof"]["checkpoint"]
    text, _ = split_note(note)
    other = Signer(ORIGIN, Ed25519PrivateKey.generate())
    resigned = copy.deepcopy(saved.answer)
    resigned["proof"]["checkpoint"] = other.sign_note(text)
    refused(run(saved, resigned), "has no signature by")
    # The same key id as the ledger's key, the signature another key's: it does not verify.
    ((name, blob),) = split_note(note)[1]
    forged = base64.b64encode(blob[:4] + split_note(resigned["proof"]["checkpoint"])[1][0][1][4:]).decode()
    resigned["proof"]["checkpoint"] = f"{text}\n\u2014 {name} {forged}\n"
    refused(run(saved, resigned), "signature does not verify")
    # And the saved answer itself, checked against the other key.
    refused(run(saved, saved.answer, str(other.verifier)), "has no signature by")
