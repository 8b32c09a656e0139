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
  log line (`web.http.logging` allowlists fields and scrubs 12-digit runs);
* every look-up is recorded in the audit chain as `partner.lookup` by `partner:<name>`, with the holder's keyed
  reference (`audit.holder_reference`, an HMAC under the registry's own key) instead of the IIN, so that who read
  whose documents can be answered later without storing the IIN in the log (`verify.registry.partner`);
* an IIN the registry does not know gets the same 200 answer with no documents.

Each document comes with its current revision's transparency log entry and inclusion proof against the newest
signed checkpoint (`log`, docs/TRANSPARENCY.md §7), so the app can check it offline as a verifier does (step 12).
The status of each document is what a verifier would be told now for its current revision
(`RegistryStatusLookup`, DESIGN.md: Statuses and verdicts): ORIGINAL_VALID, DUPLICATE_VALID, REPLACED or ANNULLED.
"""

from __future__ import annotations

import base64
from typing import Final

from fastapi import APIRouter, Depends

from verify import Error
from verify.identifiers import validate_iin
from verify.registry.appendixsigning import appendix_for_revision, appendix_of
from verify.registry.models import DocumentAppendix
from verify.registry.partner import holder_documents as find_holder_documents
from verify.registry.tlog import prove_revision
from verify.texts import Text

from ..deps import BackOfficeDep, PartnerReader, ServicesDep, require_json, utcnow
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import INVALID, JSON_ONLY, RATE_LIMITED, TOO_LARGE, UNAUTHORIZED, problem_responses
from .schemas import (
    PARTNER_DOCUMENT_EXAMPLE,
    LogProofModel,
    PartnerAppendixModel,
    PartnerDocumentModel,
    PartnerDocumentsModel,
    PartnerLookupRequest,
)

NOT_AN_IIN: Final = "iin: not a valid IIN (12 digits with a valid birth date and check digit)"

def _appendix_model(row: DocumentAppendix) -> PartnerAppendixModel:
    """A stored signed appendix as the partner reads it: the bytes and the grades as data."""
    appendix = appendix_of(row)
    totals = appendix.totals_computed()
    average = appendix.five_point_average()
    return PartnerAppendixModel(
        cose_base64=base64.b64encode(row.cose).decode("ascii"), revision=appendix.revision,
        duplicate_no=appendix.duplicate_no, signed_at=row.signed_at, items=[i.to_json() for i in appendix.items],
        hours=totals.hours, credits=None if totals.credits is None else float(totals.credits),
        gpa=None if totals.gpa is None else float(totals.gpa),
        five_point_average=None if average is None else float(average))


router = APIRouter(prefix="/api/v1/partner", tags=["partner"], route_class=ProblemRoute)


@router.post(
    "/documents", summary="A holder's documents by IIN (in the body)", response_model=PartnerDocumentsModel,
    operation_id="getHolderDocuments", dependencies=[Depends(require_json)],
    responses={200: {"description": "Every document of the holder, possibly none; the IIN is not repeated",
                     "content": {"application/json": {"example": {"documents": [PARTNER_DOCUMENT_EXAMPLE],
                                                                  "as_of": "2026-07-01T09:00:00Z"}}}},
               **problem_responses(UNAUTHORIZED,
                                   ("forbidden", "this needs the scope partner:read, which this session or token "
                                                 "does not hold"),
                                   TOO_LARGE, JSON_ONLY, INVALID, ("invalid-data", NOT_AN_IIN), RATE_LIMITED)},
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
        raise ProblemError("invalid-data", NOT_AN_IIN, text=Text("e_not_an_iin", field="iin")) from None
    at = utcnow()
    with office.sessions() as session:
        found = find_holder_documents(session=session, iin=iin, actor=identity.actor, at=at)
    with office.readers() as session:
        proofs = [prove_revision(session, series=item.document.series, number=item.document.number,
                                 revision=item.revision.revision) for item in found]
        appendices = [appendix_for_revision(session, series=item.document.series, number=item.document.number,
                                            revision=item.revision.revision) for item in found]
    documents = []
    for item, proof, appendix in zip(found, proofs, appendices, strict=True):
        document, revision = item.document, item.revision
        status = services.status_lookup.lookup(series=document.series, number=document.number,
                                               revision=revision.revision,
                                               payload_sha256=bytes.fromhex(revision.payload_sha256), at=at)
        documents.append(PartnerDocumentModel(
            series=document.series, number=document.number, doc_type=document.doc_type,
            institution_bin=item.institution_bin, state=document.state,  # type: ignore[arg-type]
            status=status.code.value, duplicate_no=document.duplicate_no, revision=revision.revision,
            signed_at=revision.signed_at, kid=revision.kid, cose_base64=base64.b64encode(revision.cose).decode("ascii"),
            qr_text=revision.qr_text, record=revision.record,
            log=None if proof is None else LogProofModel.model_validate(proof.to_json()),
            appendix=None if appendix is None else _appendix_model(appendix)))
    return PartnerDocumentsModel(documents=documents, as_of=at)
