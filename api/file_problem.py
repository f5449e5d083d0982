"""A file a command names that cannot be read or written: one line naming it, exit 2."""

from __future__ import annotations

from pathlib import Path


def read_text(path: Path) -> str:
    """A file's UTF-8 text, or a FileProblem naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise FileProblem.of(path, "read", e) from None
    except UnicodeDecodeError:
        raise FileProblem(f"cannot read {path}: it is not UTF-8 text") from None


class FileProblem(Exception):
    """Raised when a file a command names cannot be read or written."""

    @classmethod
    def of(cls, path: Path, doing: str, error: OSError) -> FileProblem:
        return cls(f"cannot {doing} {path}: {error.strerror or error}")
