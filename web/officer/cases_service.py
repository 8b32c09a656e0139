"""The officer service for applications (cases): what the case API (`web.officer.cases_api`) and the console's case
pages (`web.officer.console_cases`) do, on the registry's case service (`verify.registry.cases`).

Every function takes the process's `BackOffice` and the signed-in officer's principal, runs one registry step in
one transaction (the registry writes the case's timeline and the audit event naming the officer), and returns the
case as `ApplicationModel`. Errors are the registry's (`verify.errors`): `NotFoundError` for a case of another
institution exactly as for a missing one, `ForbiddenError` for a role that may not (a registrar approving, a head
approving what they prepared), `StateError`-like refusals for a step out of order. Times are parameters (`at`,
`today`): the routes read the clock.

Sources: the service and its states, issue 13 item 1 (seed 000 items 21-25, 58; seed 000 appendix 6 row 9);
terms seed 000 items 22, 43, 63, seed 004 row 3, seed 001 appendix 18 row 3 (`verify.workdays`); the head's
approval seed 000 item 24 and seed 001 item 7.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlmodel import Session, select

from verify import texts
from verify.errors import ForbiddenError, LifecycleError, NotFoundError
from verify.identifiers import refuse_iin_in_text
from verify.registry import cases as registry_cases
from verify.registry import queries
from verify.registry.accounts import Identity
from verify.registry.cases import ApplicationView
from verify.registry.institutions import get_institution
from verify.registry.models import Officer

from ..runtime.backoffice import BackOffice
from .cases_letter import letter_filename, render_letter
from .cases_schemas import (
    ApplicationEventModel,
    ApplicationModel,
    ApplicationRequest,
    ApplicationsModel,
    DocumentRefModel,
)
from .queries import officer_of

NOT_DECIDED: Final = "the application is not decided yet: its letter comes with the decision"
KAZAKHSTAN_TIME: Final = dt.timezone(dt.timedelta(hours=5), "UTC+5")
DECIDED: Final = frozenset({"granted", "refused"})


def today_of(at: dt.datetime) -> dt.date:
    """The calendar day in Kazakhstan (UTC+5) at the aware time `at`: the day terms are judged by."""
    return at.astimezone(KAZAKHSTAN_TIME).date()


def _ref(printed: str | None) -> DocumentRefModel | None:
    """ "BD 0000042" (series and number as printed) as a reference."""
    if printed is None:
        return None
    series, _, number = printed.rpartition(" ")
    return DocumentRefModel(series=series, number=number)


def application_model(view: ApplicationView) -> ApplicationModel:
    """A registry `ApplicationView` as the API answers it (its due class as of the day it was read for)."""
    document = _ref(view.document)
    assert document is not None
    return ApplicationModel(
        number=view.number, kind=view.kind, term=view.term, state=view.state,  # type: ignore[arg-type]
        document=document, scope=view.scope, reason=view.reason,
        changes=dict(view.changes) if view.changes is not None else None, explanation=view.explanation,
        received_on=view.received_on, channel=view.channel, presented=list(view.presented),  # type: ignore[arg-type]
        due_on=view.due_on, due="overdue" if view.overdue else "soon" if view.due_soon else None,
        working_days_left=view.working_days_left, prepared_by=view.prepared_by,
        proposal=view.proposal, refusal_reasons=list(view.refusal_reasons),  # type: ignore[arg-type]
        refusal_text=view.refusal_text, notice_on=view.notice_on, hearing_until=view.hearing_until,
        approved_by=view.approved_by, decided_at=view.decided_at, result_document=_ref(view.result_document),
        result_revision=view.result_revision,
        timeline=[ApplicationEventModel(at=e.at, actor=e.actor, action=e.action, details=dict(e.details))
                  for e in view.timeline])


def _own(session: Session, officer: Officer, number: str, today: dt.date | None) -> ApplicationView:
    """The case of the officer's institution; another institution's is answered as a missing one (404, so that
    an officer cannot learn which numbers other institutions hold).

    Raises:
        NotFoundError: no such case in the officer's institution.
    """
    try:
        return registry_cases.get_application(session, officer, number=number, today=today)
    except ForbiddenError:
        raise NotFoundError(texts.text("v_case_not_found", number=number)) from None


def _view(office: BackOffice, identity: Identity, number: str, today: dt.date) -> ApplicationModel:
    officer = officer_of(identity)
    with office.readers() as session:
        model = application_model(_own(session, officer, number, today))
        session.commit()
    return model


def _check_own(office: BackOffice, officer: Officer, number: str) -> None:
    """404 for a case of another institution before a step changes anything."""
    with office.readers() as session:
        _own(session, officer, number, None)
        session.commit()


def _check_document(office: BackOffice, officer: Officer, series: str, number: str) -> None:
    """404 for a document of another institution (as for a missing one) before anything is registered."""
    with office.readers() as session:
        queries.own_document(session=session, institution_id=officer.institution_id, series=series, number=number)
        session.commit()


# ----------------------------------------------------------------------------- reading
def get_application(office: BackOffice, identity: Identity, *, number: str, today: dt.date) -> ApplicationModel:
    """One case of the officer's (handling) institution with its timeline.

    Raises:
        NotFoundError: no such case in the institution (another institution's is answered the same).
    """
    return _view(office, identity, number, today)


def list_applications(office: BackOffice, identity: Identity, *, state: str | None, kind: str | None,
                      due: str | None, today: dt.date, limit: int, offset: int) -> ApplicationsModel:
    """A page of the institution's cases: overdue first, then due soon, then by due date."""
    officer = officer_of(identity)
    with office.readers() as session:
        views = registry_cases.list_applications(session, officer, state=state, kind=kind, due=due, today=today,
                                                 limit=limit, offset=offset)
        models = [application_model(v) for v in views]
        session.commit()
    return ApplicationsModel(applications=models, limit=limit, offset=offset)


def approval_queue(office: BackOffice, identity: Identity, *, today: dt.date) -> list[ApplicationModel]:
    """The cases awaiting the head's approval in the head's institution, most urgent first, without those the head
    prepared (which another head approves; seed 000 item 24).

    Raises:
        ForbiddenError: not an active head.
    """
    officer = officer_of(identity)
    with office.readers() as session:
        views = registry_cases.approval_queue(session, officer, today=today)
        models = [application_model(v) for v in views if v.prepared_by != officer.username]
        session.commit()
    return models


def due_counts(office: BackOffice, *, today: dt.date) -> dict[str, int]:
    """{"overdue": n, "soon": n} over every institution (the metrics)."""
    with office.readers() as session:
        counts = dict(registry_cases.due_counts(session, today=today))
        session.commit()
    return counts


# ----------------------------------------------------------------------------- the steps
def register(office: BackOffice, identity: Identity, *, body: ApplicationRequest, at: dt.datetime) -> ApplicationModel:
    """Register an application received (its number, term and due date are the registry's).

    Raises:
        NotFoundError: no such document in the institution's care; RecordError: a bad reason, changes or
        presented documents; ForbiddenError: a viewer.
    """
    officer = officer_of(identity)
    _check_document(office, officer, body.series, body.number)
    with office.sessions() as session:
        application = registry_cases.register_application(
            session, officer, kind=body.kind, series=body.series, number=body.number, received_on=body.received_on,
            channel=body.channel, presented=list(body.presented), reason=body.reason, scope=body.scope,
            changes=body.changes, explanation=body.explanation, at=at)
        number = application.number
    return _view(office, identity, number, today_of(at))


def register_and_propose(office: BackOffice, identity: Identity, *, kind: str, series: str, number: str,
                         reason: str | None = None, changes: Mapping[str, Any] | None = None,
                         explanation: str | None = None, explanation_field: str = "explanation",
                         presented: Iterable[str] = ("application",), at: dt.datetime) -> ApplicationModel:
    """What the direct duplicate / correction / annulment commands became: register the application received today
    in person, review it and propose to grant it, in one step by the officer handling it. It takes effect only when
    a head of the institution (another account) approves it.

    Args:
        explanation_field: the request's name of the explanation (the correction's "reason", the annulment's
            "basis"), named when it holds an IIN.

    Raises:
        IinInTextError: the explanation holds an IIN (the field named as the request names it).
    """
    officer = officer_of(identity)
    if explanation:
        refuse_iin_in_text(explanation, field=explanation_field)
    _check_document(office, officer, series, number)
    with office.sessions() as session:
        application = registry_cases.register_and_grant(
            session, officer, kind=kind, series=series, number=number, received_on=today_of(at), channel="in_person",
            presented=list(presented), reason=reason, changes=dict(changes) if changes is not None else None,
            explanation=explanation, at=at)
        case_number = application.number
    return _view(office, identity, case_number, today_of(at))


def start_review(office: BackOffice, identity: Identity, *, number: str, at: dt.datetime) -> ApplicationModel:
    """registered -> under_review."""
    with office.sessions() as session:
        _check_own(office, officer_of(identity), number)
        registry_cases.start_review(session, officer_of(identity), number=number, at=at)
    return _view(office, identity, number, today_of(at))


def send_notice(office: BackOffice, identity: Identity, *, number: str, reasons: list[str], text: str,
                at: dt.datetime) -> ApplicationModel:
    """under_review -> refusal_notice: at least 3 working days before the term ends; opens the 2-working-day
    hearing window (seed 000 item 58)."""
    with office.sessions() as session:
        _check_own(office, officer_of(identity), number)
        registry_cases.send_refusal_notice(session, officer_of(identity), number=number, reasons=reasons, text=text,
                                           at=at)
    return _view(office, identity, number, today_of(at))


def record_hearing(office: BackOffice, identity: Identity, *, number: str, statement: str,
                   at: dt.datetime) -> ApplicationModel:
    """refusal_notice -> hearing: the applicant's objection as heard (seed 000 item 58)."""
    with office.sessions() as session:
        _check_own(office, officer_of(identity), number)
        registry_cases.record_hearing(session, officer_of(identity), number=number, statement=statement, at=at)
    return _view(office, identity, number, today_of(at))


def propose(office: BackOffice, identity: Identity, *, number: str, decision: str, reasons: list[str],
            text: str | None, at: dt.datetime) -> ApplicationModel:
    """-> awaiting_approval: the registrar's proposed grant or refusal (with its grounds, seed 000 appendix 6 row
    9)."""
    with office.sessions() as session:
        _check_own(office, officer_of(identity), number)
        registry_cases.propose(session, officer_of(identity), number=number, decision=decision, reasons=reasons,
                               text=text, at=at)
    return _view(office, identity, number, today_of(at))


def approve(office: BackOffice, identity: Identity, *, number: str, at: dt.datetime) -> ApplicationModel:
    """The head's approval: a grant carries out the duplicate, correction or annulment in the same transaction; a
    refusal is stored. Never the account that prepared it (seed 000 item 24).

    Raises:
        ForbiddenError: not a head of the handling institution, or the head prepared it.
    """
    with office.sessions() as session:
        _check_own(office, officer_of(identity), number)
        registry_cases.approve(session, officer_of(identity), number=number, signer=office.signer(),
                               base_url=office.base_url, at=at)
    return _view(office, identity, number, today_of(at))


def return_for_review(office: BackOffice, identity: Identity, *, number: str, comment: str,
                      at: dt.datetime) -> ApplicationModel:
    """awaiting_approval -> under_review: the head returns it with a comment."""
    with office.sessions() as session:
        _check_own(office, officer_of(identity), number)
        registry_cases.return_for_review(session, officer_of(identity), number=number, comment=comment, at=at)
    return _view(office, identity, number, today_of(at))


def may_approve(application: ApplicationModel, username: str) -> bool:
    """Whether the account `username` (a head) is another than the one that registered and the one that prepared
    the case (seed 000 item 24: the registry refuses the same account; the console offers no approval to it)."""
    registered_by = next((e.actor for e in application.timeline if e.action == "register"), None)
    return username not in (application.prepared_by, registered_by)


def decision_letter(office: BackOffice, identity: Identity, *, number: str, lang: str,
                    today: dt.date) -> tuple[bytes, str]:
    """The PDF decision letter of a decided case (`web.officer.cases_letter`) and its file name.

    Raises:
        NotFoundError: no such case in the institution; LifecycleError: not decided yet.
    """
    application = get_application(office, identity, number=number, today=today)
    if application.state not in DECIDED:
        raise LifecycleError(NOT_DECIDED)
    with office.readers() as session:
        institution = get_institution(session=session, institution_id=officer_of(identity).institution_id)
        names, bin_ = {"kk": institution.name_kk, "ru": institution.name_ru}, institution.bin
        head = session.exec(select(Officer).where(Officer.username == application.approved_by)).first()
        head_name = head.full_name if head is not None else application.approved_by or "—"
        session.commit()
    return (render_letter(application, institution=names, bin_=bin_, head=head_name, lang=lang),
            letter_filename(number, lang))


__all__ = ["DECIDED", "KAZAKHSTAN_TIME", "NOT_DECIDED", "application_model", "approval_queue", "approve",
           "decision_letter", "due_counts", "get_application", "list_applications", "may_approve", "propose",
           "record_hearing", "register", "register_and_propose", "return_for_review", "send_notice", "start_review",
           "today_of"]
