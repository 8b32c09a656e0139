"""Merkle tree hashing and proof verification of RFC 9162 §2.1 (pure functions, no storage).

Hashing (RFC 9162 §2.1.1), SHA-256 throughout:

    leaf hash  = SHA-256(0x00 || entry)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()                        (the empty tree)
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n]))   k = the largest power of two < n

Verification follows the algorithms of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency)
step by step; the step numbers are in the comments. Proof *generation* reads hashes from a store
and lives in `verify.transparency.store`; this module gives it the plans (which subtree hashes a
proof is made of, RFC 9162 §2.1.3.1 and §2.1.4.1) and `CompactRange`, the right edge of a tree.

Why our own code and not a library: the Python libraries that implement Merkle logs do not fit.
pymerkle (7.0, kept) is GPL-3.0-or-later, which this proprietary service cannot ship, pins its one
dependency to an exact version, and uses its own proof shape (rule and subset bit vectors) rather
than the RFC 9162 audit paths that CT, Go's sumdb/tlog, Sigstore Rekor and the C2SP specs exchange;
sigstore-python verifies RFC 9162 inclusion proofs only, in a private module (`_internal`) that is not
an API; the remaining packages on PyPI are months old, single-author and without a track record. The
RFC algorithms are a few dozen lines; they are tested here against the published vectors of
transparency-dev/merkle and the RFC 6962 reference tree (tests/transparency/vectors/README.md) and
by hypothesis properties against a literal recursive reading of the RFC.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import ConsistencyError, ProofError

HASH_SIZE = 32  # bytes, SHA-256
MAX_TREE_SIZE = 2**63 - 1  # leaves; a signed 64-bit column holds every index and size
MAX_PROOF_HASHES = 2 * 64  # no RFC 9162 proof of a tree of < 2**64 leaves is longer
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) of RFC 9162 §2.1.1

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    """The leaf hash of one log entry: SHA-256(0x00 || entry) (RFC 9162 §2.1.1).

    Args:
        entry: the entry bytes (docs/TRANSPARENCY.md §3).

    Returns:
        32 bytes.
    """
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1); 32 bytes."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """k of RFC 9162 §2.1.1: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# ============================================================================ subtrees and plans
def subtree_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees that cover the leaves [start, end), left to right.

    A complete subtree is named (level, index): it holds the 2**level leaves from index * 2**level.
    For the ranges that RFC 9162's recursion produces (start a multiple of a power of two at least
    end - start), these are the largest-first binary decomposition of end - start, and
    MTH(D[start:end]) is their hashes folded from the right: node(h1, node(h2, ... node(hk-1, hk))).

    Returns:
        [(level, index), ...]; empty for an empty range.
    """
    nodes: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the hashes of its `subtree_nodes`, folded from the right (32 bytes)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def inclusion_plan(index: int, tree_size: int) -> list[tuple[int, int]]:
    """The ranges [start, end) whose MTH make up PATH(index, D[tree_size]) (RFC 9162 §2.1.3.1), in order.

    The audit path lists sibling hashes from the leaf up to the root.
    """
    ranges: list[tuple[int, int]] = []
    start, end = 0, tree_size
    while end - start > 1:  # PATH(m, D[n]) with n > 1
        k = largest_power_of_two_below(end - start)
        if index < start + k:  # m < k: PATH(m, D[0:k]) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:  # m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k])
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_plan(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges [start, end) whose MTH make up PROOF(m, D[n]) (RFC 9162 §2.1.4.1), 0 < m <= n, in order."""
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:  # SUBPROOF(m, D[start:end], whole)
        k = largest_power_of_two_below(end - start)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            ranges.append((start, start + k))
            start += k
            m -= k
            whole = False
    if not whole:  # m == n and b is false: [MTH(D[n])]
        ranges.append((start, end))
    ranges.reverse()
    return ranges


# ============================================================================ compact range
@dataclass
class CompactRange:
    """The right edge of a tree: the hashes of the complete subtrees that cover [0, size).

    `hashes` are those of `subtree_nodes(0, size)`, largest (leftmost) first: popcount(size) of
    them. Appending a leaf merges equal-sized subtrees, so the tree head of any size follows from
    at most log2(size) stored hashes plus the new leaves (the idea of a "compact range",
    transparency-dev/merkle docs/compact_ranges.md; Go's sumdb/tlog stores hashes the same way).

    Attributes:
        size: number of leaves covered.
        hashes: the subtree hashes, 32 bytes each.
    """

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[bytes]:
        """Add one leaf hash; return the hashes this completes: the leaf, then each new parent, bottom up."""
        completed = [leaf]
        merged = leaf
        n = self.size
        while n & 1:  # each trailing 1 bit of the old size is a subtree the new leaf completes
            merged = node_hash(self.hashes.pop(), merged)
            completed.append(merged)
            n >>= 1
        self.hashes.append(merged)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """MTH(D[0:size]) (RFC 9162 §2.1.1); the empty root for size 0."""
        return fold_subtrees(self.hashes)


def compact_range_from_last_leaf(tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> CompactRange:
    """The right edge of a tree of `tree_size` from the inclusion proof of its last leaf, checked against `root`.

    The audit path of the last leaf holds only left siblings: first those inside the smallest
    complete subtree (its t = trailing zeros of tree_size levels), then the larger subtrees of the
    decomposition, smallest first. A monitor uses this to check many new leaves at once
    (`verify.transparency.monitor.list_new_entries`).

    Raises:
        ProofError: the proof is malformed or does not lead to `root` (RFC 9162 §2.1.3.2).
    """
    verify_inclusion(leaf, tree_size - 1, tree_size, proof, root)
    inner = (tree_size & -tree_size).bit_length() - 1
    subtree = leaf
    for sibling in proof[:inner]:
        subtree = node_hash(sibling, subtree)
    return CompactRange(size=tree_size, hashes=[*reversed(proof[inner:]), subtree])


# ============================================================================ verification
def _check_hash(value: object, what: str, error: type[ProofError] | type[ConsistencyError]) -> bytes:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise error(f"{what}: must be {HASH_SIZE} bytes")
    return value


def _check_proof(proof: object, error: type[ProofError] | type[ConsistencyError]) -> list[bytes]:
    if not isinstance(proof, (list, tuple)) or len(proof) > MAX_PROOF_HASHES:
        raise error(f"proof: must be a list of at most {MAX_PROOF_HASHES} hashes")
    return [_check_hash(p, f"proof hash {i}", error) for i, p in enumerate(proof)]


def _check_size(value: object, what: str, error: type[ProofError] | type[ConsistencyError]) -> int:
    if type(value) is not int or not 0 <= value <= MAX_TREE_SIZE:
        raise error(f"{what}: must be an integer from 0 to {MAX_TREE_SIZE}")
    return value


def root_from_inclusion_proof(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes]) -> bytes:
    """The root that an audit path leads to, by RFC 9162 §2.1.3.2 steps 1-4 and the size check of step 5.

    Args:
        leaf: the leaf hash (32 bytes), `leaf_hash(entry)`.
        index: the leaf index, from 0.
        tree_size: the number of leaves in the tree the proof is for.
        proof: the inclusion path, a list (or tuple) of 32-byte hashes from the leaf up.

    Returns:
        The computed root (32 bytes); compare it with the checkpoint's root.

    Raises:
        ProofError: a hash of the wrong size, an index outside the tree, or a path of the wrong length.
    """
    _check_hash(leaf, "leaf hash", ProofError)
    _check_size(index, "leaf index", ProofError)
    _check_size(tree_size, "tree size", ProofError)
    path = _check_proof(proof, ProofError)
    # (1) leaf_index must be < tree_size.
    if index >= tree_size:
        raise ProofError(f"leaf index {index} is not in a tree of {tree_size} leaves")
    # (2) fn = leaf_index, sn = tree_size - 1; (3) r = hash.
    fn, sn, r = index, tree_size - 1, leaf
    # (4) for each p in the path:
    for p in path:
        # (4a) a path longer than the tree is high fails.
        if sn == 0:
            raise ProofError("inclusion proof: longer than the tree is high")
        # (4b) p is a left sibling if LSB(fn) is set or fn == sn, a right sibling otherwise.
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # (4b ii) until LSB(fn) is set or fn is 0
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        # (4c)
        fn >>= 1
        sn >>= 1
    # (5, first half) the path must reach the root: sn == 0.
    if sn != 0:
        raise ProofError("inclusion proof: shorter than the tree is high")
    return r


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that the leaf hash is at `index` in the tree of `tree_size` leaves whose root is `root`.

    RFC 9162 §2.1.3.2, all five steps.

    Raises:
        ProofError: malformed input, or the path does not lead to `root`.
    """
    _check_hash(root, "root hash", ProofError)
    computed = root_from_inclusion_proof(leaf, index, tree_size, proof)
    # (5) r must equal root_hash.
    if not hmac.compare_digest(computed, root):
        raise ProofError(f"inclusion proof: leaf {index} does not lead to the root of the tree of {tree_size} leaves")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree of `new_size` leaves extends the tree of `old_size` leaves (append-only).

    RFC 9162 §2.1.4.2, with its preconditions made explicit: the sizes must satisfy
    0 < old_size <= new_size; equal sizes need an empty proof and equal roots; a proof from the
    empty tree proves nothing and is refused (every tree extends it: a caller that holds a
    checkpoint of size 0 needs no proof, `verify.transparency.monitor.check_consistency`).

    Args:
        old_size, new_size: tree sizes in leaves.
        old_root, new_root: their roots (32 bytes each).
        proof: the consistency path, a list (or tuple) of 32-byte hashes.

    Raises:
        ConsistencyError: malformed input, or the proof does not lead to both roots.
    """
    _check_size(old_size, "old tree size", ConsistencyError)
    _check_size(new_size, "new tree size", ConsistencyError)
    _check_hash(old_root, "old root hash", ConsistencyError)
    _check_hash(new_root, "new root hash", ConsistencyError)
    path = _check_proof(proof, ConsistencyError)
    if old_size > new_size:
        raise ConsistencyError(f"the tree shrank from {old_size} to {new_size} leaves")
    if old_size == 0:
        raise ConsistencyError("a consistency proof from the empty tree proves nothing")
    if old_size == new_size:
        if path:
            raise ConsistencyError("consistency proof: must be empty for two trees of the same size")
        if not hmac.compare_digest(old_root, new_root):
            raise ConsistencyError(f"two different roots for the same tree size {old_size}")
        return
    # (1) an empty path fails.
    if not path:
        raise ConsistencyError("consistency proof: empty")
    # (2) if first is an exact power of 2, prepend first_hash.
    if old_size & (old_size - 1) == 0:
        path = [old_root, *path]
    # (3) fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # (4) right-shift both while LSB(fn) is set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # (5) fr = sr = the first value.
    fr = sr = path[0]
    # (6) for each subsequent value c:
    for c in path[1:]:
        # (6a)
        if sn == 0:
            raise ConsistencyError("consistency proof: longer than the new tree is high")
        # (6b)
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:  # (6b iii) until LSB(fn) is set or fn is 0
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        # (6c)
        fn >>= 1
        sn >>= 1
    # (7) fr == first_hash, sr == second_hash, sn == 0.
    if sn != 0:
        raise ConsistencyError("consistency proof: shorter than the new tree is high")
    if not hmac.compare_digest(fr, old_root):
        raise ConsistencyError(f"consistency proof: does not lead to the old root (size {old_size})")
    if not hmac.compare_digest(sr, new_root):
        raise ConsistencyError(f"consistency proof: does not lead to the new root (size {new_size})")
