"""Benchmark: the transparency log's append cost per entry, and proof size and time at 10,000,000 entries.

1. **append**: batches of `--batch` revision entries (docs/TRANSPARENCY.md §3) appended with
   `append_entries` to an in-memory `MemoryHashStore`, on top of a tree of 0 leaves and of
   `--size` leaves. The large tree is not built: its stored hashes are read from a
   `UniformHashStore` (every leaf the same entry, every subtree of a level the same hash, derived on
   demand), and only the appended hashes are kept in a list above it (`OverlayStore` below). An
   append reads the right edge (popcount(n) hashes) once per batch, so this measures what a real
   append at that size does. Costs are CPU seconds of this process (`time.process_time`) per
   entry, the median of `--rounds` rounds; entry encoding is timed apart from the append.
2. **proofs at `--size` leaves**: for `--proofs` random leaf indexes (seeded), the inclusion proof
   is generated from the `UniformHashStore` and verified (RFC 9162 §2.1.3.2); for as many random
   old sizes, the consistency proof to `--size` is generated and verified (§2.1.4.2); the tree head
   too. Reported: hashes per proof (and bytes, 32 each), hashes read from the store, CPU
   microseconds to generate and to verify (median and 99th percentile). Generation time includes the
   uniform store deriving each hash's level from its position; a SQL store adds one query instead.

    .venv/bin/python bench/bench_tlog.py --size 10000000 --batch 10000 --rounds 5 --proofs 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import cpu_model

from verify.transparency.entries import RevisionEntry
from verify.transparency.merkle import leaf_hash, verify_consistency, verify_inclusion
from verify.transparency.store import (
    UniformHashStore,
    append_entries,
    prove_consistency,
    prove_inclusion,
    stored_hash_count,
    tree_root,
)

AT = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
BIN = "000740001307"
T = TypeVar("T")


@dataclass
class OverlayStore:
    """Hashes below `base_count` come from a `UniformHashStore`; appended ones are kept in a list."""

    base: UniformHashStore
    base_count: int
    appended: list[bytes] = field(default_factory=list)

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        below = [i for i in indexes if i < self.base_count]
        base = dict(zip(below, self.base.read_hashes(below), strict=True))
        return [base[i] if i < self.base_count else self.appended[i - self.base_count] for i in indexes]

    def append_hashes(self, start: int, hashes: Sequence[bytes]) -> None:
        assert start == self.base_count + len(self.appended)
        self.appended.extend(hashes)




def revision_entries(count: int, start: int) -> list[bytes]:
    return [RevisionEntry(series="BD", number=f"{(start + i) % 10_000_000:07d}", institution_bin=BIN, revision=1,
                          cose_sha256=hashlib.sha256(b"%d" % (start + i)).digest(), kid=bytes(8),
                          signed_at=AT).encode() for i in range(count)]


def cpu(fn: Callable[[], T]) -> tuple[T, float]:
    """The result of fn() and the CPU seconds this process spent on it."""
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def bench_append(size: int, batch: int, rounds: int) -> None:
    print(f"\n## Append, batches of {batch:,} revision entries (CPU µs per entry, median of {rounds} rounds)\n")
    print("| tree size before | encode entry | append (leaf hash + stored hashes) | hashes written per entry | "
          "hashes read per batch |")
    print("|---|---|---|---|---|")
    for before in (0, size):
        encode_times, append_times, written, read = [], [], 0, 0
        for r in range(rounds):
            entries, seconds = cpu(partial(revision_entries, batch, r * batch))
            encode_times.append(seconds / batch)
            base = UniformHashStore(entry=b"bench")
            store = OverlayStore(base=base, base_count=stored_hash_count(before))
            _, seconds = cpu(partial(append_entries, store, tree_size=before, entries=entries))
            append_times.append(seconds / batch)
            written, read = len(store.appended), base.reads
        print(f"| {before:,} | {statistics.median(encode_times) * 1e6:.1f} | "
              f"{statistics.median(append_times) * 1e6:.1f} | {written / batch:.4f} | {read} |")


def bench_proofs(size: int, count: int, seed: int) -> None:
    rng = random.Random(seed)
    store = UniformHashStore(entry=b"bench")
    root = tree_root(store, tree_size=size)
    leaf = leaf_hash(b"bench")
    rows = []
    gen, ver, lengths, reads = [], [], [], []
    for _ in range(count):
        index = rng.randrange(size)
        store.reads = 0
        t = time.process_time()
        proof = prove_inclusion(store, index=index, tree_size=size)
        gen.append(time.process_time() - t)
        reads.append(store.reads)
        t = time.process_time()
        verify_inclusion(leaf, index, size, proof, root)
        ver.append(time.process_time() - t)
        lengths.append(len(proof))
    rows.append(("inclusion", lengths, reads, gen, ver))
    gen, ver, lengths, reads = [], [], [], []
    for _ in range(count):
        old = rng.randrange(1, size)
        old_root = tree_root(store, tree_size=old)
        store.reads = 0
        t = time.process_time()
        proof = prove_consistency(store, old_size=old, new_size=size)
        gen.append(time.process_time() - t)
        reads.append(store.reads)
        t = time.process_time()
        verify_consistency(old, size, old_root, root, proof)
        ver.append(time.process_time() - t)
        lengths.append(len(proof))
    rows.append(("consistency", lengths, reads, gen, ver))
    gen, reads = [], []
    for _ in range(count):
        n = rng.randrange(1, size + 1)
        store.reads = 0
        t = time.process_time()
        tree_root(store, tree_size=n)
        gen.append(time.process_time() - t)
        reads.append(store.reads)
    rows.append(("tree head (any size up to it)", [], reads, gen, []))

    print(f"\n## Proofs in a tree of {size:,} leaves ({count:,} random cases each, seed {seed}; CPU µs)\n")
    print("| proof | hashes (median / max) | bytes (max) | hashes read from the store (max) | "
          "generate µs (median / p99) | verify µs (median / p99) |")
    print("|---|---|---|---|---|---|")
    for name, lengths, reads, gen, ver in rows:
        size_cells = f"{statistics.median(lengths):.0f} / {max(lengths)} | {32 * max(lengths)}" if lengths else "— | —"
        verify_cell = f"{statistics.median(ver) * 1e6:.0f} / {p99(ver) * 1e6:.0f}" if ver else "—"
        print(f"| {name} | {size_cells} | {max(reads)} | {statistics.median(gen) * 1e6:.0f} / {p99(gen) * 1e6:.0f} | "
              f"{verify_cell} |")


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000, help="tree size for the proofs and the second append")
    parser.add_argument("--batch", type=int, default=10_000, help="entries per append batch")
    parser.add_argument("--rounds", type=int, default=5, help="append rounds (median)")
    parser.add_argument("--proofs", type=int, default=2_000, help="random cases per proof kind")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"CPU: {cpu_model()}; {os.cpu_count()} logical CPUs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"Python {platform.python_version()} {platform.machine()}; one process, one thread")
    bench_append(args.size, args.batch, args.rounds)
    bench_proofs(args.size, args.proofs, args.seed)
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
