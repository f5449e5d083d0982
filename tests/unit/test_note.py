"""C2SP signed notes and checkpoints: the Go reference's vector, and refusals of changed notes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infrastructure.log.note import Checkpoint, NoteError, Signer, Verifier, create_key_file, parse_checkpoint

VECTOR = json.loads((Path(__file__).parents[1] / "data" / "log-vectors.json").read_text())["note"]


def reference_signer() -> Signer:
    """The Go reference's signer key: PRIVATE+KEY+<name>+<hex id>+base64(0x01 ‖ seed)."""
    _, _, name, key_id, blob = VECTOR["signer_key"].split("+", 4)
    seed = base64.b64decode(blob)[1:]
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(seed))
    assert signer.verifier.id.hex() == key_id
    return signer


def test_the_reference_note_is_signed_byte_for_byte_and_verifies() -> None:
    signer = reference_signer()
    assert str(signer.verifier) == VECTOR["verifier_key"]
    assert signer.sign_note(VECTOR["text"]) == VECTOR["signed"]
    assert Verifier.parse(VECTOR["verifier_key"]).verify_note(VECTOR["signed"]) == VECTOR["text"]


def test_a_note_changed_by_one_byte_or_signed_by_another_key_is_refused() -> None:
    verifier = Verifier.parse(VECTOR["verifier_key"])
    signed = VECTOR["signed"]
    with pytest.raises(NoteError, match="does not verify"):
        verifier.verify_note(signed.replace("cryptography", "cryptographY", 1))
    other = Signer(VECTOR["name"], Ed25519PrivateKey.generate()).sign_note(VECTOR["text"])
    with pytest.raises(NoteError, match="no signature by"):
        verifier.verify_note(other)


def test_a_checkpoint_round_trips_and_its_body_is_the_c2sp_format() -> None:
    signer = Signer("example.org/log", Ed25519PrivateKey.generate())
    checkpoint = Checkpoint("example.org/log", 21, bytes(range(32)))
    assert checkpoint.body == "example.org/log\n21\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    note = signer.sign(checkpoint)
    assert note.startswith(checkpoint.body + "\n\u2014 example.org/log ")
    assert Verifier.parse(str(signer.verifier)).verify(note) == checkpoint
    assert parse_checkpoint(checkpoint.body) == checkpoint
    with pytest.raises(NoteError):
        signer.verifier.verify(note.replace("\n21\n", "\n22\n"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("example.org/log\n021\nAAEC\n", "tree size"),
        ("example.org/log\n21\nAAEC\n", "32 bytes"),
        ("example.org/log\n21\n", "an origin line"),
        ("example.org/log\n21\n!!\n", "not base64"),
    ],
)
def test_malformed_checkpoints_are_named(text: str, problem: str) -> None:
    with pytest.raises(NoteError, match=problem):
        parse_checkpoint(text)


def test_verifier_keys_are_checked() -> None:
    name, _, key = VECTOR["verifier_key"].split("+", 2)
    with pytest.raises(NoteError, match="id does not match"):
        Verifier.parse(f"{name}+00000000+{key}")
    with pytest.raises(NoteError, match="verifier key is"):
        Verifier.parse("no-plus-signs")


def test_a_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.key"
    create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    signer = Signer.from_file("example.org/log", path)
    assert "PRIVATE" not in repr(signer) and path.read_text() not in repr(signer)
    with pytest.raises(FileExistsError):
        create_key_file(path)
    (tmp_path / "bad.key").write_text("not a key")
    with pytest.raises(NoteError, match="cannot be read"):
        Signer.from_file("example.org/log", tmp_path / "bad.key")
