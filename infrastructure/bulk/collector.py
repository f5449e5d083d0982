"""The cyclic garbage collector, paused while bulk work runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then turn it back on (if it was on).

    An import or a rebuild keeps every relation's fold: millions of objects, and none in a
    reference cycle (a rebuild of 100,000 facts left 0 for `gc.collect()` to find), so they are
    all freed by reference counting. Left on, the collector walks the young objects again and
    again as they pile up: 12% of an import's time and 16% of a rebuild's, measured. And a
    full pass that falls inside a transaction can leave it idle past the server's limit.

    On the way out what was made is frozen (kept out of later collections): else the first
    collection after it would walk all of it at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
