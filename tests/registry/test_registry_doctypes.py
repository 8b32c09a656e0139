"""The document types of issue 13 item 6 in the registry, on SQLite and PostgreSQL.

* revision 0004_doctypes brings a registry of revision 0003 to the types and names of `verify.doctypes` (new types
  inserted, every name written as the seeds have it, the REG counter);
* the certificate for one who did not finish (анықтама, seed 000 appendix 37) is imported with why its studies
  ended (kept on the graduate for its signed annex), numbered from the register (series REG, 0000001, 0000002,
  ...), signed, verifies VALID, and is found by its registration number and the surname, as a person types them;
* a post-secondary diploma with honours (seed 000, Rules item 5) consumes a blank and carries honours.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from alembic import command
from sqlalchemy import text
from support.appendixdata import typical_items
from support.world import BASE_URL, World, duplicate, graduate_id_of, issue_row, later, row

from verify.appendix import Appendix, AppendixItem, StudiesEnded
from verify.appendixcheck import check_appendix
from verify.doctypes import DOCUMENT_TYPES, get_document_type
from verify.registry.appendices import store_appendices
from verify.registry.appendixsigning import appendix_of, current_appendix
from verify.registry.blanks import add_blank_range
from verify.registry.db import alembic_config, head_revision, make_engine, sqlite_path, upgrade_database
from verify.registry.documents import find_printed, get_revision, issue_document, issue_group, record_of
from verify.registry.imports.parse import GraduateRow
from verify.registry.models import Document, Graduate
from verify.verifier import VALID

ENDED = {"studies_ended_reason": "өз қалауы бойынша", "studies_ended_order": "45-к",
         "studies_ended_order_date": dt.date(2026, 2, 27), "studied_from": dt.date(2024, 9, 1),
         "studied_until": dt.date(2026, 2, 27)}


def incomplete_row(n: int, **kwargs: object) -> GraduateRow:
    """An анықтама's row with why studies ended (seed 000, appendix 37)."""
    fields = {"doc_type": "INCOMPLETE", "programme": "06130100", "group": "ПО-21", **kwargs}
    return dataclasses.replace(row(n, **fields), **ENDED)  # type: ignore[arg-type]


def test_upgrade_from_0003_adds_the_types_and_writes_the_seeds_names(empty_url: str) -> None:
    path = sqlite_path(empty_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(empty_url), "0003_tlog")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:  # the names as revision 0003 left them in an older registry
            connection.execute(text("UPDATE document_types SET name_kk = 'Магистр дипломына сертификат', "
                                    "name_ru = 'Сертификат к диплому магистра' WHERE code = 'CMD'"))
            before = set(connection.execute(text("SELECT code FROM document_types")).scalars())
        assert before == {t.code for t in DOCUMENT_TYPES} - {"POST_SEC_HONOURS", "INCOMPLETE"}
        assert upgrade_database(empty_url) == head_revision()
        with engine.connect() as connection:
            rows = {r[0]: r[1:] for r in connection.execute(text(
                "SELECT code, cbor_id, series, numbering, level, name_kk, name_ru, name_en FROM document_types"))}
            counters = dict(connection.execute(text("SELECT series, last FROM counters")).all())
            connection.rollback()
    finally:
        engine.dispose()
    assert rows == {t.code: (t.cbor_id, t.series, t.numbering.value, t.level, t.names["kk"], t.names["ru"],
                             t.names["en"]) for t in DOCUMENT_TYPES}
    assert rows["CMD"][4] == "Магистр дипломына куәлік"
    assert counters["REG"] == 0


def test_the_certificate_of_incomplete_studies_is_registered_and_found_by_its_registration_number(
        world: World) -> None:
    first, first_revision = issue_row(world, incomplete_row(2), officer=world.col_issuer, institution=world.college)
    second, _ = issue_row(world, incomplete_row(3, surname="Сейітова", name="Әлия"), officer=world.col_issuer,
                          institution=world.college)
    assert [(d.doc_type, d.series, d.number) for d in (first, second)] == [
        ("INCOMPLETE", "REG", "0000001"), ("INCOMPLETE", "REG", "0000002")]
    record = record_of(first_revision)
    assert (record.doc_type, record.honours, record.qualification) == ("INCOMPLETE", False, None)
    assert world.scalar("SELECT count(*) FROM blanks") == 0  # no blank: the register gives the number
    report = world.verifier().check(first_revision.qr_text, at=later(1))
    assert report.verdict == VALID, report.message
    with world.session() as session:  # typed as a person reads the form: "Тіркеу нөмірі 1", the surname folded
        found = find_printed(session=session, series="reg", number="1", surname="абдирахманова")
        missed = find_printed(session=session, series="REG", number="0000002", surname="Әбдірахманова")
        session.commit()
    assert found is not None and found.document_id == first.id
    assert missed is None  # the registration number of another person
    with world.session() as session:  # why studies ended is kept for the certificate's signed annex
        graduate = session.get(Graduate, first.graduate_id)
        assert graduate is not None
        assert graduate.studies_ended() == StudiesEnded("өз қалауы бойынша", "45-к", dt.date(2026, 2, 27),
                                                        dt.date(2024, 9, 1), dt.date(2026, 2, 27))
        session.commit()


def test_a_post_secondary_diploma_with_honours_consumes_a_blank(world: World) -> None:
    with world.session() as session:
        add_blank_range(session=session, officer=world.col_issuer, series="ТКБ", first="0300001", last="0300002",
                        at=later(0), kind="honours")  # an honours diploma takes a red blank (seed 000, item 8)
    graduate = row(2, doc_type="POST_SEC_HONOURS", programme="09130100", qualification="4S09130103", group="ПС-1")
    world.import_rows((graduate,), officer=world.col_issuer, institution=world.college)
    with world.session() as session:
        document = issue_document(session=session, officer=world.col_issuer,
                                  graduate_id=graduate_id_of(world, graduate, world.college), signer=world.signer,
                                  base_url=BASE_URL, at=later(1))
        revision = get_revision(session=session, document=document)
        session.commit()
    assert (document.doc_type, document.series, document.number) == ("POST_SEC_HONOURS", "ТКБ", "0300001")
    assert record_of(revision).honours is True
    assert world.verifier().check(revision.qr_text, at=later(2)).verdict == VALID
    doc_type = get_document_type("POST_SEC_HONOURS")
    assert doc_type is not None and doc_type.honours


def test_a_group_of_certificates_is_issued_in_one_batch(world: World) -> None:
    """`verify issue --group`: the анықтама's group takes registration numbers in a row, mixed with none of the
    blank-numbered or higher-education series."""
    graduates = tuple(incomplete_row(n, surname=surname, group="ШЫҚ-1")
                      for n, surname in ((2, "Әбдірахманова"), (3, "Сейітова"), (4, "Жұмабекова")))
    world.import_rows(graduates)
    with world.session() as session:
        result = issue_group(session=session, officer=world.uni_issuer, group="ШЫҚ-1", idempotency_key="reg-batch",
                             signer=world.signer, base_url=BASE_URL, at=later(1))
        session.commit()
    assert result.issued == 3
    with world.engine.connect() as connection:
        numbers = list(connection.execute(text("SELECT number FROM documents WHERE series = 'REG' ORDER BY number"))
                       .scalars())
        connection.rollback()
    assert numbers == ["0000001", "0000002", "0000003"]


def _store_annex(world: World, graduate: GraduateRow) -> tuple[AppendixItem, ...]:
    """The анықтама's grade table (seed 000 appendix 37, annex 2) kept for the graduate, as the appendix import does."""
    items = typical_items()[:6]
    with world.session() as session:
        errors = store_appendices(session=session, institution=world.uni, officer=world.uni_issuer,
                                  items={graduate.iin: items}, at=later(0))
    assert errors == []
    return items


def _signed_annex(world: World, document_id: int | None) -> tuple[object, Appendix]:
    assert document_id is not None
    with world.session() as session:
        stored = current_appendix(session, document_id)
        assert stored is not None
        text_ = get_revision(session=session, document=session.get(Document, document_id),
                             revision=stored.diploma_revision).qr_text
        session.commit()
    report = check_appendix(stored.cose, diploma_text=text_, trust_list=world.trust_list, at=later(5))
    assert report.verdict == "VALID", [s.to_json() for s in report.steps]
    return stored, appendix_of(stored)


def test_the_certificate_s_annex_is_signed_at_issue_with_why_studies_ended_and_carried_to_its_duplicate(
        world: World) -> None:
    """Issue 17's appendix signing meets the анықтама: its annex must carry key 10 (docs/FORMAT.md §10.3), taken from
    the graduate's imported columns; one issued alone, one in a batch, and a duplicate all sign it."""
    single, batched = incomplete_row(2), incomplete_row(3, surname="Сейітова", group="ШЫҚ-2")
    world.import_rows((single, batched))
    items = _store_annex(world, single)
    _store_annex(world, batched)
    expected = StudiesEnded("өз қалауы бойынша", "45-к", dt.date(2026, 2, 27), dt.date(2024, 9, 1),
                            dt.date(2026, 2, 27))
    with world.session() as session:
        document = issue_document(session=session, officer=world.uni_issuer,
                                  graduate_id=graduate_id_of(world, single), signer=world.signer, base_url=BASE_URL,
                                  at=later(1))
        session.commit()
    _, annex = _signed_annex(world, document.id)
    assert (annex.studies_ended, annex.items, annex.diploma.series) == (expected, items, "REG")
    with world.session() as session:
        result = issue_group(session=session, officer=world.uni_issuer, group="ШЫҚ-2", idempotency_key="reg-annex",
                             signer=world.signer, base_url=BASE_URL, at=later(2))
        session.commit()
    assert result.issued == 1
    batch_document_id = world.scalar("SELECT id FROM documents WHERE graduate_id = :g",
                                     g=graduate_id_of(world, batched))
    assert isinstance(batch_document_id, int)
    assert _signed_annex(world, batch_document_id)[1].studies_ended == expected
    copy, _ = duplicate(world, document, at=later(3))
    _, carried = _signed_annex(world, copy.id)
    assert (carried.studies_ended, carried.diploma.number) == (expected, copy.number)
