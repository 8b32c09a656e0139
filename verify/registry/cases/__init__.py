"""Applications for duplicates, corrections and annulments, as cases (issue 13, items 1-3).

    model.py     terms per kind and document family, input checks, `ApplicationView` (what surfaces show)
    service.py   the state machine: register, review, refusal notice, hearing, propose, approve, return
    queries.py   one case with its timeline, lists (overdue first), the approval queue, `due_counts` (metrics)

The tables are `verify.registry.models.cases` (migration 0004_cases). Surfaces (the command line, the officers' API
and console) act only through these functions: a duplicate, correction or annulment takes effect only in `approve`,
by a head of the handling institution who neither registered nor prepared the case.
"""

from __future__ import annotations

from .model import (
    DUE_SOON_DAYS,
    KZ_TIME,
    OPEN_STATES,
    ApplicationView,
    TimelineEntry,
    local_day,
    term_for,
)
from .queries import DUE_FILTERS, approval_queue, due_counts, get_application, list_applications
from .service import (
    approve,
    default_calendar,
    propose,
    record_hearing,
    register_and_grant,
    register_application,
    return_for_review,
    send_refusal_notice,
    start_review,
)

__all__ = [
    "DUE_FILTERS",
    "DUE_SOON_DAYS",
    "KZ_TIME",
    "OPEN_STATES",
    "ApplicationView",
    "TimelineEntry",
    "approval_queue",
    "approve",
    "default_calendar",
    "due_counts",
    "get_application",
    "list_applications",
    "local_day",
    "propose",
    "record_hearing",
    "register_and_grant",
    "register_application",
    "return_for_review",
    "send_refusal_notice",
    "start_review",
    "term_for",
]
