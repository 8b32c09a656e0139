"""Signing appendices with their diploma, in the issuing transaction (issue 17 item 1; docs/FORMAT.md §10.2).

Below `verify.registry.documents` and `lifecycle` (which call it when they sign a diploma record), so it imports
neither; `verify.registry.appendices` holds the appendix's own services (import, correction, duplicate).

    sign_with_diploma(session, document=, graduate_id=, signed=, signer=, at=)       a new original
    sign_chunk_appendices(session, documents, signer=, at=) -> int                   a batch's chunk
    carry_appendix(session, source=, document=, signed=, signer=, at=)   a duplicate, a new revision
    current_appendix(session, document_id) -> DocumentAppendix | None; appendix_of(row) -> Appendix
    appendix_for_revision(session, series=, number=, revision=) -> DocumentAppendix | None   a verdict page
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import Session, col, select

from ..appendix import Appendix, AppendixItem, DiplomaRef, StudiesEnded
from ..appendixcodec import SignedAppendix, decode_appendix_payload, parse_appendix_cose, sign_appendix
from ..doctypes import INCOMPLETE_SERIES
from ..issue import SignedRecord
from ..signerset import SignerChooser
from .models import Document, DocumentAppendix, Graduate, GraduateAppendix


def sign_appendix_row(session: Session, *, document: Document, appendix: Appendix, signer: SignerChooser,
                      at: dt.datetime, reason: str | None = None) -> DocumentAppendix:
    """Sign `appendix` with the document signer that may sign the document's series now; store it (flushed)."""
    chosen = signer.signer_for(series=document.series, institution_bin=appendix.institution_bin, at=at)
    signed: SignedAppendix = sign_appendix(appendix, signer=chosen, at=at)
    assert document.id is not None
    row = DocumentAppendix(document_id=document.id, diploma_revision=appendix.diploma.revision,
                           revision=appendix.revision, duplicate_no=appendix.duplicate_no, cose=signed.cose,
                           payload_sha256=signed.payload_sha256.hex(), kid=signed.kid.hex(),
                           signed_at=signed.signed_at, reason=reason)
    session.add(row)
    session.flush()
    return row


def sign_chunk_appendices(session: Session, documents: Sequence[tuple[int, int, SignedRecord]], *,
                          signer: SignerChooser, at: dt.datetime) -> int:
    """The batch's step (`verify.registry.batchissue.issue_chunk`): sign the imported appendix of every graduate
    of the chunk that has one, for its new diploma; one SELECT and one INSERT for the chunk.

    Args:
        documents: (document id, graduate id, the diploma's `SignedRecord`) of each document the chunk issued.

    Returns:
        How many appendices were signed.
    """
    imported = {row.graduate_id: row for row in session.exec(select(GraduateAppendix).where(
        col(GraduateAppendix.graduate_id).in_([graduate_id for _, graduate_id, _ in documents])))}
    ended = _studies_ended(session, [g for _, g, signed in documents
                                     if g in imported and signed.record.series == INCOMPLETE_SERIES])
    rows = []
    for document_id, graduate_id, signed in documents:
        kept = imported.get(graduate_id)
        if kept is None:
            continue
        appendix = Appendix(diploma=DiplomaRef.of(signed), institution_bin=signed.record.institution_bin,
                            items=tuple(AppendixItem.from_json(item) for item in kept.items),
                            studies_ended=ended.get(graduate_id))
        chosen = signer.signer_for(series=signed.record.series, institution_bin=appendix.institution_bin, at=at)
        made = sign_appendix(appendix, signer=chosen, at=at)
        rows.append({"document_id": document_id, "diploma_revision": signed.record.revision, "revision": 1,
                     "duplicate_no": None, "cose": made.cose, "payload_sha256": made.payload_sha256.hex(),
                     "kid": made.kid.hex(), "signed_at": made.signed_at, "reason": None})
    if rows:
        session.execute(insert(DocumentAppendix), rows)
    return len(rows)


def sign_with_diploma(session: Session, *, document: Document, graduate_id: int, signed: SignedRecord,
                      signer: SignerChooser, at: dt.datetime) -> DocumentAppendix | None:
    """Sign the graduate's imported appendix for a newly issued diploma, in the open transaction.

    Returns:
        The stored signed appendix, or None when the graduate was imported without one.

    Raises:
        NoSignerInScopeError, KeyStoreError: as for the diploma (nothing is stored: the caller rolls back).
    """
    imported = session.get(GraduateAppendix, graduate_id)
    if imported is None:
        return None
    items = tuple(AppendixItem.from_json(item) for item in imported.items)
    ended = _studies_ended(session, [graduate_id]) if signed.record.series == INCOMPLETE_SERIES else {}
    appendix = Appendix(diploma=DiplomaRef.of(signed), institution_bin=signed.record.institution_bin, items=items,
                        studies_ended=ended.get(graduate_id))
    return sign_appendix_row(session, document=document, appendix=appendix, signer=signer, at=at)


def _studies_ended(session: Session, graduate_ids: Sequence[int]) -> dict[int, StudiesEnded]:
    """Why and when the studies of these анықтама graduates ended (`Graduate.studies_ended`, seed 000 appendix 37):
    their annex signs it (docs/FORMAT.md §10.3 key 10); a graduate imported without it is absent (the annex is then
    refused by `Appendix`, and nothing is issued)."""
    if not graduate_ids:
        return {}
    found: dict[int, StudiesEnded] = {}
    for graduate in session.exec(select(Graduate).where(col(Graduate.id).in_(list(graduate_ids)))):
        ended = graduate.studies_ended()
        if graduate.id is not None and ended is not None:
            found[graduate.id] = ended
    return found


def current_appendix(session: Session, document_id: int) -> DocumentAppendix | None:
    """The document's newest signed appendix, or None."""
    return session.exec(select(DocumentAppendix).where(DocumentAppendix.document_id == document_id)
                        .order_by(col(DocumentAppendix.id).desc()).limit(1)).first()


def appendix_of(row: DocumentAppendix) -> Appendix:
    """The `Appendix` of a stored signed appendix (decoded from its own bytes)."""
    appendix, _ = decode_appendix_payload(parse_appendix_cose(row.cose).payload)
    return appendix


def carry_appendix(session: Session, *, source: Document, document: Document, signed: SignedRecord,
                   signer: SignerChooser, at: dt.datetime) -> DocumentAppendix | None:
    """Sign the source document's current appendix rows again for a new diploma record (a duplicate, or a new
    revision of a correction), in the open transaction; None when the source has no appendix."""
    assert source.id is not None
    kept = current_appendix(session, source.id)
    if kept is None:
        return None
    old = appendix_of(kept)
    appendix = Appendix(diploma=DiplomaRef.of(signed), institution_bin=signed.record.institution_bin,
                        items=old.items, totals=old.totals, studies_ended=old.studies_ended)
    return sign_appendix_row(session, document=document, appendix=appendix, signer=signer, at=at)


def appendix_for_revision(session: Session, *, series: str, number: str, revision: int) -> DocumentAppendix | None:
    """The newest signed appendix that names this diploma revision (a verdict page shows it), or None."""
    return session.exec(select(DocumentAppendix).join(Document, col(Document.id) == DocumentAppendix.document_id)
                        .where(Document.series == series, Document.number == number,
                               DocumentAppendix.diploma_revision == revision)
                        .order_by(col(DocumentAppendix.id).desc()).limit(1)).first()
