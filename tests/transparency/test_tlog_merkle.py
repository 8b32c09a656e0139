"""Properties of the Merkle log: proofs made from stored hashes equal RFC 9162's recursive definitions,
every proof verifies, any change to a proof, a root, a leaf or an index fails, and reads stay O(log n).

The oracle below is a literal reading of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1
(PROOF/SUBPROOF) over a list of leaf hashes; the library computes the same from stored hashes.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.errors import ConsistencyError, LogStoreError, ProofError, TransparencyError
from verify.transparency import merkle
from verify.transparency.store import (
    MemoryHashStore,
    UniformHashStore,
    append_entries,
    append_leaf_hashes,
    prove_consistency,
    prove_inclusion,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    tree_root,
)

N = 1100  # one store serves every tree size up to N: a smaller tree's stored hashes are a prefix
ENTRIES = [f"entry {i}".encode() for i in range(N)]
LEAF_HASHES = tuple(merkle.leaf_hash(e) for e in ENTRIES)


@functools.cache
def mth(start: int, end: int) -> bytes:
    """MTH(D[start:end]) by RFC 9162 §2.1.1."""
    n = end - start
    if n == 0:
        return merkle.EMPTY_ROOT
    if n == 1:
        return LEAF_HASHES[start]
    k = merkle.largest_power_of_two_below(n)
    return merkle.node_hash(mth(start, start + k), mth(start + k, end))


def path(m: int, start: int, end: int) -> list[bytes]:
    """PATH(m, D[start:end]) by RFC 9162 §2.1.3.1 (m relative to start)."""
    n = end - start
    if n == 1:
        return []
    k = merkle.largest_power_of_two_below(n)
    if m < k:
        return [*path(m, start, start + k), mth(start + k, end)]
    return [*path(m - k, start + k, end), mth(start, start + k)]


def subproof(m: int, start: int, end: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], b) by RFC 9162 §2.1.4.1."""
    n = end - start
    if m == n:
        return [] if whole else [mth(start, end)]
    k = merkle.largest_power_of_two_below(n)
    if m <= k:
        return [*subproof(m, start, start + k, whole), mth(start + k, end)]
    return [*subproof(m - k, start + k, end, False), mth(start, start + k)]


@functools.cache
def _built_store() -> MemoryHashStore:
    """One store of N leaves for the whole module (not a fixture: hypothesis would print it on failure)."""
    s = MemoryHashStore()
    size = 0
    for chunk in (1, 2, 5, 64, 1000, 28):  # batches of several sizes
        result = append_entries(s, tree_size=size, entries=ENTRIES[size:size + chunk])
        assert result.first_index == size and result.root_hash == mth(0, result.tree_size)
        size = result.tree_size
    assert size == N and len(s.hashes) == stored_hash_count(N)
    return s


@pytest.fixture
def store() -> MemoryHashStore:
    return _built_store()


sizes = st.integers(1, N)


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(sizes)
    return n, draw(st.integers(0, n - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(sizes)
    return draw(st.integers(1, n)), n


def _flip(data: bytes, position: int, bit: int) -> bytes:
    changed = bytearray(data)
    changed[position % len(data)] ^= 1 << bit
    return bytes(changed)


# ============================================================================ generation = RFC definitions
@given(size_and_index())
@settings(deadline=None, max_examples=400)
def test_inclusion_proof_is_rfc_path_and_verifies(case: tuple[int, int]) -> None:
    store = _built_store()
    n, i = case
    store.reads = 0
    proof = prove_inclusion(store, index=i, tree_size=n)
    assert store.reads <= 2 * n.bit_length()
    assert proof == path(i, 0, n)
    root = tree_root(store, tree_size=n)
    assert root == mth(0, n)
    merkle.verify_inclusion(LEAF_HASHES[i], i, n, proof, root)


@given(two_sizes())
@settings(deadline=None, max_examples=400)
def test_consistency_proof_is_rfc_proof_and_verifies(case: tuple[int, int]) -> None:
    store = _built_store()
    m, n = case
    store.reads = 0
    proof = prove_consistency(store, old_size=m, new_size=n)
    assert store.reads <= 2 * n.bit_length()
    assert proof == subproof(m, 0, n, True)
    merkle.verify_consistency(m, n, mth(0, m), mth(0, n), proof)


def test_tree_root_reads_popcount_hashes(store: MemoryHashStore) -> None:
    for n in range(N + 1):
        store.reads = 0
        assert tree_root(store, tree_size=n) == mth(0, n)
        assert store.reads == n.bit_count()


# ============================================================================ any change fails
@given(size_and_index(), st.data())
@settings(deadline=None, max_examples=300)
def test_any_flipped_bit_in_an_inclusion_proof_root_or_leaf_fails(case: tuple[int, int],
                                                                   data: st.DataObject) -> None:
    store = _built_store()
    n, i = case
    proof = prove_inclusion(store, index=i, tree_size=n)
    root = mth(0, n)
    bit = data.draw(st.integers(0, 7))
    target = data.draw(st.sampled_from(["root", "leaf", "proof"] if proof else ["root", "leaf"]))
    leaf = LEAF_HASHES[i]
    if target == "proof":
        k = data.draw(st.integers(0, len(proof) - 1))
        proof[k] = _flip(proof[k], data.draw(st.integers(0, 31)), bit)
    elif target == "root":
        root = _flip(root, data.draw(st.integers(0, 31)), bit)
    else:
        leaf = _flip(leaf, data.draw(st.integers(0, 31)), bit)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(leaf, i, n, proof, root)


@given(size_and_index(), st.integers(0, 11))
@settings(deadline=None, max_examples=300)
def test_any_flipped_bit_in_the_index_fails(case: tuple[int, int], bit: int) -> None:
    """The index fixes the left/right turns of the path. (The size does not bind the same way: a proof
    for (0, 5) also leads to that root under size 7; the size comes from the signed checkpoint.)"""
    store = _built_store()
    n, i = case
    proof = prove_inclusion(store, index=i, tree_size=n)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[i], i ^ (1 << bit), n, proof, mth(0, n))


@given(size_and_index(), st.data())
@settings(deadline=None, max_examples=200)
def test_a_proof_with_a_hash_added_or_removed_fails(case: tuple[int, int],
                                                    data: st.DataObject) -> None:
    store = _built_store()
    n, i = case
    proof = prove_inclusion(store, index=i, tree_size=n)
    longer = list(proof)
    longer.insert(data.draw(st.integers(0, len(proof))), LEAF_HASHES[data.draw(st.integers(0, N - 1))])
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[i], i, n, longer, mth(0, n))
    if proof:
        shorter = list(proof)
        del shorter[data.draw(st.integers(0, len(proof) - 1))]
        with pytest.raises(ProofError):
            merkle.verify_inclusion(LEAF_HASHES[i], i, n, shorter, mth(0, n))


@given(two_sizes(), st.data())
@settings(deadline=None, max_examples=300)
def test_any_flipped_bit_in_a_consistency_proof_or_root_fails(case: tuple[int, int],
                                                              data: st.DataObject) -> None:
    store = _built_store()
    m, n = case
    proof = prove_consistency(store, old_size=m, new_size=n)
    old_root, new_root = mth(0, m), mth(0, n)
    bit = data.draw(st.integers(0, 7))
    target = data.draw(st.sampled_from(["old", "new", "proof"] if proof else ["old", "new"]))
    if target == "proof":
        k = data.draw(st.integers(0, len(proof) - 1))
        proof[k] = _flip(proof[k], data.draw(st.integers(0, 31)), bit)
    elif target == "old":
        old_root = _flip(old_root, data.draw(st.integers(0, 31)), bit)
    else:
        new_root = _flip(new_root, data.draw(st.integers(0, 31)), bit)
    with pytest.raises(ConsistencyError):
        merkle.verify_consistency(m, n, old_root, new_root, proof)


@given(two_sizes(), st.data())
@settings(deadline=None, max_examples=300)
def test_consistency_with_another_old_size_fails(case: tuple[int, int],
                                                 data: st.DataObject) -> None:
    """The old root is bound to its size: the proof of (m, n) does not prove (m', n) for the same roots."""
    store = _built_store()
    m, n = case
    other = data.draw(st.integers(1, n).filter(lambda x: x != m))
    proof = prove_consistency(store, old_size=m, new_size=n)
    with pytest.raises(ConsistencyError):
        merkle.verify_consistency(other, n, mth(0, m), mth(0, n), proof)


def test_consistency_edge_cases() -> None:
    root = mth(0, 5)
    merkle.verify_consistency(5, 5, root, root, [])
    with pytest.raises(ConsistencyError, match="same tree size"):
        merkle.verify_consistency(5, 5, root, mth(0, 4), [])
    with pytest.raises(ConsistencyError, match="shrank"):
        merkle.verify_consistency(6, 5, mth(0, 6), root, [])
    with pytest.raises(ConsistencyError, match="empty tree"):
        merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    with pytest.raises(ConsistencyError, match="empty"):
        merkle.verify_consistency(4, 5, mth(0, 4), root, [])


@pytest.mark.parametrize("bad", [b"short", "text" * 8, None, 32 * b"\x00" + b"\x00"])
def test_malformed_hashes_are_refused(bad: object) -> None:
    with pytest.raises(ProofError):
        merkle.verify_inclusion(bad, 0, 1, [], LEAF_HASHES[0])  # type: ignore[arg-type]
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[0], 0, 2, [bad], mth(0, 2))  # type: ignore[list-item]
    with pytest.raises(ConsistencyError):
        merkle.verify_consistency(1, 2, bad, mth(0, 2), [LEAF_HASHES[1]])  # type: ignore[arg-type]


def test_bad_sizes_and_indexes_are_refused() -> None:
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[0], -1, 1, [], LEAF_HASHES[0])
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[0], 0, 2**63, [], LEAF_HASHES[0])
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[0], 0, 1, b"".join(path(0, 0, 2)), LEAF_HASHES[0])  # type: ignore[arg-type]
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[0], 0, 2, [LEAF_HASHES[1]] * 129, mth(0, 2))


# ============================================================================ store
def test_store_refuses_out_of_range_requests(store: MemoryHashStore) -> None:
    with pytest.raises(TransparencyError):
        prove_inclusion(store, index=5, tree_size=5)
    with pytest.raises(TransparencyError):
        prove_consistency(store, old_size=0, new_size=5)
    with pytest.raises(TransparencyError):
        prove_consistency(store, old_size=6, new_size=5)
    with pytest.raises(TransparencyError):
        tree_root(store, tree_size=-1)
    with pytest.raises(LogStoreError):
        tree_root(store, tree_size=N + 1)  # more leaves than the store holds


def test_append_refuses_a_stale_tree_size_and_bad_hashes() -> None:
    s = MemoryHashStore()
    append_entries(s, tree_size=0, entries=ENTRIES[:4])
    with pytest.raises(LogStoreError):
        append_entries(s, tree_size=2, entries=ENTRIES[4:5])  # another append came first
    with pytest.raises(TransparencyError):
        append_leaf_hashes(s, tree_size=4, leaf_hashes=[b"short"])
    assert append_entries(s, tree_size=4, entries=[]).root_hash == mth(0, 4)
    assert len(s.hashes) == stored_hash_count(4)


@given(st.lists(st.integers(1, 40), min_size=1, max_size=8))
@settings(deadline=None, max_examples=60)
def test_batching_does_not_change_what_is_stored(batches: list[int]) -> None:
    total = min(sum(batches), N)
    one_by_one, batched = MemoryHashStore(), MemoryHashStore()
    for i in range(total):
        append_entries(one_by_one, tree_size=i, entries=[ENTRIES[i]])
    size = 0
    for b in batches:
        b = min(b, total - size)
        batched.reads = 0
        append_entries(batched, tree_size=size, entries=ENTRIES[size:size + b])
        assert batched.reads == size.bit_count()  # the right edge, read once per batch
        size += b
    assert batched.hashes == one_by_one.hashes


@given(st.integers(0, 2**62), st.integers(0, 40))
def test_stored_hash_index_and_its_inverse(index: int, level: int) -> None:
    position = stored_hash_index(level, index >> level)
    assert split_stored_hash_index(position) == (level, index >> level)


def test_stored_hash_index_numbers_every_complete_subtree_once() -> None:
    """The complete subtrees of a tree of N leaves fill positions 0 .. 2N - popcount(N) - 1 exactly."""
    nodes = [(level, i) for level in range(N.bit_length()) for i in range(N >> level)]
    assert sorted(stored_hash_index(*node) for node in nodes) == list(range(stored_hash_count(N)))
    assert all(split_stored_hash_index(stored_hash_index(*node)) == node for node in nodes)


# ============================================================================ huge trees
@given(st.integers(1, 2**63 - 1), st.data())
@settings(deadline=None, max_examples=200)
def test_proofs_of_any_tree_size_verify(size: int, data: st.DataObject) -> None:
    """A uniform tree (every leaf the same entry) of any size up to 2**63 - 1 leaves: proofs verify, reads O(log n)."""
    store = UniformHashStore(entry=b"same")
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size))
    root = tree_root(store, tree_size=size)
    store.reads = 0
    proof = prove_inclusion(store, index=index, tree_size=size)
    assert store.reads <= 2 * size.bit_length() and len(proof) <= size.bit_length()
    merkle.verify_inclusion(merkle.leaf_hash(b"same"), index, size, proof, root)
    consistency = prove_consistency(store, old_size=old, new_size=size)
    merkle.verify_consistency(old, size, tree_root(store, tree_size=old), root, consistency)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(merkle.leaf_hash(b"other"), index, size, proof, root)


# ============================================================================ compact range
@given(sizes)
def test_compact_range_from_the_last_leaf(n: int) -> None:
    edge = merkle.compact_range_from_last_leaf(n, LEAF_HASHES[n - 1], path(n - 1, 0, n), mth(0, n))
    assert edge.root() == mth(0, n)
    grown = merkle.CompactRange(edge.size, list(edge.hashes))
    for h in LEAF_HASHES[n:min(N, n + 37)]:
        grown.append(h)
    assert grown.root() == mth(0, grown.size)
    with pytest.raises(ProofError):
        merkle.compact_range_from_last_leaf(n, LEAF_HASHES[n - 1], path(n - 1, 0, n), mth(0, n - 1))
