"""The log's tree as stored: leaves appended in their records' transactions, subtree hashes kept,
roots and proofs read with a handful of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from infrastructure.log import merkle
from infrastructure.log.merkle import Range
from infrastructure.log.tables import FACT_INDEX, LEAVES, NODES, TABLES, TILE
from infrastructure.sql.dialect import Dialect

TILE_LEAVES = 1 << TILE
FILL_PAGE = 1 << 16  # leaves read at a time when subtree hashes are filled in


@dataclass(frozen=True)
class Leaf:
    """A record's leaf, before it has its index: its hash and, for a fact, the fact's id."""

    hash: bytes
    fact_id: str | None = None


class LogTree:
    """The Merkle tree over every record, in the dialect's database."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.filled = 0  # tiles whose subtree hashes are known kept (they are never removed)
        self.seen = 0  # the largest size this process has read: a tree only grows
        d = dialect
        self.next_index = d.sql(f"SELECT COALESCE(MAX(log_index), -1) + 1 AS n FROM {LEAVES.name}")
        self.select_leaves = d.sql(
            f"SELECT leaf_hash FROM {LEAVES.name} WHERE log_index >= ? AND log_index < ? ORDER BY log_index"
        )
        self.select_fact = d.sql(f"SELECT log_index FROM {LEAVES.name} WHERE fact_id = ?")
        self.count_tiles = d.sql(f"SELECT COALESCE(MAX(idx), -1) + 1 FROM {NODES.name} WHERE level = ?")
        self.select_level = d.sql(f"SELECT idx, hash FROM {NODES.name} WHERE level = ? AND idx < ? ORDER BY idx")
        self.insert_node = d.sql(f"INSERT INTO {NODES.name} (level, idx, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")

    def create(self, cursor: Any) -> None:
        for table in TABLES:
            self.dialect.execute(cursor, self.dialect.create_table_sql(table, table.name))
        self.dialect.execute(cursor, self.dialect.create_index_sql(FACT_INDEX, LEAVES.name))

    # --- written with the records ---------------------------------------------------------

    def append(self, cursor: Any, leaves: Sequence[Leaf]) -> int:
        """Append leaves in the cursor's transaction, under the events table's lock; the first one's index."""
        if not leaves:
            return -1
        first = self._next_index(cursor)
        rows = [(first + i, leaf.hash, leaf.fact_id) for i, leaf in enumerate(leaves)]
        self.dialect.copy(cursor, LEAVES.name, LEAVES.column_names, rows)
        return first

    def _next_index(self, cursor: Any) -> int:
        self.dialect.execute(cursor, self.next_index)
        row = cursor.fetchone()
        return int(row[0] if isinstance(row, tuple) else row["n"])

    # --- read -------------------------------------------------------------------------------

    def size(self) -> int:
        size = int(self.dialect.tuples(self.next_index, [])[0][0])
        self.seen = max(self.seen, size)
        return size

    def size_for(self, size: int) -> int:
        """The tree's size, read only if `size` is past any size read before (a tree only grows)."""
        return self.seen if size <= self.seen else self.size()

    def index_of_fact(self, fact_id: str) -> int | None:
        rows = self.dialect.tuples(self.select_fact, [fact_id])
        return int(rows[0][0]) if rows else None

    def leaf_hashes(self, start: int, end: int) -> list[bytes]:
        return [bytes(r[0]) for r in self.dialect.tuples(self.select_leaves, [start, end])]

    def root(self, size: int) -> bytes:
        return self.hashes([(0, size)], size)[0] if size else merkle.EMPTY_ROOT

    def inclusion(self, index: int, size: int) -> tuple[bytes, list[bytes]]:
        """The leaf's hash and its inclusion proof in the tree of `size` leaves."""
        tile = index >> TILE
        hashes, tiles = self._hashes(merkle.inclusion_ranges(index, size), size, {tile})
        return tiles[tile][index - (tile << TILE)], hashes

    def consistency(self, first: int, second: int) -> list[bytes]:
        return self.hashes(merkle.consistency_ranges(first, second), second)

    def hashes(self, ranges: Sequence[Range], size: int) -> list[bytes]:
        """MTH of each range of the tree of `size` leaves: kept subtree hashes where a range holds
        whole tiles, leaves for the rest (at most two tiles' worth for any proof)."""
        return self._hashes(ranges, size, set())[0]

    def _hashes(
        self, ranges: Sequence[Range], size: int, tiles_wanted: set[int]
    ) -> tuple[list[bytes], dict[int, list[bytes]]]:
        """The ranges' hashes, and the leaves of the tiles read for them (and of `tiles_wanted`)."""
        self.fill(size)
        parts = [merkle.blocks(a, b) for a, b in ranges]
        nodes: dict[int, set[int]] = {}
        tiles = set(tiles_wanted)
        for blocks in parts:
            for a, b in blocks:
                if b - a >= TILE_LEAVES:
                    level = (b - a).bit_length() - 1
                    nodes.setdefault(level, set()).add(a >> level)
                else:
                    tiles.add(a >> TILE)
        kept, leaves = self._read(nodes, sorted(tiles), size)

        def block_hash(a: int, b: int) -> bytes:
            if b - a >= TILE_LEAVES:
                level = (b - a).bit_length() - 1
                return kept[(level, a >> level)]
            tile = leaves[a >> TILE]
            offset = (a >> TILE) << TILE
            return merkle.root(tile[a - offset : b - offset])

        return [merkle.combine([block_hash(a, b) for a, b in blocks]) for blocks in parts], leaves

    def _read(
        self, wanted: dict[int, set[int]], tiles: list[int], size: int
    ) -> tuple[dict[tuple[int, int], bytes], dict[int, list[bytes]]]:
        """The kept subtree hashes wanted, and the leaf hashes of each tile (below `size`), in one
        statement: a proof costs one round trip."""
        pairs = [(level, idx) for level, ids in wanted.items() for idx in ids]
        parts, params = [], []
        if pairs:
            parts.append(
                f"SELECT level, idx, hash FROM {NODES.name} WHERE "
                + " OR ".join("(level = ? AND idx = ?)" for _ in pairs)
            )
            params += [v for pair in pairs for v in pair]
        if tiles:
            parts.append(
                f"SELECT -1, log_index, leaf_hash FROM {LEAVES.name} WHERE "
                + " OR ".join("(log_index >= ? AND log_index < ?)" for _ in tiles)
            )
            params += [v for t in tiles for v in (t << TILE, min(size, (t + 1) << TILE))]
        kept: dict[tuple[int, int], bytes] = {}
        found: dict[int, list[bytes]] = {t: [] for t in tiles}
        if parts:
            sql = self.dialect.sql(" UNION ALL ".join(parts) + " ORDER BY 1, 2")
            for level, idx, h in self.dialect.tuples(sql, params):
                if int(level) < 0:
                    found[int(idx) >> TILE].append(bytes(h))
                else:
                    kept[(int(level), int(idx))] = bytes(h)
        missing = [p for p in pairs if p not in kept]
        if missing:
            raise LookupError(f"the log's subtree hashes {missing[:3]} are not stored")
        return kept, found

    def fill(self, size: int) -> None:
        """Keep the hash of every complete subtree of whole tiles below `size`, if not kept yet.
        They follow from the leaves, so any process may add them, at any time."""
        tiles = size >> TILE
        if tiles <= self.filled:
            return
        self.filled = max(self.filled, int(self.dialect.tuples(self.count_tiles, [TILE])[0][0]))
        if tiles <= self.filled:
            return
        done = self.dialect.tuples(self.select_level, [TILE, tiles])
        level = [bytes(h) for _, h in done]
        new: list[tuple[int, int, bytes]] = []
        start = len(level) << TILE
        while start < tiles << TILE:
            end = min(start + FILL_PAGE, tiles << TILE)
            hashes = self.leaf_hashes(start, end)
            if len(hashes) != end - start:
                raise LookupError(f"the log lacks leaves between {start} and {end}")
            for t in range(0, end - start, TILE_LEAVES):
                h = merkle.root(hashes[t : t + TILE_LEAVES])
                new.append((TILE, (start + t) >> TILE, h))
                level.append(h)
            start = end
        first_new = len(done)
        k = TILE
        while len(level) > 1:
            k += 1
            first_new //= 2
            level = [merkle.node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            new += [(k, j, h) for j, h in enumerate(level) if j >= first_new]
        with self.dialect.writing() as cursor:
            self.dialect.executemany(cursor, self.insert_node, new)
        self.filled = tiles
