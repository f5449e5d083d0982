"""IdentityCache: found by identity, bounded, and never another object's value, with threads too."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from domain.cache import IdentityCache


@dataclass(frozen=True)
class Point:
    x: int


def test_a_value_is_found_for_the_very_object_only() -> None:
    cache: IdentityCache[Point, str] = IdentityCache(4)
    kept = Point(1)
    assert cache.get(kept) is None
    assert cache.put(kept, "one") == "one"
    assert cache.get(kept) == "one"
    assert cache.get(Point(1)) is None, "an equal object is another object"


def test_it_holds_at_most_twice_its_size() -> None:
    cache: IdentityCache[object, int] = IdentityCache(8)
    for i in range(1000):
        cache.put(object(), i)
        assert len(cache) <= 16


def test_an_entry_in_use_outlives_turnovers() -> None:
    cache: IdentityCache[object, int] = IdentityCache(8)
    used = object()
    cache.put(used, 0)
    for i in range(1000):
        cache.put(object(), i)
        if i % 5 == 0:
            assert cache.get(used) == 0


def test_an_object_dropped_by_its_owner_is_held_so_its_id_is_not_reused() -> None:
    cache: IdentityCache[object, int] = IdentityCache(64)
    for i in range(10_000):
        new = object()  # without the entry's reference, it would often get a dropped object's id
        assert cache.get(new) is None
        cache.put(new, i)


def test_threads_sharing_it_never_get_another_objects_value() -> None:
    cache: IdentityCache[Point, int] = IdentityCache(16)
    wrong: list[tuple[int, int]] = []

    def work(seed: int) -> None:
        mine = [Point(seed * 1000 + i) for i in range(50)]
        for _ in range(200):
            for p in mine:
                found = cache.get(p)
                if found is None:
                    cache.put(p, p.x)
                elif found != p.x:
                    wrong.append((p.x, found))
            mine = [Point(p.x) for p in mine]  # new objects; the old ones may be freed

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
