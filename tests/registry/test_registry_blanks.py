"""Blank stock (seed 000, items 7, 10, 17-20): ranges received, overlap refused, write-offs,
numbers outside the stock refused, TVE documents consume blanks in number order.

The series ТКБ is one the TEST ONLY signer may sign (verify.doctypes.DEVELOPMENT_TVE_SERIES).
"""

from __future__ import annotations

import pytest
from support.world import BASE_URL, World, graduate_id_of, issue_row, later, row

from verify.errors import ConflictError, ForbiddenError, RecordError, StockError
from verify.registry.blanks import add_blank_range, stock_summary, write_off_blank
from verify.registry.documents import get_revision, issue_document
from verify.registry.lifecycle import issue_duplicate
from verify.registry.models import Blank, BlankRange, Officer
from verify.verifier import VALID

SERIES = "ТКБ"


def receive(world: World, first: str, last: str, *, officer: Officer | None = None, series: str = SERIES
            ) -> BlankRange:
    with world.session() as session:
        return add_blank_range(session=session, officer=officer or world.col_issuer, series=series, first=first,
                               last=last, at=later(0))


def write_off(world: World, number: str, *, officer: Officer | None = None, reason: str = "spoiled in the printer"
              ) -> Blank:
    with world.session() as session:
        return write_off_blank(session=session, officer=officer or world.col_issuer, series=SERIES, number=number,
                               reason=reason, at=later(1))


def tve_row(n: int, **kwargs: object) -> object:
    return row(n, doc_type="TVE", programme="06130100", group="ПО-21", **kwargs)  # type: ignore[arg-type]


def test_ranges_are_recorded_and_overlaps_refused(world: World) -> None:
    first = receive(world, "0000001", "0000100")
    assert (first.series, first.first_number, first.last_number, first.size) == (SERIES, 1, 100, 100)
    receive(world, "0000101", "0000150")
    with pytest.raises(ConflictError, match="overlap this institution's range ТКБ 0000001-0000100"):
        receive(world, "0000100", "0000120")
    with pytest.raises(ConflictError, match="overlap"):
        receive(world, "0000050", "0000060")
    # Another institution may not receive numbers of the same series either: a series and number exist once.
    # The refusal names nothing of the other institution's stock (issue 10, item 8).
    with pytest.raises(ConflictError, match="overlap blanks recorded in the registry already") as refused:
        receive(world, "0000140", "0000200", officer=world.uni_issuer)
    assert "0000101" not in str(refused.value) and "0000150" not in str(refused.value)
    receive(world, "0000001", "0000010", series="TKB")  # another series, same numbers: fine
    with pytest.raises(RecordError, match="greater"):
        receive(world, "0000300", "0000200")
    with pytest.raises(RecordError, match="seven digits"):
        receive(world, "300", "400")
    with pytest.raises(ForbiddenError):
        receive(world, "0000500", "0000600", officer=world.uni_viewer)
    assert world.scalar("SELECT count(*) FROM blank_ranges") == 3


def test_write_off_needs_a_reason_and_a_number_in_the_stock(world: World) -> None:
    receive(world, "0000001", "0000010")
    blank = write_off(world, "0000003")
    assert (blank.state, blank.reason) == ("written_off", "spoiled in the printer")
    with pytest.raises(ConflictError, match="written off already"):
        write_off(world, "0000003")
    with pytest.raises(StockError, match="not in this institution's stock"):
        write_off(world, "0000011")
    with pytest.raises(StockError, match="not in this institution's stock"):
        write_off(world, "0000004", officer=world.uni_issuer)  # the university has no such blanks
    with pytest.raises(RecordError, match="reason"):
        write_off(world, "0000004", reason="  ")
    events = world.scalar("SELECT count(*) FROM audit_events WHERE action = 'blank.write_off'")
    assert events == 1


def test_tve_documents_consume_blanks_in_order_skipping_written_off_ones(world: World) -> None:
    receive(world, "0000010", "0000012")
    receive(world, "0000001", "0000003")
    write_off(world, "0000002")
    numbers = []
    for n in range(5):
        document, revision = issue_row(world, tve_row(n + 2), officer=world.col_issuer, institution=world.college)
        numbers.append(document.number)
        assert world.verifier().check(revision.qr_text, at=later(5)).verdict == VALID
    assert numbers == ["0000001", "0000003", "0000010", "0000011", "0000012"]
    with world.session() as session:
        (line,) = stock_summary(session=session, institution_id=world.college.id)  # type: ignore[arg-type]
        session.commit()
    assert (line.received, line.used, line.written_off, line.free, line.next_free) == (6, 5, 1, 0, None)
    with pytest.raises(StockError, match="no free blank"):
        issue_row(world, tve_row(9), officer=world.col_issuer, institution=world.college)
    with pytest.raises(ConflictError, match="used for a document"):
        write_off(world, "0000010")
    assert world.scalar("SELECT count(*) FROM blanks WHERE state = 'used'") == 5
    assert world.scalar("SELECT count(*) FROM documents") == 5


def test_a_given_blank_must_be_in_the_stock_and_free(world: World) -> None:
    receive(world, "0000001", "0000005")
    document, _ = issue_row(world, tve_row(2), officer=world.col_issuer, institution=world.college,
                            blank_number="0000004")
    assert document.number == "0000004"
    with pytest.raises(StockError, match="not in this institution's stock"):
        issue_row(world, tve_row(3), officer=world.col_issuer, institution=world.college, blank_number="0000009")
    graduate = tve_row(4)
    world.import_rows((graduate,), officer=world.col_issuer, institution=world.college)  # type: ignore[arg-type]
    with world.session() as session, pytest.raises(ConflictError, match="used or written off"):
        issue_document(session=session, officer=world.col_issuer,
                       graduate_id=graduate_id_of(world, graduate, world.college),  # type: ignore[arg-type]
                       signer=world.signer, base_url=BASE_URL, at=later(1), blank_number="0000004")
    # The next free blank still starts at the bottom of the range.
    document, _ = issue_row(world, tve_row(5), officer=world.col_issuer, institution=world.college)
    assert document.number == "0000001"
    # A university series is numbered by the service: no blank may be given.
    with pytest.raises(RecordError, match="numbered by the service"):
        issue_row(world, row(6), blank_number="0000001")


def test_a_tve_duplicate_takes_the_next_blank(world: World) -> None:
    receive(world, "0000001", "0000003")
    original, _ = issue_row(world, tve_row(2), officer=world.col_issuer, institution=world.college)
    write_off(world, "0000002")
    with world.session() as session:
        dup = issue_duplicate(session=session, officer=world.col_issuer, series=SERIES, number=original.number,
                              reason="damaged", signer=world.signer, base_url=BASE_URL, at=later(3))
        revision = get_revision(session=session, document=dup)
        session.commit()
    assert (dup.series, dup.number, dup.duplicate_no) == (SERIES, "0000003", 1)
    assert world.verifier().check(revision.qr_text, at=later(4)).registry.duplicate_no == 1  # type: ignore[union-attr]
    assert world.scalar("SELECT document_id FROM blanks WHERE number = '0000003'") == dup.id
