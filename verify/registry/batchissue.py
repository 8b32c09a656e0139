"""The batch issue's set-based path (issue 16 item 1): a chunk of a study group's graduates numbered, signed and
stored in one transaction, and the batch's own rows (`open_batch`, `BatchResult`).

`verify.registry.documents.issue_group` drives a batch: it opens it (`open_batch`: the idempotency key and the
snapshot of the group), then issues the snapshot chunk by chunk with `issue_chunk`, one transaction per chunk of
`chunk_size(total)` graduates. A chunk does per statement what the single issue (`documents.issue_document`) does
per document, with the same rows, the same values and the same lock order (counters, blank ranges, the
transparency log's head, the audit chain's head; one order everywhere, so no deadlock):

    numbers      one `UPDATE counters SET last = last + n` per series (`numbering.allocate_numbers`; seed 001
                 item 7); a blank-numbered type reserves its blanks one by one (`blanks.reserve_blank`, seed 000
                 items 7 and 17)
    signatures   one per document, through `signing.sign_document` (the signer chosen by scope for each record)
    documents    one multi-row INSERT ... RETURNING id, in the chunk's order
    revisions    one multi-row INSERT
    log entries  one append of the chunk's entries to the transparency log (`tlog.log_revisions`)
    audit        the chunk's `document.issue` events hash-chained here, one INSERT, the head updated once
                 (`audit.append_events`)
    hooks        each `ChunkHook` is called once with the chunk's `IssuedDocument`s, in the transaction, so that
                 a set-based writer (the partner feed's outbox) joins the chunk without a statement per document

Nothing goes through the ORM's unit of work on this path (Core statements and plain rows). A chunk commits whole
or not at all: a crash in the middle leaves no half-issued document, and a retry with the batch's key issues
what is missing (`documents.issue_group`). When a chunk fails on a registry error (no free blank, a record over
the QR budget, no signer in scope, a concurrent run that issued one of its graduates first), `issue_group` rolls
it back and issues that chunk one document per transaction, so every document before the failing one is issued
and the error is the single issue's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..doctypes import NumberingMode, get_document_type
from ..errors import ConflictError, NotFoundError, RecordError
from ..identifiers import normalize_series
from ..issue import SignedRecord
from ..record import HolderName, Record
from ..signerset import SignerChooser
from ..texts import text
from .access import officer_id, require_open, unit_of_work
from .appendixsigning import sign_chunk_appendices
from .audit import EventBody, append_event, append_events, holder_reference
from .blanks import BlankReservation, blank_kind_for, choose_blank_series, mark_blank_used, reserve_blank
from .bulk import insert_returning_ids
from .models import (
    REISSUABLE_ANNULMENTS,
    Batch,
    BatchState,
    BlankKind,
    Document,
    DocumentRevision,
    DocumentState,
    Graduate,
    Officer,
    metadata,
)
from .numbering import allocate_numbers
from .outbox import EventKind, OutboxEvent, append_outbox_events
from .signing import sign_document
from .tlog import log_revisions

#: The most graduates one chunk (one transaction) of a batch issues.
MAX_CHUNK = 250
#: The fewest graduates per chunk of a batch of `SINGLY_BELOW` or more (a study group of 25-30 in one chunk).
MIN_CHUNK = 25
#: Batches smaller than this issue one document per transaction.
SINGLY_BELOW = 20


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch issue did.

    Attributes:
        batch_id, idempotency_key: the batch.
        total: graduates in the batch's snapshot.
        issued: documents issued by this call.
        skipped: graduates that had their document before this call (earlier run, or issued singly).
        finished: every graduate of the snapshot has a document; the batch is done.
        replayed: the key named a finished batch: nothing was done.
    """

    batch_id: int
    idempotency_key: str
    total: int
    issued: int
    skipped: int
    finished: bool
    replayed: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """A graduate to issue, with the holder's name: a plain row read by `load_candidates` (no ORM object).

    Attributes:
        graduate_id, institution_id, doc_type, programme, qualification, honours, award_date: the graduate.
        surname, name, patronymic: the holder's name as printed; iin: the holder's IIN (only for the audit's
            keyed `holder_reference`; never written anywhere else).
    """

    graduate_id: int
    institution_id: int
    doc_type: str
    programme: str
    qualification: str | None
    honours: bool
    award_date: dt.date
    surname: str
    name: str
    patronymic: str | None
    iin: str


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """One document a chunk issued, as handed to the `ChunkHook`s.

    Attributes:
        document_id, revision_id: the new rows' ids.
        graduate_id: the graduate it was issued to.
        signed: the signed record (series, number, COSE bytes, QR text, kid, signing time).
        holder_ref: the audit's keyed reference to the holder (`audit.holder_reference`), never the IIN.
    """

    document_id: int
    revision_id: int
    graduate_id: int
    signed: SignedRecord
    holder_ref: str


ChunkHook = Callable[[Session, Sequence[IssuedDocument], dt.datetime], None]
"""Called once per chunk, in its transaction, after its documents, revisions, log entries and audit events are
written: (session, the chunk's documents in issue order, the issue time). It writes set-based (one statement for
the chunk) and raises to roll the chunk back."""


def chunk_size(total: int) -> int:
    """Graduates per transaction for a batch of `total`: one by one below `SINGLY_BELOW`; else a tenth of the batch,
    at least `MIN_CHUNK` (never more than the batch) and at most `MAX_CHUNK`.

    The statements of a chunk cost about as much as the work of 10-20 documents, so a chunk must hold dozens to
    hundreds: a study group of 25-30 is one chunk, a batch of 1,000 ten. A tenth of a large batch keeps the progress
    an officer sees (the console counts the committed documents) and the work a crash loses in proportion to it. A
    batch of a handful takes well under a second either way and goes one by one, so the console shows each document.
    """
    if total < SINGLY_BELOW:
        return 1
    return min(total, max(MIN_CHUNK, min(MAX_CHUNK, total // 10)))


def load_candidates(session: Session, graduate_ids: Sequence[int]) -> list[Candidate]:
    """The graduates with these ids and their holders' names, in the order of `graduate_ids` (missing ids left
    out), in one SELECT of plain columns."""
    if not graduate_ids:
        return []
    graduates, holders = metadata.tables["graduates"], metadata.tables["holders"]
    rows = session.execute(
        sa_select(graduates.c.id, graduates.c.institution_id, graduates.c.doc_type, graduates.c.programme,
                  graduates.c.qualification, graduates.c.honours, graduates.c.award_date, holders.c.surname,
                  holders.c.name, holders.c.patronymic, holders.c.iin)
        .join(holders, holders.c.id == graduates.c.holder_id).where(graduates.c.id.in_(list(graduate_ids))))
    found = {int(row[0]): Candidate(*row) for row in rows}
    return [found[g] for g in graduate_ids if g in found]


def issue_chunk(session: Session, *, officer: Officer, candidates: Sequence[Candidate], institution_bin: str,
                signer: SignerChooser, base_url: str, at: dt.datetime, blank_series: str | None, batch_id: int,
                hooks: Sequence[ChunkHook] = ()) -> list[IssuedDocument]:
    """Number, sign and store the originals of `candidates` in the open transaction (the caller commits).

    The same documents, revisions, log entries, blanks and audit events as `documents.issue_document` for each
    candidate in turn, written set-based (module docstring).

    Args:
        officer: the issuing officer (its institution's graduates only: `documents.issue_group` checked).
        candidates: graduates without an original, in issue order (`load_candidates`).
        institution_bin: the institution's BIN (in every record).
        signer, base_url, at: as `documents.issue_document`.
        blank_series: the batch's blank series (blank-numbered types; `open_batch` chose it).
        batch_id: the batch.
        hooks: `ChunkHook`s called once with the chunk's documents.

    Returns:
        The `IssuedDocument`s, in the order of `candidates`.

    Raises:
        ConflictError: a graduate has an original already (a concurrent issue committed it first), or a series
            is full; the caller rolls back.
        StockError: too few free blanks. RecordError, OverBudgetError: a record breaks the schema or the QR budget.
        NoSignerInScopeError, KeyStoreError, HsmError: no signer may sign a record, or it cannot sign.
    """
    if not candidates:
        return []
    numbered = _numbers(session, candidates=candidates, blank_series=blank_series)
    records = [Record(doc_type=c.doc_type, series=series, number=number,
                      holder=HolderName(c.surname, c.name, c.patronymic), institution_bin=institution_bin,
                      award_date=c.award_date, programme=c.programme, qualification=c.qualification,
                      honours=c.honours) for c, (series, number, _) in zip(candidates, numbered, strict=True)]
    signed = [sign_document(record, signer=signer, base_url=base_url, at=at) for record in records]
    officer_key = officer_id(officer)
    template = Document(doc_type="", series="", number="", state=DocumentState.VALID.value, graduate_id=0,
                        institution_id=officer.institution_id, batch_id=batch_id, issued_at=at, issued_by=officer_key,
                        current_revision=1).model_dump(exclude={"id"})
    try:
        document_ids = insert_returning_ids(session, metadata.tables["documents"], [
            {**template, "doc_type": c.doc_type, "series": series, "number": number, "graduate_id": c.graduate_id,
             "institution_id": c.institution_id} for c, (series, number, _) in zip(candidates, numbered, strict=True)])
    except IntegrityError:  # one original per graduate, or (series, number): a concurrent issue came first
        raise ConflictError(text("v_batch_chunk_conflict")) from None
    record_json = [record.to_json() for record in records]
    revision_template = DocumentRevision(
        document_id=0, revision=1, record={}, cose=b"", payload_sha256="", qr_text="", kid="", signed_at=at,
        officer_id=officer_key, created_at=at).model_dump(exclude={"id"})
    hashes = [s.payload_sha256.hex() for s in signed]
    revision_ids = insert_returning_ids(session, metadata.tables["document_revisions"], [
        {**revision_template, "document_id": document_id, "revision": s.record.revision, "record": data,
         "cose": s.cose, "payload_sha256": digest, "qr_text": s.qr_text, "kid": s.kid.hex(), "signed_at": s.signed_at}
        for document_id, s, data, digest in zip(document_ids, signed, record_json, hashes, strict=True)])
    log_revisions(session, signed, at=at)
    for document_id, (_, _, reservation) in zip(document_ids, numbered, strict=True):
        if reservation is not None:
            mark_blank_used(session=session, reservation=reservation, document_id=document_id, officer=officer, at=at)
    references = [holder_reference(session=session, iin=c.iin) for c in candidates]
    append_events(session=session, at=at, officer=officer, action="document.issue", object_type="document",
                  bodies=[EventBody(object_ref=f"{s.record.series} {s.record.number}", after={
                      "state": DocumentState.VALID.value, "revision": 1, "record": data, "holder": reference,
                      "payload_sha256": digest, "kid": s.kid.hex(), "batch_id": batch_id})
                      for s, data, reference, digest in zip(signed, record_json, references, hashes, strict=True)])
    issued = [IssuedDocument(document_id=document_id, revision_id=revision_id, graduate_id=c.graduate_id, signed=s,
                             holder_ref=reference)
              for document_id, revision_id, c, s, reference
              in zip(document_ids, revision_ids, candidates, signed, references, strict=True)]
    sign_chunk_appendices(session, [(i.document_id, i.graduate_id, i.signed) for i in issued], signer=signer, at=at)
    append_outbox_events(session, [OutboxEvent(kind=EventKind.ISSUE, institution_bin=institution_bin,
                                               doc_type=i.signed.record.doc_type, series=i.signed.record.series,
                                               number=i.signed.record.number, revision=i.signed.record.revision,
                                               holder_ref=i.holder_ref, at=at) for i in issued])
    for hook in hooks:  # the partner feed's outbox joins here: one set-based write per chunk
        hook(session, issued, at)
    return issued


def _numbers(session: Session, *, candidates: Sequence[Candidate], blank_series: str | None
             ) -> list[tuple[str, str, BlankReservation | None]]:
    """(series, number, blank reservation or None) per candidate: service numbers per series in one statement
    each (series in sorted order: one lock order), then the blanks one by one."""
    series_of: list[str | None] = []
    for candidate in candidates:
        doc_type = get_document_type(candidate.doc_type)
        if doc_type is None:
            raise RecordError(text("v_doc_type_unknown", field="doc_type", doc_type=candidate.doc_type))
        if doc_type.numbering is NumberingMode.SERVICE and blank_series not in (None, doc_type.series):
            raise RecordError(text("v_service_numbered", doc_type=doc_type.code))  # as `documents.take_number`
        series_of.append(doc_type.series if doc_type.numbering is NumberingMode.SERVICE else None)
    wanted: dict[str, int] = {}
    for series in series_of:
        if series is not None:
            wanted[series] = wanted.get(series, 0) + 1
    numbers = {series: iter(allocate_numbers(session=session, series=series, count=wanted[series]))
               for series in sorted(wanted)}
    out: list[tuple[str, str, BlankReservation | None]] = []
    for candidate, series in zip(candidates, series_of, strict=True):
        if series is not None:
            out.append((series, next(numbers[series]), None))
            continue
        kind = blank_kind_for(doc_type=candidate.doc_type, honours=candidate.honours).value
        # an honours diploma takes a red blank of its own series, not the batch's (seed 000, item 8)
        preferred = blank_series if kind == BlankKind.ORDINARY.value else None
        blanks = choose_blank_series(session, institution_id=candidate.institution_id, preferred=preferred, kind=kind)
        reservation = reserve_blank(session=session, institution_id=candidate.institution_id, series=blanks,
                                    kind=kind)
        out.append((blanks, reservation.number, reservation))
    return out


# ----------------------------------------------------------------------------- the batch's rows
def open_batch(session: Session, *, officer: Officer, group: str, key: str, blank_series: str | None,
               at: dt.datetime) -> tuple[Batch, bool]:
    """(batch, replayed): find the batch of this key, or create it with its snapshot of the group; commits.

    Raises:
        ConflictError: the key names a batch of another institution, group or series; or two concurrent calls
            could not agree on the batch.
        NotFoundError: the group has no graduates.
        StockError: a blank-numbered group without `blank_series` and not exactly one series in stock.
    """
    group = group.strip()
    for _attempt in range(2):
        with unit_of_work(session):
            require_open(session, officer)  # inside the transaction: a refusal leaves none open
            batch = session.exec(select(Batch).where(Batch.idempotency_key == key)
                                 .execution_options(populate_existing=True)).first()
            if batch is not None:
                if batch.institution_id != officer.institution_id or batch.study_group != group or (
                        blank_series is not None and batch.series != normalize_series(blank_series)):
                    raise ConflictError(text("v_idempotency_other", key=repr(key)))
                return batch, batch.state == BatchState.DONE.value
            graduates = list(session.exec(select(Graduate.id, Graduate.doc_type).where(
                Graduate.institution_id == officer.institution_id, Graduate.study_group == group)
                .order_by(col(Graduate.id))))
            if not graduates:
                raise NotFoundError(text("v_no_graduates_in_group", group=repr(group)))
            series = normalize_series(blank_series) if blank_series is not None else None
            needs_blanks = any(_is_blank_numbered(doc_type) for _, doc_type in graduates)
            if series is None and needs_blanks:
                series = choose_blank_series(session, institution_id=officer.institution_id, preferred=None,
                                             kind=BlankKind.ORDINARY.value)
            batch = Batch(idempotency_key=key, institution_id=officer.institution_id, officer_id=officer_id(officer),
                          study_group=group, series=series, graduate_ids=[g for g, _ in graduates if g is not None],
                          state=BatchState.RUNNING.value, created_at=at)
            session.add(batch)
            try:
                session.flush()
            except IntegrityError:  # a concurrent call created it: read it on the next attempt
                session.rollback()
                continue
            append_event(session=session, at=at, officer=officer, action="batch.start", object_type="batch",
                         object_ref=key[:80], after={"group": group, "graduates": len(graduates), "series": series})
            return batch, False
    raise ConflictError(text("v_batch_not_opened", key=repr(key)))


def finish_batch(session: Session, *, batch_id: int, officer: Officer, key: str, total: int, issued: int,
                 at: dt.datetime) -> None:
    """Mark the batch done (unless a concurrent run did) with its `batch.finish` event; commits."""
    with unit_of_work(session):
        locked = session.exec(select(Batch).where(Batch.id == batch_id).with_for_update()
                              .execution_options(populate_existing=True)).one()
        if locked.state != BatchState.DONE.value:
            locked.state, locked.finished_at = BatchState.DONE.value, at
            session.add(locked)
            append_event(session=session, at=at, officer=officer, action="batch.finish", object_type="batch",
                         object_ref=key[:80], before={"state": BatchState.RUNNING.value},
                         after={"state": BatchState.DONE.value, "total": total, "issued_by_this_run": issued})


def graduates_with_originals(session: Session, graduate_ids: Sequence[int]) -> set[int]:
    """The ids among `graduate_ids` of graduates that have an original document (1,000 ids per query); an original
    annulled as issued in error or spoiled (`REISSUABLE_ANNULMENTS`) does not count, as in `issue_document`: the
    graduate gets a new one (the partial unique index of migration 0004_blank_kinds leaves those out too)."""
    found: set[int] = set()
    for start in range(0, len(graduate_ids), 1000):
        chunk = list(graduate_ids[start:start + 1000])
        found.update(session.exec(select(Document.graduate_id).where(
            col(Document.graduate_id).in_(chunk), col(Document.original_id).is_(None),
            or_(col(Document.annul_kind).is_(None), col(Document.annul_kind).not_in(REISSUABLE_ANNULMENTS)))))
    return found


def _is_blank_numbered(doc_type_code: str) -> bool:
    doc_type = get_document_type(doc_type_code)
    return doc_type is not None and doc_type.numbering is NumberingMode.BLANK

