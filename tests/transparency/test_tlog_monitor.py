"""The monitor core: an honest log passes; a fork, a rewritten past or a shrunk log is caught with both
signed checkpoints as evidence; new entries are listed only when they lead to the new root."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from support.keys import ed25519_key

from verify.errors import CheckpointError, ConsistencyError, LogEntryError, ProofError, TransparencyError
from verify.transparency.checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint, sign_checkpoint
from verify.transparency.entries import AuditAnchorEntry, RevisionEntry, StatusChangeEntry, encode_entry
from verify.transparency.merkle import EMPTY_ROOT
from verify.transparency.monitor import by_institution, check_consistency, list_new_entries
from verify.transparency.note import Ed25519NoteSigner
from verify.transparency.store import MemoryHashStore, append_entries, prove_consistency, prove_inclusion

ORIGIN = "verify.edu.kz/log"
LOG = Ed25519NoteSigner(ORIGIN, ed25519_key("monitor log TEST ONLY"))
AT = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
COLLEGE, UNIVERSITY, ARCHIVE = "000740001307", "010140000143", "971240001315"


def _revision(n: int, institution: str = COLLEGE) -> bytes:
    return encode_entry(RevisionEntry(series="BD", number=f"{n:07d}", institution_bin=institution, revision=1,
                                      cose_sha256=hashlib.sha256(b"cose %d" % n).digest(), kid=bytes(8),
                                      signed_at=AT + dt.timedelta(minutes=n)))


ENTRIES = [
    *(_revision(n, COLLEGE if n % 3 else UNIVERSITY) for n in range(1, 9)),
    encode_entry(StatusChangeEntry.annulment(series="BD", number="0000002", institution_bin=COLLEGE, at=AT)),
    encode_entry(StatusChangeEntry.closure(institution_bin=COLLEGE, archive_bin=ARCHIVE, at=AT)),
    encode_entry(AuditAnchorEntry(seq=40, head_hash=bytes(32), at=AT)),
    *(_revision(n) for n in range(9, 14)),
]


@dataclass
class FakeLog:
    """An in-memory log: the registry's side (entries, stored hashes, signed checkpoints) and a `LogReader`."""

    entries: list[bytes] = field(default_factory=list)
    store: MemoryHashStore = field(default_factory=MemoryHashStore)
    page: int = 1000
    served: dict[int, bytes] = field(default_factory=dict)  # entries served in place of the logged ones

    def append(self, entries: Sequence[bytes]) -> SignedCheckpoint:
        result = append_entries(self.store, tree_size=len(self.entries), entries=entries)
        self.entries.extend(entries)
        return sign_checkpoint(Checkpoint(ORIGIN, result.tree_size, result.root_hash), LOG)

    def read_entries(self, start: int, end: int) -> list[bytes]:
        end = min(end, start + self.page)
        return [self.served.get(i, self.entries[i]) for i in range(start, end)]

    def prove_inclusion(self, index: int, tree_size: int) -> list[bytes]:
        return prove_inclusion(self.store, index=index, tree_size=tree_size)


def _opened(signed: SignedCheckpoint) -> SignedCheckpoint:
    """What a monitor holds: the checkpoint as fetched and verified."""
    return open_checkpoint(signed.note, origin=ORIGIN, verifier=LOG.verifier)


def test_an_honest_log_passes_and_lists_its_new_entries() -> None:
    log = FakeLog()
    old = _opened(log.append(ENTRIES[:5]))
    new = _opened(log.append(ENTRIES[5:]))
    check_consistency(old, new, prove_consistency(log.store, old_size=5, new_size=len(ENTRIES)))
    listed = list_new_entries(log, old=old, new=new)
    assert [e.index for e in listed] == list(range(5, len(ENTRIES)))
    assert [e.data for e in listed] == ENTRIES[5:]
    groups = by_institution(listed)
    assert set(groups) == {COLLEGE, UNIVERSITY, ARCHIVE}
    assert [e.index for e in groups[ARCHIVE]] == [9]  # the closure, under the archive too
    assert all(isinstance(e.entry, (RevisionEntry, StatusChangeEntry)) for g in groups.values() for e in g)


@pytest.mark.parametrize("page", [1, 2, 3, 1000])
@pytest.mark.parametrize("old_size", [0, 1, 2, 4, 7, 8, 15])
def test_listing_from_any_size_with_any_page(page: int, old_size: int) -> None:
    log = FakeLog(page=page)
    old = _opened(log.append(ENTRIES[:old_size]))
    new = _opened(log.append(ENTRIES[old_size:]))
    assert [e.data for e in list_new_entries(log, old=old, new=new)] == ENTRIES[old_size:]
    check_consistency(old, new, [] if old_size == 0 else prove_consistency(log.store, old_size=old_size,
                                                                           new_size=len(ENTRIES)))


def test_listing_from_the_first_entry_and_of_nothing_new() -> None:
    log = FakeLog()
    new = _opened(log.append(ENTRIES))
    assert len(list_new_entries(log, old=None, new=new)) == len(ENTRIES)
    assert list_new_entries(log, old=new, new=new) == []
    check_consistency(new, new, [])


def test_a_fork_is_caught_with_both_checkpoints_as_evidence() -> None:
    honest, fork = FakeLog(), FakeLog()
    honest.append(ENTRIES[:5])
    fork.append(ENTRIES[:5])
    old = _opened(honest.append(ENTRIES[5:7]))
    forked = _opened(fork.append([_revision(99), *ENTRIES[6:9]]))  # another 6th entry, signed by the same key
    with pytest.raises(ConsistencyError) as caught:
        check_consistency(old, forked, prove_consistency(fork.store, old_size=7, new_size=9))
    assert caught.value.old_checkpoint == old.note and caught.value.new_checkpoint == forked.note
    with pytest.raises(ProofError):  # and the forked entries do not extend the old tree either
        list_new_entries(fork, old=old, new=forked)


def test_a_rewritten_past_is_caught() -> None:
    honest = FakeLog()
    old = _opened(honest.append(ENTRIES[:10]))
    rewritten = FakeLog()  # the database edited: entry 2 changed, everything after recomputed and re-signed
    edited = list(ENTRIES)
    edited[2] = _revision(2, institution=UNIVERSITY)
    new = _opened(rewritten.append(edited))
    with pytest.raises(ConsistencyError) as caught:
        check_consistency(old, new, prove_consistency(rewritten.store, old_size=10, new_size=len(ENTRIES)))
    assert (caught.value.old_checkpoint, caught.value.new_checkpoint) == (old.note, new.note)


def test_a_shrunk_log_and_two_roots_for_one_size_are_caught() -> None:
    log, other = FakeLog(), FakeLog()
    small = _opened(log.append(ENTRIES[:6]))
    big = _opened(log.append(ENTRIES[6:]))
    with pytest.raises(ConsistencyError, match="shrank") as caught:
        check_consistency(big, small, [])
    assert caught.value.old_checkpoint == big.note
    with pytest.raises(ConsistencyError, match="shrank"):
        list_new_entries(log, old=big, new=small)
    twin = _opened(other.append([*ENTRIES[:5], _revision(77)]))
    with pytest.raises(ConsistencyError, match="same tree size"):
        check_consistency(small, twin, [])


def test_a_bad_proof_is_an_alarm() -> None:
    log = FakeLog()
    old = _opened(log.append(ENTRIES[:5]))
    new = _opened(log.append(ENTRIES[5:]))
    proof = prove_consistency(log.store, old_size=5, new_size=len(ENTRIES))
    with pytest.raises(ConsistencyError):
        check_consistency(old, new, proof[:-1])
    with pytest.raises(ConsistencyError):
        check_consistency(old, new, [*proof[:1], bytes(32), *proof[2:]])


def test_from_the_empty_log() -> None:
    log = FakeLog()
    empty = _opened(sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), LOG))
    new = _opened(log.append(ENTRIES))
    check_consistency(empty, new, [])
    with pytest.raises(ConsistencyError, match="empty"):
        check_consistency(empty, new, [bytes(32)])
    assert len(list_new_entries(log, old=empty, new=new)) == len(ENTRIES)


def test_served_entries_must_be_the_logged_ones() -> None:
    log = FakeLog(page=4)
    old = _opened(log.append(ENTRIES[:3]))
    new = _opened(log.append(ENTRIES[3:]))
    log.served = {8: _revision(555)}  # a well-formed entry that is not the one logged at 8
    with pytest.raises(ProofError, match="do not lead to the root"):
        list_new_entries(log, old=old, new=new)
    log.served = {2: _revision(555)}  # the old tree's last leaf: its proof no longer leads to the old root
    with pytest.raises(ProofError):
        list_new_entries(log, old=old, new=new)


def test_an_undecodable_entry_is_named() -> None:
    log = FakeLog()
    old = _opened(log.append(ENTRIES[:3]))
    new = _opened(log.append([ENTRIES[3], b"\xa0not an entry"]))
    with pytest.raises(LogEntryError, match="entry 4"):
        list_new_entries(log, old=old, new=new)


def test_a_reader_that_serves_a_wrong_page_is_refused() -> None:
    class TooMany(FakeLog):
        def read_entries(self, start: int, end: int) -> list[bytes]:
            return [*super().read_entries(start, end), b"extra"]

    class Nothing(FakeLog):
        def read_entries(self, start: int, end: int) -> list[bytes]:
            return []

    for reader_type in (TooMany, Nothing):
        log = reader_type()
        new = _opened(log.append(ENTRIES))
        with pytest.raises(TransparencyError, match="wrong page"):
            list_new_entries(log, old=None, new=new)


def test_checkpoints_of_two_logs_are_not_compared() -> None:
    other_log = Ed25519NoteSigner("other.example/log", ed25519_key("monitor other log TEST ONLY"))
    log = FakeLog()
    ours = _opened(log.append(ENTRIES[:3]))
    result = append_entries(MemoryHashStore(), tree_size=0, entries=ENTRIES[:4])
    theirs = sign_checkpoint(Checkpoint("other.example/log", 4, result.root_hash), other_log)
    with pytest.raises(CheckpointError, match="two logs"):
        check_consistency(ours, theirs, [])
    with pytest.raises(CheckpointError, match="two logs"):
        list_new_entries(log, old=ours, new=theirs)
