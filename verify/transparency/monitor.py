"""The core of a monitor: is the new checkpoint an extension of the old one, and what was added?

A monitor (or a witness) keeps the last checkpoint it verified. For each new checkpoint it

1. checks consistency with the old one (`check_consistency`): a tree that shrank, two roots for
   one size, or a proof that does not lead from the old root to the new is a fork or a rewritten
   past, and the error carries both signed notes as evidence;
2. lists the entries added since (`list_new_entries`), each proven to be in the new tree, and
   groups them by institution (`by_institution`), so a college sees what was issued in its name.

The HTTP client and the command line (`verify log monitor`) wrap these; they fetch through the
small `LogReader` protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import CheckpointError, ConsistencyError, LogEntryError, ProofError, TransparencyError
from .checkpoint import SignedCheckpoint
from .entries import LogEntry, RevisionEntry, StatusChangeEntry, decode_entry
from .merkle import CompactRange, compact_range_from_last_leaf, leaf_hash, verify_consistency


class LogReader(Protocol):
    """Where a monitor reads the log: entries by index and inclusion proofs (HTTP API, or the registry)."""

    def read_entries(self, start: int, end: int) -> Sequence[bytes]:
        """Entry bytes of the leaves start, start + 1, ... (at most end - start; at least one if start < end)."""
        ...

    def prove_inclusion(self, index: int, tree_size: int) -> Sequence[bytes]:
        """The inclusion proof of leaf `index` in the tree of `tree_size` leaves (RFC 9162 §2.1.3.1)."""
        ...


def check_consistency(old: SignedCheckpoint, new: SignedCheckpoint, proof: Sequence[bytes]) -> None:
    """Check that `new` extends `old` (RFC 9162 §2.1.4.2); return None when it does.

    Args:
        old: the last checkpoint the monitor verified and kept.
        new: the checkpoint just fetched and verified (`open_checkpoint`).
        proof: the consistency proof from old.tree_size to new.tree_size (empty when old is empty
            or the sizes are equal).

    Raises:
        CheckpointError: the two checkpoints are of different logs (origins).
        ConsistencyError: the log shrank, signed two roots for one size, or the proof does not lead
            from the old root to the new one: a fork or a rewritten past. Its `old_checkpoint` and
            `new_checkpoint` hold both signed notes as published, the evidence to hand on.
    """
    if old.origin != new.origin:
        raise CheckpointError(f"checkpoints of two logs: {old.origin!r} and {new.origin!r}")

    def alarm(message: str) -> ConsistencyError:
        return ConsistencyError(message, old_checkpoint=old.note, new_checkpoint=new.note)

    if new.tree_size < old.tree_size:
        raise alarm(f"the log shrank from {old.tree_size} to {new.tree_size} entries")
    if old.tree_size == 0:
        if proof:
            raise alarm("a consistency proof from the empty tree must be empty")
        return
    try:
        verify_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof)
    except ConsistencyError as exc:
        raise alarm(f"the new checkpoint is not an extension of the old one: {exc.message}") from None


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """One entry of the log, proven to be leaf `index` of a verified checkpoint.

    Attributes:
        index: the leaf index.
        data: the entry bytes, as logged.
        leaf_hash: SHA-256(0x00 || data).
        entry: the decoded entry.
    """

    index: int
    data: bytes
    leaf_hash: bytes
    entry: LogEntry


def list_new_entries(reader: LogReader, *, old: SignedCheckpoint | None, new: SignedCheckpoint) -> list[LoggedEntry]:
    """The entries added between two checkpoints, each proven to be in the tree of `new`.

    How: the right edge of the old tree (its complete subtrees) comes from the inclusion proof of
    the old tree's last leaf, checked against the old root (`compact_range_from_last_leaf`); the
    new entries are appended to it and the resulting root must equal the new checkpoint's. That
    proves every new entry is at its index in the new tree (and that the new tree extends the
    old) with one proof of O(log n) hashes instead of one proof per entry.

    Args:
        reader: the `LogReader`.
        old: the last checkpoint verified (None to read the log from its first entry).
        new: the new checkpoint, verified (`open_checkpoint`) and of the same log.

    Returns:
        `LoggedEntry` for the leaves old.tree_size .. new.tree_size - 1, in order.

    Raises:
        CheckpointError: checkpoints of two logs.
        ConsistencyError: the new tree is smaller than the old.
        ProofError: the old tree's edge does not verify, or the entries served do not lead to the
            new root (the log serves entries its signed checkpoint does not commit to).
        LogEntryError: a logged entry does not decode (its index is named).
        TransparencyError: the reader returned more or fewer entries than asked.
    """
    start = 0 if old is None else old.tree_size
    if old is not None and old.origin != new.origin:
        raise CheckpointError(f"checkpoints of two logs: {old.origin!r} and {new.origin!r}")
    if new.tree_size < start:
        raise ConsistencyError(f"the log shrank from {start} to {new.tree_size} entries",
                               old_checkpoint=None if old is None else old.note, new_checkpoint=new.note)
    edge = CompactRange()
    if old is not None and start > 0:
        last = _read_range(reader, start - 1, start)
        edge = compact_range_from_last_leaf(start, leaf_hash(last[0]), list(reader.prove_inclusion(start - 1, start)),
                                            old.root_hash)
    logged: list[LoggedEntry] = []
    for offset, data in enumerate(_read_range(reader, start, new.tree_size)):
        index = start + offset
        try:
            entry = decode_entry(data)
        except LogEntryError as exc:
            raise LogEntryError(f"entry {index}: {exc.message}") from None
        h = leaf_hash(data)
        edge.append(h)
        logged.append(LoggedEntry(index=index, data=data, leaf_hash=h, entry=entry))
    if edge.root() != new.root_hash:
        raise ProofError(f"entries {start} to {new.tree_size - 1} do not lead to the root of the new checkpoint")
    return logged


def _read_range(reader: LogReader, start: int, end: int) -> list[bytes]:
    """Entries [start, end), reading as many pages as the reader needs."""
    out: list[bytes] = []
    while start + len(out) < end:
        page = list(reader.read_entries(start + len(out), end))
        if not page or len(out) + len(page) > end - start or not all(isinstance(d, bytes) for d in page):
            raise TransparencyError(f"the log returned a wrong page of entries for [{start + len(out)}, {end})")
        out.extend(page)
    return out


def by_institution(logged: Iterable[LoggedEntry]) -> dict[str, list[LoggedEntry]]:
    """Group entries by institution BIN: revisions and status changes by their institution, a closure
    under both the closed institution and its archive; audit anchors name none and are left out."""
    groups: dict[str, list[LoggedEntry]] = {}
    for item in logged:
        entry = item.entry
        bins: list[str] = []
        if isinstance(entry, RevisionEntry):
            bins = [entry.institution_bin]
        elif isinstance(entry, StatusChangeEntry):
            bins = [entry.institution_bin] + ([entry.archive_bin] if entry.archive_bin else [])
        for b in bins:
            groups.setdefault(b, []).append(item)
    return groups
