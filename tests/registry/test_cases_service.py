"""Applications as cases (issue 13, items 1-3): the state machine, on SQLite and PostgreSQL (conftest: `db_url`).

The main path (a lost diploma): registered -> under review -> awaiting approval -> granted by the head, who is not
the registrar; the duplicate exists only after the approval, and the audit log names both officers. A refused
correction goes through the preliminary notice and the hearing (seed 000, item 58). An annulment is a case too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session, col, select
from support.world import BASE_URL, T0, World, duplicate, issue_row, later, make_iin, row

from verify.errors import ConflictError, ForbiddenError, IinInTextError, LifecycleError, RecordError
from verify.registry import cases
from verify.registry.documents import get_document_or_raise, get_revision, record_of
from verify.registry.models import Application, AuditEvent, Document, DocumentState, Officer
from verify.status import StatusCode
from verify.workdays import WorkCalendar, deadlines

RECEIVED = dt.date(2026, 7, 1)  # a Wednesday; 6 July (Capital Day) falls inside the term


def register(world: World, document: Document, *, officer: Officer | None = None, kind: str = "duplicate",
             at: dt.datetime = T0, **kwargs: Any) -> Application:
    values: dict[str, Any] = {"received_on": RECEIVED, "channel": "in_person",
                              "presented": ["application", "identity_document", "loss_announcement"]}
    if kind == "duplicate":
        values["reason"] = "lost"
    values.update(kwargs)
    with world.session() as session:
        return cases.register_application(session, officer or world.uni_issuer, kind=kind, series=document.series,
                                          number=document.number, at=at, **values)


APPROVED_AT = later(60)


def approve(world: World, number: str, *, head: Officer | None = None, at: dt.datetime = APPROVED_AT) -> Application:
    with world.session() as session:
        return cases.approve(session, head or world.uni_head, number=number, signer=world.signer, base_url=BASE_URL,
                             at=at)


def state_of(world: World, number: str) -> str:
    value = world.scalar("SELECT state FROM applications WHERE number = :n", n=number)
    assert isinstance(value, str)
    return value


def audit(session: Session, number: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.object_ref == number).order_by(col(AuditEvent.seq))))


def test_a_lost_diploma_takes_effect_only_when_the_head_approves(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    application = register(world, document)
    assert application.number == f"{world.uni.bin}-2026-000001"
    assert (application.state, application.term, application.due_on) == ("registered", "duplicate",
                                                                           dt.date(2026, 7, 23))
    with world.session() as session:
        cases.start_review(session, world.uni_issuer, number=application.number, at=later(5))
        proposed = cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=later(6))
    assert proposed.state == "awaiting_approval" and proposed.prepared_by == world.uni_issuer.id
    # The registrar alone changed nothing: the original is in force, there is no duplicate.
    assert world.verifier().check(rev1.qr_text, at=later(7)).verdict == "VALID"
    assert world.scalar("SELECT count(*) FROM documents") == 1
    with world.session() as session, pytest.raises(ForbiddenError):
        cases.approve(session, world.uni_issuer, number=application.number, signer=world.signer, base_url=BASE_URL,
                      at=later(8))
    granted = approve(world, application.number)
    assert (granted.state, granted.approved_by, granted.decided_at) == ("granted", world.uni_head.id, later(60))
    with world.session() as session:
        dup = session.get(Document, granted.result_document_id)
        assert dup is not None and dup.duplicate_no == 1 and dup.issued_by == world.uni_head.id
        original = get_document_or_raise(session=session, series=document.series, number=document.number)
        assert original.state == DocumentState.REPLACED.value and original.replaced_by_id == dup.id
        events = audit(session, application.number)
        assert [e.action for e in events] == ["application.register", "application.review", "application.propose",
                                              "application.approve"]
        last = events[-1]
        assert last.officer_id == world.uni_head.id and last.after is not None
        assert (last.after["prepared_by"], last.after["approved_by"]) == ("uni.issuer", "uni.head")
        assert last.after["result"] == f"{dup.series} {dup.number}"
        view = cases.get_application(session, world.uni_viewer, number=application.number, today=RECEIVED)
        dup_revision = get_revision(session=session, document=dup)
    assert [step.action for step in view.timeline] == ["register", "review", "propose", "approve"]
    assert view.timeline[-1].actor == "uni.head" and view.result_document == f"{dup.series} {dup.number}"
    assert (view.prepared_by, view.approved_by, view.document) == ("uni.issuer", "uni.head", "BD 0000001")
    report = world.verifier().check(rev1.qr_text, at=later(61))
    assert report.verdict == "REPLACED"
    assert world.verifier().check(dup_revision.qr_text, at=later(61)).registry.code is StatusCode.DUPLICATE_VALID  # type: ignore[union-attr]


def test_no_head_approves_what_they_registered_or_prepared_nor_another_institutions(world: World) -> None:
    document, _ = issue_row(world, row(2))
    with world.session() as session:
        application = cases.register_and_grant(session, world.uni_head, kind="duplicate", series="BD",
                                               number=document.number, received_on=RECEIVED, channel="egov",
                                               presented=["digital_identity_document"], reason="damaged", at=T0)
    assert application.state == "awaiting_approval" and application.proposal == "grant"
    with pytest.raises(ForbiddenError) as caught:
        approve(world, application.number, head=world.uni_head)
    assert "uni.head" in str(caught.value)
    with pytest.raises(ForbiddenError):
        approve(world, application.number, head=world.col_head)
    assert state_of(world, application.number) == "awaiting_approval"
    with world.session() as session, pytest.raises(ForbiddenError):
        cases.register_application(session, world.uni_viewer, kind="duplicate", series="BD", number=document.number,
                                   received_on=RECEIVED, channel="egov", presented=["application"], reason="lost",
                                   at=T0)


def test_a_refused_correction_goes_through_the_notice_and_the_hearing(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    application = register(world, document, kind="correction", changes={"name": "Гүлнар"},
                           explanation="the name is misspelt on the diploma", presented=["electronic_copy"],
                           channel="egov")
    assert (application.term, application.due_on) == ("correction-he", dt.date(2026, 7, 23))
    number = application.number
    with world.session() as session:
        with pytest.raises(LifecycleError):  # a notice is sent during the review
            cases.send_refusal_notice(session, world.uni_issuer, number=number, reasons=["unreliable_documents"],
                                      text="the archive holds another name", at=later(1))
        cases.start_review(session, world.uni_issuer, number=number, at=later(2))
        with pytest.raises(LifecycleError):  # later than 3 working days before the term ends (20 July)
            cases.send_refusal_notice(session, world.uni_issuer, number=number, reasons=["unreliable_documents"],
                                      text="the archive holds another name",
                                      at=dt.datetime(2026, 7, 21, 5, tzinfo=dt.UTC))
        with pytest.raises(RecordError):
            cases.send_refusal_notice(session, world.uni_issuer, number=number, reasons=["no_such_ground"],
                                      text="x", at=later(3))
        noticed = cases.send_refusal_notice(session, world.uni_issuer, number=number,
                                            reasons=["unreliable_documents", "unreliable_documents"],
                                            text="the archive holds another name", at=later(3))
        assert (noticed.state, noticed.notice_on, noticed.hearing_until) == ("refusal_notice", RECEIVED,
                                                                              dt.date(2026, 7, 3))
        assert noticed.refusal_reasons == ["unreliable_documents"]
        with pytest.raises(LifecycleError):  # the hearing window is still open
            cases.propose(session, world.uni_issuer, number=number, decision="refuse", at=later(4))
        cases.record_hearing(session, world.uni_issuer, number=number, statement="the applicant brought no proof",
                             at=later(30))
        refused = cases.propose(session, world.uni_issuer, number=number, decision="refuse", at=later(31))
    assert (refused.proposal, refused.refusal_text) == ("refuse", "the archive holds another name")
    decided = approve(world, number)
    assert decided.state == "refused" and decided.result_revision is None
    assert world.verifier().check(rev1.qr_text, at=later(61)).verdict == "VALID"
    with world.session() as session:
        assert get_document_or_raise(session=session, series="BD", number=document.number).current_revision == 1
        view = cases.get_application(session, world.uni_issuer, number=number)
    assert [s.action for s in view.timeline] == ["register", "review", "notice", "hearing", "propose", "approve"]
    assert view.timeline[3].details["statement"] == "the applicant brought no proof"


def test_a_refusal_after_the_hearing_window_passed_without_a_hearing(world: World) -> None:
    document, _ = issue_row(world, row(2))
    number = register(world, document).number
    with world.session() as session:
        cases.start_review(session, world.uni_issuer, number=number, at=later(1))
        cases.send_refusal_notice(session, world.uni_issuer, number=number, reasons=["documents_not_compliant"],
                                  text="no announcement of the loss", at=later(2))
        refused = cases.propose(session, world.uni_issuer, number=number, decision="refuse",
                                reasons=["no_personal_data_consent"], at=dt.datetime(2026, 7, 6, 6, tzinfo=dt.UTC))
    assert refused.refusal_reasons == ["no_personal_data_consent"]


def test_a_granted_correction_links_its_revision_and_the_head_can_return_a_case(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    with world.session() as session:
        application = cases.register_and_grant(
            session, world.uni_issuer, kind="correction", series="BD", number=document.number, received_on=RECEIVED,
            channel="egov", presented=["electronic_copy"], changes={"award_date": "2026-06-29"},
            explanation="the award date is wrong", at=T0)
        returned = cases.return_for_review(session, world.uni_head, number=application.number,
                                           comment="attach the commission's decision", at=later(10))
        assert (returned.state, returned.proposal) == ("under_review", None)
        with pytest.raises(LifecycleError):
            cases.approve(session, world.uni_head, number=application.number, signer=world.signer,
                          base_url=BASE_URL, at=later(11))
        cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=later(12))
    granted = approve(world, application.number)
    assert (granted.state, granted.result_revision, granted.result_document_id) == ("granted", 2, None)
    assert world.verifier().check(rev1.qr_text, at=later(61)).verdict == "CORRECTED"


def test_an_annulment_is_a_case_without_a_term_and_takes_effect_when_the_head_approves(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    application = register(world, document, kind="annulment", explanation="order No. 17 of the rector",
                           presented=["application"])
    assert (application.term, application.due_on) == (None, None)
    with world.session() as session:
        with pytest.raises(LifecycleError):
            cases.start_review(session, world.uni_issuer, number=application.number, at=later(1))
        cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=later(2))
    assert world.verifier().check(rev1.qr_text, at=later(3)).verdict == "VALID"
    approve(world, application.number)
    with world.session() as session:
        annulled = get_document_or_raise(session=session, series="BD", number=document.number)
    assert annulled.state == DocumentState.ANNULLED.value and annulled.annulled_by == world.uni_head.id
    assert annulled.annul_basis == f"order No. 17 of the rector ({application.number})"


def test_an_appendix_duplicate_records_the_decision_and_keeps_the_document(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    application = register(world, document, scope="appendix", reason="damaged", presented=["damaged_original"])
    with world.session() as session:
        cases.start_review(session, world.uni_issuer, number=application.number, at=later(1))
        cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=later(2))
    granted = approve(world, application.number)
    assert (granted.state, granted.result_document_id) == ("granted", None)
    assert world.verifier().check(rev1.qr_text, at=later(61)).verdict == "VALID"


def test_the_approval_and_its_effect_are_one_transaction(world: World) -> None:
    document, _ = issue_row(world, row(2))
    with world.session() as session:
        application = cases.register_and_grant(session, world.uni_issuer, kind="duplicate", series="BD",
                                               number=document.number, received_on=RECEIVED, channel="in_person",
                                               presented=["application"], reason="lost", at=T0)
    duplicate(world, document, at=later(5))  # the lifecycle executor acting directly (a test's setup)
    with pytest.raises(LifecycleError):
        approve(world, application.number)
    assert state_of(world, application.number) == "awaiting_approval"
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'application.approve'") == 0


def test_one_open_application_per_document_and_numbers_per_institution_and_year(world: World) -> None:
    first, _ = issue_row(world, row(2))
    second, _ = issue_row(world, row(3))
    a = register(world, first)
    with pytest.raises(ConflictError):
        register(world, first, kind="correction", changes={"name": "Гүлнар"}, explanation="misspelt")
    b = register(world, second, kind="correction", changes={"name": "Гүлнар"}, explanation="misspelt")
    assert [a.number, b.number] == [f"{world.uni.bin}-2026-000001", f"{world.uni.bin}-2026-000002"]
    with world.session() as session:
        cases.start_review(session, world.uni_issuer, number=b.number, at=later(1))
        cases.propose(session, world.uni_issuer, number=b.number, decision="grant", at=later(2))
    approve(world, b.number)
    nxt = register(world, second, kind="annulment", explanation="court decision 5", presented=["application"],
                   received_on=dt.date(2027, 1, 5), at=dt.datetime(2027, 1, 5, 6, tzinfo=dt.UTC))
    assert nxt.number == f"{world.uni.bin}-2027-000001"


@pytest.mark.parametrize(("changes", "error"), [
    ({"kind": "renewal"}, RecordError),
    ({"channel": "fax"}, RecordError),
    ({"presented": []}, RecordError),
    ({"presented": ["photocopy"]}, RecordError),
    ({"reason": None}, RecordError),
    ({"reason": "name_changed"}, RecordError),
    ({"reason": "lost", "changes": {"surname": "Серікова", "name": "Гүлнұр"}}, RecordError),
    ({"scope": "appendix", "kind": "correction", "changes": {"name": "A"}, "explanation": "x", "reason": None},
     RecordError),
    ({"received_on": dt.date(2026, 7, 2)}, RecordError),
    ({"explanation": f"my IIN is {make_iin()}"}, IinInTextError),
    ({"kind": "correction", "changes": {"surname": f"Серікова {make_iin()}"}, "explanation": "x", "reason": None},
     IinInTextError),
])
def test_bad_applications_are_refused_with_the_field_named(world: World, changes: dict[str, Any],
                                                         error: type[Exception]) -> None:
    document, _ = issue_row(world, row(2))
    changes = dict(changes)  # the parameters are shared by both engines' runs
    kind = changes.pop("kind", "duplicate")
    with pytest.raises(error):
        register(world, document, kind=kind, **changes)
    assert world.scalar("SELECT count(*) FROM applications") == 0


def test_a_duplicate_for_a_new_name_carries_it(world: World) -> None:
    document, _ = issue_row(world, row(2))
    application = register(world, document, reason="name_changed", presented=["name_change_certificate"],
                           changes={"surname": "Серікова", "name": "Гүлнұр", "patronymic": ""})
    assert application.changes == {"surname": "Серікова", "name": "Гүлнұр", "patronymic": None}
    with world.session() as session:
        cases.start_review(session, world.uni_issuer, number=application.number, at=later(1))
        cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=later(2))
    granted = approve(world, application.number)
    with world.session() as session:
        dup = session.get(Document, granted.result_document_id)
        assert dup is not None
        record = record_of(get_revision(session=session, document=dup))
    assert (record.holder.surname, record.holder.patronymic, record.duplicate.original_number) == (  # type: ignore[union-attr]
        "Серікова", None, document.number)


def test_the_due_date_counts_kazakhstans_working_days_across_independence_day(world: World) -> None:
    document, _ = issue_row(world, row(2))
    received = dt.date(2026, 12, 10)
    application = register(world, document, received_on=received, at=dt.datetime(2026, 12, 10, 5, tzinfo=dt.UTC))
    expected = deadlines("duplicate", received, WorkCalendar()).due
    assert application.due_on == expected
    naive = received + dt.timedelta(days=21)  # 15 weekdays, no holidays
    assert expected > naive  # 16 and 17 December and the New Year push it later


@pytest.mark.parametrize("step", ["notice", "hearing", "refuse", "return"])
def test_every_free_text_of_a_case_refuses_an_iin(world: World, step: str) -> None:
    document, _ = issue_row(world, row(2))
    number = register(world, document).number
    said = f"the applicant {make_iin()} objects"
    with world.session() as session:
        cases.start_review(session, world.uni_issuer, number=number, at=later(1))
        if step == "notice":
            with pytest.raises(IinInTextError):
                cases.send_refusal_notice(session, world.uni_issuer, number=number, reasons=["unreliable_documents"],
                                          text=said, at=later(2))
            return
        if step == "return":
            cases.propose(session, world.uni_issuer, number=number, decision="grant", at=later(2))
            with pytest.raises(IinInTextError):
                cases.return_for_review(session, world.uni_head, number=number, comment=said, at=later(3))
            return
        cases.send_refusal_notice(session, world.uni_issuer, number=number, reasons=["unreliable_documents"],
                                  text="no proof", at=later(2))
        if step == "hearing":
            with pytest.raises(IinInTextError):
                cases.record_hearing(session, world.uni_issuer, number=number, statement=said, at=later(3))
            return
        cases.record_hearing(session, world.uni_issuer, number=number, statement="none", at=later(3))
        with pytest.raises(IinInTextError):
            cases.propose(session, world.uni_issuer, number=number, decision="refuse", text=said, at=later(4))
