"""The officers' case API: applications for a duplicate, a correction or an annulment, from registration to the
head's decision (issue 13 items 1-3, 8).

| route                                                      | scope         | does                                  |
|------------------------------------------------------------|---------------|---------------------------------------|
| POST /api/v1/officer/applications                          | officer:write | register an application (201)         |
| GET  /api/v1/officer/applications?state=&kind=&due=        | officer:read  | the cases: overdue, due soon first    |
| GET  /api/v1/officer/applications/{number}                 | officer:read  | one case with its timeline            |
| POST /api/v1/officer/applications/{number}/review          | officer:write | registered -> under_review            |
| POST /api/v1/officer/applications/{number}/notice          | officer:write | a preliminary refusal notice          |
| POST /api/v1/officer/applications/{number}/hearing         | officer:write | the applicant's objection heard       |
| POST /api/v1/officer/applications/{number}/proposal        | officer:write | grant or refuse, for the head         |
| POST /api/v1/officer/applications/{number}/approve         | officer:write | the head decides (never the preparer) |
| POST /api/v1/officer/applications/{number}/return          | officer:write | the head returns it for review        |
| GET  /api/v1/officer/applications/{number}/letter?lang=    | officer:read  | the decision letter, PDF, kk or ru    |

A case belongs to the institution that handles it (the document's, or the archive of a closed one); a case of
another institution is answered 404 like a missing one. A registrar prepares, a head approves, and never the same
account (seed 000 item 24): the registry refuses it with 403 `forbidden`. A step out of order is 409
`document-state`; the registry's checks of a step (a notice too late in the term, a refusal without grounds, an IIN
in a free text) are 422 `invalid-data`.

Sources: seed 000 items 21-25, 58; seed 000 appendix 6 row 9; seed 003 item 9; terms `verify.workdays`.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from verify.errors import LifecycleError
from verify.texts import Text

from ..deps import DB_INT_MAX, BackOfficeDep, OfficerReader, OfficerWriter, utcnow
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import CSRF_FAILED, FORBIDDEN, INVALID, UNAUTHORIZED, problem_responses
from . import cases_service
from .cases_schemas import (
    APPLICATION_EXAMPLE,
    APPLICATION_NUMBER_PATTERN,
    ApplicationModel,
    ApplicationRequest,
    ApplicationsModel,
    Due,
    HearingRequest,
    Kind,
    NoticeRequest,
    ProposalRequest,
    ReturnRequest,
    State,
)
from .queries import MAX_PAGE
from .service import content_disposition

_NOT_FOUND: Final = ("not-found", "no such application in your institution")
_STATE: Final = ("document-state", "application 040140001236-2026-000017 is granted: this step is not possible now")
_NOT_HEAD: Final = ("forbidden", "only a head of the institution who did not prepare it may approve it")
_BAD_STEP: Final = ("invalid-data", "a refusal notice must be sent at least 3 working days before the term ends")
NOT_DECIDED: Final = cases_service.NOT_DECIDED

AppNumber = Annotated[str, Path(pattern=APPLICATION_NUMBER_PATTERN, max_length=24,
                                description="the application number, <BIN>-<year>-<sequence>",
                                examples=["040140001236-2026-000017"])]

router = APIRouter(prefix="/api/v1/officer/applications", tags=["officer"], route_class=ProblemRoute)


def _one(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {"application/json": {"example": APPLICATION_EXAMPLE}}}}


_STEP_PROBLEMS: Final = problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE,
                                          _BAD_STEP)


@router.post(
    "", summary="Register an application (duplicate, correction, annulment)", status_code=201,
    operation_id="registerApplication", response_model=ApplicationModel,
    responses={201: {"description": "Registered: its number, term and due date",
                     "content": {"application/json": {"example": {**APPLICATION_EXAMPLE, "state": "registered",
                                                                   "proposal": None}}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("not-found", "no such document in your institution's registry"),
                                   ("document-state", "document BD 0000042 was annulled"),
                                   ("invalid-data", "a duplicate needs its reason"))},
)
def register_application(body: ApplicationRequest, identity: OfficerWriter, office: BackOfficeDep) -> ApplicationModel:
    """Register an application received in person or through e-gov: the documents presented (kinds, not copies),
    the reason (duplicates), the changes (corrections); its term in working days gives the due date."""
    return cases_service.register(office, identity, body=body, at=utcnow())


@router.get(
    "", summary="Applications of your institution", response_model=ApplicationsModel,
    operation_id="listApplications",
    responses={200: {"description": "Overdue first, then due soon (<= 3 working days left), then by due date"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, INVALID)},
)
def list_applications(identity: OfficerReader, office: BackOfficeDep,
                      state: Annotated[State | None, Query(description="only this state")] = None,
                      kind: Annotated[Kind | None, Query(description="only this kind")] = None,
                      due: Annotated[Due | None, Query(description="overdue, or due soon")] = None,
                      limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
                      offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0) -> ApplicationsModel:
    """The cases your institution handles, with their due dates; `due=overdue|soon` keeps only those."""
    return cases_service.list_applications(office, identity, state=state, kind=kind, due=due,
                                           today=cases_service.today_of(utcnow()), limit=limit, offset=offset)


@router.get(
    "/{number}", summary="An application with its timeline", response_model=ApplicationModel,
    operation_id="getApplication",
    responses={**_one("The case: documents presented, term, decision, result, timeline"),
               **problem_responses(UNAUTHORIZED, FORBIDDEN, INVALID, _NOT_FOUND)},
)
def get_application(number: AppNumber, identity: OfficerReader, office: BackOfficeDep) -> ApplicationModel:
    """Every step of the case (who, when, what), the documents presented and the decision."""
    return cases_service.get_application(office, identity, number=number, today=cases_service.today_of(utcnow()))


@router.post("/{number}/review", summary="Start the review", response_model=ApplicationModel,
             operation_id="reviewApplication", responses={**_one("Under review"), **_STEP_PROBLEMS})
def review(number: AppNumber, identity: OfficerWriter, office: BackOfficeDep) -> ApplicationModel:
    """registered -> under_review."""
    return cases_service.start_review(office, identity, number=number, at=utcnow())


@router.post("/{number}/notice", summary="Send a preliminary refusal notice", response_model=ApplicationModel,
             operation_id="noticeApplication",
             responses={**_one("Notified: the hearing window of 2 working days is open"), **_STEP_PROBLEMS})
def notice(number: AppNumber, body: NoticeRequest, identity: OfficerWriter,
           office: BackOfficeDep) -> ApplicationModel:
    """Seed 000 item 58: at least 3 working days before the term ends, with the grounds (seed 000 appendix 6 row 9)
    and the text; the applicant may object within 2 working days."""
    return cases_service.send_notice(office, identity, number=number, reasons=list(body.reasons), text=body.text,
                                     at=utcnow())


@router.post("/{number}/hearing", summary="Record the hearing", response_model=ApplicationModel,
             operation_id="hearApplication", responses={**_one("The applicant's objection is heard"),
                                                       **_STEP_PROBLEMS})
def hearing(number: AppNumber, body: HearingRequest, identity: OfficerWriter,
            office: BackOfficeDep) -> ApplicationModel:
    """The applicant's statement at the hearing (seed 000 item 58)."""
    return cases_service.record_hearing(office, identity, number=number, statement=body.statement, at=utcnow())


@router.post("/{number}/proposal", summary="Propose the decision", response_model=ApplicationModel,
             operation_id="proposeDecision", responses={**_one("Awaiting the head's approval"), **_STEP_PROBLEMS})
def proposal(number: AppNumber, body: ProposalRequest, identity: OfficerWriter,
             office: BackOfficeDep) -> ApplicationModel:
    """Grant, or refuse with its grounds and text; nothing takes effect before a head approves."""
    return cases_service.propose(office, identity, number=number, decision=body.decision,
                                 reasons=list(body.reasons), text=body.text, at=utcnow())


@router.post(
    "/{number}/approve", summary="Approve the proposed decision (a head; never the preparer)",
    response_model=ApplicationModel, operation_id="approveApplication",
    responses={**_one("Decided: a grant is carried out (the duplicate, the correction, the annulment)"),
               **problem_responses(UNAUTHORIZED, _NOT_HEAD, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE,
                                   ("blank-stock", "no free blanks in this institution's stock"),
                                   ("signer-scope", "No active document signer may sign series BD"),
                                   ("unavailable", "the active signer is not in the trust list"))},
)
def approve(number: AppNumber, identity: OfficerWriter, office: BackOfficeDep) -> ApplicationModel:
    """Seed 000 item 24: the head approves. A grant carries out the duplicate, correction or annulment in the same
    transaction and links its result; a refusal is stored. The audit log names both officers."""
    return cases_service.approve(office, identity, number=number, at=utcnow())


@router.post("/{number}/return", summary="Return the case for review (a head)", response_model=ApplicationModel,
             operation_id="returnApplication",
             responses={**_one("Back under review, with the head's comment"),
                        **problem_responses(UNAUTHORIZED, _NOT_HEAD, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE)})
def return_case(number: AppNumber, body: ReturnRequest, identity: OfficerWriter,
                office: BackOfficeDep) -> ApplicationModel:
    """awaiting_approval -> under_review, with the head's comment on the timeline."""
    return cases_service.return_for_review(office, identity, number=number, comment=body.comment, at=utcnow())


@router.get(
    "/{number}/letter", summary="The decision letter (PDF, Kazakh or Russian)", response_class=Response,
    operation_id="getDecisionLetter",
    responses={200: {"description": "A4 PDF: the institution, the application number, the dates, the decision "
                                    "(a refusal with its grounds)",
                     "content": {"application/pdf": {"example": "(binary PDF)"}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, INVALID, _NOT_FOUND, ("document-state", NOT_DECIDED))},
)
def letter(number: AppNumber, identity: OfficerReader, office: BackOfficeDep,
           lang: Annotated[str, Query(pattern="^(kk|ru)$", description="kk or ru")] = "kk") -> Response:
    """The printable decision letter of a granted or refused application."""
    try:
        body, filename = cases_service.decision_letter(office, identity, number=number, lang=lang,
                                                       today=cases_service.today_of(utcnow()))
    except LifecycleError:
        raise ProblemError("document-state", NOT_DECIDED, text=Text("case_p_not_decided")) from None
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition("attachment", filename)})


__all__ = ["router"]
