"""The partner's API: a holder's documents by IIN, for the "digital documents" app of eGov Mobile.

| route                            | scope         | does                                                           |
|----------------------------------|---------------|----------------------------------------------------------------|
| POST /api/v1/partner/documents   | partner:read  | {"iin"} -> every document of the holder: the current signed    |
|                                  |               | record (COSE as base64), its QR text and the registry status    |

A duplicate is issued with "a digital diploma in the Digital documents service of eGov Mobile" (DOMAIN.md; seed 000
items 59-60), and admission reads documents in digital form (seed 002 item 12): other state systems read the
registry. The IIN is personal data (DOMAIN.md, People and identifiers), so:

* it travels only in the POST body, never in a URL (paths and query strings end up in proxy logs);
* it is never echoed: not in the answer, not in a problem (`detail` says only that the IIN is not valid), not in a
  log line (`web.logging` allowlists fields and scrubs 12-digit runs);
* every look-up is recorded in the audit chain as `partner.lookup` by `partner:<name>`, with the holder's keyed
  reference (`audit.holder_reference`, an HMAC under the registry's own key) instead of the IIN, so that who read
  whose documents can be answered later without storing the IIN in the log;
* an IIN the registry does not know gets the same 200 answer with no documents.

The status of each document is what a verifier would be told now for its current revision
(`RegistryStatusLookup`, DESIGN.md: Statuses and verdicts): ORIGINAL_VALID, DUPLICATE_VALID, REPLACED or ANNULLED.
"""

from __future__ import annotations

import base64
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from sqlalchemy import and_
from sqlmodel import col, select

from verify import Error
from verify.identifiers import validate_iin
from verify.registry.access import unit_of_work
from verify.registry.accounts import Identity
from verify.registry.audit import append_event, holder_reference
from verify.registry.models import Document, DocumentRevision, Graduate, Holder, Institution

from ..auth.api import UNAUTHORIZED, principal
from ..http.bodies import require_json
from ..officer.schemas import (
    PARTNER_DOCUMENT_EXAMPLE,
    PartnerDocumentModel,
    PartnerDocumentsModel,
    PartnerLookupRequest,
)
from ..problems.handlers import ProblemError
from ..public.api import ServicesDep
from ..public.schemas import problem_responses
from ..runtime.backoffice import BackOfficeDep
from ..runtime.services import utcnow

NOT_AN_IIN: Final = "iin: not a valid IIN (12 digits with a valid birth date and check digit)"

PartnerReader = Annotated[Identity, principal("partner:read")]

router = APIRouter(prefix="/api/v1/partner", tags=["partner"])


@router.post(
    "/documents", summary="A holder's documents by IIN (in the body)", response_model=PartnerDocumentsModel,
    dependencies=[Depends(require_json)],
    responses={200: {"description": "Every document of the holder, possibly none; the IIN is not repeated",
                     "content": {"application/json": {"example": {"documents": [PARTNER_DOCUMENT_EXAMPLE],
                                                                  "as_of": "2026-07-01T09:00:00Z"}}}},
               **problem_responses(UNAUTHORIZED,
                                   ("forbidden", "this needs the scope partner:read, which this session or token "
                                                 "does not hold"),
                                   ("content-too-large", "the request body is over the cap of 65536 bytes"),
                                   ("unsupported-media-type", "send the request body as application/json"),
                                   ("invalid-request", "the request does not match the schema; see errors"),
                                   ("invalid-data", NOT_AN_IIN),
                                   ("rate-limited", "too many requests; try again in 17 s"))},
)
def holder_documents(body: PartnerLookupRequest, identity: PartnerReader, office: BackOfficeDep,
                     services: ServicesDep) -> PartnerDocumentsModel:
    """The current signed record, QR text and registry status of every document the holder has.

    The record is the registry's current revision (a corrected document gives its newest revision); its COSE bytes
    verify offline against the published trust list exactly as the QR code does.
    """
    try:
        iin = validate_iin(body.iin)
    except Error:
        raise ProblemError("invalid-data", NOT_AN_IIN) from None
    at = utcnow()
    with office.sessions() as session, unit_of_work(session):
        rows = session.exec(
            select(Document, DocumentRevision, Institution.bin)
            .join(Graduate, col(Graduate.id) == Document.graduate_id)
            .join(Holder, col(Holder.id) == Graduate.holder_id)
            .join(DocumentRevision, and_(col(DocumentRevision.document_id) == Document.id,
                                         col(DocumentRevision.revision) == Document.current_revision))
            .join(Institution, col(Institution.id) == Document.institution_id)
            .where(Holder.iin == iin).order_by(col(Document.issued_at), col(Document.id))).all()
        append_event(session=session, at=at, action="partner.lookup", object_type="holder",
                     object_ref=holder_reference(session=session, iin=iin), actor=identity.actor,
                     after={"documents": len(rows)})
    documents = []
    for document, revision, institution_bin in rows:
        status = services.status_lookup.lookup(series=document.series, number=document.number,
                                               revision=revision.revision,
                                               payload_sha256=bytes.fromhex(revision.payload_sha256), at=at)
        documents.append(PartnerDocumentModel(
            series=document.series, number=document.number, doc_type=document.doc_type,
            institution_bin=institution_bin, state=document.state,  # type: ignore[arg-type]
            status=status.code.value, duplicate_no=document.duplicate_no, revision=revision.revision,
            signed_at=revision.signed_at, kid=revision.kid, cose_base64=base64.b64encode(revision.cose).decode("ascii"),
            qr_text=revision.qr_text, record=revision.record))
    return PartnerDocumentsModel(documents=documents, as_of=at)
