"""Tables of the accounts that sign in: login accounts, partners, browser sessions and API tokens (migration 0002).

Who may act on the registry through the web service (DESIGN.md, Surfaces):

* **officers**, the responsible persons appointed by the head's order, each bound to one institution
  (seed 001, item 7): an `Account` of kind "officer" gives an `Officer` row a login name and a password;
* **administrators** of the ministry: an `Account` of kind "admin" (no institution; they register institutions,
  open officer accounts, manage document signers and publish the trust list);
* **partners**, other state systems such as the "digital documents" app of eGov Mobile (DOMAIN.md, Duplicates:
  seed 000 items 59-60): a `Partner` row, which never signs in with a password and acts only through tokens.

Secrets are never stored: a session cookie and an API token are 32 random bytes; the tables keep the hex SHA-256
of the text the client holds (`secret_hash`). A leaked table therefore opens no session. Passwords are argon2id
hashes in PHC string format (`accounts.password_hash`).

The tables are registered on the one `metadata` of `verify.registry.models.base`, so that Alembic and the schema
test see them with the rest of the registry.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, CheckConstraint, Text
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime, one_of


class AccountKind(enum.StrEnum):
    """Who an account belongs to: an officer of one institution, or an administrator of the ministry."""

    OFFICER = "officer"
    ADMIN = "admin"


class Scope(enum.StrEnum):
    """What a session or token may do.

    * OFFICER_READ: read the officer's own institution (graduates, documents, QR codes, stock, audit).
    * OFFICER_WRITE: change it (import, issue, duplicates, corrections, annulments, blanks); the officer's role
      still applies (a viewer never gets it; annulments need the head).
    * PARTNER_READ: look up a holder's documents by IIN (the "digital documents" app).
    * ADMIN: the ministry's administration (institutions, officers, tokens, document signers, trust list).
    """

    OFFICER_READ = "officer:read"
    OFFICER_WRITE = "officer:write"
    PARTNER_READ = "partner:read"
    ADMIN = "admin"


class Account(RegistryModel, table=True):
    """Row of `accounts`: a login name with its password hash.

    For an officer the username is the officer's (`officers.username`) and `officers.active` counts as well as
    `accounts.active`; an account without a password hash cannot sign in (it may still own tokens).
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(one_of("kind", AccountKind), name="kind"),
        CheckConstraint("(kind = 'officer') = (officer_id IS NOT NULL)", name="officer_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8, description="AccountKind value")
    officer_id: int | None = Field(default=None, foreign_key="officers.id", unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, sa_type=Text, description="argon2id PHC string")
    password_changed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class Partner(RegistryModel, table=True):
    """Row of `partners`: a system that reads holders' documents with a token (never a password)."""

    __tablename__ = "partners"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    active: bool = True
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class AuthSession(RegistryModel, table=True):
    """Row of `auth_sessions`: a browser session of an account, found by the hash of its cookie."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, description="hex SHA-256 of the cookie value")
    account_id: int = Field(foreign_key="accounts.id", index=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(RegistryModel, table=True):
    """Row of `api_tokens`: a bearer token of an account or a partner, with scopes and an expiry."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("(account_id IS NULL) <> (partner_id IS NULL)", name="one_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, description="hex SHA-256 of the token text")
    hint: str = Field(max_length=16, description="the token's first characters, to recognise it in a list")
    name: str = Field(max_length=100)
    account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partners.id", index=True)
    scopes: list[str] = Field(sa_type=JSON, description="Scope values")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=64, description="who made it (an account's username)")
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
