"""The case gauges of `/metrics` (web/runtime/casegauges.py): counted in the registry at each scrape, judged on the
day given; nothing at all when the registry cannot be read (no 500 from a scrape)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine
from sqlmodel import Session
from support.web import DEAD_DATABASE_URL, Issued, issue
from support.world import World

from verify.errors import RegistryUnavailableError
from verify.registry.cases import register_application
from verify.workdays import WorkCalendar
from web.runtime.casegauges import CaseDueGauges, kazakhstan_today


def _samples(gauges: CaseDueGauges) -> dict[str, float]:
    return {sample.name: sample.value for family in gauges.collect() for sample in family.samples}


def test_the_gauges_count_overdue_and_due_soon_cases_on_the_day_given(world: World, issued: Issued) -> None:
    at = dt.datetime.now(dt.UTC)
    received = kazakhstan_today()
    with world.session() as session:
        register_application(session, world.uni_issuer, kind="duplicate", series=issued.document.series,
                             number=issued.document.number, received_on=received, channel="in_person",
                             presented=["application"], reason="lost", at=at)
    calendar = WorkCalendar()
    due = calendar.add_working_days(calendar.registration_day(received), 15)

    def sessions() -> Session:
        return Session(world.engine)

    assert _samples(CaseDueGauges(sessions, today=lambda: received)) == {
        "verify_cases_overdue": 0, "verify_cases_due_soon": 0}
    assert _samples(CaseDueGauges(sessions, today=lambda: due)) == {
        "verify_cases_overdue": 0, "verify_cases_due_soon": 1}
    assert _samples(CaseDueGauges(sessions, today=lambda: due + dt.timedelta(days=1))) == {
        "verify_cases_overdue": 1, "verify_cases_due_soon": 0}
    issue(world, surname="Ким")  # another document without a case changes nothing
    assert _samples(CaseDueGauges(sessions, today=lambda: due))["verify_cases_due_soon"] == 1


def test_an_unreadable_registry_gives_no_sample_and_no_error() -> None:
    def broken() -> Session:
        raise RegistryUnavailableError("the registry database cannot be reached")

    nowhere = create_engine(DEAD_DATABASE_URL)
    try:
        assert list(CaseDueGauges(broken).collect()) == []
        assert list(CaseDueGauges(lambda: Session(nowhere)).collect()) == []  # nothing listens there
    finally:
        nowhere.dispose()
