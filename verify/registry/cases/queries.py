"""Reading cases: one case with its timeline, lists for the console, the head's approval queue, metrics.

Lists are of the officer's institution only, ordered as a registrar works them: overdue first, then those due within
`model.DUE_SOON_DAYS` working days, then by due date (cases without a term, annulments, last), then by number
(issue 13, item 2: "overdue and due-soon cases are listed first in the console and counted in metrics").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func
from sqlmodel import Session, col, select

from ... import texts
from ...errors import NotFoundError, RecordError
from ...workdays import WorkCalendar
from ..access import require_head, require_institution
from ..documents import document_ref
from ..models import Application, ApplicationEvent, ApplicationState, Document, Institution, Officer
from .model import DUE_SOON_DAYS, OPEN_STATES, ApplicationView, TimelineEntry, parse_kind
from .service import default_calendar

DUE_FILTERS = ("overdue", "soon")
"""Values of `list_applications(due=...)`."""


def _soon_limit(today: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last due date that counts as due soon on `today`."""
    return calendar.add_working_days(today, DUE_SOON_DAYS)


def _open() -> ColumnElement[bool]:
    return col(Application.state).in_(OPEN_STATES)


def _overdue(today: dt.date) -> ColumnElement[bool]:
    return and_(_open(), col(Application.due_on).is_not(None), col(Application.due_on) < today)


def _soon(today: dt.date, limit: dt.date) -> ColumnElement[bool]:
    return and_(_open(), col(Application.due_on) >= today, col(Application.due_on) <= limit)


def get_application(session: Session, officer: Officer, *, number: str, today: dt.date | None = None,
                    calendar: WorkCalendar | None = None) -> ApplicationView:
    """One case of the officer's institution, with its timeline (any role may read).

    Args:
        today: the day in Kazakhstan the due flags are judged on; None: no flags (`overdue`, `due_soon` False,
            `working_days_left` None).

    Raises:
        NotFoundError: no such application.
        ForbiddenError: an application of another institution.
    """
    application = session.exec(select(Application).where(Application.number == str(number).strip())).first()
    if application is None:
        raise NotFoundError(texts.text("v_case_not_found", number=number))
    require_institution(officer, application.institution_id, what=texts.text("v_what_application", number=number))
    events = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                          .order_by(col(ApplicationEvent.at), col(ApplicationEvent.id))).all()
    timeline = tuple(TimelineEntry(at=e.at, actor=e.actor_name, action=e.action, details=e.details or {})
                     for e in events)
    return _view(session, application, today=today, calendar=calendar or default_calendar(), timeline=timeline)


def list_applications(session: Session, officer: Officer, *, state: str | None = None, kind: str | None = None,
                      due: str | None = None, today: dt.date, limit: int = 50, offset: int = 0,
                      calendar: WorkCalendar | None = None) -> list[ApplicationView]:
    """Cases of the officer's institution: overdue first, then due soon, then by due date (no timelines).

    Args:
        state: an `ApplicationState` value, or None for all.
        kind: an `ApplicationKind` value, or None.
        due: "overdue", "soon" (open, due within 3 working days, not overdue) or None.
        today: the day in Kazakhstan the flags are judged on.
        limit, offset: the page (limit 1-500).

    Raises:
        RecordError: an unknown state, kind or due filter, or a limit out of range.
    """
    days = calendar or default_calendar()
    limit_day = _soon_limit(today, days)
    statement = select(Application).where(Application.institution_id == officer.institution_id)
    if state is not None:
        if state not in {s.value for s in ApplicationState}:
            raise _bad("state", [s.value for s in ApplicationState])
        statement = statement.where(Application.state == state)
    if kind is not None:
        statement = statement.where(Application.kind == parse_kind(kind))
    if due is not None:
        if due not in DUE_FILTERS:
            raise _bad("due", list(DUE_FILTERS))
        statement = statement.where(_overdue(today) if due == "overdue" else _soon(today, limit_day))
    if not 1 <= limit <= 500 or offset < 0:
        raise _bad("limit", ["1-500"])
    urgency = case((_overdue(today), 0), (_soon(today, limit_day), 1), else_=2)
    statement = statement.order_by(urgency, case((col(Application.due_on).is_(None), 1), else_=0),
                                   col(Application.due_on), col(Application.id)).offset(offset).limit(limit)
    return [_view(session, a, today=today, calendar=days) for a in session.exec(statement).all()]


def approval_queue(session: Session, head: Officer, *, today: dt.date,
                   calendar: WorkCalendar | None = None) -> list[ApplicationView]:
    """The cases awaiting a head's approval in the head's institution, most urgent first.

    Raises:
        ForbiddenError: not an active head.
    """
    require_head(head)
    return list_applications(session, head, state=ApplicationState.AWAITING_APPROVAL.value, today=today,
                             limit=500, calendar=calendar)


def due_counts(session: Session, *, today: dt.date, institution_id: int | None = None,
               calendar: WorkCalendar | None = None) -> dict[str, int]:
    """Open cases overdue and due soon (within 3 working days), for metrics: {"overdue": n, "soon": n}.

    Args:
        institution_id: one institution, or None for the whole registry.
    """
    limit_day = _soon_limit(today, calendar or default_calendar())
    counts: dict[str, int] = {}
    for name, condition in (("overdue", _overdue(today)), ("soon", _soon(today, limit_day))):
        statement = select(func.count()).select_from(Application).where(condition)
        if institution_id is not None:
            statement = statement.where(Application.institution_id == institution_id)
        counts[name] = int(session.exec(statement).one())
    return counts


def _bad(field: str, allowed: list[str]) -> RecordError:
    return RecordError(texts.text("v_case_one_of", field=field, allowed=", ".join(allowed)))


def _view(session: Session, a: Application, *, today: dt.date | None, calendar: WorkCalendar,
          timeline: tuple[TimelineEntry, ...] = ()) -> ApplicationView:
    institution = session.get(Institution, a.institution_id)
    document = session.get(Document, a.document_id)
    result = session.get(Document, a.result_document_id) if a.result_document_id is not None else None
    assert institution is not None and document is not None
    judged = a.state in OPEN_STATES and a.due_on is not None and today is not None
    overdue = judged and a.due_on < today  # type: ignore[operator]
    soon = judged and not overdue and a.due_on <= _soon_limit(today, calendar)  # type: ignore[arg-type,operator]
    left = None if a.due_on is None or today is None else calendar.working_days_between(today, a.due_on)
    changes: dict[str, Any] | None = dict(a.changes) if a.changes else None
    return ApplicationView(
        number=a.number, kind=a.kind, term=a.term, state=a.state, institution_bin=institution.bin,
        document=document_ref(document), scope=a.scope, reason=a.reason, changes=changes, explanation=a.explanation,
        received_on=a.received_on, channel=a.channel, presented=tuple(a.presented), due_on=a.due_on,
        overdue=overdue, due_soon=soon, working_days_left=left, prepared_by=_name(session, a.prepared_by),
        proposal=a.proposal, refusal_reasons=tuple(a.refusal_reasons or ()), refusal_text=a.refusal_text,
        notice_on=a.notice_on, hearing_until=a.hearing_until, approved_by=_name(session, a.approved_by),
        decided_at=a.decided_at, result_document=document_ref(result) if result is not None else None,
        result_revision=a.result_revision, created_at=a.created_at, updated_at=a.updated_at, timeline=timeline)


def _name(session: Session, officer_row_id: int | None) -> str | None:
    officer = session.get(Officer, officer_row_id) if officer_row_id is not None else None
    return officer.username if officer is not None else None
