"""Blank kinds, a blank spoiled while printing, and a new original after an annulment that allows it (issue 13
item 5; seed 000, Rules items 7-8, 17-18), on SQLite and PostgreSQL.

    ranges carry their kind: ordinary (dark blue), honours (red), "Altyn belgi" (light blue)
    a diploma with honours consumes a red blank, another document an ordinary one; a given blank of another kind is
        refused naming both kinds
    a blank spoiled while printing: written off with its reason; the document continues on the next blank under its
        number; the spoiled code verifies ANNULLED (basis: the reprint), never VALID
    an original annulled as issued in error leaves room for a new original of the same graduate; one annulled by an
        order does not

The series ТКБ is one the TEST ONLY signer may sign (verify.doctypes.DEVELOPMENT_TVE_SERIES).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from support.world import BASE_URL, Keys, World, graduate_id_of, issue_row, later, row

from verify.cli import main
from verify.errors import ConflictError, LifecycleError, RecordError, StockError
from verify.registry.blanks import add_blank_range, stock_summary
from verify.registry.documents import get_revision, issue_document, record_of
from verify.registry.lifecycle import annul_document, issue_duplicate
from verify.registry.models import AuditEvent, Blank, Document
from verify.registry.printing import reprint_on_new_blank
from verify.verifier import VALID

SERIES = "ТКБ"


def receive(world: World, first: str, last: str, kind: str = "ordinary") -> None:
    with world.session() as session:
        add_blank_range(session=session, officer=world.col_issuer, series=SERIES, first=first, last=last,
                        at=later(0), kind=kind)


def tve_row(n: int, doc_type: str = "TVE") -> object:
    return row(n, doc_type=doc_type, programme="06130100", group="ПО-21")


def college_issue(world: World, graduate_row: object, **kwargs: object) -> Document:
    return issue_row(world, graduate_row, officer=world.col_issuer, institution=world.college,  # type: ignore[arg-type]
                     **kwargs)[0]


def test_ranges_carry_their_kind_and_the_stock_is_counted_per_kind(world: World) -> None:
    receive(world, "0000001", "0000010")
    receive(world, "0000011", "0000015", kind="honours")
    receive(world, "0000016", "0000020", kind="altyn_belgi")
    with world.session() as session, pytest.raises(RecordError, match="ordinary, honours, altyn_belgi"):
        add_blank_range(session=session, officer=world.col_issuer, series=SERIES, first="0000100", last="0000110",
                        at=later(0), kind="green")
    with world.session() as session:
        lines = {(line.series, line.kind): line for line in stock_summary(session=session,
                                                                          institution_id=world.college.id)}
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "blanks.receive")
                             .order_by(AuditEvent.seq.desc())).first()  # type: ignore[attr-defined]
    assert {k: (v.received, v.next_free) for k, v in lines.items()} == {
        (SERIES, "ordinary"): (10, "0000001"), (SERIES, "honours"): (5, "0000011"),
        (SERIES, "altyn_belgi"): (5, "0000016")}
    assert event is not None and event.after["kind"] == "altyn_belgi"


def test_a_diploma_with_honours_takes_a_red_blank_and_a_mismatch_is_refused(world: World) -> None:
    receive(world, "0000001", "0000010")
    ordinary = college_issue(world, tve_row(2))
    assert ordinary.number == "0000001"
    with pytest.raises(StockError, match=r"no free blanks honours \(red\)"):
        college_issue(world, tve_row(3, doc_type="TVE_HONOURS"))
    receive(world, "0000050", "0000052", kind="honours")
    with pytest.raises(StockError, match=r"is ordinary \(dark blue\); this document is printed on a blank honours"):
        college_issue(world, tve_row(4, doc_type="TVE_HONOURS"), blank_number="0000005")
    honours = college_issue(world, tve_row(5, doc_type="TVE_HONOURS"))
    assert honours.number == "0000050"
    with pytest.raises(StockError, match=r"is honours \(red\); this document is printed on a blank ordinary"):
        college_issue(world, tve_row(6), blank_number="0000051")
    # the duplicate of an honours diploma is printed on a red blank too
    with world.session() as session:
        dup = issue_duplicate(session=session, officer=world.col_issuer, series=SERIES, number="0000050",
                              reason="lost", signer=world.signer, base_url=BASE_URL, at=later(3))
    assert dup.number == "0000051"


def test_a_blank_spoiled_while_printing_moves_the_document_to_a_new_blank(world: World) -> None:
    receive(world, "0000001", "0000010")
    original = college_issue(world, tve_row(2))
    with world.session() as session:
        spoiled_qr = get_revision(session=session, document=original).qr_text
        with pytest.raises(RecordError, match="reason"):
            reprint_on_new_blank(session=session, officer=world.col_issuer, series=SERIES, number="0000001",
                                 reason=" ", signer=world.signer, base_url=BASE_URL, at=later(1))
        reprint = reprint_on_new_blank(session=session, officer=world.col_issuer, series=SERIES, number="0000001",
                                       reason="paper jam", signer=world.signer, base_url=BASE_URL, at=later(1))
        new_revision = get_revision(session=session, document=reprint)
        old = session.get(Document, original.id)
        blank = session.exec(select(Blank).where(Blank.series == SERIES, Blank.number == "0000001")).one()
        actions = list(session.exec(select(AuditEvent.action).where(AuditEvent.action.in_(  # type: ignore[attr-defined]
            ["blank.write_off", "document.annul", "document.reprint"]))))
    assert (reprint.series, reprint.number, reprint.graduate_id) == (SERIES, "0000002", original.graduate_id)
    assert record_of(new_revision).holder == record_of(get_revision_of(world, original)).holder
    assert old is not None and (old.state, old.annul_kind) == ("annulled", "spoiled")
    assert (blank.state, blank.document_id, blank.reason) == ("written_off", None, "spoiled while printing: paper jam")
    assert sorted(actions) == ["blank.write_off", "document.annul", "document.reprint"]
    spoiled = world.verifier().check(spoiled_qr, at=later(2))
    assert spoiled.verdict == "ANNULLED" and spoiled.verdict != VALID
    assert "reprinted as ТКБ 0000002" in (spoiled.registry.reason or "")  # type: ignore[union-attr]
    assert world.verifier().check(new_revision.qr_text, at=later(2)).verdict == VALID
    # the spoiled one cannot be reprinted again; a BD is numbered by the service
    with world.session() as session, pytest.raises(LifecycleError, match="annulled"):
        reprint_on_new_blank(session=session, officer=world.col_issuer, series=SERIES, number="0000001",
                             reason="again", signer=world.signer, base_url=BASE_URL, at=later(3))
    bachelor, _ = issue_row(world, row(3))
    with world.session() as session, pytest.raises(RecordError, match="numbered by the service"):
        reprint_on_new_blank(session=session, officer=world.uni_issuer, series=bachelor.series,
                             number=bachelor.number, reason="paper jam", signer=world.signer, base_url=BASE_URL,
                             at=later(3))
    with world.session() as session:
        dup = issue_duplicate(session=session, officer=world.col_issuer, series=SERIES, number="0000002",
                              reason="lost", signer=world.signer, base_url=BASE_URL, at=later(4))
        with pytest.raises(RecordError, match="is a duplicate"):
            reprint_on_new_blank(session=session, officer=world.col_issuer, series=SERIES, number=dup.number,
                                 reason="paper jam", signer=world.signer, base_url=BASE_URL, at=later(5))


def get_revision_of(world: World, document: Document) -> object:
    with world.session() as session:
        return get_revision(session=session, document=document)


def test_after_an_annulment_as_issued_in_error_the_graduate_gets_a_new_original(world: World) -> None:
    graduate = row(2)
    first, _ = issue_row(world, graduate)
    graduate_id = graduate_id_of(world, graduate)
    with world.session() as session:
        with pytest.raises(RecordError, match="order, issued_in_error"):
            annul_document(session=session, officer=world.uni_head, series=first.series, number=first.number,
                           basis="x", at=later(1), kind="spoiled")
        annul_document(session=session, officer=world.uni_head, series=first.series, number=first.number,
                       basis="order No. 9: the wrong programme was issued", at=later(1), kind="issued_in_error")
        second = issue_document(session=session, officer=world.uni_issuer, graduate_id=graduate_id,
                                signer=world.signer, base_url=BASE_URL, at=later(2))
        assert second.number != first.number and second.graduate_id == graduate_id
        # an annulment by order is final for the graduate: no new original after it
        annul_document(session=session, officer=world.uni_head, series=second.series, number=second.number,
                       basis="court decision 12", at=later(3))
        with pytest.raises(ConflictError):
            issue_document(session=session, officer=world.uni_issuer, graduate_id=graduate_id, signer=world.signer,
                           base_url=BASE_URL, at=later(4))


def test_the_command_line_receives_kinds_and_reprints(db_url: str, keys: Keys, world: World, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFY_OFFICER", raising=False)
    base = ["--database-url", db_url, "--keys-dir", str(keys.store.path), "--base-url", BASE_URL]
    officer = ["--officer", world.col_issuer.username]
    assert main([*base, "blanks", "add", SERIES, "0000001", "0000010", "--institution", world.college.bin,
                 *officer]) == 0
    assert main([*base, "blanks", "add", SERIES, "0000011", "0000020", "--institution", world.college.bin,
                 "--kind", "honours", *officer]) == 0
    assert "(10 blanks, honours)" in capsys.readouterr().out
    original = college_issue(world, tve_row(2))
    assert main([*base, "blanks", "reprint", SERIES, original.number, "--reason", "paper jam", "--out",
                 str(tmp_path / "qr"), *officer]) == 0
    out = capsys.readouterr().out
    assert f"reprinted as {SERIES} 0000002" in out and (tmp_path / "qr" / f"{SERIES}-0000002.svg").exists()
    assert main([*base, "blanks", "list", "--institution", world.college.bin, *officer]) == 0
    listed = capsys.readouterr().out
    assert "honours" in listed and "ordinary" in listed and "written off      1" in listed
    assert main([*base, "annul", SERIES, "0000002", "--basis", "order 4: wrong person", "--kind", "issued_in_error",
                 "--officer", world.col_head.username]) == 0
    with world.session() as session:
        annulled = session.exec(select(Document).where(Document.number == "0000002")).one()
    assert annulled.annul_kind == "issued_in_error"
