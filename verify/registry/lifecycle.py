"""The lifecycle of an issued document: duplicates, corrections, annulment (DESIGN.md, Registry and lifecycle).

    duplicate    -> new document "duplicate No. N"  seed 000 items 21-25; seed 003 item 9
                    the document it replaces becomes *replaced* in the same transaction
    correct      -> new revision (revision + 1)     seed 000 appendix 38; seed 001 appendix 18
    annul        -> annulled, with its basis        final: no duplicate, correction or annulment after it

Each service is one transaction (it commits, or rolls back and raises) with its audit events and its transparency
log entries (a status change entry; a new revision's entry through `store_revision`), on the writing steps of
`verify.registry.documents`. A closed institution's documents are handled by the archive that keeps its records
(seed 000, Rules item 23; `verify.registry.access.require_custody`): a record the archive signs (a duplicate, a
corrected revision) names the archive as its institution, so that the archive's own document signer may sign it
(docs/FORMAT.md §3, "institution"); the duplicate is the archive's document, on the archive's blank or number.

A duplicate has its own number; its record names the FIRST original (`DuplicateOf`) and N counts up along the
chain (a duplicate of duplicate No. 1 is No. 2 and replaces No. 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from ..errors import RecordError
from ..identifiers import refuse_iin_in_text
from ..record import DuplicateOf, HolderName, Record
from ..signerset import SignerChooser
from ..texts import text
from ..transparency import StatusChangeEntry
from .access import officer_id, require_head, require_writer, unit_of_work
from .appendixsigning import carry_appendix
from .audit import append_event, holder_reference
from .blanks import mark_blank_used
from .documents import (
    document_ref,
    get_revision,
    insert_document,
    lock_document,
    record_of,
    require_in_force,
    sign_document,
    store_revision,
    take_number,
)
from .models import (
    AnnulmentKind,
    Document,
    DocumentRevision,
    DocumentState,
    DuplicateReason,
    Graduate,
    Holder,
    Institution,
    Officer,
)
from .outbox import EventKind, append_outbox_event
from .tlog import log_status_change

CORRECTABLE_FIELDS: tuple[str, ...] = (
    "surname", "name", "patronymic", "award_date", "programme", "qualification", "honours",
)
#: Reasons for which a duplicate may carry another name than the document it replaces.
_RENAMING_REASONS = (DuplicateReason.NAME_CHANGED, DuplicateReason.FILLING_ERROR)


def _signing_bin(session: Session, officer: Officer, document: Document, record: Record) -> str:
    """The institution BIN a record signed now names: the document's own, or, when the officer acts as the archive
    of the closed institution (`require_custody` passed), the archive's."""
    if officer.institution_id == document.institution_id:
        return record.institution_bin
    archive = session.get(Institution, officer.institution_id)
    assert archive is not None
    return archive.bin


# ----------------------------------------------------------------------------- duplicates
def issue_duplicate(*, session: Session, officer: Officer, series: str, number: str, reason: str,
                    signer: SignerChooser, base_url: str, at: dt.datetime, new_name: HolderName | None = None,
                    blank_series: str | None = None, blank_number: str | None = None) -> Document:
    """Issue duplicate No. N instead of a document in force; the replaced one becomes void; commits.

    Seed 000, items 21-25: a duplicate is issued instead of a lost or damaged document, or to a
    person who changed surname, name or patronymic (item 21), with the stamp "Түпнұсқаның орнына
    берілген № N телнұсқа" (item 25, `Document.stamp`); seed 003, item 9 adds errors made when
    filling it in. The duplicate has its own number (the series' counter, or the next blank), its
    record names the first original and N (`DuplicateOf`), and the document it replaces is marked
    *replaced* in the same transaction. A later duplicate replaces the earlier duplicate (N + 1).

    Args:
        series, number: the document in force that the duplicate replaces.
        reason: "lost", "damaged", "name_changed" or "filling_error".
        new_name: the holder's new full name: required for "name_changed", allowed for "filling_error".
        blank_series, blank_number: TVE only, as in `issue_document` (default: the replaced document's series).

    Returns:
        The new duplicate `Document`.

    Raises:
        ForbiddenError: a viewer, or a document of another institution.
        NotFoundError: no such document.
        LifecycleError: the document is annulled (final) or replaced (void).
        RecordError: an unknown reason, a missing or unchanged new name, a name change for another reason.

    A closed institution's document gets its duplicate from the archive (the officer's institution): numbered from
    the archive's counter or blanks, naming the archive as institution, signed by a signer of the archive's scope.
        StockError: no free blank.
        NoSignerInScopeError: no active document signer may sign the series for the institution; nothing stored.
    """
    require_writer(officer)
    try:
        why = DuplicateReason(reason)
    except ValueError:
        raise RecordError(text("v_dup_reason", field="reason", reasons=", ".join(r.value for r in DuplicateReason))) \
            from None
    with unit_of_work(session):
        target = lock_document(session, officer=officer, series=series, number=number)
        require_in_force(session, target, action="duplicate")
        current = record_of(get_revision(session=session, document=target))
        holder_name = current.holder
        if new_name is not None:
            if why not in _RENAMING_REASONS:
                raise RecordError(text("v_dup_new_name_not_for", reason=why.value))
            if new_name == current.holder:
                raise RecordError(text("v_dup_same_name", field="new name"))
            holder_name = new_name
        elif why is DuplicateReason.NAME_CHANGED:
            raise RecordError(text("v_dup_name_needed", field="new name"))
        original = target if target.original_id is None else session.get(Document, target.original_id)
        assert original is not None
        duplicate_no = (target.duplicate_no or 0) + 1
        new_series, new_number, reservation = take_number(
            session, doc_type_code=target.doc_type, institution_id=officer.institution_id, blank_series=blank_series,
            blank_number=blank_number, fallback_series=target.series, honours=current.honours)
        record = current.with_changes(series=new_series, number=new_number, holder=holder_name, revision=1,
                                      duplicate=DuplicateOf(duplicate_no, original.series, original.number),
                                      institution_bin=_signing_bin(session, officer, target, current))
        signed = sign_document(record, signer=signer, base_url=base_url, at=at)
        duplicate = Document(doc_type=target.doc_type, series=new_series, number=new_number,
                             state=DocumentState.VALID.value, duplicate_no=duplicate_no, duplicate_reason=why.value,
                             graduate_id=target.graduate_id, institution_id=officer.institution_id,
                             original_id=original.id, replaces_id=target.id, issued_at=at,
                             issued_by=officer_id(officer), current_revision=1)
        insert_document(session, duplicate, what=text("v_what_duplicate_of", series=new_series, number=new_number,
                                                      n=duplicate_no, original=document_ref(original)))
        assert duplicate.id is not None
        store_revision(session, document=duplicate, signed=signed, officer=officer, at=at)
        carry_appendix(session, source=target, document=duplicate, signed=signed, signer=signer,
                       at=at)
        if reservation is not None:
            mark_blank_used(session=session, reservation=reservation, document_id=duplicate.id, officer=officer,
                            at=at)
        target.state, target.replaced_by_id, target.replaced_at = DocumentState.REPLACED.value, duplicate.id, at
        session.add(target)
        log_status_change(session, StatusChangeEntry.duplicate(
            series=target.series, number=target.number, institution_bin=current.institution_bin,
            duplicate_series=new_series, duplicate_number=new_number, at=at), at=at)
        graduate = session.get(Graduate, target.graduate_id)
        assert graduate is not None
        holder = session.get(Holder, graduate.holder_id)
        assert holder is not None
        reference = holder_reference(session=session, iin=holder.iin)
        append_event(session=session, at=at, officer=officer, action="document.replace", object_type="document",
                     object_ref=document_ref(target), reason=why.value, institution_id=target.institution_id,
                     before={"state": DocumentState.VALID.value},
                     after={"state": DocumentState.REPLACED.value, "replaced_by": document_ref(duplicate),
                            "duplicate_no": duplicate_no})
        append_event(session=session, at=at, officer=officer, action="document.duplicate", object_type="document",
                     object_ref=document_ref(duplicate), reason=why.value,
                     after={"state": duplicate.state, "revision": 1, "record": record.to_json(), "holder": reference,
                            "duplicate_no": duplicate_no, "original": document_ref(original),
                            "replaces": document_ref(target),
                            "payload_sha256": signed.payload_sha256.hex(), "kid": signed.kid.hex()})
        if holder_name != current.holder:
            _rename_holder(session, holder=holder, name=holder_name, officer=officer, at=at, reason=why.value,
                           reference=reference)
        append_outbox_event(session, kind=EventKind.DUPLICATE, document=duplicate,
                            institution_bin=record.institution_bin, at=at, holder=holder)
    return duplicate


def _rename_holder(session: Session, *, holder: Holder, name: HolderName, officer: Officer, at: dt.datetime,
                   reason: str, reference: str) -> None:
    before = {"surname": holder.surname, "name": holder.name, "patronymic": holder.patronymic}
    holder.surname, holder.name, holder.patronymic, holder.updated_at = name.surname, name.name, name.patronymic, at
    session.add(holder)
    append_event(session=session, at=at, officer=officer, action="holder.rename", object_type="holder",
                 object_ref=reference, reason=reason, before=before,
                 after={"surname": name.surname, "name": name.name, "patronymic": name.patronymic})


# ----------------------------------------------------------------------------- corrections
def parse_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Check and convert correction values: text from the command line, or typed values.

    Accepted: surname, name (text); patronymic, qualification (text, or "" / None to remove);
    award_date (a date or YYYY-MM-DD); programme (text); honours (bool, or true/false/yes/no/1/0).

    Raises:
        RecordError: an unknown field or a value of the wrong shape (the message names the field).
    """
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in CORRECTABLE_FIELDS:
            raise RecordError(text("v_cor_not_correctable", field=field, fields=", ".join(CORRECTABLE_FIELDS)))
        if field == "award_date":
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value.strip())
                except ValueError:
                    raise RecordError(text("v_rec_iso_date", field="award_date")) from None
            if type(value) is not dt.date:
                raise RecordError(text("v_cor_date", field="award_date"))
        elif field == "honours":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("true", "false", "yes", "no", "1", "0"):
                    raise RecordError(text("v_rec_bool", field="honours"))
                value = lowered in ("true", "yes", "1")
            if type(value) is not bool:
                raise RecordError(text("v_rec_bool", field="honours"))
        elif field in ("patronymic", "qualification"):
            if value is not None and not isinstance(value, str):
                raise RecordError(text("v_rec_text", field=field))
            value = value.strip() if isinstance(value, str) and value.strip() else None
        else:
            if not isinstance(value, str) or not value.strip():
                raise RecordError(text("v_cor_nonempty", field=field))
            value = value.strip()
        out[field] = value
    if not out:
        raise RecordError(text("v_cor_give_one", field="changes"))
    return out


def _changed_fields(old: Record, new: Record) -> list[str]:
    pairs = {
        "surname": (old.holder.surname, new.holder.surname),
        "name": (old.holder.name, new.holder.name),
        "patronymic": (old.holder.patronymic, new.holder.patronymic),
        "award_date": (old.award_date, new.award_date),
        "programme": (old.programme, new.programme),
        "qualification": (old.qualification, new.qualification),
        "honours": (old.honours, new.honours),
    }
    return [field for field, (before, after) in pairs.items() if before != after]


def correct_document(*, session: Session, officer: Officer, series: str, number: str, changes: Mapping[str, Any],
                     reason: str, signer: SignerChooser, base_url: str, at: dt.datetime) -> DocumentRevision:
    """Correct the data of a document in force: a new signed revision (revision + 1); commits.

    Seed 000 appendix 38 (TVE, "updating (correcting) the data in education documents"), seed 001
    appendix 18 (higher education): the provider corrects a technical error in the registry. The
    earlier revisions are kept; a QR printed before still verifies as authentic and a verifier is
    told it was corrected, what changed and when (`StatusCode.CORRECTED`). A corrected name also
    becomes the holder's name in the registry.

    Args:
        changes: field -> new value (`parse_changes`; fields `CORRECTABLE_FIELDS`).
        reason: why (the applicant's explanation of the error); required.

    Returns:
        The new `DocumentRevision`.

    Raises:
        ForbiddenError: a viewer, or a document of another institution.
        NotFoundError: no such document.
        LifecycleError: the document is annulled (final) or replaced (void).
        RecordError: a bad field or value, nothing changes, no reason, or the new record breaks the schema.
        IinInTextError: the reason holds an IIN (it is shown on the public page).
        NoSignerInScopeError: no active document signer may sign the series for the institution; nothing stored.
    """
    require_writer(officer)
    values = parse_changes(changes)
    reason = refuse_iin_in_text(reason.strip(), field="reason")
    if not reason:
        raise RecordError(text("v_cor_reason", field="reason"))
    with unit_of_work(session):
        document = lock_document(session, officer=officer, series=series, number=number)
        require_in_force(session, document, action="correction")
        current = record_of(get_revision(session=session, document=document))
        holder = HolderName(values.get("surname", current.holder.surname), values.get("name", current.holder.name),
                            values.get("patronymic", current.holder.patronymic))
        record_changes = {k: v for k, v in values.items() if k not in ("surname", "name", "patronymic")}
        new_record = current.with_changes(holder=holder, revision=current.revision + 1, **record_changes,
                                          institution_bin=_signing_bin(session, officer, document, current))
        changed = _changed_fields(current, new_record)
        if not changed:
            raise RecordError(text("v_cor_nothing", field="changes", revision=current.revision))
        signed = sign_document(new_record, signer=signer, base_url=base_url, at=at)
        log_status_change(session, StatusChangeEntry.correction(
            series=document.series, number=document.number, institution_bin=current.institution_bin,
            revision=new_record.revision, at=at), at=at)
        revision = store_revision(session, document=document, signed=signed, officer=officer, at=at,
                                   changed_fields=changed, reason=reason)
        carry_appendix(session, source=document, document=document, signed=signed, signer=signer,
                       at=at)
        document.current_revision = new_record.revision
        session.add(document)
        before = {field: _json_value(getattr(current, field, None)) for field in changed if
                  field not in ("surname", "name", "patronymic")}
        after = {field: _json_value(getattr(new_record, field, None)) for field in changed if
                 field not in ("surname", "name", "patronymic")}
        for part in ("surname", "name", "patronymic"):
            if part in changed:
                before[part], after[part] = getattr(current.holder, part), getattr(new_record.holder, part)
        append_event(session=session, at=at, officer=officer, action="document.correct", object_type="document",
                     object_ref=document_ref(document), reason=reason, institution_id=document.institution_id,
                     before={"revision": current.revision, **before},
                     after={"revision": new_record.revision, **after, "changed_fields": changed,
                            "payload_sha256": signed.payload_sha256.hex(), "kid": signed.kid.hex()})
        if holder != current.holder:
            graduate = session.get(Graduate, document.graduate_id)
            assert graduate is not None
            holder_row = session.get(Holder, graduate.holder_id)
            assert holder_row is not None
            _rename_holder(session, holder=holder_row, name=holder, officer=officer, at=at, reason=reason,
                           reference=holder_reference(session=session, iin=holder_row.iin))
        append_outbox_event(session, kind=EventKind.CORRECTION, document=document,
                            institution_bin=current.institution_bin, at=at)
    return revision


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# ----------------------------------------------------------------------------- annulment
def annul_document(*, session: Session, officer: Officer, series: str, number: str, basis: str,
                   at: dt.datetime, kind: str = AnnulmentKind.ORDER.value) -> Document:
    """Annul a document in force, with its basis (e.g. the order or court decision); final; commits.

    Its number is never given again; its blank stays used. A verifier shown any revision of it
    is told ANNULLED, when and why. `kind` (`AnnulmentKind`): "order" (default: nothing is issued instead) or
    "issued_in_error" (the graduate of an annulled original may then get a new original, `issue_document`; our
    reading, issue 13 item 5); "spoiled" is `verify.registry.printing.reprint_on_new_blank`'s alone.

    Raises:
        ForbiddenError: not the head of the document's institution.
        NotFoundError: no such document.
        LifecycleError: annulled already (final), or replaced (void; annul the document in force).
        RecordError: an empty basis, or an unknown kind.
        IinInTextError: the basis holds an IIN (it is shown on the public page).
    """
    require_head(officer)
    if kind not in (AnnulmentKind.ORDER.value, AnnulmentKind.ISSUED_IN_ERROR.value):
        raise RecordError(text("v_ann_kind", field="kind", kinds="order, issued_in_error"))
    basis = refuse_iin_in_text(basis.strip(), field="basis")
    if not basis:
        raise RecordError(text("v_ann_basis", field="basis"))
    with unit_of_work(session):
        document = lock_document(session, officer=officer, series=series, number=number)
        require_in_force(session, document, action="annulment")
        document.state, document.annulled_at = DocumentState.ANNULLED.value, at
        document.annul_basis, document.annulled_by, document.annul_kind = basis, officer.id, kind
        session.add(document)
        current = record_of(get_revision(session=session, document=document))
        log_status_change(session, StatusChangeEntry.annulment(
            series=document.series, number=document.number, institution_bin=current.institution_bin, at=at), at=at)
        append_event(session=session, at=at, officer=officer, action="document.annul", object_type="document",
                     object_ref=document_ref(document), reason=basis, institution_id=document.institution_id,
                     before={"state": DocumentState.VALID.value},
                     after={"state": DocumentState.ANNULLED.value, "kind": kind})
        append_outbox_event(session, kind=EventKind.ANNULMENT, document=document,
                            institution_bin=current.institution_bin, at=at)
    return document
