"""How many processes a bulk pass over the store (rebuild, verify) shares its work among."""

from __future__ import annotations

import os


def default_workers() -> int:
    """One per core, at most four (the database needs some too)."""
    return max(1, min(4, os.cpu_count() or 1))
