"""The state machine of an application (issue 13, items 1-3): nothing is granted outside a case.

    registered -> under_review -> [refusal_notice -> hearing] -> awaiting_approval -> granted | refused
    awaiting_approval -> under_review        the head returns it with a comment
    annulment: registered -> awaiting_approval -> granted | refused (no service term)

* A registrar (or a head) of the handling institution registers the application (`register_application`): its
  number, the day received, the channel, the documents presented; its due date is the term of `model.term_for`
  counted in Kazakhstan's working days from the registration day (`verify.workdays.deadlines`).
* A refusal is prepared with a preliminary notice at least 3 working days before the term ends, which opens a hearing
  within 2 working days (seed 000, item 58; `send_refusal_notice`, `record_hearing`); its grounds are those of seed 000
  appendix 6 row 9 with a reasoned text.
* The registrar proposes the decision (`propose`); only a head of the same institution, never the account that
  registered or prepared it, makes it take effect (`approve`; seed 000, item 24: the head signs the duplicate; seed
  001, item 7: the head answers for the accounts). Granting carries out the duplicate, correction or annulment through
  `verify.registry.lifecycle` in the same transaction, signed by the head's account, and links the result.
* Every step appends to the case's timeline (`application_events`) and to the audit chain ("application.<step>",
  naming the officer; the approval names both officers).

Each public function is one transaction: it commits, or rolls back and raises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from ... import texts
from ...errors import ConflictError, ForbiddenError, LifecycleError, NotFoundError, RecordError
from ...identifiers import refuse_iin_in_text
from ...record import HolderName
from ...signerset import SignerChooser
from ...workdays import WorkCalendar, deadlines, hearing_by
from ..access import (
    handling_institution_id,
    officer_id,
    require_head,
    require_institution,
    require_writer,
    unit_of_work,
)
from ..appendices import appendix_items, correct_appendix, duplicate_appendix
from ..appendixsigning import current_appendix
from ..audit import append_event
from ..documents import document_ref, lock_document, require_in_force
from ..lifecycle import annul_document, correct_document, issue_duplicate, parse_changes
from ..models import (
    AnnulmentKind,
    Application,
    ApplicationCounter,
    ApplicationEvent,
    ApplicationKind,
    ApplicationScope,
    ApplicationState,
    Document,
    DuplicateReason,
    Institution,
    Officer,
    Proposal,
)
from .model import (
    OPEN_STATES,
    free_text,
    local_day,
    parse_channel,
    parse_decision,
    parse_duplicate_reason,
    parse_kind,
    parse_new_name,
    parse_presented,
    parse_refusal_reasons,
    parse_scope,
    term_for,
)

_CALENDAR = WorkCalendar()
_ACTION = {ApplicationKind.DUPLICATE.value: "duplicate", ApplicationKind.CORRECTION.value: "correction",
           ApplicationKind.ANNULMENT.value: "annulment"}
_RENAMING = (DuplicateReason.NAME_CHANGED.value, DuplicateReason.FILLING_ERROR.value)


def default_calendar() -> WorkCalendar:
    """The calendar used when a caller gives none: the `holidays` library's Kazakhstan calendar alone."""
    return _CALENDAR


# ----------------------------------------------------------------------------- register
def register_application(session: Session, officer: Officer, *, kind: str, series: str, number: str,
                         received_on: dt.date, channel: str, presented: Iterable[str], reason: str | None = None,
                         scope: str = "document", changes: Mapping[str, Any] | None = None,
                         explanation: str | None = None, at: dt.datetime,
                         calendar: WorkCalendar | None = None) -> Application:
    """Register an application about a document in force of the officer's institution; commits.

    Args:
        kind: "duplicate", "correction" or "annulment".
        series, number: the document applied about.
        received_on: the day the application was received (the term counts from its registration day, the next
            working day when received on a day off: seed 000 items 33, 53).
        channel: "in_person" or "egov".
        presented: kinds of documents presented (`models.PresentedKind`), at least one.
        reason: a duplicate's reason: lost, damaged, name_changed, filling_error (seed 000 item 21, seed 003 item 9).
        scope: "document", or "appendix" for a duplicate of the appendix alone (seed 000, appendix 5).
        changes: a correction's field -> new value (`lifecycle.CORRECTABLE_FIELDS`); a duplicate's new name
            {"surname", "name", "patronymic"} (required for name_changed, allowed for filling_error).
        explanation: the applicant's statement: required for a correction (the error) and an annulment (its basis).
        at: when it is registered (aware).
        calendar: Kazakhstan's working days (default `default_calendar()`).

    Returns:
        The `Application`, state "registered", with its number and due date.

    Raises:
        ForbiddenError: a viewer, an inactive account, a document of another institution.
        NotFoundError: no such document.
        LifecycleError: the document is annulled or replaced.
        ConflictError: the document has an open application already.
        RecordError: a bad kind, channel, scope, reason, change, missing statement, or a day received after `at`.
        IinInTextError: the statement or a name holds an IIN.
    """
    with unit_of_work(session):
        return _register(session, officer, kind=kind, series=series, number=number, received_on=received_on,
                         channel=channel, presented=presented, reason=reason, scope=scope, changes=changes,
                         explanation=explanation, at=at, calendar=calendar or _CALENDAR)


def _register(session: Session, officer: Officer, *, kind: str, series: str, number: str, received_on: dt.date,
              channel: str, presented: Iterable[str], reason: str | None, scope: str,
              changes: Mapping[str, Any] | None, explanation: str | None, at: dt.datetime,
              calendar: WorkCalendar) -> Application:
    require_writer(officer)
    kind = parse_kind(kind)
    channel, scope, kinds = parse_channel(channel), parse_scope(scope, kind), parse_presented(presented)
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        raise RecordError(texts.text("v_rec_iso_date", field="received_on"))
    if received_on > local_day(at):
        raise RecordError(texts.text("v_case_received_future", field="received_on", today=local_day(at)))
    stored_changes: dict[str, Any] | None = None
    if kind == ApplicationKind.DUPLICATE.value:
        reason = parse_duplicate_reason(reason)
        if changes:
            if reason not in _RENAMING:
                raise RecordError(texts.text("v_dup_new_name_not_for", field="changes", reason=reason))
            stored_changes = dict(parse_new_name(changes))
        elif reason == DuplicateReason.NAME_CHANGED.value:
            raise RecordError(texts.text("v_dup_name_needed", field="changes"))
        statement = free_text(explanation, field="explanation", required=False)
    elif kind == ApplicationKind.ANNULMENT.value:
        # the annulment's kind (issue 13 item 5): an order (final) or issued in error (a new original may follow)
        if reason not in (None, AnnulmentKind.ORDER.value, AnnulmentKind.ISSUED_IN_ERROR.value):
            raise RecordError(texts.text("v_ann_kind", field="reason", kinds="order, issued_in_error"))
        reason = reason or AnnulmentKind.ORDER.value
        if changes:
            raise RecordError(texts.text("v_case_changes_not_for", field="changes"))
        statement = free_text(explanation, field="explanation", required=True)
    else:
        if reason is not None:
            raise RecordError(texts.text("v_case_reason_only_duplicate", field="reason"))
        if kind == ApplicationKind.CORRECTION.value and scope == ApplicationScope.APPENDIX.value:
            stored_changes = {"items": [item.to_json() for item in appendix_items(changes)]}
        elif kind == ApplicationKind.CORRECTION.value:
            stored_changes = {k: v.isoformat() if isinstance(v, dt.date) else
                              refuse_iin_in_text(v, field=k) if isinstance(v, str) else v
                              for k, v in parse_changes(changes or {}).items()}
        elif changes:
            raise RecordError(texts.text("v_case_changes_not_for", field="changes"))
        statement = free_text(explanation, field="explanation", required=True)
    document = lock_document(session, officer=officer, series=series, number=number)
    require_in_force(session, document, action=_ACTION[kind])
    if scope == ApplicationScope.APPENDIX.value and stored_changes and kind == ApplicationKind.DUPLICATE.value:
        raise RecordError(texts.text("v_case_changes_not_for", field="changes"))
    open_one = session.exec(select(Application.number).where(
        Application.document_id == document.id, col(Application.state).in_(OPEN_STATES))).first()
    if open_one is not None:
        raise ConflictError(texts.text("v_case_open_exists", document=document_ref(document), number=open_one))
    term = term_for(kind, document.doc_type)
    due = deadlines(term, received_on, calendar).due if term is not None else None
    # the handling institution: the document's own, or the archive of a closed one (seed 000, Rules item 23)
    institution = session.get(Institution, handling_institution_id(session, document.institution_id))
    assert institution is not None and institution.id is not None and document.id is not None
    application = Application(
        number=_next_number(session, institution, year=received_on.year), institution_id=institution.id,
        kind=kind, term=term, document_id=document.id, scope=scope, reason=reason, changes=stored_changes,
        explanation=statement, received_on=received_on, channel=channel, presented=kinds,
        state=ApplicationState.REGISTERED.value, due_on=due, prepared_by=officer_id(officer), created_at=at,
        updated_at=at)
    session.add(application)
    session.flush()
    _step(session, application, officer, "register", at=at,
          details={"kind": kind, "document": document_ref(document), "received_on": received_on.isoformat(),
                   "channel": channel, "presented": kinds, "due_on": due.isoformat() if due else None,
                   "term": term, "scope": scope, "reason": reason})
    return application


def _next_number(session: Session, institution: Institution, *, year: int) -> str:
    """The next application number of the institution in `year`: "<BIN>-<year>-<6 digits>", never given twice."""
    values = {"institution_id": institution.id, "year": year, "last": 0}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ApplicationCounter).values(**values).on_conflict_do_nothing())
    counter = session.exec(select(ApplicationCounter).where(
        ApplicationCounter.institution_id == institution.id, ApplicationCounter.year == year)
        .with_for_update().execution_options(populate_existing=True)).one()
    counter.last += 1
    session.add(counter)
    return f"{institution.bin}-{year}-{counter.last:06d}"


# ----------------------------------------------------------------------------- review, notice, hearing
def start_review(session: Session, officer: Officer, *, number: str, at: dt.datetime) -> Application:
    """registered -> under_review (not for an annulment, which goes to the head at once); commits.

    Raises:
        NotFoundError, ForbiddenError: no such application, or of another institution; a viewer.
        LifecycleError: not registered, or an annulment.
    """
    with unit_of_work(session):
        return _review(session, officer, number=number, at=at)


def _review(session: Session, officer: Officer, *, number: str, at: dt.datetime) -> Application:
    application = _lock(session, officer, number)
    if application.kind == ApplicationKind.ANNULMENT.value:
        raise LifecycleError(texts.text("v_case_annulment_no_review", number=number))
    _require_state(application, ApplicationState.REGISTERED)
    _move(session, application, officer, ApplicationState.UNDER_REVIEW, "review", at=at, details={})
    return application


def send_refusal_notice(session: Session, officer: Officer, *, number: str, reasons: Iterable[str], text: str,
                        at: dt.datetime, calendar: WorkCalendar | None = None) -> Application:
    """under_review -> refusal_notice: the applicant is told of the preliminary refusal; commits.

    Seed 000, item 58: the notice is sent at least 3 working days before the term ends; the hearing is held within
    2 working days of it (`hearing_until`).

    Args:
        reasons: grounds of seed 000 appendix 6 row 9 (`models.RefusalReason`), at least one.
        text: the reasoned text of the preliminary decision.

    Raises:
        LifecycleError: not under review, or later than 3 working days before the due date.
        RecordError: no or unknown grounds, no text.
        IinInTextError: the text holds an IIN.
    """
    days = calendar or _CALENDAR
    grounds = parse_refusal_reasons(reasons)
    statement = free_text(text, field="text", required=True)
    with unit_of_work(session):
        application = _lock(session, officer, number)
        _require_state(application, ApplicationState.UNDER_REVIEW)
        today = local_day(at)
        assert application.due_on is not None
        last = days.subtract_working_days(application.due_on, 3)
        if today > last:
            raise LifecycleError(texts.text("v_case_notice_late", number=number, last=last, due=application.due_on))
        application.refusal_reasons, application.refusal_text = grounds, statement
        application.notice_on, application.hearing_until = today, hearing_by(today, days)
        _move(session, application, officer, ApplicationState.REFUSAL_NOTICE, "notice", at=at,
              details={"reasons": grounds, "text": statement,
                       "hearing_until": application.hearing_until.isoformat()})
    return application


def record_hearing(session: Session, officer: Officer, *, number: str, statement: str,
                   at: dt.datetime) -> Application:
    """refusal_notice -> hearing: what the applicant said (or objected) at the hearing; commits.

    Raises:
        LifecycleError: no notice was sent.
        RecordError: an empty statement.
        IinInTextError: the statement holds an IIN.
    """
    said = free_text(statement, field="statement", required=True)
    with unit_of_work(session):
        application = _lock(session, officer, number)
        _require_state(application, ApplicationState.REFUSAL_NOTICE)
        _move(session, application, officer, ApplicationState.HEARING, "hearing", at=at, details={"statement": said})
    return application


# ----------------------------------------------------------------------------- proposal, approval
def propose(session: Session, officer: Officer, *, number: str, decision: str, reasons: Iterable[str] = (),
            text: str | None = None, at: dt.datetime) -> Application:
    """The registrar's proposal: -> awaiting_approval; commits.

    A grant is proposed from under_review, refusal_notice or hearing (an annulment: from registered). A refusal of a
    duplicate or correction only after the notice: at the hearing, or once the hearing window has passed (seed 000,
    item 58); its grounds and text default to the notice's. An annulment is refused with a text.

    Args:
        decision: "grant" or "refuse".
        reasons, text: the refusal's grounds (seed 000 appendix 6 row 9) and reasoned text.

    Raises:
        LifecycleError: the case is not at a step where this decision can be proposed.
        RecordError: a bad decision, grounds or text.
    """
    with unit_of_work(session):
        return _propose(session, officer, number=number, decision=decision, reasons=reasons, text=text, at=at)


def _propose(session: Session, officer: Officer, *, number: str, decision: str, reasons: Iterable[str],
             text: str | None, at: dt.datetime) -> Application:
    decision, given = parse_decision(decision), list(reasons)
    application = _lock(session, officer, number)
    annulment = application.kind == ApplicationKind.ANNULMENT.value
    if decision == Proposal.GRANT.value:
        allowed = (ApplicationState.REGISTERED,) if annulment else (
            ApplicationState.UNDER_REVIEW, ApplicationState.REFUSAL_NOTICE, ApplicationState.HEARING)
        _require_state(application, *allowed)
        application.refusal_reasons, application.refusal_text = [], None
    elif annulment:
        _require_state(application, ApplicationState.REGISTERED)
        application.refusal_reasons = parse_refusal_reasons(given) if given else []
        application.refusal_text = free_text(text, field="text", required=True)
    else:
        _require_state(application, ApplicationState.HEARING, ApplicationState.REFUSAL_NOTICE)
        if application.state == ApplicationState.REFUSAL_NOTICE.value:
            assert application.hearing_until is not None
            if local_day(at) <= application.hearing_until:
                raise LifecycleError(texts.text("v_case_hearing_open", number=number, until=application.hearing_until))
        application.refusal_reasons = parse_refusal_reasons(given) if given else application.refusal_reasons
        application.refusal_text = free_text(text, field="text", required=False) or application.refusal_text
    application.proposal, application.prepared_by = decision, officer_id(officer)
    _move(session, application, officer, ApplicationState.AWAITING_APPROVAL, "propose", at=at,
          details={"decision": decision, "reasons": application.refusal_reasons, "text": application.refusal_text})
    return application


def approve(session: Session, head: Officer, *, number: str, signer: SignerChooser | None, base_url: str,
            at: dt.datetime) -> Application:
    """The head's approval: the proposal takes effect; commits (one transaction with its effect).

    Grant: the duplicate is issued (signed now, by `signer`, in the head's name), the correction made, or the
    document annulled, through `verify.registry.lifecycle`; the case links the duplicate (`result_document_id`) or
    the correction's revision (`result_revision`). A duplicate of the appendix alone (seed 000, appendix 5) records
    the decision; the document itself stays in force. Refuse: the decision is stored with its grounds.

    Args:
        head: a head of the handling institution, neither the account that registered the case nor the one that
            prepared it.
        signer: the document signers (a duplicate or a correction is signed); None only for an annulment or refusal.
        base_url: the verification host of the QR link.

    Raises:
        ForbiddenError: not an active head of the institution; the head registered or prepared the case.
        LifecycleError: not awaiting approval; the document's state forbids the effect now (nothing is stored).
        NoSignerInScopeError: no signer may sign the series (nothing is stored).
    """
    require_head(head)
    with unit_of_work(session):
        application = _lock(session, head, number)
        _require_state(application, ApplicationState.AWAITING_APPROVAL)
        registered_by = session.exec(select(ApplicationEvent.actor_id).where(
            ApplicationEvent.application_id == application.id, ApplicationEvent.action == "register")).first()
        if head.id in (application.prepared_by, registered_by):
            raise ForbiddenError(texts.text("v_case_same_officer", username=head.username, number=number))
        document = session.get(Document, application.document_id)
        assert document is not None
        details: dict[str, Any] = {"decision": application.proposal, "document": document_ref(document),
                                   "prepared_by": _username(session, application.prepared_by),
                                   "approved_by": head.username}
        if application.proposal == Proposal.GRANT.value:
            _carry_out(session, application, head, document, signer=signer, base_url=base_url, at=at)
            if application.result_document_id is not None:
                result = session.get(Document, application.result_document_id)
                assert result is not None
                details["result"] = document_ref(result)
            if application.result_revision is not None:
                details["revision"] = application.result_revision
            state = ApplicationState.GRANTED
        else:
            details["reasons"], details["text"] = application.refusal_reasons, application.refusal_text
            state = ApplicationState.REFUSED
        application.approved_by, application.decided_at = officer_id(head), at
        _move(session, application, head, state, "approve", at=at, details=details)
    return application


def _carry_out(session: Session, application: Application, head: Officer, document: Document, *,
               signer: SignerChooser | None, base_url: str, at: dt.datetime) -> None:
    if application.kind == ApplicationKind.ANNULMENT.value:
        assert application.explanation is not None
        annul_document(session=session, officer=head, series=document.series, number=document.number,
                       basis=f"{application.explanation} ({application.number})", at=at, commit=False,
                       kind=application.reason or AnnulmentKind.ORDER.value)
        return
    if application.scope == ApplicationScope.APPENDIX.value and application.kind == ApplicationKind.DUPLICATE.value:
        lock_document(session, officer=head, series=document.series, number=document.number)
        require_in_force(session, document, action="duplicate")
        assert document.id is not None
        if current_appendix(session, document.id) is not None:  # the signed appendix: duplicate No. N of it alone
            if signer is None:
                raise LifecycleError(texts.text("v_case_signer_needed", number=application.number))
            made = duplicate_appendix(session=session, officer=head, series=document.series, number=document.number,
                                      reason=application.reason or "lost", signer=signer, at=at, commit=False)
            application.result_revision = made.revision
        return
    if signer is None:
        raise LifecycleError(texts.text("v_case_signer_needed", number=application.number))
    if application.kind == ApplicationKind.DUPLICATE.value:
        assert application.reason is not None
        name = application.changes
        duplicate = issue_duplicate(
            session=session, officer=head, series=document.series, number=document.number, reason=application.reason,
            signer=signer, base_url=base_url, at=at, commit=False,
            new_name=HolderName(name["surname"], name["name"], name.get("patronymic")) if name else None)
        application.result_document_id = duplicate.id
        return
    if application.scope == ApplicationScope.APPENDIX.value:  # the appendix alone: a new revision of it
        corrected = correct_appendix(session=session, officer=head, series=document.series, number=document.number,
                                     items=appendix_items(application.changes), reason=application.explanation or "",
                                     signer=signer, at=at, commit=False)
        application.result_revision = corrected.revision
        return
    revision = correct_document(session=session, officer=head, series=document.series, number=document.number,
                                changes=application.changes or {}, reason=application.explanation or "",
                                signer=signer, base_url=base_url, at=at, commit=False)
    application.result_revision = revision.revision


def return_for_review(session: Session, head: Officer, *, number: str, comment: str,
                      at: dt.datetime) -> Application:
    """awaiting_approval -> under_review (an annulment: registered), with the head's comment; commits.

    Raises:
        ForbiddenError: not an active head of the institution.
        LifecycleError: not awaiting approval.
        RecordError: an empty comment.
        IinInTextError: the comment holds an IIN.
    """
    require_head(head)
    said = free_text(comment, field="comment", required=True)
    with unit_of_work(session):
        application = _lock(session, head, number)
        _require_state(application, ApplicationState.AWAITING_APPROVAL)
        back = ApplicationState.REGISTERED if application.kind == ApplicationKind.ANNULMENT.value \
            else ApplicationState.UNDER_REVIEW
        application.proposal = None
        _move(session, application, head, back, "return", at=at, details={"comment": said})
    return application


def register_and_grant(session: Session, officer: Officer, *, kind: str, series: str, number: str,
                       received_on: dt.date, channel: str, presented: Iterable[str], reason: str | None = None,
                       scope: str = "document", changes: Mapping[str, Any] | None = None,
                       explanation: str | None = None, at: dt.datetime,
                       calendar: WorkCalendar | None = None) -> Application:
    """What the direct commands (`verify duplicate|correct|annul`) are now: register, review and propose a grant in
    one transaction for the officer handling it; it still takes effect only when a head approves (`approve`).

    Args and raises: as `register_application`.

    Returns:
        The application, awaiting approval.
    """
    with unit_of_work(session):
        application = _register(session, officer, kind=kind, series=series, number=number, received_on=received_on,
                                channel=channel, presented=presented, reason=reason, scope=scope, changes=changes,
                                explanation=explanation, at=at, calendar=calendar or _CALENDAR)
        if application.kind != ApplicationKind.ANNULMENT.value:
            _review(session, officer, number=application.number, at=at)
        return _propose(session, officer, number=application.number, decision=Proposal.GRANT.value, reasons=(),
                        text=None, at=at)


# ----------------------------------------------------------------------------- helpers
def _lock(session: Session, officer: Officer, number: str) -> Application:
    """The application, locked for the transaction, of the officer's institution; the officer may write."""
    require_writer(officer)
    application = session.exec(select(Application).where(Application.number == str(number).strip())
                               .with_for_update().execution_options(populate_existing=True)).first()
    if application is None:
        raise NotFoundError(texts.text("v_case_not_found", number=number))
    require_institution(officer, application.institution_id, what=texts.text("v_what_application", number=number))
    return application


def _require_state(application: Application, *states: ApplicationState) -> None:
    if application.state not in {s.value for s in states}:
        raise LifecycleError(texts.text("v_case_state", number=application.number, state=application.state,
                                  expected=", ".join(s.value for s in states)))


def _move(session: Session, application: Application, officer: Officer, state: ApplicationState, action: str, *,
          at: dt.datetime, details: dict[str, Any]) -> None:
    before = application.state
    application.state, application.updated_at = state.value, at
    session.add(application)
    _step(session, application, officer, action, at=at, details={"from": before, "to": state.value, **details})


def _step(session: Session, application: Application, officer: Officer, action: str, *, at: dt.datetime,
          details: dict[str, Any]) -> None:
    """One step: the case's timeline and the audit chain ("application.<action>", naming the officer)."""
    assert application.id is not None
    session.add(ApplicationEvent(application_id=application.id, at=at, actor_kind="officer",
                                 actor_id=officer_id(officer), actor_name=officer.username, action=action,
                                 details=details))
    append_event(session=session, at=at, officer=officer, action=f"application.{action}", object_type="application",
                 object_ref=application.number, institution_id=application.institution_id,
                 after={"state": application.state, **details})


def _username(session: Session, officer_row_id: int | None) -> str | None:
    officer = session.get(Officer, officer_row_id) if officer_row_id is not None else None
    return officer.username if officer is not None else None
