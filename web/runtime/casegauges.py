"""A metrics collector: the applications (cases) whose term has passed and those due soon, counted in the registry
at each scrape (`verify_cases_overdue`, `verify_cases_due_soon`), so that an alert can fire before a term of the
public service is missed (issue 13 item 2).

"Today" is Kazakhstan's calendar day (UTC+5) at the scrape; "soon" is at most 3 working days left
(`verify.registry.cases.due_counts`). Nothing is reported when the registry cannot be read (the health check says
so).

Sources: terms seed 000 items 22, 43, 63, seed 004 row 3, seed 001 appendix 18 row 3 (`verify.workdays`);
prometheus-client documentation, "Custom Collectors".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, Final

from sqlalchemy.exc import DBAPIError

from verify import Error
from verify.registry.cases import due_counts
from verify.registry.db import SessionFactory

KAZAKHSTAN_TIME: Final = dt.timezone(dt.timedelta(hours=5), "UTC+5")


def kazakhstan_today() -> dt.date:
    """Today's date in Kazakhstan (UTC+5, the whole country since 1 March 2024)."""
    return dt.datetime.now(KAZAKHSTAN_TIME).date()


class CaseDueGauges:
    """The two gauges of overdue and due-soon cases over every institution, read from the registry when scraped.

    Args:
        sessions: read-only sessions on the registry.
        today: the day to judge by (default: Kazakhstan's today; a parameter for tests).
    """

    def __init__(self, sessions: SessionFactory, *, today: Callable[[], dt.date] = kazakhstan_today) -> None:
        self.sessions = sessions
        self.today = today

    def collect(self) -> Iterator[Any]:
        """`verify_cases_overdue` and `verify_cases_due_soon` (prometheus-client's custom collector protocol)."""
        from prometheus_client.core import GaugeMetricFamily

        try:
            with self.sessions() as session:
                counts = due_counts(session, today=self.today())
                session.commit()
        except (Error, DBAPIError):  # the registry cannot be read: no sample (the health check says why)
            return
        yield GaugeMetricFamily("verify_cases_overdue", "Applications not decided whose term has passed.",
                                value=counts.get("overdue", 0))
        yield GaugeMetricFamily("verify_cases_due_soon",
                                "Applications not decided with at most 3 working days of their term left.",
                                value=counts.get("soon", 0))


__all__ = ["CaseDueGauges", "kazakhstan_today"]
