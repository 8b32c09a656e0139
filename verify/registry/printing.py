"""A blank spoiled while printing: written off, and the document reprinted on a new blank (issue 13, item 5).

Every blank of a TVE or post-secondary document is numbered by the printing house and filled in by a printer
(seed 000, Rules items 10, 17-18), and the document's number is its blank's. When the printer spoils a blank, the
blank is written off with its reason and the document continues on a new blank of the same kind (seed 000, Rules
item 8), under the new blank's number: a new document for the same graduate, with the same data, signed anew. The
record signed for the spoiled blank is annulled with the kind "spoiled" (`AnnulmentKind.SPOILED`): its QR code,
should the spoiled paper surface, verifies ANNULLED with the basis naming the reprint, never VALID (docs/FORMAT.md
§7.2). All of it is one transaction with its audit events and transparency log entries.

A service-numbered document (higher education, seed 001 item 7) does not take its number from its blank: the same
code is printed again and nothing here applies. A spoiled duplicate is replaced by the next duplicate (reason
"damaged", `lifecycle.issue_duplicate`).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from ..doctypes import NumberingMode, get_document_type
from ..errors import RecordError
from ..identifiers import refuse_iin_in_text
from ..signerset import SignerChooser
from ..texts import text
from ..transparency import StatusChangeEntry
from .access import officer_id, require_open, require_writer, unit_of_work
from .audit import append_event
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
from .models import AnnulmentKind, Blank, BlankState, Document, DocumentState, Institution, Officer
from .tlog import log_status_change


def reprint_on_new_blank(*, session: Session, officer: Officer, series: str, number: str, reason: str,
                         signer: SignerChooser, base_url: str, at: dt.datetime,
                         blank_number: str | None = None) -> Document:
    """Write off the spoiled blank of a document in force and reprint the document on a new blank; commits.

    Args:
        series, number: the document whose blank was spoiled (its number is the blank's).
        reason: what happened to the blank (e.g. "paper jam"); stored and shown with the write-off.
        blank_number: the new blank (default: the next free blank of the same kind, same series first).
        signer, base_url, at: as `issue_document`.

    Returns:
        The new `Document` (revision 1, the same record under the new blank's number).

    Raises:
        ForbiddenError: a viewer, another institution's document, or an officer of a closed institution.
        NotFoundError: no such document.
        LifecycleError: the document is annulled or replaced.
        RecordError: an empty reason, a service-numbered document, or a duplicate.
        IinInTextError: the reason holds an IIN.
        StockError: no free blank of the document's kind, or the given blank is of another kind or not in stock.
        NoSignerInScopeError: no active document signer may sign it; nothing stored.
    """
    require_writer(officer)
    reason = refuse_iin_in_text(reason.strip(), field="reason")
    if not reason:
        raise RecordError(text("v_blank_write_off_reason", field="reason"))
    with unit_of_work(session):
        require_open(session, officer)  # inside the transaction: a refusal leaves none open
        old = lock_document(session, officer=officer, series=series, number=number)
        require_in_force(session, old, action="reprint")
        doc_type = get_document_type(old.doc_type)
        if doc_type is None or doc_type.numbering is not NumberingMode.BLANK:
            raise RecordError(text("v_reprint_service_numbered", document=document_ref(old)))
        if old.duplicate_no is not None:
            raise RecordError(text("v_reprint_duplicate", document=document_ref(old)))
        current = record_of(get_revision(session=session, document=old))
        new_series, new_number, reservation = take_number(
            session, doc_type_code=old.doc_type, institution_id=officer.institution_id, blank_series=None,
            blank_number=blank_number, fallback_series=old.series, honours=current.honours)
        institution_bin = current.institution_bin
        if officer.institution_id != old.institution_id:  # the archive of a closed institution reprints
            keeper = session.get(Institution, officer.institution_id)
            assert keeper is not None
            institution_bin = keeper.bin
        record = current.with_changes(series=new_series, number=new_number, revision=1,
                                      institution_bin=institution_bin)
        signed = sign_document(record, signer=signer, base_url=base_url, at=at)
        new_ref = f"{new_series} {new_number}"
        # the spoiled blank: out of use, with its reason (it was used for the old document)
        blank = session.exec(select(Blank).where(Blank.series == old.series, Blank.number == old.number)).first()
        if blank is not None:
            blank.state, blank.document_id = BlankState.WRITTEN_OFF.value, None
            blank.reason, blank.at, blank.officer_id = f"spoiled while printing: {reason}", at, officer_id(officer)
            session.add(blank)
        basis = text("v_reprint_basis", reason=reason, document=new_ref).english()
        old.state, old.annulled_at, old.annul_basis = DocumentState.ANNULLED.value, at, basis
        old.annulled_by, old.annul_kind = officer.id, AnnulmentKind.SPOILED.value
        session.add(old)
        session.flush()  # the old original leaves the one-original index before the new one enters it
        new = Document(doc_type=old.doc_type, series=new_series, number=new_number, state=DocumentState.VALID.value,
                       graduate_id=old.graduate_id, institution_id=officer.institution_id, batch_id=old.batch_id,
                       issued_at=at, issued_by=officer_id(officer), current_revision=1)
        insert_document(session, new, what=text("v_what_document", series=new_series, number=new_number))
        assert new.id is not None
        store_revision(session, document=new, signed=signed, officer=officer, at=at)
        if reservation is not None:
            mark_blank_used(session=session, reservation=reservation, document_id=new.id, officer=officer, at=at)
        log_status_change(session, StatusChangeEntry.annulment(
            series=old.series, number=old.number, institution_bin=current.institution_bin, at=at), at=at)
        append_event(session=session, at=at, officer=officer, action="blank.write_off", object_type="blank",
                     object_ref=document_ref(old), reason=f"spoiled while printing: {reason}",
                     institution_id=old.institution_id, after={"state": BlankState.WRITTEN_OFF.value})
        append_event(session=session, at=at, officer=officer, action="document.annul", object_type="document",
                     object_ref=document_ref(old), reason=basis, institution_id=old.institution_id,
                     before={"state": DocumentState.VALID.value},
                     after={"state": DocumentState.ANNULLED.value, "kind": AnnulmentKind.SPOILED.value,
                            "reprinted_as": new_ref})
        append_event(session=session, at=at, officer=officer, action="document.reprint", object_type="document",
                     object_ref=new_ref, reason=reason,
                     after={"state": new.state, "revision": 1, "record": record.to_json(),
                            "reprints": document_ref(old), "payload_sha256": signed.payload_sha256.hex(),
                            "kid": signed.kid.hex()})
    return new


__all__ = ["reprint_on_new_blank"]
