"""Registry tables (SQLModel): one family of classes per entity (STYLE.md §13).

For each entity: `XBase` (the data fields), `X(XBase, table=True)` (the row, with keys and
timestamps), and where data comes from outside or goes out, `XCreate` (validated input) and
`XPublic` (what a page or the CLI shows). Table models do not validate (SQLModel skips
validation for `table=True`); services build rows only from validated input.

Schema rules that hold on SQLite and PostgreSQL alike:

* every time is an aware UTC `datetime`, stored with `UTCDateTime` (`DateTime(timezone=True)`;
  on SQLite, which has no zone, stored as UTC and read back as UTC);
* constraint names follow `NAMING_CONVENTION`, set on this package's own `MetaData`, so that
  Alembic migrations name the same constraints on both engines (fastapi-best-practices §11);
* enumerations are short strings with a CHECK constraint, not database enum types;
* numbers are kept as seven-digit text where printed (`documents.number`, `blanks.number`;
  seed 000, Rules item 17) and as integers where counted (`counters.last`, `blank_ranges`).

Sources: entities of DESIGN.md, "Registry and lifecycle"; duplicates seed 000 items 21-25 and
seed 003 item 9; corrections seed 000 appendix 38 and seed 001 appendix 18; blanks seed 000
items 7, 17-20; officer accounts seed 001 item 7.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, CheckConstraint, DateTime, Index, LargeBinary, MetaData, Text, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from ..identifiers import validate_bin

#: Constraint and index names, identical on SQLite and PostgreSQL (Alembic needs names to alter them).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Largest seven-digit number (seed 000, Rules item 17).
MAX_NUMBER = 9_999_999
#: The hash that precedes the first audit event.
GENESIS_HASH = "0" * 64


class UTCDateTime(TypeDecorator[dt.datetime]):
    """`DateTime(timezone=True)` that only takes aware datetimes and always returns aware UTC ones.

    Raises:
        ValueError: on binding a naive datetime (a programming error: time is always aware).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert to UTC; SQLite stores it without a zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("registry times must be timezone-aware")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Attach UTC to SQLite's zone-less values; convert PostgreSQL's to UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class RegistryModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of every registry model: all tables share `metadata` (and its naming convention)."""


# ----------------------------------------------------------------------------- enumerations
class InstitutionKind(enum.StrEnum):
    """A college issues TVE diplomas (seed 000); a university own-format ones (seed 001, item 7)."""

    COLLEGE = "college"
    UNIVERSITY = "university"


class OfficerRole(enum.StrEnum):
    """What an officer account may do; every account belongs to one institution (seed 001, item 7).

    * ISSUER: imports graduates, issues documents and duplicates, corrects, manages blanks.
    * HEAD: everything an issuer may, and annulments (the head answers for the documents).
    * VIEWER: reads only.
    """

    ISSUER = "issuer"
    HEAD = "head"
    VIEWER = "viewer"


class DocumentState(enum.StrEnum):
    """The state of one printed document.

    * VALID: in force (an original, or duplicate No. N).
    * REPLACED: a duplicate was issued instead of it; void (seed 000, item 21).
    * ANNULLED: annulled with a basis; final.
    """

    VALID = "valid"
    REPLACED = "replaced"
    ANNULLED = "annulled"


class DuplicateReason(enum.StrEnum):
    """Why a duplicate is issued: seed 000, item 21 (lost, damaged, name changed); seed 003, item 9 (filling error)."""

    LOST = "lost"
    DAMAGED = "damaged"
    NAME_CHANGED = "name_changed"
    FILLING_ERROR = "filling_error"


class BlankState(enum.StrEnum):
    """A blank taken out of stock: used for a document, or written off as spoiled with a reason."""

    USED = "used"
    WRITTEN_OFF = "written_off"


class BatchState(enum.StrEnum):
    """A batch issue: running until every graduate in its snapshot has a document, then done."""

    RUNNING = "running"
    DONE = "done"


def _in(column: str, values: type[enum.Enum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


# ----------------------------------------------------------------------------- institutions
class InstitutionBase(RegistryModel):
    """An education organisation: BIN, names in Kazakh, Russian and English, kind, region."""

    bin: str = Field(max_length=12, unique=True, description="12-digit BIN with a valid check digit")
    name_kk: str = Field(max_length=300)
    name_ru: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    kind: str = Field(max_length=16, description="InstitutionKind value")
    region: str = Field(max_length=100)


class Institution(InstitutionBase, table=True):
    """Row of `institutions`."""

    __tablename__ = "institutions"
    __table_args__ = (CheckConstraint(_in("kind", InstitutionKind), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


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


# ----------------------------------------------------------------------------- document types
class DocumentTypeBase(RegistryModel):
    """Reference data from `verify.doctypes.DOCUMENT_TYPES`, seeded by the first migration."""

    code: str = Field(max_length=16, primary_key=True)
    cbor_id: int = Field(unique=True, description="payload key 2 value (docs/FORMAT.md §3)")
    series: str | None = Field(default=None, max_length=5, description="fixed series, None for TVE blanks")
    number_width: int = 7
    numbering: str = Field(max_length=8, description="NumberingMode value")
    qr_required: bool = True
    level: str = Field(max_length=8, description="tve or higher")
    name_kk: str = Field(max_length=300)
    name_ru: str = Field(max_length=300)
    name_en: str = Field(max_length=300)


class DocumentType(DocumentTypeBase, table=True):
    """Row of `document_types`."""

    __tablename__ = "document_types"
    __table_args__ = (CheckConstraint("numbering IN ('service', 'blank')", name="numbering"),)


# ----------------------------------------------------------------------------- holders
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
    """Row of `holders`: keyed by IIN."""

    __tablename__ = "holders"

    id: int | None = Field(default=None, primary_key=True)
    iin: str = Field(max_length=12, unique=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)


# ----------------------------------------------------------------------------- officers
class OfficerBase(RegistryModel):
    """A responsible person's account, bound to one institution (seed 001, item 7)."""

    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=16, description="OfficerRole value")


class Officer(OfficerBase, table=True):
    """Row of `officers`."""

    __tablename__ = "officers"
    __table_args__ = (CheckConstraint(_in("role", OfficerRole), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institutions.id", index=True)
    active: bool = True
    created_at: dt.datetime = Field(sa_type=UTCDateTime)

    @property
    def may_write(self) -> bool:
        """Whether the account may change the registry (issuer or head, and active)."""
        return self.active and self.role in (OfficerRole.ISSUER.value, OfficerRole.HEAD.value)


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


# ----------------------------------------------------------------------------- graduates
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


# ----------------------------------------------------------------------------- batches
class Batch(RegistryModel, table=True):
    """Row of `batches`: a batch issue for a group, keyed by its idempotency key.

    `graduate_ids` is the snapshot taken when the batch started: a retry with the same key
    issues exactly these graduates' documents, each once.
    """

    __tablename__ = "batches"
    __table_args__ = (CheckConstraint(_in("state", BatchState), name="state"),)

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


# ----------------------------------------------------------------------------- documents
STAMP_TEXTS: dict[str, str] = {
    "kk": "Түпнұсқаның орнына берілген № {n} телнұсқа",
    "ru": "Дубликат № {n} выдан взамен оригинала",
    "en": "Duplicate No. {n} issued instead of the original",
}
"""The duplicate's stamp in its upper right corner (seed 000, item 25), by language."""


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
        return STAMP_TEXTS[language].format(n=self.duplicate_no)

    @property
    def stamp_texts(self) -> dict[str, str]:
        """All three stamp texts {"kk", "ru", "en"}, or {} for an original."""
        if self.duplicate_no is None:
            return {}
        return {lang: template.format(n=self.duplicate_no) for lang, template in STAMP_TEXTS.items()}


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
        CheckConstraint(_in("state", DocumentState), name="state"),
        CheckConstraint("(duplicate_no IS NULL) = (original_id IS NULL)", name="duplicate_has_original"),
        CheckConstraint("duplicate_no IS NULL OR duplicate_no >= 1", name="duplicate_no_positive"),
        CheckConstraint("current_revision >= 1", name="revision_positive"),
        # One original per graduate: a retried batch can never issue a second one.
        Index("uq_documents_graduate_id_original", "graduate_id", unique=True,
              sqlite_where=text("original_id IS NULL"), postgresql_where=text("original_id IS NULL")),
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


# ----------------------------------------------------------------------------- blanks
class BlankRangeBase(RegistryModel):
    """A range of pre-numbered blanks received by an institution: series, first and last number, inclusive."""

    series: str = Field(max_length=5)
    first_number: int
    last_number: int


class BlankRange(BlankRangeBase, table=True):
    """Row of `blank_ranges`. `next_number` is a cursor: every number below it is used or written off."""

    __tablename__ = "blank_ranges"
    __table_args__ = (
        CheckConstraint(f"first_number >= 0 AND first_number <= last_number AND last_number <= {MAX_NUMBER}",
                        name="bounds"),
        CheckConstraint("next_number >= first_number AND next_number <= last_number + 1", name="cursor"),
        Index("ix_blank_ranges_series_first_number", "series", "first_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institutions.id", index=True)
    next_number: int
    received_at: dt.datetime = Field(sa_type=UTCDateTime)
    officer_id: int = Field(foreign_key="officers.id")

    @property
    def size(self) -> int:
        """Number of blanks in the range."""
        return self.last_number - self.first_number + 1


class Blank(RegistryModel, table=True):
    """Row of `blanks`: one blank taken out of stock, used for a document or written off (with a reason)."""

    __tablename__ = "blanks"
    __table_args__ = (
        UniqueConstraint("series", "number"),
        CheckConstraint(_in("state", BlankState), name="state"),
        CheckConstraint("(state = 'used') = (document_id IS NOT NULL)", name="used_has_document"),
        CheckConstraint("state = 'used' OR reason IS NOT NULL", name="write_off_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    range_id: int = Field(foreign_key="blank_ranges.id", index=True)
    series: str = Field(max_length=5)
    number: str = Field(max_length=7)
    state: str = Field(max_length=12)
    document_id: int | None = Field(default=None, foreign_key="documents.id")
    reason: str | None = Field(default=None, sa_type=Text)
    at: dt.datetime = Field(sa_type=UTCDateTime)
    officer_id: int = Field(foreign_key="officers.id")


# ----------------------------------------------------------------------------- counters
class Counter(RegistryModel, table=True):
    """Row of `counters`: the last number given in a service-numbered series (seed 001, item 7)."""

    __tablename__ = "counters"
    __table_args__ = (CheckConstraint(f"last >= 0 AND last <= {MAX_NUMBER}", name="last_range"),)

    series: str = Field(max_length=5, primary_key=True)
    last: int = 0


# ----------------------------------------------------------------------------- audit
class AuditEventBase(RegistryModel):
    """Who did what, when and why, with the state before and after (JSON), in a hash chain."""

    at: dt.datetime = Field(sa_type=UTCDateTime)
    officer_id: int | None = Field(default=None, foreign_key="officers.id")
    actor: str = Field(max_length=64, description="officer username, or 'admin' for the command line")
    action: str = Field(max_length=40, description="e.g. document.issue, document.duplicate")
    institution_id: int | None = Field(default=None, foreign_key="institutions.id")
    object_type: str = Field(max_length=20)
    object_ref: str = Field(max_length=80, description="e.g. 'BD 0000042'; never an IIN")
    reason: str | None = Field(default=None, sa_type=Text)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class AuditEvent(AuditEventBase, table=True):
    """Row of `audit_events`: append-only (triggers refuse UPDATE and DELETE); `seq` is contiguous from 1."""

    __tablename__ = "audit_events"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(RegistryModel, table=True):
    """Row of `audit_head` (one row, id 1): the last event's seq and hash; locked by every append."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(default=GENESIS_HASH, max_length=64)


class RegistryMeta(RegistryModel, table=True):
    """Row of `registry_meta`: settings of this database (the audit reference key)."""

    __tablename__ = "registry_meta"

    key: str = Field(max_length=40, primary_key=True)
    value: str = Field(max_length=200)



# The tables of migration 0002 (accounts, partners, sessions, tokens) share this metadata.
from . import account_models as _account_models  # noqa: E402, F401
