"""Registry tables (SQLModel): one family of classes per entity (STYLE.md §13), one module per family.

For each entity: `XBase` (the data fields), `X(XBase, table=True)` (the row, with keys and timestamps), and where
data comes from outside or goes out, `XCreate` (validated input) and `XPublic` (what a page, the API or the CLI
shows). Table models do not validate (SQLModel skips validation for `table=True`); services build rows only from
validated input. Every table is registered on the one `metadata` of `base` (its `NAMING_CONVENTION` names the
constraints alike on SQLite and PostgreSQL).

    base.py          metadata, NAMING_CONVENTION, UTCDateTime, RegistryModel, one_of (CHECK of an enumeration),
                     MAX_NUMBER, GENESIS_HASH
    institutions.py  Institution (InstitutionKind, InstitutionCreate, InstitutionPublic), DocumentType
    people.py        Holder, Graduate, Officer (OfficerRole, OfficerCreate, OfficerPublic)
    documents.py     Document (DocumentState, DuplicateReason, DocumentPublic), DocumentRevision, Batch (BatchState)
    blanks.py        BlankRange, Blank (BlankState), Counter
    audit.py         AuditEvent, AuditHead, RegistryMeta
    accounts.py      Account (AccountKind), Partner, AuthSession, ApiToken (Scope)
    tlog.py          LogEntryRow, LogHashRow, LogHead, LogCheckpoint (the transparency log, issue 15)
    outbox.py        OutboxEventRow (EventKind), OutboxHead, PartnerWebhook (the digital diploma's events, issue 13)
    statuslists.py   StatusListRow (signed status lists per series), VersionStateRow (highest versions seen)
    credentialoffers.py  CredentialOffer, CredentialNonce (OID4VCI pre-authorized offers, issue 17)
    appendices.py    GraduateAppendix (imported rows), DocumentAppendix (signed appendices, issue 17)

This package re-exports every name, so `from verify.registry.models import Document` is the way to import them.

Sources: entities of DESIGN.md, "Registry and lifecycle"; duplicates seed 000 items 21-25 and seed 003 item 9;
corrections seed 000 appendix 38 and seed 001 appendix 18; blanks seed 000 items 7, 17-20; officer accounts
seed 001 item 7.
"""

from __future__ import annotations

from .accounts import Account, AccountKind, ApiToken, AuthSession, Partner, Scope
from .appendices import DocumentAppendix, GraduateAppendix
from .audit import AuditEvent, AuditEventBase, AuditHead, RegistryMeta
from .base import GENESIS_HASH, MAX_NUMBER, NAMING_CONVENTION, RegistryModel, UTCDateTime, metadata, one_of
from .blanks import Blank, BlankKind, BlankRange, BlankRangeBase, BlankState, Counter
from .credentialoffers import CredentialNonce, CredentialOffer
from .documents import (
    REISSUABLE_ANNULMENTS,
    AnnulmentKind,
    Batch,
    BatchState,
    Document,
    DocumentBase,
    DocumentPublic,
    DocumentRevision,
    DocumentRevisionBase,
    DocumentState,
    DuplicateReason,
)
from .institutions import (
    DocumentType,
    DocumentTypeBase,
    Institution,
    InstitutionBase,
    InstitutionCreate,
    InstitutionKind,
    InstitutionPublic,
)
from .outbox import EventKind, OutboxEventRow, OutboxHead, PartnerWebhook
from .people import (
    Graduate,
    GraduateBase,
    Holder,
    HolderBase,
    Officer,
    OfficerBase,
    OfficerCreate,
    OfficerPublic,
    OfficerRole,
)
from .statuslists import StatusListRow, VersionStateRow
from .tlog import EMPTY_TREE_ROOT, LogCheckpoint, LogEntryRow, LogHashRow, LogHead

__all__ = [
    "EMPTY_TREE_ROOT",
    "GENESIS_HASH",
    "MAX_NUMBER",
    "NAMING_CONVENTION",
    "REISSUABLE_ANNULMENTS",
    "Account",
    "AccountKind",
    "AnnulmentKind",
    "ApiToken",
    "AuditEvent",
    "AuditEventBase",
    "AuditHead",
    "AuthSession",
    "Batch",
    "BatchState",
    "Blank",
    "BlankKind",
    "BlankRange",
    "BlankRangeBase",
    "BlankState",
    "Counter",
    "CredentialNonce",
    "CredentialOffer",
    "Document",
    "DocumentAppendix",
    "DocumentBase",
    "DocumentPublic",
    "DocumentRevision",
    "DocumentRevisionBase",
    "DocumentState",
    "DocumentType",
    "DocumentTypeBase",
    "DuplicateReason",
    "EventKind",
    "Graduate",
    "GraduateAppendix",
    "GraduateBase",
    "Holder",
    "HolderBase",
    "Institution",
    "InstitutionBase",
    "InstitutionCreate",
    "InstitutionKind",
    "InstitutionPublic",
    "LogCheckpoint",
    "LogEntryRow",
    "LogHashRow",
    "LogHead",
    "Officer",
    "OfficerBase",
    "OfficerCreate",
    "OfficerPublic",
    "OfficerRole",
    "OutboxEventRow",
    "OutboxHead",
    "Partner",
    "PartnerWebhook",
    "RegistryMeta",
    "RegistryModel",
    "Scope",
    "StatusListRow",
    "UTCDateTime",
    "VersionStateRow",
    "metadata",
    "one_of",
]
