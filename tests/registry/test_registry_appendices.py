"""Appendices in the registry (issue 17 item 1; verify/registry/appendices.py, appendixsigning.py, imports/appendix.py)
on SQLite and PostgreSQL: imported with the graduates (a second CSV, or the XLSX's sheet "appendix") with an
all-or-nothing row report; signed with the diploma at issue; verified together with it (and one changed grade fails);
carried to a duplicate and to a corrected revision; corrected and duplicated alone (seed 000 appendix 5, 38)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlmodel import select
from support.appendixdata import APPENDIX_COLUMNS, appendix_csv, typical_items
from support.leaks import CORPUS
from support.web import graduates_csv
from support.world import BASE_URL, T0, World, row

from verify.appendix import AppendixItem, ItemKind
from verify.appendixcheck import check_appendix
from verify.appendixcodec import encode_appendix_payload, parse_appendix_cose, protected_header
from verify.codec import encode_sign1
from verify.errors import IinInTextError, RecordError
from verify.grades import Grade
from verify.registry.appendices import correct_appendix, duplicate_appendix, import_with_appendix
from verify.registry.appendixsigning import appendix_of, current_appendix
from verify.registry.documents import get_revision, issue_document
from verify.registry.imports.appendix import parse_appendix
from verify.registry.imports.parse import parse_graduates
from verify.registry.lifecycle import correct_document, issue_duplicate
from verify.registry.models import Document

AT = T0 + dt.timedelta(minutes=1)


def _import(world: World, graduates: bytes, appendix: bytes | None, *, filename: str = "g.csv",
            appendix_name: str = "a.csv"):  # type: ignore[no-untyped-def]
    report = parse_graduates(graduates, filename=filename, today=T0.date())
    parsed = None if appendix is None else parse_appendix(appendix, filename=appendix_name,
                                                          graduate_iins={r.iin for r in report.rows})
    with world.session() as session:
        return import_with_appendix(session=session, report=report, appendix=parsed, institution=world.uni,
                                    officer=world.uni_issuer, at=T0)


def _issue(world: World, iin: str) -> Document:
    graduate_id = world.scalar("SELECT g.id FROM graduates g JOIN holders h ON h.id = g.holder_id WHERE h.iin = :i "
                               "AND g.institution_id = :u", i=iin, u=world.uni.id)
    assert isinstance(graduate_id, int)
    with world.session() as session:
        return issue_document(session=session, officer=world.uni_issuer, graduate_id=graduate_id,
                              signer=world.signer, base_url=BASE_URL, at=AT)


def _check(world: World, document: Document, at: dt.datetime = AT + dt.timedelta(minutes=1)):  # type: ignore[no-untyped-def]
    with world.session() as session:
        assert document.id is not None
        stored = current_appendix(session, document.id)
        assert stored is not None
        text_ = get_revision(session=session, document=session.get(Document, document.id),
                             revision=stored.diploma_revision).qr_text
    return stored, check_appendix(stored.cose, diploma_text=text_, trust_list=world.trust_list, at=at)


def test_a_graduate_imported_with_an_appendix_gets_a_diploma_and_appendix_that_verify_together(world: World) -> None:
    graduate = row(2)
    items = typical_items()
    result = _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: items}))
    assert result.ok, result.errors
    document = _issue(world, graduate.iin)
    stored, report = _check(world, document)
    assert report.verdict == "VALID", [s.to_json() for s in report.steps]
    assert report.appendix is not None and report.appendix.items == items
    assert report.appendix.diploma.number == document.number and stored.diploma_revision == 1
    # one grade changed in the signed appendix: the signature no longer holds (a re-signed forgery by another key
    # is refused by the signer steps, tested in tests/core/test_appendix_check.py)
    sign1 = parse_appendix_cose(stored.cose)
    appendix = appendix_of(stored)
    first = appendix.items[0]
    assert first.grade.letter == "A"
    changed = dataclasses.replace(appendix, items=(dataclasses.replace(first, grade=Grade(letter="A-")),
                                                   *appendix.items[1:]))
    payload = encode_appendix_payload(changed, stored.signed_at)
    forged = encode_sign1(protected_header(sign1.alg, sign1.kid), payload, sign1.signature)
    with world.session() as session:
        text_ = get_revision(session=session, document=session.get(Document, document.id), revision=1).qr_text
    bad = check_appendix(forged, diploma_text=text_, trust_list=world.trust_list, at=AT)
    assert bad.verdict != "VALID" and bad.error is not None and bad.error.code == "BAD_SIGNATURE"


def test_the_xlsx_sheet_appendix_is_read_with_the_graduates(world: World) -> None:
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in graduates_csv([graduate]).decode().splitlines():
        sheet.append(line.split(","))
    apx = book.create_sheet("appendix")
    for line in appendix_csv({graduate.iin: typical_items()[:3]}).decode().splitlines():
        apx.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    result = _import(world, data.getvalue(), data.getvalue(), filename="g.xlsx", appendix_name="g.xlsx")
    assert result.ok, result.errors
    _, report = _check(world, _issue(world, graduate.iin))
    assert report.verdict == "VALID" and report.appendix is not None and len(report.appendix.items) == 3


def test_every_problem_of_the_appendix_is_reported_and_nothing_is_imported(world: World) -> None:
    graduate, stranger = row(2), row(3)
    CORPUS.iins.update({graduate.iin, stranger.iin})
    good = appendix_csv({graduate.iin: typical_items()[:2]}).decode().splitlines()
    lines = [*good,
             f"{stranger.iin},subject,,Пән,Предмет,,10,,A,,,,",            # an IIN not in the graduates file
             f"{graduate.iin},lecture,,Пән,Предмет,,10,,A,,,,",           # an unknown kind
             f"{graduate.iin},subject,,Пән,Предмет,,ten,,A,,,,",          # hours not a number
             f"{graduate.iin},subject,,Пән,Предмет,,10,,A,2.00,,,",       # letter A is 4.00 points
             f"{graduate.iin},subject,,Пән,,,10,,A,,,,"]                  # no Russian name
    result = _import(world, graduates_csv([graduate]), "\n".join(lines).encode())
    assert not result.ok
    problems = {(e.row, e.column) for e in result.errors}
    assert problems == {(4, "appendix:iin"), (5, "appendix:kind"), (6, "appendix:hours"), (7, "appendix:letter"),
                        (8, "appendix:name_kk")}, result.errors
    assert all(e.text is not None for e in result.errors)  # every reason is a catalogue message (kk/ru/en)
    assert world.scalar("SELECT count(*) FROM graduates") == 0
    assert world.scalar("SELECT count(*) FROM graduate_appendices") == 0
    missing = parse_appendix(b"iin,kind\n", filename="a.csv", graduate_iins=set())
    assert not missing.ok and "name_kk" in missing.errors[0].reason


def test_a_duplicate_and_a_correction_carry_the_appendix_to_their_record(world: World) -> None:
    graduate = row(2)
    assert _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: typical_items()[:5]})).ok
    document = _issue(world, graduate.iin)
    with world.session() as session:
        correct_document(session=session, officer=world.uni_issuer, series=document.series, number=document.number,
                         changes={"programme": "6B06102"}, reason="application 12: wrong code", signer=world.signer,
                         base_url=BASE_URL, at=AT + dt.timedelta(minutes=1))
    stored, report = _check(world, document, AT + dt.timedelta(minutes=2))
    assert stored.diploma_revision == 2 and report.verdict == "VALID"
    with world.session() as session:
        duplicate = issue_duplicate(session=session, officer=world.uni_issuer, series=document.series,
                                    number=document.number, reason="lost", signer=world.signer, base_url=BASE_URL,
                                    at=AT + dt.timedelta(minutes=3))
    stored, report = _check(world, duplicate, AT + dt.timedelta(minutes=4))
    assert report.verdict == "VALID" and report.appendix is not None
    assert report.appendix.diploma.number == duplicate.number and len(report.appendix.items) == 5


def test_the_appendix_alone_is_corrected_and_duplicated_without_a_new_diploma_record(world: World) -> None:
    graduate = row(2)
    items = typical_items()[:4]
    assert _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: items})).ok
    document = _issue(world, graduate.iin)
    fixed = (AppendixItem(ItemKind.SUBJECT, {"kk": "Философия", "ru": "Философия"}, Grade(letter="B", percent=80),
                          hours=150), *items[1:])
    with world.session() as session:
        corrected = correct_appendix(session=session, officer=world.uni_issuer, series=document.series,
                                     number=document.number, items=fixed, reason="application 14: grade of item 1",
                                     signer=world.signer, at=AT + dt.timedelta(minutes=1))
    assert corrected.revision == 2 and corrected.diploma_revision == 1
    _, report = _check(world, document, AT + dt.timedelta(minutes=2))
    assert report.verdict == "VALID" and report.appendix is not None and report.appendix.revision == 2
    assert report.appendix.items[0].grade.letter == "B"
    with world.session() as session:
        again = duplicate_appendix(session=session, officer=world.uni_issuer, series=document.series,
                                   number=document.number, reason="lost", signer=world.signer,
                                   at=AT + dt.timedelta(minutes=3))
    assert again.duplicate_no == 1 and again.revision == 2
    assert world.scalar("SELECT current_revision FROM documents WHERE id = :d", d=document.id) == 1
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action IN ('appendix.correct', "
                        "'appendix.duplicate')") == 2


def test_an_issued_diplomas_appendix_changes_only_by_a_correction(world: World) -> None:
    graduate = row(2)
    assert _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: typical_items()[:3]})).ok
    _issue(world, graduate.iin)
    again = _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: typical_items()[:3]}))
    assert again.ok  # the same rows again change nothing
    other = _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: typical_items()[3:6]}))
    assert not other.ok and [e.column for e in other.errors] == ["appendix:iin"]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_columns_of_the_appendix_file(delimiter: str) -> None:
    graduate = row(2)
    data = appendix_csv({graduate.iin: typical_items()}, delimiter=delimiter)
    parsed = parse_appendix(data, filename="a.csv", graduate_iins={graduate.iin})
    assert parsed.ok, parsed.errors
    assert parsed.items[graduate.iin] == typical_items()
    assert data.decode().splitlines()[0].split(delimiter) == list(APPENDIX_COLUMNS)


def test_a_batch_signs_the_appendices_of_its_graduates(world: World) -> None:
    from verify.registry.documents import issue_group

    with_appendix, without = row(2, group="APX"), row(3, group="APX")
    assert _import(world, graduates_csv([with_appendix, without]),
                   appendix_csv({with_appendix.iin: typical_items()[:6]})).ok
    with world.session() as session:
        result = issue_group(session=session, officer=world.uni_issuer, group="APX", idempotency_key="apx-1",
                             signer=world.signer, base_url=BASE_URL, at=AT)
    assert result.issued == 2
    assert world.scalar("SELECT count(*) FROM document_appendices") == 1
    number = world.scalar("SELECT d.number FROM documents d JOIN graduates g ON g.id = d.graduate_id "
                          "JOIN holders h ON h.id = g.holder_id WHERE h.iin = :i", i=with_appendix.iin)
    with world.session() as session:
        document = session.exec(select(Document).where(Document.number == number)).one()
    _, report = _check(world, document)
    assert report.verdict == "VALID" and report.appendix is not None and len(report.appendix.items) == 6


def test_an_application_for_a_duplicate_of_the_appendix_alone_duplicates_the_signed_appendix(world: World) -> None:
    """Seed 000, Rules appendix 5 ("қосымшаның телнұсқасын"): a case of scope appendix, granted by the head, makes
    duplicate No. 1 of the signed appendix; the diploma stays in force, unchanged, and no document is added."""
    from verify.registry import cases

    graduate = row(2)
    assert _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: typical_items()[:4]})).ok
    document = _issue(world, graduate.iin)
    received = cases.local_day(AT)
    with world.session() as session:
        application = cases.register_application(
            session, world.uni_issuer, kind="duplicate", series=document.series, number=document.number,
            received_on=received, channel="in_person", presented=["application", "identity_document"],
            reason="damaged", scope="appendix", at=AT)
        cases.start_review(session, world.uni_issuer, number=application.number, at=AT)
        cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=AT)
        granted = cases.approve(session, world.uni_head, number=application.number, signer=world.signer,
                                base_url=BASE_URL, at=AT + dt.timedelta(minutes=1))
    assert granted.state == "granted"
    assert world.scalar("SELECT count(*) FROM documents") == 1
    assert world.scalar("SELECT max(duplicate_no) FROM document_appendices") == 1
    _, report = _check(world, document, AT + dt.timedelta(minutes=2))
    assert report.verdict == "VALID" and report.appendix is not None and report.appendix.duplicate_no == 1


def test_an_application_to_correct_the_appendix_alone_signs_its_next_revision(world: World) -> None:
    """Seed 000 appendix 38 (a correction of the document's data, its grades among them): a case of scope appendix
    with the new rows; nothing changes until the head approves; then the appendix is at revision 2 and the diploma's
    record (and its printed QR code) is unchanged."""
    from verify.registry import cases

    graduate = row(2)
    items = typical_items()[:3]
    assert _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: items})).ok
    document = _issue(world, graduate.iin)
    fixed = [dict(items[0].to_json(), grade={"letter": "B", "percent": 80}), *(i.to_json() for i in items[1:])]
    with world.session() as session:
        application = cases.register_application(
            session, world.uni_issuer, kind="correction", series=document.series, number=document.number,
            received_on=cases.local_day(AT), channel="egov", presented=["application", "electronic_copy"],
            scope="appendix", changes={"items": fixed}, explanation="the grade of the first subject", at=AT)
        assert application.term == "correction-he"
        cases.start_review(session, world.uni_issuer, number=application.number, at=AT)
        cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=AT)
    assert world.scalar("SELECT max(revision) FROM document_appendices") == 1  # nothing until the head approves
    with world.session() as session:
        cases.approve(session, world.uni_head, number=application.number, signer=world.signer, base_url=BASE_URL,
                      at=AT + dt.timedelta(minutes=1))
    _, report = _check(world, document, AT + dt.timedelta(minutes=2))
    assert report.verdict == "VALID" and report.appendix is not None and report.appendix.revision == 2
    assert report.appendix.items[0].grade.letter == "B"
    assert world.scalar("SELECT current_revision FROM documents") == 1
    with world.session() as session, pytest.raises(RecordError):
        cases.register_application(
            session, world.uni_issuer, kind="correction", series=document.series, number=document.number,
            received_on=cases.local_day(AT), channel="egov", presented=["application"], scope="appendix",
            changes={"items": [{"kind": "subject"}]}, explanation="x", at=AT)


def test_an_iin_in_an_appendix_name_or_reason_is_refused(world: World) -> None:
    """The appendix is shown on the public page: a subject name holding an IIN is refused at import, and so is the
    reason of a correction or duplicate of the appendix alone (README, Guarantees: no IIN in a public answer)."""
    graduate, other = row(2), row(3)
    CORPUS.iins.add(other.iin)
    line = f"{graduate.iin},subject,,Пән {other.iin},Предмет,,10,,A,,,,"
    data = appendix_csv({graduate.iin: typical_items()[:1]}) + (line + "\n").encode()
    parsed = parse_appendix(data, filename="a.csv", graduate_iins={graduate.iin})
    assert [(e.row, e.column, e.text.key if e.text else None) for e in parsed.errors] == [(3, "name_kk", "v_apx_iin")]
    assert other.iin not in " ".join(e.reason for e in parsed.errors)
    assert _import(world, graduates_csv([graduate]), appendix_csv({graduate.iin: typical_items()[:2]})).ok
    document = _issue(world, graduate.iin)
    with world.session() as session, pytest.raises(IinInTextError):
        duplicate_appendix(session=session, officer=world.uni_issuer, series=document.series,
                           number=document.number, reason=f"lost, holder {other.iin}", signer=world.signer, at=AT)


_NAMES = st.sampled_from([("Философия", "Философия", "Philosophy"), ("Дерекқорлар", "Базы данных", None),
                          ("Қазақ тілі", "Казахский язык", "Kazakh"), ("Өндірістік практика", "Практика", None)])


@st.composite
def _items(draw: st.DrawFn) -> AppendixItem:
    from verify.grades import LETTER_SCALE

    kk, ru, en = draw(_NAMES)
    band = LETTER_SCALE[draw(st.integers(0, 7))]
    forms = draw(st.sets(st.sampled_from(("letter", "percent", "five_point")), min_size=1))
    grade = Grade(letter=band.letter if "letter" in forms else None,
                  percent=draw(st.integers(band.percent_min, band.percent_max)) if "percent" in forms else None,
                  five_point=band.five_point if "five_point" in forms else None)
    names = {"kk": kk, "ru": ru, **({"en": en} if en else {})}
    hours = draw(st.none() | st.integers(1, 10_000))
    credits = None if hours is not None and draw(st.booleans()) else Decimal(draw(st.integers(1, 3000))) / 10
    return AppendixItem(draw(st.sampled_from((ItemKind.SUBJECT, ItemKind.MODULE))), names, grade, hours=hours,
                        credits=credits, code=draw(st.none() | st.sampled_from(("ИС 01", "KM-2", "A/3"))))


@given(st.lists(_items(), min_size=1, max_size=12), st.sampled_from([",", ";"]))
def test_any_appendix_file_written_is_read_back_exactly(items: list[AppendixItem], delimiter: str) -> None:
    """The appendix import (a decoder of CSV) reads back exactly the rows an exporter wrote, in order."""
    graduate = row(2)
    parsed = parse_appendix(appendix_csv({graduate.iin: tuple(items)}, delimiter=delimiter), filename="a.csv",
                            graduate_iins={graduate.iin})
    assert parsed.ok, parsed.errors
    assert parsed.items[graduate.iin] == tuple(items)


@given(st.binary(max_size=3000))
def test_any_bytes_as_an_appendix_file_give_a_report_never_an_exception(data: bytes) -> None:
    parsed = parse_appendix(data, filename="a.csv", graduate_iins={"040512600027"})
    assert parsed.ok or all(e.text is not None for e in parsed.errors)
