"""The partner's API: a holder's documents by IIN, for the "digital documents" app of eGov Mobile.

| route                            | scope         | does                                                           |
|----------------------------------|---------------|----------------------------------------------------------------|
| POST /api/v1/partner/documents   | partner:read  | {"iin"} -> every document of the holder: the current signed    |
|                                  |               | record (COSE as base64), its QR text and the registry status;   |
|                                  |               | the holder's keyed reference `holder_ref`                      |
| GET /api/v1/partner/events       | partner:read  | ?after=CURSOR&limit=N -> the outbox's events after the cursor,  |
|                                  |               | in order (issue, duplicate, correction, annulment), `next`     |

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

The digital diploma (seed 000 items 59-60: the duplicate service's result includes a digital diploma in the app)
needs the app to learn of every change without asking about every holder: `GET /api/v1/partner/events` is the
outbox's feed (`verify.registry.outbox`): every issue, duplicate, correction and annulment, appended in the
transaction of the change, in cursor order with no gap, at least once (a page read again gives the same events with
the same `event_id`). An event names the document and the holder's keyed reference, never the IIN; the app maps the
reference to the person through the `holder_ref` of its look-ups by IIN, and reads the new record with a look-up.
The same events go to a partner's webhook where one is configured (`web.runtime.webhooks`).

Each document comes with its current revision's transparency log entry and inclusion proof against the newest
signed checkpoint (`log`, docs/TRANSPARENCY.md §7), so the app can check it offline as a verifier does (step 12).
The status of each document is what a verifier would be told now for its current revision
(`RegistryStatusLookup`, DESIGN.md: Statuses and verdicts): ORIGINAL_VALID, DUPLICATE_VALID, REPLACED or ANNULLED.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query

from verify import Error, Record, latin_name
from verify.identifiers import validate_iin
from verify.registry.appendixsigning import appendix_for_revision, appendix_of
from verify.registry.audit import holder_reference
from verify.registry.models import DocumentAppendix
from verify.registry.outbox import MAX_EVENTS_PER_READ, event_json, last_event_id, read_events
from verify.registry.partner import holder_documents as find_holder_documents
from verify.registry.tlog import prove_revision
from verify.texts import Text

from ..deps import BackOfficeDep, PartnerReader, ServicesDep, require_json, utcnow
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import INVALID, JSON_ONLY, RATE_LIMITED, TOO_LARGE, UNAUTHORIZED, problem_responses
from .schemas import (
    PARTNER_DOCUMENT_EXAMPLE,
    LatinNameModel,
    LogProofModel,
    PartnerAppendixModel,
    PartnerDocumentModel,
    PartnerDocumentsModel,
    PartnerEventModel,
    PartnerEventsModel,
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
                                                                  "holder_ref": "hr:5d41402abc4b2a76",
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
        reference = holder_reference(session=session, iin=iin)
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
            qr_text=revision.qr_text, record=revision.record, holder_latin=_latin(revision.record),
            log=None if proof is None else LogProofModel.model_validate(proof.to_json()),
            appendix=None if appendix is None else _appendix_model(appendix)))
    return PartnerDocumentsModel(documents=documents, holder_ref=reference, as_of=at)


@router.get(
    "/events", summary="The outbox's events after a cursor (the digital diploma's feed)",
    response_model=PartnerEventsModel, operation_id="getPartnerEvents",
    responses={**problem_responses(UNAUTHORIZED,
                                   ("forbidden", "this needs the scope partner:read, which this session or token "
                                                 "does not hold"),
                                   INVALID, RATE_LIMITED)},
)
def partner_events(identity: PartnerReader, office: BackOfficeDep,
                   after: Annotated[int, Query(ge=0, le=2**62, description="the cursor: events with a higher id "
                                                                           "(0: from the first)")] = 0,
                   limit: Annotated[int, Query(ge=1, le=MAX_EVENTS_PER_READ,
                                               description="at most this many events")] = 100) -> PartnerEventsModel:
    """Every issue, duplicate, correction and annulment after `after`, in cursor order (at least once, no gap).

    Store the events, then ask again with `next`; while `has_more` is true, more wait. An event read twice (a page
    asked again after a crash) has the same `event_id`: drop what you have. No IIN: the holder is `holder_ref`.
    """
    del identity  # the scope is checked by the dependency; every partner reads the same feed
    at = utcnow()
    with office.readers() as session:
        events = [PartnerEventModel.model_validate(event_json(row)) for row in read_events(session, after=after,
                                                                                           limit=limit)]
        last = last_event_id(session)
    cursor = events[-1].id if events else after
    return PartnerEventsModel(events=events, next=cursor, has_more=cursor < last, as_of=at)


def _latin(record: dict[str, Any]) -> LatinNameModel:
    """The Latin letters of a stored record's holder (`verify.translit.latin_name`, issue 17 item 2)."""
    latin = latin_name(Record.from_json(record).holder)
    return LatinNameModel(surname=latin.surname, name=latin.name, patronymic=latin.patronymic,
                          full_name=latin.full_name)
