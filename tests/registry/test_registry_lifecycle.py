"""Every lifecycle transition, checked through the verifier with the registry's StatusLookup.

Timeline of the main case (seed 000 items 21-25, appendix 38; DESIGN.md "Registry and lifecycle"):

    T0      BD 0000001 issued (revision 1)                  -> VALID / ORIGINAL_VALID
    T0+10   corrected: name (revision 2)                    -> rev 1 CORRECTED (changed: name); rev 2 VALID
    T0+20   duplicate No. 1 (lost) instead of it            -> original REPLACED (names No. 1, date, reason);
                                                               duplicate VALID / DUPLICATE_VALID of BD 0000001
    T0+30   duplicate No. 2 (name changed) instead of No. 1 -> No. 1 REPLACED by No. 2; No. 2 names the FIRST original
    T0+40   No. 2 annulled with its basis                   -> ANNULLED; final
Both engines run each test (conftest: `db_url` is parametrised).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from support.world import BASE_URL, T0, World, annul, correct, duplicate, issue_row, later, row

from verify.errors import ForbiddenError, LifecycleError, NotFoundError, RecordError
from verify.issue import sign_record
from verify.record import DuplicateOf, HolderName
from verify.registry.documents import get_document_or_raise, list_revisions, record_of
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
from verify.registry.models import DocumentPublic, DocumentRevision, DocumentState, Holder
from verify.status import StatusCode
from verify.verifier import VALID


def check(world: World, revision: DocumentRevision, at: dt.datetime) -> tuple[str, object]:
    report = world.verifier().check(revision.qr_text, at=at)
    assert report.authentic, report.message
    return report.verdict, report.registry


def test_an_issued_original_verifies_valid(world: World) -> None:
    document, revision = issue_row(world, row(2))
    assert (document.series, document.number, document.state) == ("BD", "0000001", DocumentState.VALID.value)
    verdict, status = check(world, revision, later(1))
    assert verdict == VALID
    assert status.code is StatusCode.ORIGINAL_VALID and status.current_revision == 1  # type: ignore[union-attr]
    assert record_of(revision).holder.full_name == "Әбдірахманова Гүлнұр Серікқызы"
    assert document.stamp() is None and document.stamp_texts == {}


def test_a_correction_makes_a_new_revision_and_the_old_qr_says_corrected(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    rev2 = correct(world, document, {"name": "Гүлнар"}, at=later(10))
    assert (rev2.revision, rev2.changed_fields, rev2.reason) == (2, ["name"], "a typing error in the registry")
    assert record_of(rev2).holder.name == "Гүлнар" and record_of(rev2).revision == 2
    verdict, status = check(world, rev1, later(11))
    assert verdict == "CORRECTED"
    assert status.code is StatusCode.CORRECTED  # type: ignore[union-attr]
    assert status.current_revision == 2 and status.changed_fields == ("name",)  # type: ignore[union-attr]
    assert status.changed_at == later(10) and status.reason == "a typing error in the registry"  # type: ignore[union-attr]
    assert check(world, rev2, later(11))[0] == VALID
    rev3 = correct(world, document, {"award_date": "2026-06-29"}, at=later(12))
    status1 = check(world, rev1, later(13))[1]
    assert status1.changed_fields == ("name", "award_date")  # type: ignore[union-attr]
    status2 = check(world, rev2, later(13))[1]
    assert status2.changed_fields == ("award_date",) and status2.current_revision == 3  # type: ignore[union-attr]
    assert check(world, rev3, later(13))[0] == VALID
    with world.session() as session:
        kept = list_revisions(session=session, document=get_document_or_raise(session=session, series="BD",
                                                                              number=document.number))
        assert [r.revision for r in kept] == [1, 2, 3]
        assert [r.payload_sha256 for r in kept] == [rev1.payload_sha256, rev2.payload_sha256, rev3.payload_sha256]
        holder = session.get(Holder, 1)
        assert holder is not None and holder.name == "Гүлнар"  # a corrected name is the holder's name
    # Before the correction was made, the registry said the first revision was in force.
    assert check(world, rev1, later(5))[0] == VALID


def test_a_duplicate_replaces_the_original(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    dup, dup_rev = duplicate(world, document, reason="lost", at=later(20))
    assert (dup.series, dup.number, dup.duplicate_no, dup.duplicate_reason) == ("BD", "0000002", 1, "lost")
    assert record_of(dup_rev).duplicate == DuplicateOf(1, "BD", "0000001")
    assert dup.stamp("kk") == "Түпнұсқаның орнына берілген № 1 телнұсқа"
    assert dup.stamp("ru") == "Дубликат № 1 выдан взамен оригинала"
    assert dup.stamp("en") == "Duplicate No. 1 issued instead of the original"
    assert DocumentPublic.model_validate(dup).stamp_texts["en"] == "Duplicate No. 1 issued instead of the original"
    verdict, status = check(world, rev1, later(21))
    assert verdict == "REPLACED"
    replaced_by = status.replaced_by  # type: ignore[union-attr]
    assert (replaced_by.series, replaced_by.number, replaced_by.duplicate_no) == ("BD", "0000002", 1)
    assert (replaced_by.issued_on, replaced_by.reason) == (later(20).date(), "lost")
    verdict, status = check(world, dup_rev, later(21))
    assert verdict == VALID and status.code is StatusCode.DUPLICATE_VALID  # type: ignore[union-attr]
    assert status.duplicate_no == 1  # type: ignore[union-attr]
    assert (status.original.series, status.original.number) == ("BD", "0000001")  # type: ignore[union-attr]
    with world.session() as session:
        original = get_document_or_raise(session=session, series="BD", number="0000001")
        assert original.state == DocumentState.REPLACED.value and original.replaced_at == later(20)
    # As of a time before the duplicate, the original was in force.
    assert check(world, rev1, later(19))[0] == VALID


def test_a_later_duplicate_replaces_the_earlier_one_and_names_the_first_original(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    dup1, dup1_rev = duplicate(world, document, reason="damaged", at=later(20))
    dup2, dup2_rev = duplicate(world, dup1, reason="lost", at=later(30))
    assert dup2.duplicate_no == 2
    assert record_of(dup2_rev).duplicate == DuplicateOf(2, "BD", "0000001")
    assert dup2.stamp("kk") == "Түпнұсқаның орнына берілген № 2 телнұсқа"
    verdict, status = check(world, dup1_rev, later(31))
    assert verdict == "REPLACED"
    assert (status.replaced_by.number, status.replaced_by.duplicate_no) == (dup2.number, 2)  # type: ignore[union-attr]
    assert status.duplicate_no == 1 and status.original.number == "0000001"  # type: ignore[union-attr]
    assert check(world, rev1, later(31))[0] == "REPLACED"
    verdict, status = check(world, dup2_rev, later(31))
    assert verdict == VALID and status.duplicate_no == 2  # type: ignore[union-attr]
    assert status.original.number == "0000001"  # type: ignore[union-attr]
    # A replaced document cannot be duplicated again: the duplicate is issued instead of the one in force.
    with pytest.raises(LifecycleError, match=r"replaced by duplicate No\. 1"):
        duplicate(world, document, at=later(32))


def test_after_a_duplicate_of_a_duplicate_every_replaced_one_points_to_the_document_in_force(world: World) -> None:
    """Issue 10 item 17: the original names duplicate No. 1, itself void; `in_force` names No. 2 (the chain's end)."""
    document, rev1 = issue_row(world, row(2))
    dup1, dup1_rev = duplicate(world, document, reason="damaged", at=later(20))
    verdict, status = check(world, rev1, later(21))
    assert verdict == "REPLACED" and status.in_force == status.replaced_by  # type: ignore[union-attr]
    dup2, _ = duplicate(world, dup1, reason="lost", at=later(30))
    for presented in (rev1, dup1_rev):
        verdict, status = check(world, presented, later(31))
        assert verdict == "REPLACED"
        in_force = status.in_force  # type: ignore[union-attr]
        assert in_force is not None
        assert (in_force.series, in_force.number, in_force.duplicate_no) == (dup2.series, dup2.number, 2)
        assert (in_force.issued_on, in_force.reason) == (later(30).date(), "lost")
        assert status.to_json()["in_force"]["number"] == dup2.number  # type: ignore[union-attr]
    assert check(world, rev1, later(31))[1].replaced_by.number == dup1.number  # type: ignore[union-attr]
    annul(world, dup2, at=later(40), basis="TEST ONLY court decision")
    verdict, status = check(world, rev1, later(41))
    assert verdict == "REPLACED" and status.in_force is None  # type: ignore[union-attr]
    assert check(world, rev1, later(35))[1].in_force.number == dup2.number  # type: ignore[union-attr]


def test_a_name_change_duplicate_carries_the_new_name(world: World) -> None:
    document, _ = issue_row(world, row(2))
    with pytest.raises(RecordError, match="carries the new name"):
        duplicate(world, document, reason="name_changed", at=later(20))
    with pytest.raises(RecordError, match="not for lost"):
        duplicate(world, document, reason="lost", at=later(20), new_name=HolderName("Серікова", "Гүлнұр"))
    with pytest.raises(RecordError, match="reason"):
        duplicate(world, document, reason="stolen", at=later(20))
    new_name = HolderName("Серікова", "Гүлнұр", "Серікқызы")
    dup, dup_rev = duplicate(world, document, reason="name_changed", at=later(20), new_name=new_name)
    assert record_of(dup_rev).holder == new_name
    assert dup.duplicate_reason == "name_changed"
    with world.session() as session:
        holder = session.get(Holder, 1)
        assert holder is not None and holder.surname == "Серікова"
    verdict, status = check(world, dup_rev, later(21))
    assert verdict == VALID and status.code is StatusCode.DUPLICATE_VALID  # type: ignore[union-attr]


def test_annulment_is_final_and_covers_every_revision(world: World) -> None:
    document, rev1 = issue_row(world, row(2))
    rev2 = correct(world, document, {"patronymic": ""}, at=later(10))
    assert record_of(rev2).holder.patronymic is None and rev2.changed_fields == ["patronymic"]
    annulled = annul(world, document, at=later(40), basis="court decision 2-123/2026")
    assert annulled.state == DocumentState.ANNULLED.value
    for revision in (rev1, rev2):
        verdict, status = check(world, revision, later(41))
        assert verdict == "ANNULLED"
        assert status.reason == "court decision 2-123/2026" and status.annulled_at == later(40)  # type: ignore[union-attr]
    with pytest.raises(LifecycleError, match="annulment is final"):
        annul(world, document, at=later(42))
    with pytest.raises(LifecycleError, match="annulment is final"):
        duplicate(world, document, at=later(42))
    with pytest.raises(LifecycleError, match="annulment is final"):
        correct(world, document, {"name": "Гүлнар"}, at=later(42))
    assert check(world, rev2, later(39))[0] == VALID


def test_a_replaced_document_cannot_be_corrected_or_annulled(world: World) -> None:
    document, _ = issue_row(world, row(2))
    duplicate(world, document, at=later(20))
    with pytest.raises(LifecycleError, match="void"):
        correct(world, document, {"name": "Гүлнар"}, at=later(21))
    with pytest.raises(LifecycleError, match="void"):
        annul(world, document, at=later(21))


def test_numbers_are_never_reused_not_after_an_annulment(world: World) -> None:
    first, _ = issue_row(world, row(2))
    annul(world, first, at=later(1))
    second, _ = issue_row(world, row(3), at=later(2))
    assert (first.number, second.number) == ("0000001", "0000002")
    assert world.scalar("SELECT last FROM counters WHERE series = 'BD'") == 2


def test_a_signed_record_the_registry_does_not_hold_is_not_in_registry(world: World) -> None:
    _, rev1 = issue_row(world, row(2))
    # Authentic, but never stored: a record signed outside the registry.
    stray = record_of(rev1).with_changes(number="0000099")
    text = sign_record(stray, signer=world.signer, base_url=BASE_URL, at=later(1)).qr_text
    report = world.verifier().check(text, at=later(2))
    assert report.authentic and report.verdict == "NOT_IN_REGISTRY"
    # Same series, number and revision, other content: the payload hash differs from the stored one.
    forged = record_of(rev1).with_changes(honours=True)
    text = sign_record(forged, signer=world.signer, base_url=BASE_URL, at=later(1)).qr_text
    assert world.verifier().check(text, at=later(2)).verdict == "NOT_IN_REGISTRY"
    # A revision the registry never made.
    future = record_of(rev1).with_changes(revision=5)
    text = sign_record(future, signer=world.signer, base_url=BASE_URL, at=later(1)).qr_text
    assert world.verifier().check(text, at=later(2)).verdict == "NOT_IN_REGISTRY"
    # Before it was issued, the registry did not hold it either.
    assert world.verifier().check(rev1.qr_text, at=T0 - dt.timedelta(minutes=1)).verdict == "NOT_IN_REGISTRY"
    assert world.verifier().check(rev1.qr_text, at=later(2)).verdict == VALID


def test_officers_act_only_within_their_institution_and_role(world: World) -> None:
    document, _ = issue_row(world, row(2))
    with world.session() as session:
        for officer in (world.other_issuer, world.col_issuer):
            with pytest.raises(ForbiddenError, match="another institution"):
                issue_duplicate(session=session, officer=officer, series="BD", number=document.number, reason="lost",
                                signer=world.signer, base_url=BASE_URL, at=later(1))
            with pytest.raises(ForbiddenError, match="another institution"):
                correct_document(session=session, officer=officer, series="BD", number=document.number,
                                 changes={"name": "Гүлнар"}, reason="x", signer=world.signer, base_url=BASE_URL,
                                 at=later(1))
        with pytest.raises(ForbiddenError, match="another institution"):
            annul_document(session=session, officer=world.col_head, series="BD", number=document.number, basis="x",
                           at=later(1))
        with pytest.raises(ForbiddenError, match="may not change"):
            issue_duplicate(session=session, officer=world.uni_viewer, series="BD", number=document.number,
                            reason="lost", signer=world.signer, base_url=BASE_URL, at=later(1))
        with pytest.raises(ForbiddenError, match="only the head"):
            annul_document(session=session, officer=world.uni_issuer, series="BD", number=document.number, basis="x",
                           at=later(1))
        with pytest.raises(NotFoundError):
            annul_document(session=session, officer=world.uni_head, series="BD", number="0000777", basis="x",
                           at=later(1))
    # Nothing of the refused attempts was written.
    assert world.scalar("SELECT count(*) FROM documents") == 1
    assert world.scalar("SELECT count(*) FROM document_revisions") == 1


def test_corrections_refuse_bad_input(world: World) -> None:
    document, _ = issue_row(world, row(2))
    with pytest.raises(RecordError, match="cannot be corrected"):
        correct(world, document, {"number": "0000005"}, at=later(1))
    with pytest.raises(RecordError, match="nothing differs"):
        correct(world, document, {"name": "Гүлнұр"}, at=later(1))
    with pytest.raises(RecordError, match="needs a reason"):
        correct(world, document, {"name": "Гүлнар"}, at=later(1), reason=" ")
    with pytest.raises(RecordError, match="award_date"):
        correct(world, document, {"award_date": "30.06.2026"}, at=later(1))
    with pytest.raises(RecordError, match="honours"):
        correct(world, document, {"honours": "maybe"}, at=later(1))
    with pytest.raises(RecordError, match="surname"):
        correct(world, document, {"surname": "X1"}, at=later(1))
    assert world.scalar("SELECT current_revision FROM documents") == 1


def test_every_transition_appends_its_audit_event(world: World) -> None:
    document, _ = issue_row(world, row(2))
    correct(world, document, {"name": "Гүлнар"}, at=later(10))
    dup, _ = duplicate(world, document, reason="name_changed", at=later(20), new_name=HolderName("Серікова", "Гүлнар"))
    annul(world, dup, at=later(30))
    with world.engine.connect() as connection:
        actions = [r[0] for r in connection.execute(text("SELECT action FROM audit_events ORDER BY seq"))]
    assert actions[:9] == ["institution.create"] * 3 + ["officer.create"] * 6
    tail = actions[actions.index("graduates.import"):]
    assert tail == ["graduates.import", "document.issue", "document.correct", "holder.rename", "document.replace",
                    "document.duplicate", "holder.rename", "document.annul"]
