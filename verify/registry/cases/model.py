"""The parts of a case that are not its state machine: terms, input checks, and the view of a case.

* `term_for`: which term (`verify.workdays.TERMS`) an application runs under: a duplicate 15 working days (seed 000
  items 22, 43, 63); a correction 3 working days for a TVE document (seed 004, row 3) and 15 for a higher-education
  one (seed 001, appendix 18 row 3), chosen by the family (`level`) of the document's type; an annulment none.
* `parse_*`: the checks of what a registrar types (kinds, channel, documents presented, reasons), each raising a
  `RecordError` with a `Text` that names the field.
* `ApplicationView`, `TimelineEntry`: a case as the console, the API and the command line show it.
* `local_day`: the day in Kazakhstan (UTC+5) of an aware time: terms are counted in its days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ...doctypes import get_document_type
from ...errors import RecordError
from ...identifiers import refuse_iin_in_text
from ...texts import text
from ..models import (
    ApplicationKind,
    ApplicationScope,
    ApplicationState,
    Channel,
    DuplicateReason,
    PresentedKind,
    Proposal,
    RefusalReason,
)

KZ_TIME: Final = dt.timezone(dt.timedelta(hours=5), "UTC+5")
"""Kazakhstan's time (one zone, UTC+5, since 1 March 2024): the days terms are counted in."""

OPEN_STATES: Final = frozenset({ApplicationState.REGISTERED.value, ApplicationState.UNDER_REVIEW.value,
                                ApplicationState.REFUSAL_NOTICE.value, ApplicationState.HEARING.value,
                                ApplicationState.AWAITING_APPROVAL.value})
"""States of a case not decided yet: its term runs."""

DUE_SOON_DAYS: Final = 3
"""A case is due soon when its term ends within this many working days (listed after the overdue ones)."""

NAME_PARTS: Final = ("surname", "name", "patronymic")


def local_day(at: dt.datetime) -> dt.date:
    """The day in Kazakhstan (UTC+5) of an aware time.

    Raises:
        ValueError: a naive time.
    """
    if at.tzinfo is None:
        raise ValueError("an aware time is needed")
    return at.astimezone(KZ_TIME).date()


def term_for(kind: str, doc_type: str) -> str | None:
    """The `verify.workdays.TERMS` key of an application of `kind` about a document of type `doc_type`.

    duplicate -> "duplicate"; correction -> "correction-he" for a higher-education type, "correction-tve" for any
    other (TVE and post-secondary); annulment -> None (no service term).
    """
    if kind == ApplicationKind.DUPLICATE.value:
        return "duplicate"
    if kind == ApplicationKind.CORRECTION.value:
        known = get_document_type(doc_type)
        return "correction-he" if known is not None and known.level == "higher" else "correction-tve"
    return None


def _one_of(value: object, allowed: Iterable[str], *, field: str) -> str:
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise RecordError(text("v_case_one_of", field=field, allowed=", ".join(choices)))
    return value


def parse_kind(value: object) -> str:
    """A `ApplicationKind` value. Raises: RecordError."""
    return _one_of(value, (k.value for k in ApplicationKind), field="kind")


def parse_channel(value: object) -> str:
    """A `Channel` value. Raises: RecordError."""
    return _one_of(value, (c.value for c in Channel), field="channel")


def parse_scope(value: object, kind: str) -> str:
    """A `ApplicationScope` value; "appendix" only for a duplicate (seed 000, appendix 5) or a correction of the
    appendix alone (seed 000 appendix 38: the data of the document, the appendix's grades among them). Raises:
    RecordError."""
    scope = _one_of(value, (s.value for s in ApplicationScope), field="scope")
    if scope == ApplicationScope.APPENDIX.value and kind not in (ApplicationKind.DUPLICATE.value,
                                                                   ApplicationKind.CORRECTION.value):
        raise RecordError(text("v_case_appendix_only_duplicate", field="scope"))
    return scope


def parse_presented(values: Iterable[object]) -> list[str]:
    """The kinds of documents presented, in the order given, each once; at least one (`PresentedKind`).

    Raises:
        RecordError: none given, or a kind not known (the message lists the known ones).
    """
    known = [p.value for p in PresentedKind]
    out: list[str] = []
    for value in values:
        kind = _one_of(value.strip() if isinstance(value, str) else value, known, field="presented")
        if kind not in out:
            out.append(kind)
    if not out:
        raise RecordError(text("v_case_presented_none", field="presented"))
    return out


def parse_refusal_reasons(values: Iterable[object]) -> list[str]:
    """Refusal grounds of seed 000 appendix 6 row 9 (`RefusalReason`), each once; at least one.

    Raises:
        RecordError: none given, or an unknown one.
    """
    known = [r.value for r in RefusalReason]
    out: list[str] = []
    for value in values:
        reason = _one_of(value.strip() if isinstance(value, str) else value, known, field="reasons")
        if reason not in out:
            out.append(reason)
    if not out:
        raise RecordError(text("v_case_one_of", field="reasons", allowed=", ".join(known)))
    return out


def parse_decision(value: object) -> str:
    """A `Proposal` value ("grant" or "refuse"). Raises: RecordError."""
    return _one_of(value, (p.value for p in Proposal), field="decision")


def parse_duplicate_reason(value: object) -> str:
    """A `DuplicateReason` value (seed 000 item 21; seed 003 item 9). Raises: RecordError."""
    if not isinstance(value, str) or value not in {r.value for r in DuplicateReason}:
        raise RecordError(text("v_dup_reason", field="reason", reasons=", ".join(r.value for r in DuplicateReason)))
    return value


def parse_new_name(changes: Mapping[str, Any]) -> dict[str, str | None]:
    """A duplicate's new name: surname and name (required), patronymic (optional, "" or None for none).

    Raises:
        RecordError: another key, or an empty surname or name.
        IinInTextError: a part holds an IIN.
    """
    extra = sorted(set(changes) - set(NAME_PARTS))
    if extra:
        raise RecordError(text("v_case_name_parts", field="changes", fields=", ".join(NAME_PARTS)))
    out: dict[str, str | None] = {}
    for part in NAME_PARTS:
        value = changes.get(part)
        if value is not None and not isinstance(value, str):
            raise RecordError(text("v_rec_text", field=part))
        value = refuse_iin_in_text(value.strip(), field=part) if value else None
        if part != "patronymic" and not value:
            raise RecordError(text("v_cor_nonempty", field=part))
        out[part] = value or None
    return out


def free_text(value: str | None, *, field: str, required: bool) -> str | None:
    """Stripped free text, refused if it holds an IIN; None when empty and not required.

    Raises:
        RecordError: empty but required.
        IinInTextError: an IIN in it.
    """
    stripped = refuse_iin_in_text(value.strip(), field=field) if isinstance(value, str) else ""
    if not stripped:
        if required:
            raise RecordError(text("v_case_text_needed", field=field))
        return None
    return stripped


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step of a case: when (aware UTC), who (username, or "operator:<name>"), what, and its details."""

    at: dt.datetime
    actor: str
    action: str
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """A case as shown (never an IIN).

    Attributes:
        number: the application number "<BIN>-<year>-<6 digits>".
        kind, term, state, scope, reason, channel, proposal: the stored values (enumerations of `models.cases`).
        institution_bin: the handling institution.
        document: series and number of the document applied about, e.g. "BD 0000042".
        changes: correction field -> new value, or a duplicate's new name; None.
        explanation: the applicant's statement (an annulment's basis).
        presented: kinds of documents presented.
        received_on, due_on: dates; due_on None for an annulment.
        overdue, due_soon: open and past `due_on`; open and due within `DUE_SOON_DAYS` working days (as of `today`).
        working_days_left: working days after today up to the due date (0 when due or overdue; None: no term).
        prepared_by, approved_by: usernames.
        refusal_reasons, refusal_text, notice_on, hearing_until: the refusal and the hearing window.
        decided_at: when the head decided (aware UTC).
        result_document: the duplicate issued, e.g. "BD 0000043"; result_revision: the correction's revision.
        timeline: the steps, oldest first.
    """

    number: str
    kind: str
    term: str | None
    state: str
    institution_bin: str
    document: str
    scope: str
    reason: str | None
    changes: Mapping[str, Any] | None
    explanation: str | None
    received_on: dt.date
    channel: str
    presented: tuple[str, ...]
    due_on: dt.date | None
    overdue: bool
    due_soon: bool
    working_days_left: int | None
    prepared_by: str | None
    proposal: str | None
    refusal_reasons: tuple[str, ...]
    refusal_text: str | None
    notice_on: dt.date | None
    hearing_until: dt.date | None
    approved_by: str | None
    decided_at: dt.datetime | None
    result_document: str | None
    result_revision: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    timeline: tuple[TimelineEntry, ...] = ()
