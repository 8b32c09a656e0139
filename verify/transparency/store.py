"""The log's storage: stored hashes behind a small `HashStore` protocol; append, tree heads and proofs.

Layout (the "stored hashes" of Go's golang.org/x/mod/sumdb/tlog, described in its package doc and
in Russ Cox's "Transparent Logs for Skeptical Clients"): every complete subtree of the tree is
stored once, as soon as it is complete, in one append-only sequence of 32-byte hashes. Appending
leaf i stores its leaf hash and then the hash of each subtree that leaf completes (one per trailing
1 bit of i), so a tree of n leaves holds exactly 2n - popcount(n) hashes, and the position of the
hash of the complete subtree (level, index) — the 2**level leaves from index * 2**level — is

    stored_hash_index(level, index) = 2m - popcount(m) + level,   m = (index + 1) * 2**level - 1

(m is the leaf that completes the subtree; 2m - popcount(m) is where that leaf's own hash sits).
Every stored hash is final: nothing is ever rewritten, so the store is a plain append-only table
(index, hash) on SQLite or PostgreSQL, and the same numbers give C2SP tlog-tiles later if the
log is to be served statically (a tile is a run of stored hashes of one level).

Costs, for a tree of n leaves (`MemoryHashStore.reads` counts them in the tests):
    * append of b leaves: popcount(n) <= log2(n) + 1 hashes read once (the right edge), then
      b leaf hashes and < b parent hashes written: O(log n + b), i.e. O(1) amortised per leaf and
      O(log n) at worst;
    * tree head: popcount(n) hashes read;
    * inclusion proof and consistency proof: at most 2 * n.bit_length() hashes read, one batch
      (the path's complete subtrees, plus the decomposition of at most one incomplete one).

The registry implements `HashStore` with a table and calls these functions inside the
transaction that changes a document, so a change without its log entry cannot exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import LogStoreError, TransparencyError
from ..texts import text
from .merkle import (
    HASH_SIZE,
    MAX_TREE_SIZE,
    CompactRange,
    consistency_plan,
    fold_subtrees,
    inclusion_plan,
    leaf_hash,
    node_hash,
    subtree_nodes,
)


class HashStore(Protocol):
    """Where the stored hashes live: an append-only sequence of 32-byte hashes indexed from 0.

    SQL shape: a table `(idx BIGINT PRIMARY KEY, hash BYTEA/BLOB NOT NULL)`; `read_hashes` is one
    `SELECT idx, hash ... WHERE idx IN (...)` (or `= ANY(:idx)`), `append_hashes` one multi-row
    `INSERT` (a concurrent append then fails on the primary key instead of forking the log).
    """

    def read_hashes(self, indexes: Sequence[int]) -> Sequence[bytes]:
        """The hashes stored at `indexes`, in the order asked (an index may repeat).

        Raises:
            LogStoreError: an index is not stored.
        """
        ...

    def append_hashes(self, start: int, hashes: Sequence[bytes]) -> None:
        """Store `hashes` at `start`, `start + 1`, ...; `start` must be the number of hashes stored.

        Raises:
            LogStoreError: `start` is not the end of the store (another append came first).
        """
        ...


@dataclass
class MemoryHashStore:
    """A `HashStore` in a Python list, for tests, benchmarks and small tools.

    Attributes:
        hashes: the stored hashes, in order.
        reads: how many hashes were read so far (tests check the O(log n) bounds with it).
    """

    hashes: list[bytes] = field(default_factory=list, repr=False)
    reads: int = 0

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """See `HashStore.read_hashes`."""
        self.reads += len(indexes)
        try:
            if any(i < 0 for i in indexes):
                raise IndexError
            return [self.hashes[i] for i in indexes]
        except IndexError:
            raise LogStoreError(f"hash store: an index of {sorted(indexes)} is not stored") from None

    def append_hashes(self, start: int, hashes: Sequence[bytes]) -> None:
        """See `HashStore.append_hashes`."""
        if start != len(self.hashes):
            raise LogStoreError(f"hash store: append at {start}, but {len(self.hashes)} hashes are stored")
        self.hashes.extend(hashes)


# ============================================================================ stored-hash numbering
def stored_hash_index(level: int, index: int) -> int:
    """Position of the hash of the complete subtree (level, index) in the stored sequence (module doc)."""
    m = ((index + 1) << level) - 1
    return 2 * m - m.bit_count() + level


def stored_hash_count(tree_size: int) -> int:
    """How many hashes a tree of `tree_size` leaves stores: 2n - popcount(n)."""
    return 2 * tree_size - tree_size.bit_count()


def split_stored_hash_index(position: int) -> tuple[int, int]:
    """Inverse of `stored_hash_index`: the (level, index) of the subtree stored at `position`."""
    m = position // 2  # 2m - popcount(m) <= position for this m; move up to the last such leaf
    while 2 * (m + 1) - (m + 1).bit_count() <= position:
        m += 1
    while 2 * m - m.bit_count() > position:
        m -= 1
    level = position - (2 * m - m.bit_count())
    return level, ((m + 1) >> level) - 1


# ============================================================================ reading
def _check_size(tree_size: int) -> int:
    if type(tree_size) is not int or not 0 <= tree_size <= MAX_TREE_SIZE:
        raise TransparencyError(text("v_log_tree_size", limit=MAX_TREE_SIZE))
    return tree_size


def _read_nodes(store: HashStore, nodes: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """One batch read of the hashes of these complete subtrees, checked for shape."""
    wanted = sorted(set(nodes))
    hashes = store.read_hashes([stored_hash_index(level, index) for level, index in wanted])
    if len(hashes) != len(wanted):
        raise LogStoreError(f"hash store: asked for {len(wanted)} hashes, got {len(hashes)}")
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise LogStoreError(f"hash store: a stored hash is not {HASH_SIZE} bytes")
    return dict(zip(wanted, hashes, strict=True))


def _range_hashes(store: HashStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of each range [start, end), from one batch read of their complete subtrees."""
    plans = [subtree_nodes(start, end) for start, end in ranges]
    known = _read_nodes(store, (node for plan in plans for node in plan))
    return [fold_subtrees([known[node] for node in plan]) for plan in plans]


def tree_root(store: HashStore, *, tree_size: int) -> bytes:
    """The root hash MTH(D[0:tree_size]) (RFC 9162 §2.1.1); reads popcount(tree_size) hashes.

    Args:
        store: the log's `HashStore`, holding at least the hashes of `tree_size` leaves.
        tree_size: leaves, 0 for the empty tree.

    Returns:
        32 bytes.

    Raises:
        TransparencyError: a size out of range.
        LogStoreError: the store lacks a hash.
    """
    _check_size(tree_size)
    return _range_hashes(store, [(0, tree_size)])[0]


def read_compact_range(store: HashStore, *, tree_size: int) -> CompactRange:
    """The right edge of the tree of `tree_size` leaves (its complete subtrees), one batch read."""
    _check_size(tree_size)
    nodes = subtree_nodes(0, tree_size)
    known = _read_nodes(store, nodes)
    return CompactRange(size=tree_size, hashes=[known[node] for node in nodes])


def prove_inclusion(store: HashStore, *, index: int, tree_size: int) -> list[bytes]:
    """The inclusion proof PATH(index, D[tree_size]) of RFC 9162 §2.1.3.1.

    Args:
        store: the log's `HashStore`.
        index: the leaf index, from 0.
        tree_size: the size of the tree the proof is for (that of a signed checkpoint).

    Returns:
        The audit path: 32-byte hashes from the leaf up (empty for a tree of one leaf).

    Raises:
        TransparencyError: index not below tree_size, or a size out of range.
        LogStoreError: the store lacks a hash.
    """
    _check_size(tree_size)
    if type(index) is not int or not 0 <= index < tree_size:
        raise TransparencyError(text("v_log_leaf_range", index=repr(index), tree_size=tree_size))
    return _range_hashes(store, inclusion_plan(index, tree_size))


def prove_consistency(store: HashStore, *, old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1.

    Args:
        store: the log's `HashStore`.
        old_size, new_size: tree sizes with 0 < old_size <= new_size (equal sizes give an empty proof).

    Returns:
        The consistency path: 32-byte hashes.

    Raises:
        TransparencyError: sizes out of order or range.
        LogStoreError: the store lacks a hash.
    """
    _check_size(old_size)
    _check_size(new_size)
    if not 0 < old_size <= new_size:
        raise TransparencyError(text("v_log_consistency_range", old=old_size, new=new_size))
    return _range_hashes(store, consistency_plan(old_size, new_size))


# ============================================================================ appending
@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did.

    Attributes:
        first_index: the leaf index of the first appended entry.
        tree_size: the tree size after the append.
        root_hash: the new root (32 bytes).
        leaf_hashes: the appended leaf hashes, in order.
    """

    first_index: int
    tree_size: int
    root_hash: bytes
    leaf_hashes: tuple[bytes, ...]


def append_leaf_hashes(store: HashStore, *, tree_size: int, leaf_hashes: Sequence[bytes]) -> AppendResult:
    """Append leaves, given their leaf hashes, to the tree of `tree_size` leaves held by `store`.

    Reads the right edge once (popcount(tree_size) hashes), computes every hash the new leaves
    complete in memory, and stores them with one `append_hashes` call.

    Args:
        store: the log's `HashStore`; it must hold exactly the hashes of `tree_size` leaves.
        tree_size: the current tree size (the caller keeps it, e.g. in a row locked by the transaction).
        leaf_hashes: 32-byte leaf hashes, `leaf_hash(entry)`.

    Returns:
        `AppendResult` with the new size and root.

    Raises:
        TransparencyError: a hash of the wrong size, or the log would pass `MAX_TREE_SIZE`.
        LogStoreError: the store lacks a hash, or is not at `tree_size` (a concurrent append).
    """
    _check_size(tree_size)
    for h in leaf_hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise TransparencyError(f"leaf hash: must be {HASH_SIZE} bytes")
    if len(leaf_hashes) > MAX_TREE_SIZE - tree_size:
        raise TransparencyError("the log is full")
    edge = read_compact_range(store, tree_size=tree_size)
    stored: list[bytes] = []
    for h in leaf_hashes:
        stored.extend(edge.append(h))
    if stored:
        store.append_hashes(stored_hash_count(tree_size), stored)
    return AppendResult(first_index=tree_size, tree_size=edge.size, root_hash=edge.root(),
                        leaf_hashes=tuple(leaf_hashes))


def append_entries(store: HashStore, *, tree_size: int, entries: Sequence[bytes]) -> AppendResult:
    """Append log entries (their bytes, docs/TRANSPARENCY.md §3): `append_leaf_hashes` of their leaf hashes.

    Raises:
        TransparencyError, LogStoreError: as `append_leaf_hashes`.
    """
    return append_leaf_hashes(store, tree_size=tree_size, leaf_hashes=[leaf_hash(e) for e in entries])


@dataclass
class UniformHashStore:
    """A read-only `HashStore` of a tree whose every leaf is the same entry, of any size, in O(1) memory.

    Every complete subtree of level L then has the same hash H(L) = node(H(L-1), H(L-1)), so the
    hash at any stored position follows from its level alone (`split_stored_hash_index`). Proofs
    made from it verify against its roots: benchmarks and tests use it to measure and check proofs
    of trees of millions or billions of leaves without storing them.

    Attributes:
        entry: the entry every leaf holds.
        reads: how many hashes were read so far.
    """

    entry: bytes = b""
    reads: int = 0
    _levels: list[bytes] = field(default_factory=list, repr=False)

    def level_hash(self, level: int) -> bytes:
        """H(level): the hash of every complete subtree of 2**level leaves."""
        if not self._levels:
            self._levels.append(leaf_hash(self.entry))
        while len(self._levels) <= level:
            self._levels.append(node_hash(self._levels[-1], self._levels[-1]))
        return self._levels[level]

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """See `HashStore.read_hashes`; any position >= 0 is "stored"."""
        self.reads += len(indexes)
        if any(i < 0 for i in indexes):
            raise LogStoreError("hash store: a negative index is not stored")
        return [self.level_hash(split_stored_hash_index(i)[0]) for i in indexes]

    def append_hashes(self, start: int, hashes: Sequence[bytes]) -> None:
        """Refused: this store is read-only.

        Raises:
            LogStoreError: always.
        """
        raise LogStoreError("hash store: the uniform store is read-only")
