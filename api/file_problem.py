"""A file a command names that cannot be read or written: one line naming it, exit 2."""

from __future__ import annotations

from pathlib import Path


class FileProblem(Exception):
    """Raised when a file a command names cannot be read or written."""

    @classmethod
    def of(cls, path: Path, doing: str, error: OSError) -> FileProblem:
        return cls(f"cannot {doing} {path}: {error.strerror or error}")
