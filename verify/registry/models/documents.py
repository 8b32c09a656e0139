"""Documents, their signed revisions, and the batches that issue them.

* `Document`: one printed document, series and seven-digit number (UNIQUE; never reused, not after an annulment
  either), its state and its place in a duplicate chain (seed 000 items 21-25; seed 003 item 9);
* `DocumentRevision`: one signed revision: revision 1 at issue, one more per correction (seed 000 appendix 38;
  seed 001 appendix 18); earlier ones are kept;
* `Batch`: a batch issue of a study group, keyed by its idempotency key, with the snapshot of its graduates.

The duplicate's stamp (seed 000, item 25) is the record's (`verify.record.stamp_text`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field

from ...record import STAMP_LANGUAGES, stamp_text
from .base import RegistryModel, UTCDateTime, one_of


class DocumentState(enum.StrEnum):
    """The state of one printed document.

    * VALID: in force (an original, or duplicate No. N).
    * REPLACED: a duplicate was issued instead of it; void (seed 000, item 21).
    * ANNULLED: annulled with a basis; final.
    """

    VALID = "valid"
    REPLACED = "replaced"
    ANNULLED = "annulled"


class AnnulmentKind(enum.StrEnum):
    """What an annulment's basis is, and whether the graduate may get a new document after it.

    * ORDER: an order or a court decision (the basis says which): final, nothing is issued instead.
    * ISSUED_IN_ERROR: the document should not have been issued as it was (wrong person's data, a wrong type): the
      graduate may get a new original (issue 13 item 5; our reading: the seeds name no such basis, and a corrected
      record, seed 000 appendix 38, cannot change the type or the person).
    * SPOILED: its blank was spoiled while printing (seed 000 items 17-18: every blank is numbered and filled by a
      printer); the document continues on a new blank under the new blank's number, and this record is void.
    """

    ORDER = "order"
    ISSUED_IN_ERROR = "issued_in_error"
    SPOILED = "spoiled"


#: Annulment kinds after which the graduate may have another original (the partial unique index leaves them out).
REISSUABLE_ANNULMENTS = (AnnulmentKind.ISSUED_IN_ERROR.value, AnnulmentKind.SPOILED.value)
ORIGINAL_IN_FORCE_WHERE = "original_id IS NULL AND (annul_kind IS NULL OR annul_kind = 'order')"


class DuplicateReason(enum.StrEnum):
    """Why a duplicate is issued: seed 000, item 21 (lost, damaged, name changed); seed 003, item 9 (filling error)."""

    LOST = "lost"
    DAMAGED = "damaged"
    NAME_CHANGED = "name_changed"
    FILLING_ERROR = "filling_error"


class BatchState(enum.StrEnum):
    """A batch issue: running until every graduate in its snapshot has a document, then done."""

    RUNNING = "running"
    DONE = "done"


class Batch(RegistryModel, table=True):
    """Row of `batches`: a batch issue for a group, keyed by its idempotency key.

    `graduate_ids` is the snapshot taken when the batch started: a retry with the same key
    issues exactly these graduates' documents, each once.
    """

    __tablename__ = "batches"
    __table_args__ = (CheckConstraint(one_of("state", BatchState), name="state"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=128, unique=True)
    institution_id: int = Field(foreign_key="institutions.id")
    officer_id: int = Field(foreign_key="officers.id")
    study_group: str = Field(max_length=64)
    series: str | None = Field(default=None, max_length=5)
    graduate_ids: list[int] = Field(sa_type=JSON)
    state: str = Field(max_length=8)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class DocumentBase(RegistryModel):
    """One printed document: series and seven-digit number, its state and its place in a duplicate chain."""

    doc_type: str = Field(max_length=16, foreign_key="document_types.code")
    series: str = Field(max_length=5)
    number: str = Field(max_length=7)
    state: str = Field(max_length=10, description="DocumentState value")
    duplicate_no: int | None = Field(default=None, description="N of duplicate No. N; None for an original")
    duplicate_reason: str | None = Field(default=None, max_length=16, description="DuplicateReason value")
    current_revision: int = 1

    def stamp(self, language: str = "kk") -> str | None:
        """The duplicate's stamp text in "kk", "ru" or "en" (seed 000, item 25); None for an original.

        Raises:
            KeyError: another language.
        """
        if self.duplicate_no is None:
            return None
        return stamp_text(self.duplicate_no, language)

    @property
    def stamp_texts(self) -> dict[str, str]:
        """All three stamp texts {"kk", "ru", "en"}, or {} for an original."""
        if self.duplicate_no is None:
            return {}
        return {lang: stamp_text(self.duplicate_no, lang) for lang in STAMP_LANGUAGES}


class Document(DocumentBase, table=True):
    """Row of `documents`: UNIQUE(series, number); numbers are never reused, not after an annulment either.

    `original_id` names the first original of a duplicate chain (what the record's `DuplicateOf`
    names); `replaces_id` the document this one replaced; `replaced_by_id` the duplicate that
    replaced this one.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("series", "number"),
        UniqueConstraint("original_id", "duplicate_no"),
        CheckConstraint(one_of("state", DocumentState), name="state"),
        CheckConstraint("(duplicate_no IS NULL) = (original_id IS NULL)", name="duplicate_has_original"),
        CheckConstraint("duplicate_no IS NULL OR duplicate_no >= 1", name="duplicate_no_positive"),
        CheckConstraint("current_revision >= 1", name="revision_positive"),
        CheckConstraint("annul_kind IS NULL OR annul_kind IN ('order', 'issued_in_error', 'spoiled')",
                        name="annul_kind"),
        # One original per graduate: a retried batch can never issue a second one; an original annulled as issued
        # in error or spoiled while printing leaves room for the next (migration 0004_blank_kinds).
        Index("uq_documents_graduate_id_original", "graduate_id", unique=True,
              sqlite_where=text(ORIGINAL_IN_FORCE_WHERE), postgresql_where=text(ORIGINAL_IN_FORCE_WHERE)),
    )

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduates.id", index=True)
    institution_id: int = Field(foreign_key="institutions.id", index=True)
    original_id: int | None = Field(default=None, foreign_key="documents.id")
    replaces_id: int | None = Field(default=None, foreign_key="documents.id")
    replaced_by_id: int | None = Field(default=None, foreign_key="documents.id")
    replaced_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    batch_id: int | None = Field(default=None, foreign_key="batches.id", index=True)
    issued_at: dt.datetime = Field(sa_type=UTCDateTime)
    issued_by: int = Field(foreign_key="officers.id")
    annulled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    annul_basis: str | None = Field(default=None, sa_type=Text)
    annulled_by: int | None = Field(default=None, foreign_key="officers.id")
    annul_kind: str | None = Field(default=None, max_length=16, description="AnnulmentKind value, when annulled")


class DocumentPublic(DocumentBase):
    """A document as shown, with the stamp texts of a duplicate."""

    id: int
    institution_id: int
    issued_at: dt.datetime
    replaced_at: dt.datetime | None = None
    annulled_at: dt.datetime | None = None
    annul_basis: str | None = None


class DocumentRevisionBase(RegistryModel):
    """One signed revision of a document: the record, the signed COSE bytes and its QR text."""

    revision: int
    record: dict[str, Any] = Field(sa_type=JSON, description="Record.to_json() of the signed record")
    cose: bytes = Field(sa_type=LargeBinary, description="tagged COSE_Sign1 bytes (docs/FORMAT.md §4)")
    payload_sha256: str = Field(max_length=64, description="hex SHA-256 of the signed payload")
    qr_text: str = Field(sa_type=Text)
    kid: str = Field(max_length=16, description="hex of the 8-byte document signer kid")
    signed_at: dt.datetime = Field(sa_type=UTCDateTime)
    changed_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    reason: str | None = Field(default=None, sa_type=Text)


class DocumentRevision(DocumentRevisionBase, table=True):
    """Row of `document_revisions`: revision 1 at issue, +1 per correction; earlier ones are kept."""

    __tablename__ = "document_revisions"
    __table_args__ = (UniqueConstraint("document_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id")
    officer_id: int = Field(foreign_key="officers.id")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
