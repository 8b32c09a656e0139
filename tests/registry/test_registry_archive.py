"""Closed institutions and their archives (issue 13 item 4; seed 000, Rules item 23), on SQLite and PostgreSQL.

Timeline of the main case:

    T0      the college issues ТКБ 0000001 on its blank                   -> VALID
    T0+10   the ministry closes the college (closed on T0's day); the archive institution keeps its records
    T0+20   the archive's issuer issues duplicate No. 1 (lost) on the archive's blank ТКБ 0000101
            -> the original REPLACED by it; the duplicate VALID, names the archive as institution, the original's
               series and number; the college's officers read both but change nothing
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlmodel import select
from support.world import BASE_URL, T0, Keys, World, issue_row, later, make_bin, row

from verify.cli import main
from verify.errors import ConflictError, ForbiddenError, NoSignerInScopeError, NotFoundError, RecordError
from verify.record import DuplicateOf
from verify.registry.access import handling_institution_id, readable_institution_ids
from verify.registry.blanks import add_blank_range
from verify.registry.documents import get_revision, record_of
from verify.registry.institutions import close_institution, create_institution, create_officer, get_archive
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.models import AuditEvent, Institution, InstitutionCreate, Officer, OfficerCreate
from verify.registry.queries import document_page, own_document
from verify.signerset import ScopedSigner
from verify.status import StatusCode
from verify.trust import Scope
from verify.verifier import VALID, Verifier

SERIES = "ТКБ"


def tve_row(n: int) -> object:
    return row(n, doc_type="TVE", programme="06130100", group="ПО-21")


def new_institution(world: World, serial: int, name: str) -> tuple[Institution, Officer, Officer]:
    """An institution with an issuer and a head."""
    with world.session() as session:
        place = create_institution(session=session, institution_create=InstitutionCreate(
            bin=make_bin(serial), name_kk=f"{name} kk", name_ru=f"{name} ru", name_en=f"{name} en", kind="college",
            region="Астана"), at=T0)
        people = [create_officer(session=session, officer_create=OfficerCreate(
            username=f"{name.lower()}.{role}", full_name=f"{name} {role}", role=role), institution=place, at=T0)
            for role in ("issuer", "head")]
    return place, people[0], people[1]


def receive(world: World, officer: Officer, first: str, last: str) -> None:
    with world.session() as session:
        add_blank_range(session=session, officer=officer, series=SERIES, first=first, last=last, at=T0)


def close(world: World, institution: Institution, archive: Institution, *, at: dt.datetime | None = None) -> None:
    at = at or later(10)
    with world.session() as session:
        close_institution(session=session, bin=institution.bin, archive_bin=archive.bin, closed_on=T0.date(), at=at)


@pytest.fixture
def closed(world: World) -> tuple[World, Institution, Officer, Officer, object]:
    """The college issued ТКБ 0000001, then closed; the archive received ТКБ 0000101-0000110."""
    receive(world, world.col_issuer, "0000001", "0000010")
    original, _ = issue_row(world, tve_row(2), officer=world.col_issuer, institution=world.college)
    archive, archive_issuer, archive_head = new_institution(world, 40, "Archive")
    receive(world, archive_issuer, "0000101", "0000110")
    close(world, world.college, archive)
    return world, archive, archive_issuer, archive_head, original


def test_closing_names_the_archive_logs_it_and_refuses_what_makes_no_sense(world: World) -> None:
    archive, _, _ = new_institution(world, 40, "Archive")
    with world.session() as session:
        with pytest.raises(RecordError, match="its own archive"):
            close_institution(session=session, bin=world.college.bin, archive_bin=world.college.bin,
                              closed_on=T0.date(), at=later(1))
        with pytest.raises(RecordError, match="in the future"):
            close_institution(session=session, bin=world.college.bin, archive_bin=archive.bin,
                              closed_on=T0.date() + dt.timedelta(days=1), at=later(1))
        with pytest.raises(NotFoundError):
            close_institution(session=session, bin=make_bin(99), archive_bin=archive.bin, closed_on=T0.date(),
                              at=later(1))
    entries_before = world.scalar("SELECT count(*) FROM tlog_entries")
    close(world, world.college, archive, at=later(1))
    assert world.scalar("SELECT count(*) FROM tlog_entries") == entries_before + 1  # type: ignore[operator]
    with world.session() as session:
        college = session.get(Institution, world.college.id)
        assert college is not None and college.closed and college.closed_on == T0.date()
        assert college.archive_id == archive.id
        assert get_archive(session=session, institution=college).bin == archive.bin  # type: ignore[union-attr]
        assert get_archive(session=session, institution=archive) is None
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "institution.close")).one()
        assert event.object_ref == world.college.bin and event.after == {"closed_on": T0.date().isoformat(),
                                                                          "archive": archive.bin}
        with pytest.raises(ConflictError, match="closed already"):
            close_institution(session=session, bin=world.college.bin, archive_bin=world.uni.bin, closed_on=T0.date(),
                              at=later(2))
        with pytest.raises(ConflictError, match="cannot keep another institution's records"):
            close_institution(session=session, bin=world.uni.bin, archive_bin=world.college.bin, closed_on=T0.date(),
                              at=later(2))
    # the database itself refuses a closure without its archive, and an institution as its own archive
    with world.engine.connect() as connection:
        with pytest.raises(Exception, match=r"(?i)check"):
            connection.execute(text("UPDATE institutions SET closed_on = '2026-07-01' WHERE id = :id"),
                               {"id": world.uni.id})
        connection.rollback()


def test_the_archive_issues_a_duplicate_for_a_closed_colleges_graduate(closed: tuple) -> None:  # type: ignore[type-arg]
    world, archive, archive_issuer, _, original = closed
    with world.session() as session:
        assert handling_institution_id(session, world.college.id) == archive.id
        assert handling_institution_id(session, archive.id) == archive.id
        dup = issue_duplicate(session=session, officer=archive_issuer, series=SERIES, number=original.number,
                              reason="lost", signer=world.signer, base_url=BASE_URL, at=later(20))
        revision = get_revision(session=session, document=dup)
        session.commit()
    assert (dup.series, dup.number, dup.duplicate_no, dup.institution_id) == (SERIES, "0000101", 1, archive.id)
    record = record_of(revision)
    assert record.institution_bin == archive.bin
    assert record.duplicate == DuplicateOf(1, SERIES, "0000001")
    assert world.scalar("SELECT document_id FROM blanks WHERE number = '0000101'") == dup.id
    report = world.verifier().check(revision.qr_text, at=later(21))
    assert report.verdict == VALID and report.registry.code is StatusCode.DUPLICATE_VALID  # type: ignore[union-attr]
    with world.session() as session:
        first = get_revision(session=session, document=original)
    old = world.verifier().check(first.qr_text, at=later(21))
    assert old.verdict == "REPLACED" and old.registry.replaced_by.number == "0000101"  # type: ignore[union-attr]
    # the original's status names the closure and the archive (the verdict page's lookup also reads its names)
    closure = old.registry.closure  # type: ignore[union-attr]
    assert closure is not None and (closure.closed_on, closure.archive_bin) == (T0.date(), archive.bin)
    assert old.registry.to_json()["institution_closure"] == {  # type: ignore[union-attr]
        "closed_on": "2026-07-01", "archive": {"bin": archive.bin, "name_kk": "Archive kk", "name_ru": "Archive ru",
                                               "name_en": "Archive en"}}
    paged = Verifier(world.trust_list, status_lookup=RegistryStatusLookup(world.engine, details=True))
    status = paged.check(first.qr_text, at=later(21)).registry
    assert status.closure.archive.ru == "Archive ru"  # type: ignore[union-attr]
    assert status.institution.ru == "Колледж"  # type: ignore[union-attr]
    # the duplicate is the archive's own document: no closure on it
    assert report.registry.closure is None  # type: ignore[union-attr]
    # the replacement is in the closed college's history, done by the archive's officer
    assert world.scalar("SELECT actor FROM audit_events WHERE action = 'document.replace' AND institution_id = :id",
                        id=world.college.id) == archive_issuer.username


def test_the_closed_colleges_officers_read_but_change_nothing(closed: tuple) -> None:  # type: ignore[type-arg]
    world, archive, _, _, original = closed
    with world.session() as session:
        with pytest.raises(ForbiddenError, match=f"closed on 2026-07-01 .* archive {archive.bin}"):
            issue_duplicate(session=session, officer=world.col_issuer, series=SERIES, number=original.number,
                            reason="lost", signer=world.signer, base_url=BASE_URL, at=later(20))
        with pytest.raises(ForbiddenError, match="closed on"):
            correct_document(session=session, officer=world.col_issuer, series=SERIES, number=original.number,
                             changes={"name": "Гүлнар"}, reason="typing error", signer=world.signer,
                             base_url=BASE_URL, at=later(20))
        with pytest.raises(ForbiddenError, match="closed on"):
            annul_document(session=session, officer=world.col_head, series=SERIES, number=original.number,
                           basis="court decision 5", at=later(20))
        with pytest.raises(ForbiddenError, match="closed on"):
            add_blank_range(session=session, officer=world.col_issuer, series=SERIES, first="0000500",
                            last="0000510", at=later(20))
    with pytest.raises(ForbiddenError, match="closed on"):
        issue_row(world, tve_row(3), officer=world.col_issuer, institution=world.college)
    with world.session() as session:
        # reading: the college's own officers and the archive's; another institution learns nothing
        assert own_document(session=session, institution_id=world.college.id, series=SERIES,
                            number=original.number).id == original.id
        assert own_document(session=session, institution_id=archive.id, series=SERIES,
                            number=original.number).id == original.id
        with pytest.raises(NotFoundError):
            own_document(session=session, institution_id=world.uni.id, series=SERIES, number=original.number)
        lines, total = document_page(session=session, institution_id=archive.id, limit=10)
        assert total == 1 and lines[0].document.id == original.id
        assert readable_institution_ids(session, archive.id) == sorted([archive.id, world.college.id])
        assert readable_institution_ids(session, world.college.id) == [world.college.id]
        # another institution's officer may not act as the archive
        with pytest.raises(ForbiddenError, match="another institution"):
            issue_duplicate(session=session, officer=world.other_issuer, series=SERIES, number=original.number,
                            reason="lost", signer=world.signer, base_url=BASE_URL, at=later(20))


def test_the_archive_corrects_and_annuls_and_a_closed_archive_passes_its_records_on(closed: tuple  # type: ignore[type-arg]
                                                                                     ) -> None:
    world, archive, archive_issuer, archive_head, original = closed
    with world.session() as session:
        revision = correct_document(session=session, officer=archive_issuer, series=SERIES, number=original.number,
                                    changes={"name": "Гүлнар"}, reason="typing error", signer=world.signer,
                                    base_url=BASE_URL, at=later(20))
    assert revision.revision == 2 and record_of(revision).institution_bin == archive.bin
    assert world.verifier().check(revision.qr_text, at=later(21)).verdict == VALID
    # the page names the archive as the institution of the revision it signed, the college of the one before
    paged = Verifier(world.trust_list, status_lookup=RegistryStatusLookup(world.engine, details=True))
    assert paged.check(revision.qr_text, at=later(21)).registry.institution.en == "Archive en"  # type: ignore[union-attr]
    with world.session() as session:
        first = get_revision(session=session, document=original)
    assert paged.check(first.qr_text, at=later(21)).registry.institution.en == "Колледж"  # type: ignore[union-attr]
    # the archive closes too: a third institution keeps both
    keeper, _, keeper_head = new_institution(world, 41, "Keeper")
    close(world, archive, keeper, at=later(30))
    with world.session() as session:
        assert handling_institution_id(session, world.college.id) == keeper.id
        assert readable_institution_ids(session, keeper.id) == sorted([keeper.id, archive.id, world.college.id])
        with pytest.raises(ForbiddenError, match="another institution"):  # the closed archive handles nothing now
            annul_document(session=session, officer=archive_head, series=SERIES, number=original.number,
                           basis="court decision 5", at=later(31))
        annulled = annul_document(session=session, officer=keeper_head, series=SERIES, number=original.number,
                                  basis="court decision 5", at=later(31))
    assert annulled.state == "annulled"
    assert world.verifier().check(revision.qr_text, at=later(32)).verdict == "ANNULLED"


def test_the_command_line_closes_an_institution(db_url: str, keys: Keys, capsys: pytest.CaptureFixture[str],
                                                 world: World) -> None:
    """`verify institutions close BIN --archive ARCHIVE_BIN --at YYYY-MM-DD`; `list` shows it; refusals exit 2."""
    base = ["--database-url", db_url, "--keys-dir", str(keys.store.path), "--base-url", BASE_URL]
    assert main([*base, "institutions", "close", world.college.bin, "--archive", world.college.bin]) == 2
    assert "its own archive" in capsys.readouterr().err
    assert main([*base, "institutions", "close", world.college.bin, "--archive", world.other.bin,
                 "--at", "2026-06-30"]) == 0
    assert f"closed on 2026-06-30; its records are kept by {world.other.bin}" in capsys.readouterr().out
    assert main([*base, "institutions", "list"]) == 0
    assert f"closed 2026-06-30, archive {world.other.bin}" in capsys.readouterr().out
    assert main([*base, "institutions", "close", world.college.bin, "--archive", world.other.bin]) == 2
    assert "closed already" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, "institutions", "close", world.uni.bin, "--archive", world.other.bin, "--at", "30.06.2026"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_the_archives_duplicate_is_signed_within_the_archives_own_signer_scope(closed: tuple  # type: ignore[type-arg]
                                                                               ) -> None:
    """The duplicate names the archive, so a signer scoped to the archive alone signs it; one scoped to the closed
    college alone may not (NoSignerInScopeError, nothing stored)."""
    world, archive, archive_issuer, _, original = closed
    entry = next(e for e in world.trust_list.signers if e.usage == "document")

    def scoped_to(bin_: str) -> ScopedSigner:
        return ScopedSigner(world.signer, replace(entry, scope=Scope(entry.scope.series, bin_)))

    with world.session() as session:
        with pytest.raises(NoSignerInScopeError):
            issue_duplicate(session=session, officer=archive_issuer, series=SERIES, number=original.number,
                            reason="lost", signer=scoped_to(world.college.bin), base_url=BASE_URL, at=later(20))
        assert world.scalar("SELECT count(*) FROM documents") == 1
        dup = issue_duplicate(session=session, officer=archive_issuer, series=SERIES, number=original.number,
                              reason="lost", signer=scoped_to(archive.bin), base_url=BASE_URL, at=later(21))
        assert record_of(get_revision(session=session, document=dup)).institution_bin == archive.bin
