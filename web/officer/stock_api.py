"""The officers' API, part 3: blank stock and the institution's audit log.

| route                                   | scope          | does                                                |
|-----------------------------------------|----------------|-----------------------------------------------------|
| GET /api/v1/officer/blanks              | officer:read   | the stock by series: received, used, written off    |
| POST /api/v1/officer/blanks/ranges      | officer:write  | record a range of blanks received (201)             |
| POST /api/v1/officer/blanks/write-offs  | officer:write  | write off a spoiled blank with its reason (201)      |
| GET /api/v1/officer/audit               | officer:read   | the institution's audit events, newest first        |

TVE and post-secondary diplomas are printed on pre-numbered blanks (seed 000, items 7, 10, 17-18); the college
records each range it receives, each document consumes one blank, spoiled blanks are written off with a reason
(`verify.registry.blanks`). The audit view shows the events whose institution is the officer's only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, select

from verify.registry.blanks import add_blank_range, stock_summary, write_off_blank
from verify.registry.models import AuditEvent
from verify.registry.numbering import format_number

from ..auth.api import CSRF_FAILED, FORBIDDEN, INVALID, UNAUTHORIZED
from ..public.schemas import DB_INT_MAX, problem_responses
from ..runtime.backoffice import BackOfficeDep
from ..runtime.services import utcnow
from .api import OfficerReader, OfficerWriter
from .queries import MAX_PAGE, audit_event_model, officer_of, registry_errors
from .schemas import (
    AuditEventsModel,
    BlankModel,
    BlankRangeModel,
    BlankRangeRequest,
    StockLineModel,
    StockModel,
    WriteOffRequest,
)

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


@router.get(
    "/blanks", summary="Blank stock of your institution", response_model=StockModel,
    responses={200: {"description": "The stock by series"}, **problem_responses(UNAUTHORIZED, FORBIDDEN)},
)
def get_stock(identity: OfficerReader, office: BackOfficeDep) -> StockModel:
    """Received, used, written off and free blanks by series, and the number the next document gets."""
    officer = officer_of(identity)
    with office.readers() as session:
        lines = stock_summary(session=session, institution_id=officer.institution_id)
        session.commit()
    return StockModel(series=[StockLineModel(series=line.series, received=line.received, used=line.used,
                                             written_off=line.written_off, free=line.free, next_free=line.next_free)
                              for line in lines])


@router.post(
    "/blanks/ranges", summary="Record a range of blanks received", status_code=201, response_model=BlankRangeModel,
    responses={201: {"description": "The range is in stock"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("conflict", "blanks ЖБ 0001000-0001499 overlap a range received before"),
                                   ("invalid-data", "first: must not be greater than last"))},
)
def add_range(body: BlankRangeRequest, identity: OfficerWriter, office: BackOfficeDep) -> BlankRangeModel:
    """A range of pre-numbered blanks from the printing house (seed 000 item 17): series, first, last."""
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        blank_range = add_blank_range(session=session, officer=officer, series=body.series, first=body.first,
                                      last=body.last, at=utcnow())
    assert blank_range.id is not None
    return BlankRangeModel(id=blank_range.id, series=blank_range.series,
                           first=format_number(blank_range.first_number), last=format_number(blank_range.last_number),
                           size=blank_range.size, received_at=blank_range.received_at)


@router.post(
    "/blanks/write-offs", summary="Write off a spoiled blank", status_code=201, response_model=BlankModel,
    responses={201: {"description": "Written off: the number is never used"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("blank-stock", "blank ЖБ 0009999 is not in this institution's stock"),
                                   ("conflict", "blank ЖБ 0001003 is used for a document"))},
)
def write_off(body: WriteOffRequest, identity: OfficerWriter, office: BackOfficeDep) -> BlankModel:
    """Take a spoiled blank out of stock with the reason; a used or written-off blank is refused."""
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        blank = write_off_blank(session=session, officer=officer, series=body.series, number=body.number,
                                reason=body.reason, at=utcnow())
    return BlankModel(series=blank.series, number=blank.number, state=blank.state, reason=blank.reason, at=blank.at)


@router.get(
    "/audit", summary="Audit events of your institution", response_model=AuditEventsModel,
    responses={200: {"description": "Events, newest first"}, **problem_responses(UNAUTHORIZED, FORBIDDEN, INVALID)},
)
def list_audit(identity: OfficerReader, office: BackOfficeDep,
               before: Annotated[int | None, Query(ge=1, le=DB_INT_MAX,
                                                   description="events with a smaller seq (the next page)")] = None,
               action: Annotated[str | None, Query(max_length=40, description="e.g. document.issue")] = None,
               limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100) -> AuditEventsModel:
    """Who did what, when and why in your institution (the hash-chained log; never an IIN)."""
    officer = officer_of(identity)
    conditions: list[Any] = [AuditEvent.institution_id == officer.institution_id]
    if before is not None:
        conditions.append(col(AuditEvent.seq) < before)
    if action is not None:
        conditions.append(AuditEvent.action == action)
    with office.readers() as session:
        events = list(session.exec(select(AuditEvent).where(*conditions).order_by(col(AuditEvent.seq).desc())
                                   .limit(limit + 1)))
        session.commit()
    more = len(events) > limit
    events = events[:limit]
    return AuditEventsModel(events=[audit_event_model(e) for e in events],
                            next_before=events[-1].seq if more and events else None)
