"""Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note), with Ed25519."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"  # the signature type of C2SP's Ed25519 keys
DASH = "\u2014"  # a signature line starts with an em dash and a space


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed, or whose signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    @property
    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def __str__(self) -> str:
        return f"{self.name}+{self.id.hex()}+{_b64(ED25519 + self.public)}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """A verifier key as published: `<name>+<hex key id>+<base64(0x01 ‖ public key)>`."""
        parts = text.strip().split("+", 2)  # a name has no "+"; base64 may
        if len(parts) != 3 or not _valid_name(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise NoteError("a verifier key is <name>+<8 hex digits>+<base64 key>")
        key = _unb64(parts[2], "the verifier key")
        if len(key) != 33 or key[:1] != ED25519:
            raise NoteError("the verifier key is not an Ed25519 key (0x01 and 32 bytes)")
        verifier = cls(parts[0], key[1:])
        if verifier.id.hex() != parts[1]:
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier

    def verify_note(self, note: str) -> str:
        """The text of a note this key signed; NoteError if it did not."""
        text, signatures = split_note(note)
        for name, blob in signatures:
            if name == self.name and blob[:4] == self.id:
                try:
                    Ed25519PublicKey.from_public_bytes(self.public).verify(blob[4:], text.encode())
                except InvalidSignature:
                    raise NoteError(f"the signature of {name} does not verify over the note's text") from None
                return text
        raise NoteError(f"the note has no signature by {self.name} with key id {self.id.hex()}")

    def verify(self, note: str) -> Checkpoint:
        """The checkpoint a note signed by this key holds; NoteError if it is not one."""
        return parse_checkpoint(self.verify_note(note))


class Signer:
    """Signs checkpoints with an Ed25519 key; the key is never shown."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        if not _valid_name(name):
            raise NoteError(f"{name!r} cannot name a key: it needs a character, and no space or '+'")
        self.name = name
        self._key = key
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.verifier = Verifier(name, public)

    def __repr__(self) -> str:
        return f"Signer({self.verifier})"

    def sign(self, checkpoint: Checkpoint) -> str:
        return self.sign_note(checkpoint.body)

    def sign_note(self, text: str) -> str:
        """A signed note of the text (which ends in a newline): the text, a blank line, the signature line."""
        signature = self._key.sign(text.encode())
        return f"{text}\n{DASH} {self.name} {_b64(self.verifier.id + signature)}\n"

    @classmethod
    def from_file(cls, name: str, path: Path) -> Signer:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as e:
            raise NoteError(f"the signing key {path} cannot be read: {e.__class__.__name__}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise NoteError(f"the signing key {path} is not an Ed25519 key")
        return cls(name, key)


def create_key_file(path: Path) -> None:
    """Write a new Ed25519 private key, readable by its owner only; never over an existing file."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(pem)


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A signed note's text and its signatures (name, key id ‖ signature)."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("a signed note is its text, a blank line, and signature lines, each ending in a newline")
    body, lines = note[: cut + 1], note[cut + 2 :].splitlines()
    signatures = []
    for line in lines:
        match = re.fullmatch(rf"{DASH} (\S+) (\S+)", line)
        if not match:
            raise NoteError(f"{line!r} is not a signature line ('{DASH} <name> <base64>')")
        blob = _unb64(match[2], "a signature")
        if len(blob) < 5:
            raise NoteError("a signature is a 4-byte key id and the signature")
        signatures.append((match[1], blob))
    return body, signatures


def parse_checkpoint(body: str) -> Checkpoint:
    """A checkpoint's text: origin, size and root hash lines (extension lines after them are kept out)."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint is an origin line, a size line and a root hash line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin or not re.fullmatch(r"0|[1-9][0-9]*", size):
        raise NoteError("a checkpoint's second line is its tree size in decimal")
    digest = _unb64(root, "the root hash")
    if len(digest) != 32:
        raise NoteError("a checkpoint's root hash is 32 bytes")
    return Checkpoint(origin, int(size), digest)


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise NoteError(f"{what} is not base64") from None
