"""The transparency log in the registry (issue 15; docs/TRANSPARENCY.md): append in the transaction, checkpoints,
proofs, and the check of the whole log.

Every signed revision (`log_revision`, called by `documents.store_revision`, the one place a revision is written)
and every status change (`log_status_change`: duplicate, correction, annulment, from `lifecycle`) is appended in
the transaction of the registry change, so a change without its entry cannot exist: both commit or neither.

Locks: an append locks the `tlog_head` row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
serialises writers) before the audit chain's head (`audit.append_event`), in every transaction that does both;
`make_checkpoint` locks `tlog_head` and reads the audit head without a lock. One order, no deadlock.

Costs (docs/TRANSPARENCY.md §4): an append reads popcount(n) stored hashes in one SELECT, writes the entry, about
two stored hashes and the head; a proof reads at most 2 log2(n) + 2 hashes in one SELECT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..errors import LogStoreError, TransparencyError
from ..issue import SignedRecord
from ..texts import text
from ..transparency import (
    AuditAnchorEntry,
    Checkpoint,
    CompactRange,
    LogEntry,
    NoteSigner,
    RevisionEntry,
    SignedCheckpoint,
    StatusChangeEntry,
    append_leaf_hashes,
    decode_entry,
    encode_entry,
    leaf_hash,
    prove_consistency,
    prove_inclusion,
    sign_checkpoint,
)
from ..transparency.entries import TYPE_REVISION
from .bulk import insert_rows
from .models import (
    AuditEvent,
    AuditHead,
    Document,
    DocumentRevision,
    LogCheckpoint,
    LogEntryRow,
    LogHashRow,
    LogHead,
    metadata,
)

#: At most this many entries are served per request (`read_entries`).
MAX_ENTRIES_PER_READ = 1000


class SessionHashStore:
    """`verify.transparency.HashStore` over the `tlog_hashes` table, in the session's open transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """See `HashStore.read_hashes`: one SELECT ... WHERE idx IN (...).

        Raises:
            LogStoreError: an index is not stored.
        """
        wanted = sorted(set(indexes))
        found: dict[int, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update((int(i), bytes(h)) for i, h in self._session.execute(
                select(LogHashRow.idx, LogHashRow.hash).where(col(LogHashRow.idx).in_(chunk))))
        try:
            return [found[i] for i in indexes]
        except KeyError:
            raise LogStoreError(f"hash store: an index of {wanted[:8]}... is not stored") from None

    def append_hashes(self, start: int, hashes: Sequence[bytes]) -> None:
        """See `HashStore.append_hashes`: one multi-row INSERT (a concurrent append fails on the primary key)."""
        insert_rows(self._session, metadata.tables["tlog_hashes"],
                    [{"idx": start + i, "hash": h} for i, h in enumerate(hashes)])


# ----------------------------------------------------------------------------- appending
def _lock_head(session: Session) -> tuple[int, bytes]:
    row = session.execute(select(LogHead.tree_size, LogHead.root_hash).where(col(LogHead.id) == 1)
                          .with_for_update()).one()
    return int(row[0]), bytes(row[1])


def append_to_log(session: Session, entries: Sequence[LogEntry], *, at: dt.datetime) -> list[int]:
    """Append entries to the log in the session's open transaction (the caller commits); their leaf indexes.

    Args:
        entries: `RevisionEntry`, `StatusChangeEntry` or `AuditAnchorEntry` values (docs/TRANSPARENCY.md §3).
        at: when (aware); kept with each row.

    Raises:
        LogStoreError: the stored hashes do not match the head (a damaged log), or a concurrent append.
        TransparencyError: the log is full.
    """
    if not entries:
        return []
    tree_size, _root = _lock_head(session)
    data = [encode_entry(e) for e in entries]
    result = append_leaf_hashes(SessionHashStore(session), tree_size=tree_size,
                                leaf_hashes=[leaf_hash(d) for d in data])
    rows = []
    for offset, (entry, raw) in enumerate(zip(entries, data, strict=True)):
        series = getattr(entry, "series", None)
        rows.append({"idx": tree_size + offset, "data": raw, "leaf_hash": result.leaf_hashes[offset],
                     "entry_type": entry.entry_type, "series": series, "number": getattr(entry, "number", None),
                     "revision": entry.revision if isinstance(entry, RevisionEntry) else None,
                     "institution_bin": getattr(entry, "institution_bin", None), "created_at": at})
    insert_rows(session, metadata.tables["tlog_entries"], rows)
    session.execute(update(LogHead).where(col(LogHead.id) == 1)
                    .values(tree_size=result.tree_size, root_hash=result.root_hash))
    return [tree_size + i for i in range(len(entries))]


def log_revision(session: Session, signed: SignedRecord, *, at: dt.datetime) -> int:
    """Append the entry of a signed revision (`RevisionEntry.from_cose`); its leaf index.

    Raises:
        LogEntryError: the COSE bytes are not a record of docs/FORMAT.md (never for bytes `issue` signed).
    """
    return append_to_log(session, [RevisionEntry.from_cose(signed.cose)], at=at)[0]


def log_revisions(session: Session, signed: Sequence[SignedRecord], *, at: dt.datetime) -> list[int]:
    """Append the entries of several signed revisions at once, in order (the batch issue's chunk); their indexes.

    Each entry is built from the record just signed (series, number, institution BIN, revision, SHA-256 of the
    COSE bytes, kid, signing time): the same `RevisionEntry` that `RevisionEntry.from_cose` reads back from the
    bytes, without parsing them again; one head lock, one read of the stored hashes, one INSERT for the chunk.

    Raises:
        LogEntryError: a field outside the entry's ranges (never for records `issue` signed).
        LogStoreError, TransparencyError: as `append_to_log`.
    """
    entries = [RevisionEntry(series=s.record.series, number=s.record.number, institution_bin=s.record.institution_bin,
                             revision=s.record.revision, cose_sha256=hashlib.sha256(s.cose).digest(), kid=s.kid,
                             signed_at=s.signed_at) for s in signed]
    return append_to_log(session, entries, at=at)


def log_unlogged_revisions(session: Session, *, at: dt.datetime, batch: int = 500) -> int:
    """Append, in issue order, the entry of every signed revision the log does not hold yet; commit; their count.

    A registry that issued documents before the log existed (migration 0003_tlog) would otherwise answer NOT_IN_LOG
    for each of them. `verify.registry.db.upgrade_database` runs this after the migrations, so an upgraded registry
    logs its past revisions once, before anything new is issued; afterwards it finds nothing (one read). Past status
    changes are not reconstructed as entries: the log holds those made after it began (docs/TRANSPARENCY.md).

    Raises:
        LogStoreError, TransparencyError: as `append_to_log`.
    """
    revisions, entries = DocumentRevision.__table__, LogEntryRow.__table__  # type: ignore[attr-defined]
    documents = Document.__table__  # type: ignore[attr-defined]
    missing = (sa_select(revisions.c.id, revisions.c.cose)
               .join(documents, documents.c.id == revisions.c.document_id)
               .outerjoin(entries, (entries.c.series == documents.c.series)
                          & (entries.c.number == documents.c.number)
                          & (entries.c.revision == revisions.c.revision)
                          & (entries.c.entry_type == TYPE_REVISION))
               .where(entries.c.idx.is_(None))
               .order_by(revisions.c.created_at, revisions.c.id))
    rows = session.execute(missing).all()
    for start in range(0, len(rows), batch):
        append_to_log(session, [RevisionEntry.from_cose(bytes(row.cose)) for row in rows[start:start + batch]],
                      at=at)
    if rows:
        session.commit()
    return len(rows)


def log_status_change(session: Session, entry: StatusChangeEntry, *, at: dt.datetime) -> int:
    """Append a status change (duplicate, correction, annulment, closure); its leaf index."""
    return append_to_log(session, [entry], at=at)[0]


# ----------------------------------------------------------------------------- checkpoints
def tree_head(session: Session) -> tuple[int, bytes]:
    """The current (tree size, root hash), without a lock."""
    row = session.execute(select(LogHead.tree_size, LogHead.root_hash).where(col(LogHead.id) == 1)).one()
    return int(row[0]), bytes(row[1])


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    """The newest stored checkpoint, or None before the first."""
    return session.exec(select(LogCheckpoint).order_by(col(LogCheckpoint.tree_size).desc()).limit(1)).first()


def checkpoint_of_size(session: Session, tree_size: int) -> LogCheckpoint | None:
    """The stored checkpoint of exactly this tree size, or None."""
    return session.get(LogCheckpoint, tree_size)


def make_checkpoint(session: Session, *, signer: NoteSigner, origin: str, at: dt.datetime,
                    force: bool = False) -> SignedCheckpoint | None:
    """Anchor the audit chain's head and sign a checkpoint of the new tree; commits (docs/TRANSPARENCY.md §6).

    Nothing is done (None) when neither the tree grew nor the audit chain moved since the last checkpoint, unless
    `force`. Otherwise an `AuditAnchorEntry` (the audit head's seq and hash) is appended, the checkpoint of the
    resulting tree is signed by the log key (usage `log`; key name = origin) and stored.

    Args:
        signer: the log's `NoteSigner` (`verify.transparency.Ed25519NoteSigner` over the key store's log key).
        origin: the checkpoint's origin line, e.g. "verify.edu.kz/log".
        at: now (aware).

    Returns:
        The new `SignedCheckpoint`, or None.

    Raises:
        CheckpointError: an invalid origin or key name.
        LogStoreError: a damaged log.
    """
    try:
        tree_size, _root = _lock_head(session)
        last = latest_checkpoint(session)
        audit = session.execute(select(AuditHead.seq, AuditHead.hash).where(col(AuditHead.id) == 1)).one()
        audit_seq, audit_hash = int(audit[0]), str(audit[1])
        if not force and last is not None and last.tree_size == tree_size and last.audit_seq == audit_seq:
            session.rollback()
            return None
        append_to_log(session, [AuditAnchorEntry(seq=audit_seq, head_hash=bytes.fromhex(audit_hash), at=at)], at=at)
        size, root = tree_head(session)
        signed = sign_checkpoint(Checkpoint(origin=origin, tree_size=size, root_hash=root), signer)
        session.execute(metadata.tables["tlog_checkpoints"].insert(),
                        {"tree_size": size, "root_hash": root, "note": signed.note, "audit_seq": audit_seq,
                         "created_at": at})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return signed


def checkpoint_due(session: Session, *, at: dt.datetime, period: dt.timedelta) -> bool:
    """Whether a checkpoint is due: none yet, or the last is `period` old and the tree or the audit chain moved."""
    last = latest_checkpoint(session)
    if last is None:
        return True
    size, _root = tree_head(session)
    audit_seq = session.execute(select(AuditHead.seq).where(col(AuditHead.id) == 1)).scalar_one()
    moved = size != last.tree_size or audit_seq != last.audit_seq
    return moved and at - last.created_at >= period


# ----------------------------------------------------------------------------- reading and proofs
def find_revision_entry(session: Session, *, series: str, number: str, revision: int) -> LogEntryRow | None:
    """The revision entry of this document revision, or None when it is not in the log."""
    return session.exec(select(LogEntryRow).where(LogEntryRow.series == series, LogEntryRow.number == number,
                                                  LogEntryRow.revision == revision,
                                                  LogEntryRow.entry_type == TYPE_REVISION)
                        .order_by(col(LogEntryRow.idx)).limit(1)).first()


def read_entries(session: Session, *, start: int, end: int) -> list[bytes]:
    """Entry bytes of leaves start .. end - 1, at most `MAX_ENTRIES_PER_READ`.

    Raises:
        TransparencyError: start < 0, end <= start, or end beyond the tree.
    """
    size, _root = tree_head(session)
    if not 0 <= start < end <= size:
        raise TransparencyError(text("v_log_entries_range", size=size, start=start, end=end))
    end = min(end, start + MAX_ENTRIES_PER_READ)
    rows = list(session.execute(select(LogEntryRow.idx, LogEntryRow.data)
                                .where(col(LogEntryRow.idx) >= start, col(LogEntryRow.idx) < end)
                                .order_by(col(LogEntryRow.idx))))
    if [int(r[0]) for r in rows] != list(range(start, end)):
        raise LogStoreError(f"entries {start}..{end - 1}: the table misses some")
    return [bytes(r[1]) for r in rows]


def inclusion_proof(session: Session, *, index: int, tree_size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `tree_size` leaves (<= the current size).

    Raises:
        TransparencyError: index or size out of range.
        LogStoreError: a damaged log.
    """
    size, _root = tree_head(session)
    if tree_size > size:
        raise TransparencyError(text("v_log_size_beyond", tree_size=tree_size, size=size))
    return prove_inclusion(SessionHashStore(session), index=index, tree_size=tree_size)


def consistency_proof(session: Session, *, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 consistency proof between two sizes (<= the current size).

    Raises:
        TransparencyError: sizes out of order or range.
        LogStoreError: a damaged log.
    """
    size, _root = tree_head(session)
    if new_size > size:
        raise TransparencyError(text("v_log_size_beyond", tree_size=new_size, size=size))
    return prove_consistency(SessionHashStore(session), old_size=old_size, new_size=new_size)


@dataclass(frozen=True, slots=True)
class RevisionProof:
    """A revision's entry and its inclusion proof against a stored checkpoint (the CLI's `verify log prove`).

    Attributes:
        leaf_index, leaf_hash: the entry.
        tree_size, proof, checkpoint: the proof and the signed checkpoint note it leads to; tree_size is 0,
            proof empty and checkpoint None when no checkpoint covers the entry yet.
    """

    leaf_index: int
    leaf_hash: bytes
    tree_size: int
    proof: tuple[bytes, ...]
    checkpoint: str | None

    def to_json(self) -> dict[str, object]:
        """{"leaf_index", "tree_size", "leaf_hash", "proof": [hex...], "checkpoint"} (lower-case hex)."""
        return {"leaf_index": self.leaf_index, "tree_size": self.tree_size, "leaf_hash": self.leaf_hash.hex(),
                "proof": [h.hex() for h in self.proof], "checkpoint": self.checkpoint}


def prove_revision(session: Session, *, series: str, number: str, revision: int) -> RevisionProof | None:
    """The entry of a document revision with its proof against the newest checkpoint; None when not in the log.

    Raises:
        LogStoreError: a damaged log.
    """
    entry = find_revision_entry(session, series=series, number=number, revision=revision)
    if entry is None:
        return None
    checkpoint = latest_checkpoint(session)
    if checkpoint is None or checkpoint.tree_size <= entry.idx:
        return RevisionProof(leaf_index=entry.idx, leaf_hash=bytes(entry.leaf_hash), tree_size=0, proof=(),
                             checkpoint=None)
    proof = prove_inclusion(SessionHashStore(session), index=entry.idx, tree_size=checkpoint.tree_size)
    return RevisionProof(leaf_index=entry.idx, leaf_hash=bytes(entry.leaf_hash), tree_size=checkpoint.tree_size,
                         proof=tuple(proof), checkpoint=checkpoint.note)


# ----------------------------------------------------------------------------- checking the whole log
@dataclass(frozen=True, slots=True)
class LogSummary:
    """The result of a log check that passed.

    Attributes:
        entries: leaves checked; root_hash: the recomputed root.
        checkpoints: stored checkpoints whose roots matched.
        anchors: audit anchors that matched the audit chain.
    """

    entries: int
    root_hash: bytes
    checkpoints: int
    anchors: int


def _stream(session: Session, statement: Select[Any], batch: int) -> Generator[tuple[Any, ...], None, None]:
    result = session.execute(statement.execution_options(yield_per=batch))
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()


def verify_log(session: Session, *, batch_size: int = 2000) -> LogSummary:
    """Recompute the whole log and name the first row that was edited, deleted or reordered.

    Checks, in index order: (1) leaf indexes run 0, 1, 2, ... without a gap; (2) each leaf hash is that of its
    entry bytes and each entry decodes; (3) the stored hashes are exactly those the entries give; (4) the head
    holds the recomputed size and root; (5) every stored checkpoint's root is the recomputed root of its size;
    (6) every audit anchor names an audit event that exists with that hash (so deleting or rewriting the audit
    chain's tail, even with its head row, is seen: issue 15 item 5).

    Raises:
        LogStoreError: the first mismatch, by leaf index, stored-hash index or checkpoint size.
    """
    edge = CompactRange()
    checkpoints = {int(r[0]): bytes(r[1]) for r in session.execute(select(LogCheckpoint.tree_size,
                                                                          LogCheckpoint.root_hash))}
    hash_table, entry_table = metadata.tables["tlog_hashes"], metadata.tables["tlog_entries"]
    hashes = _stream(session, sa_select(hash_table.c.idx, hash_table.c.hash).order_by(hash_table.c.idx), batch_size)
    anchors: list[tuple[int, AuditAnchorEntry]] = []
    expected_hash_idx, matched = 0, 0
    if 0 in checkpoints:
        matched += 1
    entries = sa_select(entry_table.c.idx, entry_table.c.data, entry_table.c.leaf_hash).order_by(entry_table.c.idx)
    entry_rows = _stream(session, entries, batch_size)
    try:
        for idx, data, stored_leaf in entry_rows:
            if idx != edge.size:
                raise LogStoreError(f"log entry {edge.size} is missing (deleted or moved; the next is {idx})")
            raw = bytes(data)
            h = leaf_hash(raw)
            if bytes(stored_leaf) != h:
                raise LogStoreError(f"log entry {idx} was edited: its leaf hash does not match its bytes")
            try:
                entry = decode_entry(raw)
            except TransparencyError as exc:
                raise LogStoreError(f"log entry {idx} was edited: {exc.message}") from None
            if isinstance(entry, AuditAnchorEntry):
                anchors.append((idx, entry))
            for stored in edge.append(h):
                row = next(hashes, None)
                if row is None or row[0] != expected_hash_idx or bytes(row[1]) != stored:
                    raise LogStoreError(f"stored hash {expected_hash_idx} (leaf {idx}) was deleted, moved or edited")
                expected_hash_idx += 1
            if edge.size in checkpoints:
                if checkpoints[edge.size] != edge.root():
                    raise LogStoreError(f"the checkpoint of size {edge.size} does not match the log's entries: "
                                        "the log was rewritten after it was signed")
                matched += 1
        if next(hashes, None) is not None:
            raise LogStoreError(f"stored hashes beyond {expected_hash_idx - 1} that no entry gives")
    finally:
        entry_rows.close()
        hashes.close()
    size, root = tree_head(session)
    if size != edge.size or root != edge.root():
        raise LogStoreError(f"the log's head (size {size}) does not match its {edge.size} entries: "
                            "entries at the end were deleted, or the head was rewritten")
    if beyond := [s for s in checkpoints if s > edge.size]:
        raise LogStoreError(f"a checkpoint of size {min(beyond)} is beyond the log's {edge.size} entries: "
                            "signed entries were deleted")
    for idx, anchor in anchors:
        if anchor.seq == 0:
            continue
        event_hash = session.execute(select(AuditEvent.hash).where(col(AuditEvent.seq) == anchor.seq)).scalar()
        if event_hash is None:
            raise LogStoreError(f"log entry {idx} anchors audit event {anchor.seq}, which is gone: the audit chain's "
                                "tail was deleted")
        if event_hash != anchor.head_hash.hex():
            raise LogStoreError(f"log entry {idx} anchors audit event {anchor.seq} with another hash: the audit "
                                "chain was rewritten")
    return LogSummary(entries=edge.size, root_hash=edge.root(), checkpoints=matched, anchors=len(anchors))
