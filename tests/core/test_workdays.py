"""verify/workdays.py and `verify cases due`: terms in Kazakhstan's working days (issue 13 item 2).

Expected dates are counted by hand from the official calendars (public holidays of the Law "On holidays", a
holiday on a weekend moved to the next working day, the government's decrees on transferred days off) and
written here as data, so the library's calendar is checked, not repeated.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.cli import main
from verify.errors import RecordError
from verify.workdays import TERMS, WorkCalendar, deadlines, hearing_by, objection_by

D = dt.date
CALENDAR = WorkCalendar()


@pytest.mark.parametrize(("received", "due"), [
    # Before Independence Day (16 December 2026, Wednesday) and the New Year (1-2 January, 7 January Christmas):
    # received Monday 7 Dec; 8-11, 14, 15 = 6; 17, 18, 21-25 = 13; 28, 29 = 15.
    (D(2026, 12, 7), D(2026, 12, 29)),
    # Received Tuesday 15 Dec; 17, 18, 21-25, 28-31 = 11; 5, 6, 8, 11 January = 15 (1 and 2 January are holidays,
    # 2 January 2027 a Saturday, so Monday 4 January is the day off in its place; 7 January is Christmas).
    (D(2026, 12, 15), D(2027, 1, 11)),
    # Received on the holiday itself: registered Thursday 17 Dec; 18, 21-25, 28-31 = 10; 5, 6, 8, 11, 12 = 15.
    (D(2026, 12, 16), D(2027, 1, 12)),
    # A Saturday: registered Monday 14 Dec; 15, 17, 18, 21-25, 28-31 = 12; 5, 6, 8 January = 15.
    (D(2026, 12, 12), D(2027, 1, 8)),
    # 2025: 3 January (Friday) a day off transferred from Sunday 5 January, which is a working day.
    # Received Monday 30 Dec 2024; 31 Dec = 1; 5 Jan (Sunday, working) = 2; 6 = 3; 7 Christmas; 8-10 = 6;
    # 13-17 = 11; 20-23 = 15.
    (D(2024, 12, 30), D(2025, 1, 23)),
    # 2024: 8 May (Wednesday) a day off transferred from Saturday 4 May; 1, 7 and 9 May holidays.
    # Received Tuesday 30 April; 2, 3, 4 (Saturday, working) = 3; 6 = 4; 10 = 5; 13-17 = 10; 20-24 = 15.
    (D(2024, 4, 30), D(2024, 5, 24)),
    # Nauryz 2026: 21-23 March, 21 and 22 on the weekend, moved to 24 and 25; 8 March (Sunday) moved to 9 March.
    # Received Friday 6 March; 10-13 = 4; 16-20 = 9; 26, 27 = 11; 30, 31, 1, 2 April = 15.
    (D(2026, 3, 6), D(2026, 4, 2)),
])
def test_duplicate_term_is_15_working_days_of_the_kazakhstan_calendar(received: dt.date, due: dt.date) -> None:
    """Seed 000, Rules items 22 and 63: a duplicate within 15 working days; item 56: the day of receipt is not
    counted; items 33 and 53: received on a day off -> registered on the next working day."""
    assert deadlines("duplicate", received, CALENDAR).due == due


def test_terms_per_kind_and_their_sources() -> None:
    assert {kind: term.working_days for kind, term in TERMS.items()} == {
        "duplicate": 15, "correction-tve": 3, "correction-he": 15}
    # TVE correction (seed 004 row 3): received Monday 14 Dec 2026 -> 15, 17, 18.
    assert deadlines("correction-tve", D(2026, 12, 14), CALENDAR).due == D(2026, 12, 18)
    assert deadlines("correction-he", D(2026, 12, 7), CALENDAR).due == D(2026, 12, 29)
    with pytest.raises(RecordError):
        deadlines("appeal", D(2026, 12, 7), CALENDAR)


def test_after_office_hours_is_registered_the_next_working_day() -> None:
    """Seed 000, Rules items 33 and 53; seed 001 appendix 18 row 7: the office works until 18:30."""
    assert CALENDAR.registration_day(dt.datetime(2026, 12, 14, 18, 29)) == D(2026, 12, 14)
    assert CALENDAR.registration_day(dt.datetime(2026, 12, 14, 18, 30)) == D(2026, 12, 15)
    assert CALENDAR.registration_day(dt.datetime(2026, 12, 15, 20, 0)) == D(2026, 12, 17)  # 16th: holiday


def test_refusal_notice_hearing_and_objection_windows() -> None:
    """Seed 000, item 58: notice at least 3 working days before the term ends; hearing within 2 working days of
    the notice; objection within 2 working days of receiving it."""
    terms = deadlines("duplicate", D(2026, 12, 7), CALENDAR)
    # Due 29 Dec: the notice by 24 Dec leaves 25, 28 and 29 (the hearing within two of them, the decision on the last).
    assert terms.refusal_notice_by == D(2026, 12, 24)
    assert CALENDAR.working_days_between(terms.refusal_notice_by, terms.due) == 3
    assert hearing_by(D(2026, 12, 15), CALENDAR) == D(2026, 12, 18)
    assert objection_by(D(2026, 12, 31), CALENDAR) == D(2027, 1, 6)  # 4 January: New Year's day off moved


def test_decrees_newer_than_the_library_are_given_as_extra_days() -> None:
    extra = WorkCalendar(extra_days_off=[D(2026, 12, 18)], extra_working_days=[D(2026, 12, 19)])
    assert not extra.is_working_day(D(2026, 12, 18)) and extra.is_working_day(D(2026, 12, 19))
    assert extra.add_working_days(D(2026, 12, 17), 2) == D(2026, 12, 21)
    with pytest.raises(RecordError):
        WorkCalendar(extra_days_off=[D(2026, 12, 18)], extra_working_days=[D(2026, 12, 18)])


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=D(2010, 1, 1), max_value=D(2030, 12, 31)), count=st.integers(1, 40))
def test_adding_working_days_lands_on_a_working_day_count_days_later(start: dt.date, count: int) -> None:
    due = CALENDAR.add_working_days(start, count)
    assert CALENDAR.is_working_day(due)
    assert CALENDAR.working_days_between(start, due) == count
    if CALENDAR.is_working_day(start):
        assert CALENDAR.subtract_working_days(due, count) == start


def test_cli_cases_due_prints_the_due_date_on_its_last_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The contract of issue 13 item 2: `verify cases due --kind K --received YYYY-MM-DD`, last line YYYY-MM-DD."""
    assert main(["cases", "due", "--kind", "duplicate", "--received", "2026-12-07"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2026-12-29"
    assert main(["cases", "due", "--kind", "correction-tve", "--received", "2026-12-15T19:00"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2026-12-22"
    with pytest.raises(SystemExit) as exit_info:
        main(["cases", "due", "--kind", "duplicate", "--received", "7.12.2026"])
    assert exit_info.value.code == 2
