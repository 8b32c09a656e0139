"""Applications for the document services, as cases (issue 13, migration 0004_cases).

* `Application`: one application for a duplicate, a correction or an annulment, with its unique number
  ("<BIN>-<year>-<6 digits>", per handling institution and year, never reused), the day it was received, the channel,
  the kinds of documents presented, its state, its due date in working days (`verify.workdays`), the proposal of the
  registrar who prepared it and the decision of the head who approved it, and the document it produced;
* `ApplicationEvent`: the case's timeline (every step, who took it, when);
* `ApplicationCounter`: the last application number given per institution and year.

Sources: duplicates seed 000 items 21-25, 43, 63 and appendix 5 (the appendix alone); seed 003 item 9; corrections
seed 000 appendix 38, seed 004, seed 001 appendix 18; refusal seed 000 item 58 and appendix 6 row 9; the head signs
(seed 000 item 24).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime, one_of


class ApplicationKind(enum.StrEnum):
    """What is applied for: a duplicate (seed 000 item 21), a correction (seed 000 appendix 38), an annulment."""

    DUPLICATE = "duplicate"
    CORRECTION = "correction"
    ANNULMENT = "annulment"


class ApplicationState(enum.StrEnum):
    """Where a case stands.

    registered -> under_review -> [refusal_notice -> hearing] -> awaiting_approval -> granted | refused;
    awaiting_approval -> under_review (the head returns it). An annulment: registered -> awaiting_approval.
    """

    REGISTERED = "registered"
    UNDER_REVIEW = "under_review"
    REFUSAL_NOTICE = "refusal_notice"
    HEARING = "hearing"
    AWAITING_APPROVAL = "awaiting_approval"
    GRANTED = "granted"
    REFUSED = "refused"


class Channel(enum.StrEnum):
    """How the application came: at the office, or through the e-government portal (seed 000 appendix 38)."""

    IN_PERSON = "in_person"
    EGOV = "egov"


class ApplicationScope(enum.StrEnum):
    """A duplicate of the whole document, or of its appendix only (seed 000, appendix 5)."""

    DOCUMENT = "document"
    APPENDIX = "appendix"


class Proposal(enum.StrEnum):
    """The registrar's proposal, which the head approves."""

    GRANT = "grant"
    REFUSE = "refuse"


class RefusalReason(enum.StrEnum):
    """Grounds for refusing, seed 000 appendix 6 row 9: unreliable documents or data, documents that do not meet
    the rules, no consent to the use of personal data."""

    UNRELIABLE_DOCUMENTS = "unreliable_documents"
    DOCUMENTS_NOT_COMPLIANT = "documents_not_compliant"
    NO_PERSONAL_DATA_CONSENT = "no_personal_data_consent"


class PresentedKind(enum.StrEnum):
    """Kinds of documents an applicant presents (kinds, never copies): seed 000 item 21, seed 003 item 9,
    seed 000 appendix 38."""

    APPLICATION = "application"
    IDENTITY_DOCUMENT = "identity_document"
    DIGITAL_IDENTITY_DOCUMENT = "digital_identity_document"
    DAMAGED_ORIGINAL = "damaged_original"
    NAME_CHANGE_CERTIFICATE = "name_change_certificate"
    LOSS_ANNOUNCEMENT = "loss_announcement"
    ELECTRONIC_COPY = "electronic_copy"


_TERMS = ("duplicate", "correction-tve", "correction-he")
_REASONS = ("lost", "damaged", "name_changed", "filling_error", "order", "issued_in_error")
"""A duplicate's `DuplicateReason`, or an annulment's `AnnulmentKind` (order, issued_in_error)."""


class Application(RegistryModel, table=True):
    """Row of `applications`: one case. Dates are `datetime.date` (days of Kazakhstan's calendar), times UTC."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(one_of("kind", ApplicationKind), name="kind"),
        CheckConstraint(one_of("state", ApplicationState), name="state"),
        CheckConstraint(one_of("channel", Channel), name="channel"),
        CheckConstraint(one_of("scope", ApplicationScope), name="scope"),
        CheckConstraint(f"term IS NULL OR term IN ({', '.join(repr(t) for t in _TERMS)})", name="term"),
        CheckConstraint(f"reason IS NULL OR reason IN ({', '.join(repr(r) for r in _REASONS)})", name="reason"),
        CheckConstraint(f"proposal IS NULL OR {one_of('proposal', Proposal)}", name="proposal"),
        Index("ix_applications_institution_id_state_due_on", "institution_id", "state", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True, description="<BIN>-<year>-<6 digits>")
    institution_id: int = Field(foreign_key="institutions.id", description="the institution that handles it")
    kind: str = Field(max_length=12, description="ApplicationKind value")
    term: str | None = Field(default=None, max_length=16, description="verify.workdays.TERMS key; None: annulment")
    document_id: int = Field(foreign_key="documents.id", index=True)
    scope: str = Field(default=ApplicationScope.DOCUMENT.value, max_length=8)
    reason: str | None = Field(default=None, max_length=16,
                               description="a duplicate's DuplicateReason or an annulment's AnnulmentKind value")
    changes: dict[str, Any] | None = Field(default=None, sa_type=JSON,
                                           description="correction: field -> new value; duplicate: the new name")
    explanation: str | None = Field(default=None, sa_type=Text, description="the applicant's statement; never an IIN")
    received_on: dt.date
    channel: str = Field(max_length=12, description="Channel value")
    presented: list[str] = Field(sa_type=JSON, description="PresentedKind values")
    state: str = Field(max_length=20, description="ApplicationState value")
    due_on: dt.date | None = Field(default=None, description="last day of the term; None: annulment (no term)")
    prepared_by: int | None = Field(default=None, foreign_key="officers.id")
    proposal: str | None = Field(default=None, max_length=8, description="Proposal value")
    refusal_reasons: list[str] = Field(default_factory=list, sa_type=JSON, description="RefusalReason values")
    refusal_text: str | None = Field(default=None, sa_type=Text)
    notice_on: dt.date | None = None
    hearing_until: dt.date | None = None
    approved_by: int | None = Field(default=None, foreign_key="officers.id")
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    result_document_id: int | None = Field(default=None, foreign_key="documents.id")
    result_revision: int | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)


class ApplicationEvent(RegistryModel, table=True):
    """Row of `application_events`: one step of a case's timeline (the audit log has the same steps)."""

    __tablename__ = "application_events"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    at: dt.datetime = Field(sa_type=UTCDateTime)
    actor_kind: str = Field(max_length=12, description="officer or operator")
    actor_id: int | None = Field(default=None, foreign_key="officers.id")
    actor_name: str = Field(max_length=64)
    action: str = Field(max_length=24, description="register, review, notice, hearing, propose, approve, return")
    details: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class ApplicationCounter(RegistryModel, table=True):
    """Row of `application_counters`: the last application number given by an institution in a year."""

    __tablename__ = "application_counters"

    institution_id: int = Field(foreign_key="institutions.id", primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0
