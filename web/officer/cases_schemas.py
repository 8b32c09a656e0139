"""Request and response shapes of the officers' case API (`web.officer.cases_api`), with the examples the OpenAPI
document shows.

An application (a case) is named by its number, `<BIN>-<year>-<six digits>` (per institution, per year, never
reused). Requests refuse unknown members and cap lengths; responses never carry an IIN (the applicant's statement
is checked for IINs by the registry like every free text). Dates are ISO 8601 (YYYY-MM-DD), times UTC.

Sources: duplicate reasons seed 000 item 21 and seed 003 item 9; scope seed 000 appendix 5; documents presented
seed 000 item 21, seed 003 item 9, seed 000 appendix 38; refusal reasons seed 000 appendix 6 row 9; terms seed 000
items 22, 43, 58, 63, seed 004 row 3, seed 001 appendix 18 row 3.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

APPLICATION_NUMBER_PATTERN: Final = r"^[0-9]{12}-[0-9]{4}-[0-9]{6}$"
"""An application number: the handling institution's BIN, the year, a six-digit sequence."""
KINDS: Final = ("duplicate", "correction", "annulment")
STATES: Final = ("registered", "under_review", "refusal_notice", "hearing", "awaiting_approval", "granted",
                 "refused")
CHANNELS: Final = ("in_person", "egov")
PRESENTED: Final = ("application", "identity_document", "digital_identity_document", "damaged_original",
                    "name_change_certificate", "loss_announcement", "electronic_copy")
"""The kinds of documents an applicant presents (kinds, never copies): seed 000 item 21, seed 003 item 9, seed 000
appendix 38."""
REFUSAL_REASONS: Final = ("unreliable_documents", "documents_not_compliant", "no_personal_data_consent")
"""The grounds of a refusal (seed 000 appendix 6 row 9)."""
DUPLICATE_REASONS: Final = ("lost", "damaged", "name_changed", "filling_error")

Kind = Literal["duplicate", "correction", "annulment"]
State = Literal["registered", "under_review", "refusal_notice", "hearing", "awaiting_approval", "granted", "refused"]
Channel = Literal["in_person", "egov"]
Presented = Literal["application", "identity_document", "digital_identity_document", "damaged_original",
                    "name_change_certificate", "loss_announcement", "electronic_copy"]
RefusalReason = Literal["unreliable_documents", "documents_not_compliant", "no_personal_data_consent"]
Due = Literal["overdue", "soon"]

_NUMBER: Final = "040140001236-2026-000017"


def _forbid(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class ApplicationRequest(BaseModel):
    """Register an application received in person or through the e-gov portal.

    A duplicate names its reason (and, when the name changed, the new name in `changes`); a correction names the
    fields and their new values in `changes`; an annulment names its basis in `explanation`.
    """

    model_config = _forbid(
        {"kind": "duplicate", "series": "ЖБ", "number": "0000042", "received_on": "2026-12-01",
         "channel": "in_person", "presented": ["application", "identity_document", "loss_announcement"],
         "reason": "lost"},
        {"kind": "correction", "series": "BD", "number": "0000042", "received_on": "2026-12-01", "channel": "egov",
         "presented": ["application", "digital_identity_document"], "changes": {"programme": "6B06102"},
         "explanation": "the programme code was typed wrong"})

    kind: Kind
    series: str = Field(min_length=1, max_length=8, description="the document's series as printed")
    number: str = Field(min_length=7, max_length=7, pattern=r"^[0-9]{7}$", description="the document's number")
    received_on: dt.date = Field(description="the day the application was received (the term counts from it)")
    channel: Channel
    presented: list[Presented] = Field(min_length=1, max_length=7, description="kinds of documents presented")
    reason: Literal["lost", "damaged", "name_changed", "filling_error", "order", "issued_in_error"] | None = Field(
        default=None, description="duplicates: why (seed 000 item 21, seed 003 item 9); annulments: order (final, "
                                  "the default) or issued_in_error (a new original may follow)")
    scope: Literal["document", "appendix"] = Field(
        default="document", description="duplicates and corrections: the whole document or the appendix only (seed "
                                        "000 appendix 5)")
    changes: dict[str, str | bool | list[dict[str, Any]] | None] | None = Field(
        default=None, max_length=7,
        description="corrections: field -> new value (surname, name, patronymic, award_date, programme, "
                    "qualification, honours), or for the appendix alone {\"items\": [rows, docs/FORMAT.md §10.6]}; "
                    "duplicates for a changed name: surname, name, patronymic")
    explanation: str | None = Field(default=None, max_length=2000,
                                    description="the applicant's statement; an annulment's basis")


class NoticeRequest(BaseModel):
    """A preliminary refusal notice: its grounds and text (seed 000 item 58)."""

    model_config = _forbid({"reasons": ["documents_not_compliant"],
                            "text": "The certificate of the name change is not presented."})

    reasons: list[RefusalReason] = Field(min_length=1, max_length=3)
    text: str = Field(min_length=1, max_length=2000)


class HearingRequest(BaseModel):
    """The applicant's objection heard within the hearing window (seed 000 item 58)."""

    model_config = _forbid({"statement": "The applicant says the certificate will be brought on Monday."})

    statement: str = Field(min_length=1, max_length=2000)


class ProposalRequest(BaseModel):
    """The registrar's proposed decision, for the head's approval; a refusal names its grounds and text."""

    model_config = _forbid({"decision": "grant"},
                           {"decision": "refuse", "reasons": ["documents_not_compliant"],
                            "text": "The certificate of the name change was not presented."})

    decision: Literal["grant", "refuse"]
    reasons: list[RefusalReason] = Field(default_factory=list, max_length=3)
    text: str | None = Field(default=None, max_length=2000)


class ReturnRequest(BaseModel):
    """The head returns the case for review, with a comment."""

    model_config = _forbid({"comment": "Check the loss announcement's date."})

    comment: str = Field(min_length=1, max_length=2000)


class DocumentRefModel(BaseModel):
    """A document named by its series and number."""

    series: str
    number: str


class ApplicationEventModel(BaseModel):
    """One step of a case's timeline: when, who (username), what, and its details."""

    at: dt.datetime
    actor: str = Field(description="the officer's username (an operator's action: operator:<name>)")
    action: str = Field(description="register, review, notice, hearing, propose, approve, return")
    details: dict[str, Any] = Field(default_factory=dict)


APPLICATION_EXAMPLE: Final[dict[str, Any]] = {
    "number": _NUMBER, "kind": "duplicate", "term": "duplicate", "state": "awaiting_approval",
    "document": {"series": "ЖБ", "number": "0000042"}, "scope": "document", "reason": "lost", "changes": None,
    "explanation": None, "received_on": "2026-12-01", "channel": "in_person",
    "presented": ["application", "identity_document", "loss_announcement"], "due_on": "2026-12-23",
    "due": "soon", "prepared_by": "uni.registrar", "proposal": "grant", "refusal_reasons": [], "refusal_text": None,
    "notice_on": None, "hearing_until": None, "approved_by": None, "decided_at": None, "result_document": None,
    "result_revision": None, "working_days_left": 2,
    "timeline": [{"at": "2026-12-01T09:00:00Z", "actor": "uni.registrar", "action": "register",
                  "details": {"kind": "duplicate", "due_on": "2026-12-23"}}]}


class ApplicationModel(BaseModel):
    """An application (a case) with its term, decision, result and timeline."""

    model_config = ConfigDict(json_schema_extra={"examples": [APPLICATION_EXAMPLE]})

    number: str = Field(description="<BIN>-<year>-<sequence>", examples=[_NUMBER])
    kind: Kind
    term: str | None = Field(description="duplicate, correction-tve or correction-he; none for an annulment")
    state: State
    document: DocumentRefModel
    scope: str
    reason: str | None
    changes: dict[str, Any] | None
    explanation: str | None
    received_on: dt.date
    channel: Channel
    presented: list[str]
    due_on: dt.date | None = Field(description="the last working day of the term")
    due: Due | None = Field(description="overdue, soon (<= 3 working days left), or none (or decided)")
    working_days_left: int | None = Field(description="working days after today up to the due date (0: due or "
                                                      "overdue; none: no term)")
    prepared_by: str | None = Field(description="the registrar who prepared the decision (username)")
    proposal: Literal["grant", "refuse"] | None
    refusal_reasons: list[str]
    refusal_text: str | None
    notice_on: dt.date | None
    hearing_until: dt.date | None
    approved_by: str | None = Field(description="the head who decided (username)")
    decided_at: dt.datetime | None
    result_document: DocumentRefModel | None = Field(description="the duplicate issued")
    result_revision: int | None = Field(description="the correction's revision")
    timeline: list[ApplicationEventModel]


class ApplicationsModel(BaseModel):
    """A page of applications: overdue first, then due soon, then by due date."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"applications": [APPLICATION_EXAMPLE], "limit": 100,
                                                               "offset": 0}]})

    applications: list[ApplicationModel]
    limit: int
    offset: int


__all__ = ["APPLICATION_EXAMPLE", "APPLICATION_NUMBER_PATTERN", "CHANNELS", "DUPLICATE_REASONS", "KINDS",
           "PRESENTED", "REFUSAL_REASONS", "STATES", "ApplicationEventModel", "ApplicationModel",
           "ApplicationRequest", "ApplicationsModel", "DocumentRefModel", "HearingRequest", "NoticeRequest",
           "ProposalRequest", "ReturnRequest"]
