"""Documents: reading them, issuing them (single and batch), and the writing steps their lifecycle shares.

Each service is one transaction (it commits, or rolls back and raises) that changes the document rows, stores
every signed revision (COSE bytes, payload SHA-256, QR text, kid, signing time) and appends its audit events.
Every record the registry stores is signed in one place, `sign_document` (`verify.registry.signing`): it asks
the `SignerChooser` for the document signer whose scope holds the record's series and institution at the signing
time and refuses with `NoSignerInScopeError` when none may, before anything is numbered for good or stored (the
transaction rolls back), so that no stored record verifies OUT_OF_SCOPE (docs/FORMAT.md §7 step 10); then
`verify.issue.sign_record` signs. The registry calls `issue`, `issue` never writes the registry (DESIGN.md, One
picture). Duplicates, corrections and annulments are `verify.registry.lifecycle`.

    issue        -> original, valid                 numbers: counter (seed 001 item 7) or blank (seed 000 item 17)
    issue_group  -> every graduate of a study group, exactly once per idempotency key, in chunks of one
                    transaction each, written set-based (`verify.registry.batchissue`, issue 16 item 1)

Numbers are never reused, not after an annulment either.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .. import codec, qr, qrtext
from ..doctypes import NumberingMode, all_fixed_series, get_document_type
from ..errors import ConflictError, Error, LifecycleError, NotFoundError, RecordError
from ..identifiers import normalize_series, refuse_iin_in_text
from ..issue import SignedRecord
from ..matching import fold, match_series, parse_number
from ..record import HolderName, Record
from ..signerset import SignerChooser
from ..texts import Text, text
from .access import officer_id, require_custody, require_institution, require_open, require_writer, unit_of_work
from .appendixsigning import sign_with_diploma
from .audit import append_event, holder_reference
from .batchissue import BatchResult as BatchResult  # re-exported: the batch issue's result
from .batchissue import (
    ChunkHook,
    chunk_size,
    finish_batch,
    graduates_with_originals,
    issue_chunk,
    load_candidates,
    open_batch,
)
from .blanks import BlankReservation, blank_kind_for, choose_blank_series, mark_blank_used, reserve_blank
from .models import (
    REISSUABLE_ANNULMENTS,
    BlankRange,
    Counter,
    Document,
    DocumentRevision,
    DocumentState,
    Graduate,
    Holder,
    Institution,
    Officer,
    metadata,
)
from .numbering import allocate_number
from .outbox import EventKind, append_outbox_event
from .signing import sign_document as sign_document
from .tlog import log_revision

ProgressCallback = Callable[[int, int], None]


# ----------------------------------------------------------------------------- reading
def get_document(*, session: Session, series: str, number: str) -> Document | None:
    """The document with this series and number (series normalised), or None.

    Raises:
        RecordError: a malformed series or number.
    """
    series, number = normalize_series(series), parse_number(number)
    return session.exec(select(Document).where(Document.series == series, Document.number == number)).first()


def known_series(*, session: Session) -> list[str]:
    """The series the registry numbers or holds blanks of, and the fixed higher-education series, sorted.

    Read from the small tables (`counters`, `blank_ranges`), never by scanning the documents: the lookup page
    offers them as a choice and the public lookup matches a typed series against them.
    """
    found = set(all_fixed_series())
    found.update(session.exec(select(Counter.series)).all())
    found.update(session.exec(select(BlankRange.series).distinct()).all())
    return sorted(found)


def find_printed(*, session: Session, series: str, number: str, surname: str) -> DocumentRevision | None:
    """The current revision of the document printed with this series, number and surname, as a person types them.

    The one rule of the public lookup (issue 10 item 16; `verify.matching`): the series is matched against the
    series the registry holds (a Latin "TKB" finds "ТКБ"), the number by `parse_number` ("0100 001", "100001"),
    the surname by `fold` against the current revision's ("Бекмухамбетов" finds "Бекмұхамбетов"). Every key is
    compared whole; an unknown number and a wrong surname both give None.

    Raises:
        RecordError: a number that is not seven digits, maybe grouped by spaces; a series that is not 1-4 letters
            of one alphabet and matches none the registry knows.
    """
    number = parse_number(number)
    wanted = fold(surname).encode()
    candidates = match_series(series, known_series(session=session))
    try:
        typed: str | None = normalize_series(series)
    except RecordError:
        if not candidates:
            raise
        typed = None
    if typed is not None and typed not in candidates:
        candidates.append(typed)  # a series no counter or blank range names (data loaded by other means)
    for candidate in candidates:
        document = session.exec(select(Document).where(Document.series == candidate,
                                                       Document.number == number)).first()
        if document is None:
            continue
        revision = get_revision(session=session, document=document)
        stored = str(revision.record.get("holder", {}).get("surname", ""))
        if wanted and hmac.compare_digest(fold(stored).encode(), wanted):
            return revision
    return None


def get_document_or_raise(*, session: Session, series: str, number: str) -> Document:
    """The document with this series and number.

    Raises:
        RecordError: a malformed series or number.
        NotFoundError: the registry has none.
    """
    document = get_document(session=session, series=series, number=number)
    if document is None:
        raise NotFoundError(text("v_doc_not_found", series=normalize_series(series), number=parse_number(number)))
    return document


def get_document_by_id(*, session: Session, document_id: int) -> Document:
    """The document with this id.

    Raises:
        NotFoundError: no such document.
    """
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError(text("v_doc_id_not_found", id=document_id))
    return document


def first_documents(*, session: Session, institution_id: int, count: int) -> list[Document]:
    """The first `count` documents of an institution by series and number."""
    return list(session.exec(select(Document).where(Document.institution_id == institution_id)
                             .order_by(col(Document.series), col(Document.number)).limit(count)))


def get_original_by_iin(*, session: Session, iin: str) -> Document:
    """The one original document of the holder with this IIN (the IIN is only compared, never shown).

    Raises:
        NotFoundError: the holder has no original, or more than one (then say which by series and number).
    """
    originals = list(session.exec(
        select(Document).join(Graduate, col(Graduate.id) == Document.graduate_id)
        .join(Holder, col(Holder.id) == Graduate.holder_id)
        .where(Holder.iin == iin, col(Document.original_id).is_(None)).limit(2)))
    if len(originals) != 1:
        raise NotFoundError(text("v_doc_no_single_original"))
    return originals[0]


def get_revision(*, session: Session, document: Document, revision: int | None = None) -> DocumentRevision:
    """A revision of a document (the current one by default).

    Raises:
        NotFoundError: no such revision.
    """
    wanted = document.current_revision if revision is None else revision
    row = session.exec(select(DocumentRevision).where(DocumentRevision.document_id == document.id,
                                                      DocumentRevision.revision == wanted)).first()
    if row is None:
        raise NotFoundError(text("v_doc_no_revision", document=document_ref(document), revision=wanted))
    return row


def list_revisions(*, session: Session, document: Document) -> list[DocumentRevision]:
    """Every revision of a document, oldest first (earlier revisions are kept for ever)."""
    return list(session.exec(select(DocumentRevision).where(DocumentRevision.document_id == document.id)
                             .order_by(col(DocumentRevision.revision))))


def batch_revisions(*, session: Session, batch_id: int, revision: int | None = None) -> list[DocumentRevision]:
    """The revisions of a batch's documents by series and number: each one's current revision, or `revision`.

    Args:
        batch_id: the batch (`BatchResult.batch_id`).
        revision: a revision number (1: the codes as first printed); None: each document's current one.
    """
    statement = (select(DocumentRevision).join(Document, col(Document.id) == DocumentRevision.document_id)
                 .where(Document.batch_id == batch_id))
    if revision is None:
        statement = statement.where(col(DocumentRevision.revision) == Document.current_revision)
    else:
        statement = statement.where(DocumentRevision.revision == revision)
    return list(session.exec(statement.order_by(col(Document.series), col(Document.number))))


def record_of(revision: DocumentRevision) -> Record:
    """The `Record` a revision signed."""
    return Record.from_json(revision.record)


def signed_record_of(revision: DocumentRevision) -> SignedRecord:
    """The stored revision as a `SignedRecord` (for `verify.issue.render_record`: the QR images to print).

    Raises:
        CoseStructureError: the stored COSE bytes are not of the profile (never for rows this code wrote).
    """
    sign1 = codec.parse_sign1(revision.cose)
    prefix, digits = qrtext.split_qr_text(revision.qr_text)
    return SignedRecord(record=record_of(revision), signed_at=revision.signed_at, kid=sign1.kid, alg=sign1.alg,
                        payload=sign1.payload, cose=revision.cose, qr_text=revision.qr_text,
                        qr_version=qr.qr_version_for(len(prefix), len(digits)))


def lock_document(session: Session, *, officer: Officer, series: str, number: str) -> Document:
    """The document with this series and number, locked for the open transaction (SELECT ... FOR UPDATE).

    Raises:
        RecordError: a malformed series or number.
        NotFoundError: no such document.
        ForbiddenError: not the officer's institution's to change (`access.require_custody`: archives of closed ones).
    """
    series, number = normalize_series(series), parse_number(number)
    document = session.exec(select(Document).where(Document.series == series, Document.number == number)
                            .with_for_update().execution_options(populate_existing=True)).first()
    if document is None:
        raise NotFoundError(text("v_doc_not_found", series=series, number=number))
    require_custody(session, officer, document.institution_id, what=text("v_what_document", series=series,
                                                                          number=number))
    return document


def document_ref(document: Document) -> str:
    """Series and number as printed, e.g. "BD 0000042" (the audit events' `object_ref`)."""
    return f"{document.series} {document.number}"


def require_in_force(session: Session, document: Document, *, action: str) -> None:
    """Refuse to act on an annulled (final) or replaced (void) document.

    Raises:
        LifecycleError: the document is annulled or replaced (the message names when and by which duplicate).
    """
    doing = text(f"v_action_{action}")
    if document.state == DocumentState.ANNULLED.value:
        if document.annulled_at is None:
            raise LifecycleError(text("v_life_annulled_earlier", document=document_ref(document), action=doing))
        raise LifecycleError(text("v_life_annulled", document=document_ref(document),
                                  date=document.annulled_at.date(), action=doing))
    if document.state == DocumentState.REPLACED.value:
        successor = session.get(Document, document.replaced_by_id) if document.replaced_by_id else None
        if successor is None:
            raise LifecycleError(text("v_life_replaced", document=document_ref(document), action=doing))
        raise LifecycleError(text("v_life_replaced_by", document=document_ref(document), n=successor.duplicate_no or 0,
                                  duplicate=document_ref(successor), action=doing))


# ----------------------------------------------------------------------------- writing
def store_revision(session: Session, *, document: Document, signed: SignedRecord, officer: Officer,
                   at: dt.datetime, changed_fields: Iterable[str] = (), reason: str | None = None) -> DocumentRevision:
    """Write a signed revision of `document` (written once, never changed) and its log entry; its row, with its id.

    The one place a signed revision is written: its `RevisionEntry` is appended to the transparency log here, in
    the same transaction (issue 15 item 1; `verify.registry.tlog.log_revision`).
    """
    assert document.id is not None
    revision = DocumentRevision(
        document_id=document.id, revision=signed.record.revision, record=signed.record.to_json(), cose=signed.cose,
        payload_sha256=signed.payload_sha256.hex(), qr_text=signed.qr_text, kid=signed.kid.hex(),
        signed_at=signed.signed_at, changed_fields=list(changed_fields), reason=reason,
        officer_id=officer_id(officer), created_at=at)
    # A Core INSERT: revisions are written once and never changed (a trigger refuses UPDATE).
    table = metadata.tables["document_revisions"]
    statement = table.insert().returning(table.c.id)
    revision.id = session.execute(statement, revision.model_dump(exclude={"id"})).scalar_one()
    log_revision(session, signed, at=at)
    return revision


def insert_document(session: Session, document: Document, *, what: Text) -> Document:
    """INSERT a new document row (Core, with RETURNING id); the object stays outside the session.

    Raises:
        ConflictError: UNIQUE(series, number), one original per graduate, or one duplicate No. N per original.
    """
    table = metadata.tables["documents"]
    statement = table.insert().returning(table.c.id)
    try:
        document.id = session.execute(statement, document.model_dump(exclude={"id"})).scalar_one()
    except IntegrityError:
        raise ConflictError(text("v_exists", what=what)) from None
    return document


def take_number(session: Session, *, doc_type_code: str, institution_id: int, blank_series: str | None,
                blank_number: str | None, fallback_series: str | None = None, honours: bool = False
                ) -> tuple[str, str, BlankReservation | None]:
    """(series, number, blank reservation or None) for a new document of this type, in the open transaction; a
    blank of the document's kind (`blanks.blank_kind_for`: honours -> the red blank, seed 000 Rules item 8).

    Raises:
        RecordError: an unknown type, or a series or blank given for a service-numbered type.
        StockError: no free blank (of the series, of the kind), a given blank of another kind, or several series.
    """
    doc_type = get_document_type(doc_type_code)
    if doc_type is None:
        raise RecordError(text("v_doc_type_unknown", field="doc_type", doc_type=doc_type_code))
    if doc_type.numbering is NumberingMode.SERVICE:
        assert doc_type.series is not None
        if blank_number is not None or blank_series not in (None, doc_type.series):
            raise RecordError(text("v_service_numbered", doc_type=doc_type.code))
        return doc_type.series, allocate_number(session=session, series=doc_type.series), None
    kind = blank_kind_for(doc_type=doc_type.code, honours=honours).value
    series = choose_blank_series(session, institution_id=institution_id, preferred=blank_series, kind=kind,
                                 fallback=fallback_series)
    reservation = reserve_blank(session=session, institution_id=institution_id, series=series, number=blank_number,
                                kind=kind)
    return series, reservation.number, reservation


# ----------------------------------------------------------------------------- issue
def issue_document(*, session: Session, officer: Officer, graduate_id: int, signer: SignerChooser, base_url: str,
                   at: dt.datetime, blank_series: str | None = None, blank_number: str | None = None,
                   batch_id: int | None = None) -> Document:
    """Issue the original document of one graduate: number it, sign it, store it; commits.

    A service-numbered type (higher education, seed 001 item 7) takes the next number of its
    series' counter; a blank-numbered type (TVE, seed 000 items 7 and 17) consumes the next free
    blank of the institution's stock (or the given `blank_number`, which must be in stock).

    Args:
        officer: an issuer or head of the graduate's institution.
        graduate_id: the graduate (imported with `importing.import_graduates`).
        signer: chooses the document signer by scope (`verify.signerset`: a key store's `SignerSet`, or one
            `ScopedSigner`); base_url: the verification host of the QR link.
        at: the signing time (aware; not before the award date).
        blank_series: TVE only: the blank series (default: the only series in stock).
        blank_number: TVE only: the blank to print on (default: the next free one).
        batch_id: the batch this issue belongs to, if any.

    Returns:
        The new `Document` (state valid, revision 1).

    Raises:
        ForbiddenError: a viewer, or a graduate of another institution.
        NotFoundError: no such graduate.
        ConflictError: the graduate has an original document already (also when a concurrent
            issue won the race: the partial unique index on documents.graduate_id).
        StockError: no free blank, or the blank number is outside the stock.
        RecordError, OverBudgetError: the record breaks the schema or the QR size budget.
        NoSignerInScopeError: no active document signer may sign the series for the institution; nothing stored.
    """
    require_writer(officer)
    with unit_of_work(session):
        require_open(session, officer)  # inside the transaction: a refusal leaves none open
        graduate = session.get(Graduate, graduate_id)
        if graduate is None:
            raise NotFoundError(text("v_graduate_not_found", id=graduate_id))
        require_institution(officer, graduate.institution_id, what=text("v_what_graduate", id=graduate_id))
        existing = _original_of(session, graduate_id)
        if existing is not None:
            raise ConflictError(text("v_graduate_has_document", id=graduate_id, document=document_ref(existing)))
        holder = session.get(Holder, graduate.holder_id)
        institution = session.get(Institution, graduate.institution_id)
        assert holder is not None and institution is not None
        document = _issue(session, officer=officer, graduate=graduate, holder=holder, institution_bin=institution.bin,
                          signer=signer, base_url=base_url, at=at, blank_series=blank_series,
                          blank_number=blank_number, batch_id=batch_id)
    return document


def _issue(session: Session, *, officer: Officer, graduate: Graduate, holder: Holder, institution_bin: str,
           signer: SignerChooser, base_url: str, at: dt.datetime, blank_series: str | None, blank_number: str | None,
           batch_id: int | None) -> Document:
    """Number, sign and store one original, with its blank and audit event, in the open transaction."""
    assert graduate.id is not None
    series, number, reservation = take_number(session, doc_type_code=graduate.doc_type,
                                               institution_id=graduate.institution_id,
                                               blank_series=blank_series, blank_number=blank_number,
                                               honours=graduate.honours)
    record = Record(doc_type=graduate.doc_type, series=series, number=number,
                    holder=HolderName(holder.surname, holder.name, holder.patronymic),
                    institution_bin=institution_bin, award_date=graduate.award_date, programme=graduate.programme,
                    qualification=graduate.qualification, honours=graduate.honours)
    signed = sign_document(record, signer=signer, base_url=base_url, at=at)
    document = Document(doc_type=graduate.doc_type, series=series, number=number, state=DocumentState.VALID.value,
                        graduate_id=graduate.id, institution_id=graduate.institution_id, batch_id=batch_id,
                        issued_at=at, issued_by=officer_id(officer), current_revision=1)
    insert_document(session, document, what=text("v_what_original_of", series=series, number=number,
                                                 id=graduate.id or 0))
    assert document.id is not None
    store_revision(session, document=document, signed=signed, officer=officer, at=at)
    sign_with_diploma(session, document=document, graduate_id=graduate.id, signed=signed, signer=signer, at=at)
    if reservation is not None:
        mark_blank_used(session=session, reservation=reservation, document_id=document.id, officer=officer, at=at)
    append_event(session=session, at=at, officer=officer, action="document.issue", object_type="document",
                 object_ref=document_ref(document),
                 after={"state": document.state, "revision": 1, "record": record.to_json(),
                        "holder": holder_reference(session=session, iin=holder.iin),
                        "payload_sha256": signed.payload_sha256.hex(), "kid": signed.kid.hex(),
                        "batch_id": batch_id})
    append_outbox_event(session, kind=EventKind.ISSUE, document=document, institution_bin=institution_bin, at=at,
                        holder=holder)
    return document


def _original_of(session: Session, graduate_id: int) -> Document | None:
    """The graduate's original, unless annulled as issued in error or spoiled (`REISSUABLE_ANNULMENTS`)."""
    return session.exec(select(Document).where(Document.graduate_id == graduate_id, col(Document.original_id).is_(
        None), or_(col(Document.annul_kind).is_(None), col(Document.annul_kind).not_in(REISSUABLE_ANNULMENTS)))).first()


# ----------------------------------------------------------------------------- batches
def issue_group(*, session: Session, officer: Officer, group: str, idempotency_key: str, signer: SignerChooser,
                base_url: str, at: dt.datetime, blank_series: str | None = None,
                progress: ProgressCallback | None = None, hooks: Sequence[ChunkHook] = ()) -> BatchResult:
    """Issue the documents of a whole study group, exactly once per idempotency key.

    The first call with a key records the batch and a snapshot of the group's graduates; then the
    snapshot is issued in chunks, each one transaction that numbers, signs and stores its documents
    with their audit events and log entries set-based (`verify.registry.batchissue`, issue 16 item 1),
    so a crash in the middle leaves no half-issued document. A retry with the same key issues only
    what is missing and finishes the batch; a call after it finished changes nothing. A graduate that
    has an original already is skipped (one original per graduate is also a unique index). A chunk
    that fails on a registry error is rolled back and issued one document per transaction instead:
    the documents before the failing one are issued, and the error is raised as by `issue_document`.

    Args:
        group: the study group (`GraduateRow.group` at import).
        idempotency_key: 1-128 characters naming this batch (the command line makes one if none is given).
        blank_series: TVE only: the blank series (default: the only series in stock); fixed at the first call.
        progress: called with (done, total) after each chunk (after each graduate in a chunk issued singly).
        hooks: `batchissue.ChunkHook`s, called once per chunk in its transaction with its issued documents.

    Returns:
        `BatchResult`.

    Raises:
        ForbiddenError: a viewer.
        ConflictError: the key names a batch of another institution, group or series.
        NotFoundError: the group has no graduates.
        IinInTextError: the key or the group holds an IIN (both are stored and shown).
        StockError, RecordError, OverBudgetError: from `issue_document`; documents issued before stay issued
            and a retry with the same key continues after them.
    """
    require_writer(officer)
    key = refuse_iin_in_text(idempotency_key.strip(), field="idempotency_key")
    if not 1 <= len(key) <= 128:
        raise RecordError(text("v_idempotency_key", field="idempotency key"))
    refuse_iin_in_text(group, field="group")
    batch, replayed = open_batch(session, officer=officer, group=group, key=key, blank_series=blank_series, at=at)
    assert batch.id is not None
    total = len(batch.graduate_ids)
    if replayed:
        return BatchResult(batch_id=batch.id, idempotency_key=key, total=total, issued=0, skipped=total,
                           finished=True, replayed=True)
    done_before = graduates_with_originals(session, batch.graduate_ids)
    institution = session.get(Institution, batch.institution_id)
    assert institution is not None
    session.commit()  # end the read transaction before the chunks' ones
    issued = skipped = 0
    size = chunk_size(total)
    for start in range(0, total, size):
        ids = batch.graduate_ids[start:start + size]
        chunk = [g for g in ids if g not in done_before]
        try:
            with unit_of_work(session):
                candidates = load_candidates(session, chunk)
                issued += len(issue_chunk(session, officer=officer, candidates=candidates,
                                          institution_bin=institution.bin, signer=signer, base_url=base_url, at=at,
                                          blank_series=batch.series, batch_id=batch.id, hooks=hooks))
            skipped += len(ids) - len(candidates)
        except Error:  # rolled back: issue this chunk one document per transaction (the error, if any, recurs)
            one_by_one = _issue_singly(session, officer=officer, graduate_ids=chunk, institution_bin=institution.bin,
                                       signer=signer, base_url=base_url, at=at, blank_series=batch.series,
                                       batch_id=batch.id, progress=progress, start=start, total=total)
            issued, skipped = issued + one_by_one, skipped + len(ids) - one_by_one
        if progress is not None:
            progress(start + len(ids), total)
    finish_batch(session, batch_id=batch.id, officer=officer, key=key, total=total, issued=issued, at=at)
    return BatchResult(batch_id=batch.id, idempotency_key=key, total=total, issued=issued, skipped=skipped,
                       finished=True, replayed=False)


def _issue_singly(session: Session, *, officer: Officer, graduate_ids: list[int], institution_bin: str,
                  signer: SignerChooser, base_url: str, at: dt.datetime, blank_series: str | None, batch_id: int,
                  progress: ProgressCallback | None, start: int, total: int) -> int:
    """Issue a chunk's graduates one transaction each (after the chunk failed whole); the number issued."""
    loaded = {graduate.id: (graduate, holder) for graduate, holder in session.exec(
        select(Graduate, Holder).join(Holder, col(Holder.id) == Graduate.holder_id)
        .where(col(Graduate.id).in_(graduate_ids)))}
    session.commit()
    issued = 0
    for index, graduate_id in enumerate(graduate_ids, start=start + 1):
        if graduate_id in loaded:
            graduate, holder = loaded[graduate_id]
            try:
                with unit_of_work(session):
                    _issue(session, officer=officer, graduate=graduate, holder=holder, institution_bin=institution_bin,
                           signer=signer, base_url=base_url, at=at, blank_number=None, batch_id=batch_id,
                           blank_series=None if graduate.honours else blank_series)  # honours: red blanks' series
                issued += 1
            except ConflictError:  # a concurrent run of the same batch issued it first
                if _original_of(session, graduate_id) is None:
                    raise
                session.rollback()
        if progress is not None:
            progress(index, total)
    return issued
