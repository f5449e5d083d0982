"""The cyclic garbage collector, paused while bulk work runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then turn it back on (if it was on).

    An import or a rebuild keeps every relation's fold: millions of objects in no reference
    cycle, all freed by reference counting; left on, the collector walks them again and again
    as they pile up, and a full pass inside a transaction can leave it idle past the server's
    limit. On the way out what was made is frozen, so no later collection walks it all at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
