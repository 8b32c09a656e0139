"""Working days in Kazakhstan, and the terms of the document services counted in them.

The terms of the services this registry supports run in working days (жұмыс күні):

    duplicate          15 working days   seed 000, Rules items 22, 43 and 63 (TVE, general secondary, and the
                                         service standard's row 3)
    correction-tve      3 working days   seed 004, service standard row 3
    correction-he      15 working days   seed 001, appendix 18 (service standard) row 3

A preliminary refusal is notified at least 3 working days before the term ends, and the hearing is held at most
2 working days after the notice; the applicant may object within 2 working days of receiving it (seed 000, Rules
items 38 and 58 with the paragraphs that follow them, text on the hearing). An application made after working
hours, on a day off or a holiday is registered on the next working day (seed 000, Rules items 33 and 53; seed 001,
appendix 18 row 7).

Counting: the day the documents are received is not part of the term (seed 000, Rules item 56; a period starts
on the day after the day that begins it, Civil Code of the Republic of Kazakhstan, article 176), so a term of N
working days ends on the N-th working day after the registration day.

Days off and holidays come from the `holidays` library's Kazakhstan calendar (`holidays.country_holidays("KZ")`,
version 0.109 or later; its sources are the Law "On holidays in the Republic of Kazakhstan" and the government's
yearly decrees on transferred days off, listed in its `holidays/countries/kazakhstan.py`): public holidays, a
holiday falling on a weekend moved to the next working day, and days off transferred by decree (the Saturday or
Sunday that becomes a working day counts as one). A decree newer than the installed library is given to
`WorkCalendar` as `extra_days_off` / `extra_working_days` (settings at the edges). Movable religious holidays
(Kurban ait) are the library's estimates where the decree is not in it yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import holidays

from .errors import RecordError

#: Working hours of a service provider's office end at 18:30 (seed 001, appendix 18 row 7); an application
#: received later is registered on the next working day.
OFFICE_CLOSES = dt.time(18, 30)


@dataclass(frozen=True, slots=True)
class Term:
    """A service term: its kind, its length in working days and the legal item that sets it."""

    kind: str
    working_days: int
    source: str


TERMS: dict[str, Term] = {
    "duplicate": Term("duplicate", 15, "seed 000, Rules items 22, 43, 63"),
    "correction-tve": Term("correction-tve", 3, "seed 004, service standard row 3"),
    "correction-he": Term("correction-he", 15, "seed 001, appendix 18 row 3"),
}
"""Service terms by kind (`verify cases due --kind`)."""

REFUSAL_NOTICE_LEAD = 3
"""Working days before the term ends by which a preliminary refusal is notified at the latest (seed 000, item 58)."""

HEARING_WITHIN = 2
"""Working days after the notice within which the hearing is held (seed 000, item 58)."""

OBJECTION_WITHIN = 2
"""Working days after receiving the notice within which the applicant may object (seed 000, item 58)."""


class WorkCalendar:
    """Kazakhstan's working days: Monday to Friday except public holidays and days off, plus transferred
    working Saturdays and Sundays.

    Args:
        extra_days_off: days off by a decree newer than the installed `holidays` data.
        extra_working_days: weekend days made working days by such a decree.

    Raises:
        RecordError: a day listed both as a day off and as a working day.
    """

    def __init__(self, *, extra_days_off: Iterable[dt.date] = (),
                 extra_working_days: Iterable[dt.date] = ()) -> None:
        self._extra_off = frozenset(extra_days_off)
        self._extra_working = frozenset(extra_working_days)
        if self._extra_off & self._extra_working:
            raise RecordError("calendar: a day cannot be both a day off and a working day")

    @cached_property
    def _calendar(self) -> Any:
        return holidays.country_holidays("KZ")  # years are filled in on first use of each

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day in Kazakhstan."""
        if day in self._extra_off:
            return False
        if day in self._extra_working:
            return True
        return bool(self._calendar.is_working_day(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (`start` itself not counted: Civil Code art. 176).

        Raises:
            RecordError: `count` below 1.
        """
        if count < 1:
            raise RecordError("calendar: a term is at least one working day")
        day = start
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def subtract_working_days(self, end: dt.date, count: int) -> dt.date:
        """The working day `count` working days before `end` (`end` itself not counted).

        Raises:
            RecordError: `count` below 1.
        """
        if count < 1:
            raise RecordError("calendar: a term is at least one working day")
        day = end
        for _ in range(count):
            day -= dt.timedelta(days=1)
            while not self.is_working_day(day):
                day -= dt.timedelta(days=1)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def registration_day(self, received: dt.date | dt.datetime) -> dt.date:
        """The day an application is registered: the day received if that is a working day and, for a time
        given, before `OFFICE_CLOSES` (local time of the time given); else the next working day (seed 000,
        Rules items 33 and 53).

        Args:
            received: a date, or an aware or local datetime in Kazakhstan's time.
        """
        if isinstance(received, dt.datetime):
            day, late = received.date(), received.timetz().replace(tzinfo=None) >= OFFICE_CLOSES
        else:
            day, late = received, False
        if late or not self.is_working_day(day):
            return self.next_working_day(day)
        return day


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The dates of one application's term (all `datetime.date`).

    Attributes:
        registered: the registration day (`WorkCalendar.registration_day`).
        due: the last day of the term: the result is given on or before it.
        refusal_notice_by: the last day to notify a preliminary refusal (3 working days before `due`).
        term: the `Term` counted.
    """

    registered: dt.date
    due: dt.date
    refusal_notice_by: dt.date
    term: Term


def deadlines(kind: str, received: dt.date | dt.datetime, calendar: WorkCalendar) -> Deadlines:
    """The term of an application of `kind` received at `received`.

    Raises:
        RecordError: an unknown kind (one of `TERMS`).
    """
    term = TERMS.get(kind)
    if term is None:
        raise RecordError(f"kind must be one of {', '.join(TERMS)}")
    registered = calendar.registration_day(received)
    due = calendar.add_working_days(registered, term.working_days)
    notice = calendar.subtract_working_days(due, REFUSAL_NOTICE_LEAD)
    return Deadlines(registered=registered, due=due, refusal_notice_by=max(notice, registered), term=term)


def hearing_by(notice_sent: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day of the hearing after a preliminary refusal notice sent on `notice_sent` (seed 000, item 58)."""
    return calendar.add_working_days(notice_sent, HEARING_WITHIN)


def objection_by(notice_received: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day for the applicant's objection to a notice received on `notice_received` (seed 000, item 58)."""
    return calendar.add_working_days(notice_received, OBJECTION_WITHIN)


__all__ = ["OFFICE_CLOSES", "TERMS", "Deadlines", "Term", "WorkCalendar", "deadlines", "hearing_by",
           "objection_by"]
