"""Each institution owns its graduate records (issue 10, item 8), on SQLite and PostgreSQL.

Revision 0002 kept one holder row per IIN for all institutions. Institution B importing a person institution A had
registered then (a) saw A's spelling of the name in its own graduate list, (b) was told the birth date "differs from
the birth date the registry holds": a yes/no oracle of whether anyone registered the IIN, and (c) renamed A's
graduate before A issued, so A signed B's spelling. Now a holder row belongs to one institution (migration
0003_holders splits the shared rows), so nothing of another institution's records is read, changed or inferable
through an import, and the blank-range overlap error no longer names another institution's range.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text
from support.world import BASE_URL, T0, World, graduate_id_of, issue_row, later, make_iin, row

from verify.errors import ConflictError
from verify.registry.blanks import add_blank_range
from verify.registry.db import alembic_config, head_revision, upgrade_database
from verify.registry.documents import get_revision, issue_document, record_of
from verify.registry.imports.load import ImportResult, import_graduates
from verify.registry.imports.parse import GraduateRow, ParseReport
from verify.registry.partner import holder_documents
from verify.registry.queries import graduate_page

PERSON = make_iin(dt.date(2003, 2, 14), serial=9001)


def _as_a(n: int = 2) -> GraduateRow:
    return row(n, iin=PERSON, surname="Сейітқали", name="Әлия", patronymic="Нұрланқызы", birth=dt.date(2003, 2, 14))


def _as_b(n: int = 2, **changes: object) -> GraduateRow:
    return dataclasses.replace(_as_a(n), surname="Сеиткали", name="Алия", patronymic="Нурлановна",
                               **changes)  # type: ignore[arg-type]


def _names(world: World, institution_id: int) -> list[tuple[str, str, str | None]]:
    with world.session() as session:
        lines, _ = graduate_page(session=session, institution_id=institution_id, group=None, limit=100, offset=0)
        session.commit()
    return [(line.surname, line.name, line.patronymic) for line in lines]


def _import(world: World, graduate: GraduateRow, *, as_b: bool) -> ImportResult:
    with world.session() as session:
        return import_graduates(session=session, report=ParseReport(rows=(graduate,), errors=()),
                                institution=world.other if as_b else world.uni,
                                officer=world.other_issuer if as_b else world.uni_issuer, at=T0)


def test_a_b_import_of_a_person_a_registered_shows_b_its_own_spelling_only(world: World) -> None:
    world.import_rows((_as_a(),))
    assert _import(world, _as_b(), as_b=True).ok
    assert _names(world, world.other.id) == [("Сеиткали", "Алия", "Нурлановна")]  # type: ignore[arg-type]
    assert _names(world, world.uni.id) == [("Сейітқали", "Әлия", "Нұрланқызы")]  # type: ignore[arg-type]


def test_a_b_import_answers_the_same_whether_or_not_a_registered_the_iin(world: World) -> None:
    stranger = make_iin(dt.date(2003, 2, 14), serial=9002)
    unknown = _import(world, _as_b(birth_date=dt.date(2003, 2, 15), iin=stranger), as_b=True)
    world.import_rows((_as_a(),))
    known = _import(world, _as_b(birth_date=dt.date(2003, 2, 15)), as_b=True)
    assert known.ok and unknown.ok and not known.errors and not known.warnings
    assert dataclasses.astuple(known) == dataclasses.astuple(unknown)
    # Within one institution the birth date it gave is still kept (its own data).
    own = _import(world, _as_b(birth_date=dt.date(2003, 2, 16)), as_b=True)
    assert not own.ok and [(e.column, "this institution" in e.reason) for e in own.errors] == [("birth_date", True)]


def test_a_b_import_does_not_rename_a_graduate_of_a_who_then_signs_its_own_spelling(world: World) -> None:
    world.import_rows((_as_a(),))
    assert _import(world, _as_b(), as_b=True).holders_created == 1
    with world.session() as session:
        document = issue_document(session=session, officer=world.uni_issuer,
                                  graduate_id=graduate_id_of(world, _as_a()), signer=world.signer,
                                  base_url=BASE_URL, at=later(1))
        session.commit()
    _, revision = issue_row(world, _as_b(), officer=world.other_issuer, institution=world.other, at=later(2))
    with world.session() as session:
        signed_by_a = record_of(get_revision(session=session, document=document))
        session.commit()
    assert signed_by_a.holder.full_name == "Сейітқали Әлия Нұрланқызы"
    assert record_of(revision).holder.full_name == "Сеиткали Алия Нурлановна"
    with world.session() as session:  # the holder's documents across institutions (the partner look-up)
        found = holder_documents(session=session, iin=PERSON, actor="partner:test", at=later(3))
        session.commit()
    assert len(found) == 2


def test_a_blank_range_overlap_names_only_the_institutions_own_range(world: World) -> None:
    with world.session() as session:
        add_blank_range(session=session, officer=world.col_issuer, series="ЖБ", first="0001000", last="0001499",
                        at=T0)
    with world.session() as session, pytest.raises(ConflictError) as own:
        add_blank_range(session=session, officer=world.col_issuer, series="ЖБ", first="0001400",
                        last="0001600", at=T0)
    assert "0001000-0001499" in str(own.value)
    with world.session() as session, pytest.raises(ConflictError) as other:
        add_blank_range(session=session, officer=world.other_issuer, series="ЖБ", first="0001400",
                        last="0001600", at=T0)
    assert "0001000" not in str(other.value) and "0001499" not in str(other.value)
    assert "another institution" not in str(other.value) and "ЖБ 0001400-0001600" in str(other.value)


def test_the_migration_splits_holders_shared_by_institutions(world: World) -> None:
    """From a 0002 database with data: A issued for the person, B imported them; a shared row B renamed (case c)
    and a holder without graduates. After 0003: one row per (institution, holder), A's row with the name A
    signed, B's with B's data, the orphan gone; downgrade merges them back."""
    world.import_rows((_as_a(),))
    issue_row(world, _as_a(3), at=later(1))  # the same graduate: A issues for it
    _import(world, _as_b(4), as_b=True)
    world.dispose()
    command.downgrade(alembic_config(world.url), "0002")
    with world.engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM holders WHERE iin = :iin"), {"iin": PERSON}).scalar() == 1
        connection.execute(text("UPDATE holders SET surname = 'Сеиткали', name = 'Алия', patronymic = NULL"))
        connection.execute(text(
            "INSERT INTO holders (surname, name, patronymic, birth_date, iin, created_at, updated_at) "
            "VALUES ('Жетім', 'Жоқ', NULL, '2000-01-01', :iin, :at, :at)"),
            {"iin": make_iin(dt.date(2000, 1, 1), serial=12), "at": T0})
    assert upgrade_database(world.url) == head_revision()
    with world.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT h.institution_id, h.surname, h.name, h.patronymic, count(g.id) FROM holders h "
            "JOIN graduates g ON g.holder_id = h.id AND g.institution_id = h.institution_id "
            "GROUP BY h.id, h.institution_id, h.surname, h.name, h.patronymic ORDER BY h.institution_id")).all()
        assert connection.execute(text("SELECT count(*) FROM holders")).scalar() == 2
        assert connection.execute(text(
            "SELECT count(*) FROM graduates g JOIN holders h ON h.id = g.holder_id "
            "WHERE h.institution_id <> g.institution_id")).scalar() == 0
        connection.rollback()
    assert [tuple(r) for r in rows] == [(world.uni.id, "Сейітқали", "Әлия", "Нұрланқызы", 1),
                                        (world.other.id, "Сеиткали", "Алия", None, 1)]
    world.dispose()
    command.downgrade(alembic_config(world.url), "0002")
    with world.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM holders")).scalar() == 1
        assert connection.execute(text("SELECT count(DISTINCT holder_id) FROM graduates")).scalar() == 1
        connection.rollback()
    world.dispose()
    assert upgrade_database(world.url) == head_revision()
