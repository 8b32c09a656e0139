"""Reading cases (issue 13, item 2): overdue first, then due soon, then by due date; counts for metrics; the input
parsers (hypothesis); the role rename of migration 0004_cases. Both engines (conftest: `db_url`, `empty_url`)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from support.world import BASE_URL, T0, World, issue_row, later, make_bin, row

from verify.cli.cases import parse_assignments
from verify.errors import ForbiddenError, RecordError
from verify.registry import cases
from verify.registry.cases.model import parse_presented, parse_refusal_reasons, term_for
from verify.registry.db import alembic_config, make_engine, upgrade_database
from verify.registry.models import OfficerRole, PresentedKind, RefusalReason

TODAY = dt.date(2026, 7, 14)  # a Tuesday: due soon means due by 17 July (3 working days)


def _case(world: World, n: int, received: str, *, kind: str = "duplicate", propose: bool = True) -> str:
    document, _ = issue_row(world, row(n))
    extra = {"reason": "lost"} if kind == "duplicate" else {"explanation": "order No. 3"}
    with world.session() as session:
        application = cases.register_application(
            session, world.uni_issuer, kind=kind, series=document.series, number=document.number,
            received_on=dt.date.fromisoformat(received), channel="in_person", presented=["application"], at=T0,
            **extra)
        if propose:
            if kind != "annulment":
                cases.start_review(session, world.uni_issuer, number=application.number, at=later(1))
            cases.propose(session, world.uni_issuer, number=application.number, decision="grant", at=later(2))
    return application.number


def test_lists_put_overdue_then_due_soon_first_and_count_them(world: World) -> None:
    jul1 = _case(world, 2, "2026-07-01", propose=False)  # due 23 July
    jun29 = _case(world, 3, "2026-06-29")  # due 21 July
    annulment = _case(world, 4, "2026-07-01", kind="annulment")  # no term
    jun24 = _case(world, 5, "2026-06-24", propose=False)  # due 16 July: soon on the 14th
    jun10 = _case(world, 6, "2026-06-10")  # due 1 July: overdue
    jun01 = _case(world, 7, "2026-06-01")  # due 22 June, but decided: never overdue
    with world.session() as session:
        cases.approve(session, world.uni_head, number=jun01, signer=world.signer, base_url=BASE_URL, at=later(9))
        listed = cases.list_applications(session, world.uni_viewer, today=TODAY)
        assert [v.number for v in listed] == [jun10, jun24, jun01, jun29, jul1, annulment]
        assert [(v.overdue, v.due_soon) for v in listed[:3]] == [(True, False), (False, True), (False, False)]
        assert (listed[1].due_on, listed[1].working_days_left) == (dt.date(2026, 7, 16), 2)
        assert listed[-1].due_on is None and listed[-1].working_days_left is None
        assert listed[0].timeline == ()
        assert [v.number for v in cases.list_applications(session, world.uni_viewer, due="overdue", today=TODAY)] \
            == [jun10]
        assert [v.number for v in cases.list_applications(session, world.uni_viewer, due="soon", today=TODAY)] \
            == [jun24]
        assert [v.number for v in cases.list_applications(session, world.uni_viewer, state="granted",
                                                         today=TODAY)] == [jun01]
        assert [v.number for v in cases.list_applications(session, world.uni_viewer, kind="annulment",
                                                         today=TODAY)] == [annulment]
        assert [v.number for v in cases.list_applications(session, world.uni_viewer, today=TODAY, limit=2,
                                                         offset=1)] == [jun24, jun01]
        assert [v.number for v in cases.approval_queue(session, world.uni_head, today=TODAY)] == \
            [jun10, jun29, annulment]
        assert cases.due_counts(session, today=TODAY) == {"overdue": 1, "soon": 1}
        assert cases.due_counts(session, today=TODAY, institution_id=world.college.id) == {"overdue": 0, "soon": 0}
        assert cases.due_counts(session, today=dt.date(2026, 7, 22)) == {"overdue": 3, "soon": 1}
        assert cases.list_applications(session, world.other_issuer, today=TODAY) == []
        with pytest.raises(ForbiddenError):
            cases.get_application(session, world.other_issuer, number=jun10)
        with pytest.raises(ForbiddenError):
            cases.approval_queue(session, world.uni_issuer, today=TODAY)
        for bad in ({"state": "lost"}, {"kind": "renewal"}, {"due": "later"}, {"limit": 0}):
            with pytest.raises(RecordError):
                cases.list_applications(session, world.uni_viewer, today=TODAY, **bad)  # type: ignore[arg-type]


def test_the_term_follows_the_document_family() -> None:
    assert term_for("duplicate", "TVE") == "duplicate"
    assert term_for("correction", "TVE") == "correction-tve"  # seed 004, row 3: 3 working days
    assert term_for("correction", "BD") == "correction-he"  # seed 001, appendix 18 row 3: 15 working days
    assert term_for("annulment", "BD") is None


_PRESENTED = [p.value for p in PresentedKind]


@given(st.lists(st.sampled_from(_PRESENTED), min_size=1))
def test_presented_kinds_are_kept_once_each_in_order(values: list[str]) -> None:
    parsed = parse_presented(values)
    assert parsed == list(dict.fromkeys(values))


@given(st.lists(st.text(max_size=30)))
def test_presented_refuses_anything_but_the_known_kinds(values: list[str]) -> None:
    known = all(v.strip() in _PRESENTED for v in values) and values
    if known:
        assert set(parse_presented(values)) <= set(_PRESENTED)
    else:
        with pytest.raises(RecordError):
            parse_presented(values)


@given(st.lists(st.sampled_from([r.value for r in RefusalReason]) | st.text(max_size=10), max_size=5))
def test_refusal_grounds_are_those_of_appendix_6_row_9(values: list[str]) -> None:
    allowed = {r.value for r in RefusalReason}
    if values and all(v.strip() in allowed for v in values):
        assert parse_refusal_reasons(values) == list(dict.fromkeys(v.strip() for v in values))
    else:
        with pytest.raises(RecordError):
            parse_refusal_reasons(values)


@given(st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda f: "=" not in f and f == f.strip()),
                       st.text(max_size=20), max_size=5))
def test_the_command_lines_assignments_give_back_what_was_written(changes: dict[str, str]) -> None:
    assert parse_assignments([f"{field}={value}" for field, value in changes.items()]) == changes


def test_an_assignment_without_an_equals_sign_is_refused() -> None:
    with pytest.raises(RecordError):
        parse_assignments(["surname"])


def test_the_old_issuer_role_is_read_as_registrar() -> None:
    assert OfficerRole("issuer") is OfficerRole.REGISTRAR is OfficerRole.ISSUER
    assert [r.value for r in OfficerRole] == ["registrar", "head", "viewer"]


def test_migration_0004_renames_issuers_to_registrars_and_back(empty_url: str) -> None:
    upgrade_database(empty_url, revision="0003_tlog")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO institutions (id, bin, name_kk, name_ru, name_en, kind, region, created_at) "
                "VALUES (1, :bin, 'К', 'К', 'C', 'college', 'Астана', :at)"), {"bin": make_bin(1), "at": T0})
            connection.execute(text(
                "INSERT INTO officers (id, username, full_name, role, institution_id, active, created_at) "
                "VALUES (1, 'old.issuer', 'Old Issuer', 'issuer', 1, true, :at), "
                "(2, 'the.head', 'Head', 'head', 1, true, :at)"), {"at": T0})
            connection.execute(text(
                "INSERT INTO accounts (id, username, kind, officer_id, full_name, active, created_at) "
                "VALUES (1, 'old.issuer', 'officer', 1, 'Old Issuer', true, :at)"), {"at": T0})
        upgrade_database(empty_url)
        with engine.connect() as connection:
            roles = dict(connection.execute(text("SELECT username, role FROM officers")).all())
            owner = connection.execute(text("SELECT officer_id FROM accounts")).scalar()
            connection.rollback()
        assert roles == {"old.issuer": "registrar", "the.head": "head"} and owner == 1
        with engine.begin() as connection, pytest.raises(Exception, match=r"(?i)check"):
            connection.execute(text("UPDATE officers SET role = 'issuer' WHERE id = 1"))
        command.downgrade(alembic_config(empty_url), "0003_tlog")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT role FROM officers WHERE id = 1")).scalar() == "issuer"
            connection.rollback()
    finally:
        engine.dispose()
