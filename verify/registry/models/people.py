"""Holders, their graduations and the officers who act for an institution.

* `Holder`: a person who holds documents, as one institution registered them: keyed by (institution, IIN), with the
  name and birth date that institution gave (the IIN is personal data: DOMAIN.md; it never leaves the registry).
  Two institutions that graduate the same person each own their own row: neither reads, changes or learns of the
  other's (issue 10, item 8).
* `Graduate`: what the commission decided for one holder at one institution (document type, programme, award date,
  study group); one row per (holder, document type, programme, institution), its holder of the same institution.
* `Officer`: a responsible person's account, bound to one institution, with a role (seed 001, item 7).
"""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import field_validator
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from ...appendix import StudiesEnded
from .base import RegistryModel, UTCDateTime, one_of


class OfficerRole(enum.StrEnum):
    """What an officer account may do; every account belongs to one institution (seed 001, item 7).

    * REGISTRAR: imports graduates, issues documents, manages blanks, registers and prepares applications for
      duplicates, corrections and annulments (issue 13, item 3).
    * HEAD: everything a registrar may, and approves applications: a duplicate, a correction or an annulment takes
      effect only when a head of the handling institution approves it (seed 000, item 24: the head signs the
      duplicate; seed 001, item 7: the head answers for the accounts), never the account that prepared it.
    * VIEWER: reads only.

    The role was called "issuer" before migration 0004_cases renamed it; `OfficerRole("issuer")` and
    `OfficerRole.ISSUER` still give REGISTRAR, so input that names the old role keeps working.
    """

    REGISTRAR = "registrar"
    HEAD = "head"
    VIEWER = "viewer"
    ISSUER = "registrar"  # an alias: the role's name before migration 0004_cases

    @classmethod
    def _missing_(cls, value: object) -> OfficerRole | None:
        return cls.REGISTRAR if value == "issuer" else None


class HolderBase(RegistryModel):
    """A person who holds documents: IIN, full name (patronymic if any), birth date.

    The IIN is personal data (DOMAIN.md): it never leaves the registry in a record, a log line,
    an error message or an audit event (`audit.holder_reference` stands in for it).
    """

    surname: str = Field(max_length=40)
    name: str = Field(max_length=30)
    patronymic: str | None = Field(default=None, max_length=30)
    birth_date: dt.date


class Holder(HolderBase, table=True):
    """Row of `holders`: one institution's record of a person, keyed by (institution, IIN) (migration 0003)."""

    __tablename__ = "holders"
    __table_args__ = (UniqueConstraint("institution_id", "iin"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institutions.id")
    iin: str = Field(max_length=12, index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)


class OfficerBase(RegistryModel):
    """A responsible person's account, bound to one institution (seed 001, item 7)."""

    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=16, description="OfficerRole value")


class Officer(OfficerBase, table=True):
    """Row of `officers`."""

    __tablename__ = "officers"
    __table_args__ = (CheckConstraint(one_of("role", OfficerRole), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institutions.id", index=True)
    active: bool = True
    created_at: dt.datetime = Field(sa_type=UTCDateTime)

    @property
    def may_write(self) -> bool:
        """Whether the account may change the registry (registrar or head, and active)."""
        return self.active and self.role in (OfficerRole.REGISTRAR.value, OfficerRole.HEAD.value)


class OfficerCreate(OfficerBase):
    """Validated input for a new officer account.

    Raises:
        pydantic.ValidationError: a bad username, an empty name, an unknown role.
    """

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        value = value.strip()
        if not value or not all(c.isascii() and (c.isalnum() or c in "._-") for c in value):
            raise ValueError("must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
        return value

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return OfficerRole(value).value


class OfficerPublic(OfficerBase):
    """An officer as shown."""

    id: int
    institution_id: int
    active: bool


class GraduateBase(RegistryModel):
    """What the commission decided for one holder: the document type, programme and award date."""

    doc_type: str = Field(max_length=16, foreign_key="document_types.code")
    programme: str = Field(max_length=12)
    qualification: str | None = Field(default=None, max_length=12)
    honours: bool = False
    award_date: dt.date
    study_group: str = Field(max_length=64, description="the group named in `verify issue --group`")


class Graduate(GraduateBase, table=True):
    """Row of `graduates`: one per (holder, document type, programme, institution)."""

    __tablename__ = "graduates"
    __table_args__ = (
        UniqueConstraint("holder_id", "doc_type", "programme", "institution_id"),
        Index("ix_graduates_institution_id_study_group", "institution_id", "study_group"),
    )

    id: int | None = Field(default=None, primary_key=True)
    holder_id: int = Field(foreign_key="holders.id", index=True)
    institution_id: int = Field(foreign_key="institutions.id")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    # The анықтама only (seed 000, appendix 37): why and when studies ended, imported with the row and signed in
    # its annex (`verify.appendix.StudiesEnded`, `studies_ended()`); None for every other document type.
    studies_ended_reason: str | None = Field(default=None, max_length=200)
    studies_ended_order: str | None = Field(default=None, max_length=32)
    studies_ended_order_date: dt.date | None = None
    studied_from: dt.date | None = None
    studied_until: dt.date | None = None

    def studies_ended(self) -> StudiesEnded | None:
        """Why and when the studies ended, as the анықтама's annex signs it; None when not recorded.

        Raises:
            RecordError: stored values that break `StudiesEnded`'s rules (the import refuses them).
        """
        if self.studies_ended_reason is None or self.studies_ended_order is None \
                or self.studies_ended_order_date is None:
            return None
        return StudiesEnded(reason=self.studies_ended_reason, order_number=self.studies_ended_order,
                            order_date=self.studies_ended_order_date, studied_from=self.studied_from,
                            studied_until=self.studied_until)
