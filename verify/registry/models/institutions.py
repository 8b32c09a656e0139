"""Institutions and the reference data of document types.

`Institution`: a college (TVE diplomas, seed 000) or a university (own-format documents, seed 001 item 7), by BIN,
with its names in Kazakh, Russian and English; once closed, the day it closed and the institution whose archive keeps
its records (seed 000, Rules item 23). `DocumentType`: the reference data of `verify.doctypes`, seeded by
the first migration (code, series, number width, numbering mode, names).
"""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import field_validator
from sqlalchemy import CheckConstraint
from sqlmodel import Field

from ...identifiers import validate_bin
from .base import RegistryModel, UTCDateTime, one_of


class InstitutionKind(enum.StrEnum):
    """A college issues TVE diplomas (seed 000); a university own-format ones (seed 001, item 7)."""

    COLLEGE = "college"
    UNIVERSITY = "university"


class InstitutionBase(RegistryModel):
    """An education organisation: BIN, names in Kazakh, Russian and English, kind, region."""

    bin: str = Field(max_length=12, unique=True, description="12-digit BIN with a valid check digit")
    name_kk: str = Field(max_length=300)
    name_ru: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    kind: str = Field(max_length=16, description="InstitutionKind value")
    region: str = Field(max_length=100)


#: A closed institution names its archive, an open one none (revision 0004_archive).
CLOSURE_CHECK = "(closed_on IS NULL AND archive_id IS NULL) OR (closed_on IS NOT NULL AND archive_id IS NOT NULL " \
                "AND archive_id <> id)"


class Institution(InstitutionBase, table=True):
    """Row of `institutions`."""

    __tablename__ = "institutions"
    __table_args__ = (CheckConstraint(one_of("kind", InstitutionKind), name="kind"),
                      CheckConstraint(CLOSURE_CHECK, name="closure"))

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    closed_on: dt.date | None = Field(default=None, description="the day it closed (seed 000, Rules item 23)")
    archive_id: int | None = Field(default=None, foreign_key="institutions.id",
                                   description="the institution that keeps its records once closed")

    @property
    def closed(self) -> bool:
        """Whether the ministry marked it closed (then `archive_id` names who keeps its records)."""
        return self.closed_on is not None


class InstitutionCreate(InstitutionBase):
    """Validated input for a new institution.

    Raises:
        pydantic.ValidationError: a bad BIN (check digit), an empty name, an unknown kind.
    """

    @field_validator("bin")
    @classmethod
    def _bin(cls, value: str) -> str:
        return validate_bin(value)

    @field_validator("name_kk", "name_ru", "name_en", "region")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return InstitutionKind(value).value


class InstitutionPublic(InstitutionBase):
    """An institution as shown."""

    id: int


class DocumentTypeBase(RegistryModel):
    """Reference data from `verify.doctypes.DOCUMENT_TYPES`, seeded by the first migration."""

    code: str = Field(max_length=16, primary_key=True)
    cbor_id: int = Field(unique=True, description="payload key 2 value (docs/FORMAT.md §3)")
    series: str | None = Field(default=None, max_length=5, description="fixed series, None for TVE blanks")
    number_width: int = 7
    numbering: str = Field(max_length=8, description="NumberingMode value")
    qr_required: bool = True
    level: str = Field(max_length=8, description="tve, higher or any (verify.doctypes.DocumentType.level)")
    name_kk: str = Field(max_length=300)
    name_ru: str = Field(max_length=300)
    name_en: str = Field(max_length=300)


class DocumentType(DocumentTypeBase, table=True):
    """Row of `document_types`."""

    __tablename__ = "document_types"
    __table_args__ = (CheckConstraint("numbering IN ('service', 'blank')", name="numbering"),)
