"""Appendices (transcripts) in the registry (issue 17 item 1; docs/FORMAT.md §10).

`GraduateAppendix`: the appendix rows imported with a graduate (the National Education Database's export: subjects,
hours or credits, grades, practice, final attestation, thesis), kept as the JSON of `verify.appendix.AppendixItem`
(docs/FORMAT.md §10.6), one row per graduate. `DocumentAppendix`: each signed appendix of a document: its COSE_Sign1
bytes exactly as signed, the diploma revision it names, its own revision (corrections of the appendix alone) and
duplicate number (duplicates of the appendix alone, seed 000 appendix 5).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime


class GraduateAppendix(RegistryModel, table=True):
    """Row of `graduate_appendices`: a graduate's imported appendix rows (`AppendixItem.to_json()` each)."""

    __tablename__ = "graduate_appendices"

    graduate_id: int = Field(foreign_key="graduates.id", primary_key=True)
    items: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    imported_at: dt.datetime = Field(sa_type=UTCDateTime)


class DocumentAppendix(RegistryModel, table=True):
    """Row of `document_appendices`: one signed appendix of one document revision.

    The newest row of a document (highest `id`) is its current appendix; earlier rows stay (a correction of the
    appendix alone or a new diploma revision makes a new one; nothing is deleted).
    """

    __tablename__ = "document_appendices"
    __table_args__ = (
        UniqueConstraint("document_id", "diploma_revision", "revision", "duplicate_no"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("diploma_revision >= 1", name="diploma_revision_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    diploma_revision: int
    revision: int = 1
    duplicate_no: int | None = None
    cose: bytes = Field(sa_type=LargeBinary)
    payload_sha256: str = Field(max_length=64)
    kid: str = Field(max_length=64)
    signed_at: dt.datetime = Field(sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=500)
