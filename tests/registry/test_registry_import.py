"""Importing graduates: all or nothing, every bad row named, and the same file twice changes nothing.

The file goes through the real parser (`verify.registry.imports.parse.parse_graduates`); the registry
adds its own checks (document type against the institution's kind, birth date of a known IIN).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text
from support.world import World, issue_row, later, make_iin, row, rows

from verify.registry.imports.load import ImportResult, import_graduates
from verify.registry.imports.parse import ParseReport, parse_graduates
from verify.registry.models import Institution, Officer

HEADER = "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group\n"


def line(iin: str, *, surname: str = "Сейітқали", doc_type: str = "BD", programme: str = "6B06101",
         birth: str = "2004-05-12", award: str = "2026-06-30", group: str = "ИС-22", qualification: str = "") -> str:
    return f"{iin},{surname},Әлия,Нұрланқызы,{birth},{doc_type},{programme},{qualification},no,{award},{group}\n"


def parse(text: str) -> ParseReport:
    return parse_graduates(text.encode(), filename="graduates.csv", today=dt.date(2026, 7, 1))


def run_import(world: World, report: ParseReport, *, institution: Institution | None = None,
               officer: Officer | None = None) -> ImportResult:
    with world.session() as session:
        return import_graduates(session=session, report=report, institution=institution or world.uni,
                                officer=officer or world.uni_issuer, at=later(1))


def counts(world: World) -> tuple[object, ...]:
    return (world.scalar("SELECT count(*) FROM holders"), world.scalar("SELECT count(*) FROM graduates"),
            world.scalar("SELECT count(*) FROM audit_events"))


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(world: World) -> None:
    good = [make_iin() for _ in range(3)]
    csv_text = (HEADER + line(good[0]) + line("123456789012") + line(good[1], programme="06130100")
            + line(good[2], award="2027-01-01") + line(make_iin(), surname="X1"))
    before = counts(world)
    result = run_import(world, parse(csv_text))
    assert not result.ok
    assert sorted({e.row for e in result.errors}) == [3, 4, 5, 6]
    assert {(e.row, e.column) for e in result.errors} >= {(3, "iin"), (4, "programme"), (5, "award_date"),
                                                          (6, "surname")}
    assert counts(world) == before
    for problem in (*result.errors, *result.warnings):  # the IIN is never quoted back
        assert not any(iin in problem.reason for iin in good)


def test_registry_checks_refuse_the_whole_file(world: World) -> None:
    known = make_iin()
    world.import_rows(rows(1, iin=known))
    before = counts(world)
    csv_text = (HEADER + line(make_iin())
                + line(make_iin(), doc_type="TVE", programme="06130100", qualification="4S06130103")
                + line(known, birth="2004-05-13", programme="7M01501", doc_type="MD"))
    report = parse(csv_text)
    result = run_import(world, report)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "doc_type"), (4, "birth_date")]
    assert "issued by colleges" in result.errors[0].reason
    assert counts(world) == before


def test_the_same_file_twice_changes_nothing(world: World) -> None:
    csv_text = HEADER + "".join(line(make_iin(), group="ИС-22") for _ in range(5))
    first = run_import(world, parse(csv_text))
    assert first.ok and (first.holders_created, first.graduates_created, first.unchanged) == (5, 5, 0)
    snapshot = counts(world), world.scalar("SELECT max(updated_at) FROM holders")
    second = run_import(world, parse(csv_text))
    assert second.ok and not second.changed and second.unchanged == 5
    assert (counts(world), world.scalar("SELECT max(updated_at) FROM holders")) == snapshot
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'graduates.import'") == 1


def test_a_fixed_file_updates_graduates_until_their_document_is_issued(world: World) -> None:
    iin_a, iin_b = make_iin(), make_iin()
    world.import_rows(rows(1, iin=iin_a) + rows(1, iin=iin_b))
    issue_row(world, row(2, iin=iin_a))  # a document for A: its data is now printed
    csv_text = HEADER + line(iin_a, surname="Басқа", award="2026-06-29") + line(iin_b, surname="Басқа",
                                                                           award="2026-06-29")
    result = run_import(world, parse(csv_text))
    assert result.ok
    assert (result.holders_updated, result.graduates_updated, result.unchanged) == (1, 1, 1)
    assert [w.row for w in result.warnings] == [2, 2]
    surnames = {world.scalar("SELECT surname FROM holders WHERE iin = :iin", iin=i) for i in (iin_a, iin_b)}
    assert surnames == {"Әбдірахманова", "Басқа"}


def test_the_audit_event_of_an_import_holds_no_iin(world: World) -> None:
    iins = [make_iin() for _ in range(3)]
    run_import(world, parse(HEADER + "".join(line(i) for i in iins)))
    with world.engine.connect() as connection:
        events = connection.execute(text("SELECT action, object_ref, reason, before, after FROM audit_events")).all()
        connection.rollback()
    imports = [e for e in events if e[0] == "graduates.import"]
    assert len(imports) == 1
    after = imports[0][4]
    after = json.loads(after) if isinstance(after, str) else after  # raw SQL: SQLite returns the JSON text
    assert after["graduates_created"] == 3 and after["groups"] == ["ИС-22"]
    dumped = json.dumps([[str(v) for v in e] for e in events], ensure_ascii=False)
    assert not any(iin in dumped for iin in iins)
