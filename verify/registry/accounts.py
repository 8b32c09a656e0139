"""Accounts, passwords, browser sessions and API tokens: who is acting, and with what scopes.

Seed 001, item 7: each university gets accounts on the numbering service for the persons appointed by the head's
order, and the head answers for what they do. So every officer account is bound to one institution, every action
is attributed, and a disabled officer stops acting at once. Administrators (the ministry) and partners (the
"digital documents" app, DOMAIN.md) are the other principals; the tables are in `models.accounts`.

Rules kept here (the web service and the command line share them):

* **Passwords** are hashed with argon2id (RFC 9106) through `argon2-cffi`'s `PasswordHasher`, by default with its
  own parameters (the RFC 9106 low-memory profile: t=3, m=64 MiB, p=4); a hash made with other parameters is
  replaced at the next successful sign-in (`PasswordHashing.needs_rehash`). An unknown username costs the same
  hash computation as a wrong password, and both get the same answer (`authenticate_password` returns None).
* **Secrets** (session cookies, API tokens) are 32 random bytes from `secrets`, written as URL-safe base64; only
  their hex SHA-256 is stored (a fast hash is enough for 256 random bits). A token is shown once, when made.
* **Every request is checked against the database** (`resolve_session`, `resolve_token`): expiry, revocation,
  the account's and the officer's `active` flags, the partner's. Nothing is cached beyond one call, so a
  revocation or a disabled officer takes effect on the very next request.
* **Scopes** (`models.Scope`) follow from the principal: a viewer gets `officer:read`; a registrar or head
  `officer:read officer:write`; an administrator `admin`; a partner `partner:read`. A token holds a subset, and
  its effective scopes are re-intersected with the owner's on every request.
* Account changes, token creation and revocation are written to the audit chain (`audit.append_event`), as are
  partners (registered in `partner`); sign-ins and sign-outs are not (they would make the chain a log of every
  session).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..errors import ConflictError, NotFoundError, RecordError
from ..identifiers import refuse_iin_in_text
from ..texts import rfc3339, text
from .access import flush_or_conflict, unit_of_work
from .audit import append_event
from .models import Account, AccountKind, ApiToken, AuthSession, Officer, OfficerRole, Partner, Scope

PASSWORD_MIN_CHARS: Final = 12
"""Shortest password accepted (NIST SP 800-63B §3.1.1.2 asks for at least 8; officers sign documents)."""
PASSWORD_MAX_CHARS: Final = 256
"""Longest password accepted: caps the work one sign-in request can ask for."""
TOKEN_PREFIX: Final = "vfy_"  # noqa: S105 (a marker, not a secret)
"""Every API token starts with this, so that secret scanners and people recognise one."""
SECRET_BYTES: Final = 32
"""Random bytes in a session cookie or an API token."""
TOKEN_NAME_MAX_CHARS: Final = 100

ALL_SCOPES: Final = frozenset(scope.value for scope in Scope)
_OFFICER_WRITE_ROLES: Final = frozenset({OfficerRole.REGISTRAR.value, OfficerRole.HEAD.value})


# ----------------------------------------------------------------------------- passwords
class PasswordHashing:
    """argon2id password hashes (PHC strings) with the configured cost.

    Args:
        time_cost: iterations (argon2-cffi default 3).
        memory_kib: memory in KiB (default 65536 = 64 MiB).
        parallelism: lanes (default 4).

    The defaults are `PasswordHasher()`'s own (RFC 9106, second recommended option). Tests pass cheaper values.
    """

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy: str | None = None

    def _dummy_hash(self) -> str:
        """A hash of a random password with the configured cost: what an unknown username is checked against."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def hash(self, password: str) -> str:
        """The PHC string of a new salted hash of `password`."""
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches the stored hash; None (no password set) never matches.

        The work is the same whether or not a hash is stored, so the time does not tell whether an account exists.
        """
        try:
            return bool(self._hasher.verify(stored if stored is not None else self._dummy_hash(), password)) \
                and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether the hash was made with other parameters than the configured ones."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


def check_password(password: str) -> str:
    """Refuse a password that is too short, too long or one repeated character; return it unchanged.

    Raises:
        RecordError: the message says which rule (never the password).
    """
    if not isinstance(password, str) or not PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS:
        raise RecordError(text("v_acc_password_length", field="password", min=PASSWORD_MIN_CHARS,
                               max=PASSWORD_MAX_CHARS))
    if len(set(password)) < 4:
        raise RecordError(text("v_acc_password_repeated", field="password"))
    return password


# ----------------------------------------------------------------------------- secrets and scopes
def new_secret(prefix: str = "") -> str:
    """`prefix` + 32 random bytes as URL-safe base64 (43 characters)."""
    return prefix + secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """Hex SHA-256 of a secret's text: what the tables store and look up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(values: Iterable[str]) -> frozenset[str]:
    """Scope names as a set.

    Raises:
        RecordError: an unknown scope, or none.
    """
    scopes = frozenset(value.strip() for value in values if value.strip())
    unknown = sorted(scopes - ALL_SCOPES)
    if unknown:
        raise RecordError(text("v_acc_scopes_unknown", field="scopes", unknown=", ".join(unknown),
                               known=", ".join(sorted(ALL_SCOPES))))
    if not scopes:
        raise RecordError(text("v_acc_scopes_one", field="scopes"))
    return scopes


def officer_scopes(officer: Officer) -> frozenset[str]:
    """The scopes an officer's role allows: read for everyone, write for a registrar or head."""
    if officer.role in _OFFICER_WRITE_ROLES:
        return frozenset({Scope.OFFICER_READ.value, Scope.OFFICER_WRITE.value})
    return frozenset({Scope.OFFICER_READ.value})


def allowed_scopes(account: Account, officer: Officer | None) -> frozenset[str]:
    """The scopes an account may hold (its sessions get all of them, its tokens a subset)."""
    if account.kind == AccountKind.ADMIN.value:
        return frozenset({Scope.ADMIN.value})
    assert officer is not None, "an officer account without its officer"
    return officer_scopes(officer)


PrincipalKind = Literal["officer", "admin", "partner"]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is acting in one request, as resolved from a session cookie or a token.

    Attributes:
        kind: "officer", "admin" or "partner".
        name: the username, or the partner's name.
        scopes: the effective scopes (`Scope` values).
        account: the account (None for a partner).
        officer: the officer row of an officer account (its institution scopes every action).
        partner: the partner row of a partner token.
        session_id: the session, when authenticated by cookie.
        token_id: the token, when authenticated by bearer token.
        expires_at: when the session or token ends.
    """

    kind: PrincipalKind
    name: str
    scopes: frozenset[str]
    account: Account | None
    officer: Officer | None
    partner: Partner | None
    session_id: int | None
    token_id: int | None
    expires_at: dt.datetime

    @property
    def actor(self) -> str:
        """The audit log's `actor` for this principal (64 characters at most)."""
        if self.kind == "officer":
            return self.name[:64]
        return f"{self.kind}:{self.name}"[:64]


# ----------------------------------------------------------------------------- accounts
def get_account_by_username(*, session: Session, username: str) -> Account | None:
    """The account with this login name, or None."""
    return session.exec(select(Account).where(Account.username == username)).first()


def get_account_of_officer(*, session: Session, officer: Officer) -> Account | None:
    """The officer's login account, or None when it has none yet."""
    return session.exec(select(Account).where(Account.officer_id == officer.id)).first()


def _who(actor: str | Officer) -> tuple[Officer | None, str | None]:
    """(officer, actor) arguments of `append_event` for an officer or a named actor."""
    return (actor, None) if isinstance(actor, Officer) else (None, actor)


def create_admin(*, session: Session, username: str, full_name: str, password: str | None, hashing: PasswordHashing,
                 at: dt.datetime, actor: str = "admin") -> Account:
    """Open an administrator account (the ministry); commits.

    Args:
        username: 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-' (as officers' usernames).
        password: checked by `check_password`; None opens an account that cannot sign in yet.

    Raises:
        RecordError: a bad username, an empty name, a weak password (IinInTextError: a name holds an IIN).
        ConflictError: the username is taken (by an officer or an administrator).
    """
    username = _check_username(username)
    full_name = refuse_iin_in_text(full_name.strip(), field="full_name")
    if not full_name or len(full_name) > 200:
        raise RecordError(text("v_acc_full_name", field="full_name"))
    password_hash = hashing.hash(check_password(password)) if password is not None else None
    with unit_of_work(session):
        taken = session.exec(select(Officer.id).where(Officer.username == username)).first()
        if taken is not None or get_account_by_username(session=session, username=username) is not None:
            raise ConflictError(text("v_acc_username_taken", username=username))
        account = Account(username=username, kind=AccountKind.ADMIN.value, full_name=full_name,
                          password_hash=password_hash, password_changed_at=at if password_hash else None,
                          active=True, created_at=at)
        session.add(account)
        flush_or_conflict(session, text("v_acc_username_taken", username=username))
        append_event(session=session, at=at, action="account.create", object_type="account", object_ref=username,
                     actor=actor, after={"username": username, "kind": account.kind, "full_name": full_name,
                                         "password": password_hash is not None})
    return account


def _check_username(username: str) -> str:
    username = username.strip()
    if not 1 <= len(username) <= 64 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in username):
        raise RecordError(text("v_acc_username_rule", field="username"))
    return refuse_iin_in_text(username, field="username")


def ensure_officer_account(*, session: Session, officer: Officer, at: dt.datetime) -> Account:
    """The officer's login account, opened (without a password) if missing, in the open transaction.

    Raises:
        ConflictError: an administrator account has the officer's username.
    """
    account = get_account_of_officer(session=session, officer=officer)
    if account is not None:
        return account
    if get_account_by_username(session=session, username=officer.username) is not None:
        raise ConflictError(text("v_acc_username_admin", username=officer.username))
    account = Account(username=officer.username, kind=AccountKind.OFFICER.value, officer_id=officer.id,
                      full_name=officer.full_name, active=True, created_at=at)
    session.add(account)
    flush_or_conflict(session, text("v_acc_username_taken", username=officer.username))
    return account


def set_officer_password(*, session: Session, officer: Officer, password: str, hashing: PasswordHashing,
                         at: dt.datetime, actor: str | Officer = "admin") -> Account:
    """Set (or reset) an officer's password, opening the login account if needed; commits.

    Every open session of the account ends (a reset usually follows a suspected leak); tokens stay.

    Raises:
        RecordError: a weak password.
        ConflictError: an administrator account has the officer's username.
    """
    password_hash = hashing.hash(check_password(password))
    with unit_of_work(session):
        account = ensure_officer_account(session=session, officer=officer, at=at)
        _store_password(session, account, password_hash, at)
        by_officer, by_actor = _who(actor)
        append_event(session=session, at=at, action="account.password", object_type="account",
                     object_ref=officer.username, institution_id=officer.institution_id, officer=by_officer,
                     actor=by_actor, after={"username": officer.username, "sessions_ended": True})
    return account


def set_account_password(*, session: Session, account: Account, password: str, hashing: PasswordHashing,
                         at: dt.datetime, actor: str = "admin") -> Account:
    """Set (or reset) the password of any account; ends its sessions; commits.

    Raises:
        RecordError: a weak password.
    """
    password_hash = hashing.hash(check_password(password))
    with unit_of_work(session):
        _store_password(session, account, password_hash, at)
        append_event(session=session, at=at, action="account.password", object_type="account",
                     object_ref=account.username, actor=actor,
                     after={"username": account.username, "sessions_ended": True})
    return account


def _store_password(session: Session, account: Account, password_hash: str, at: dt.datetime) -> None:
    account.password_hash, account.password_changed_at = password_hash, at
    session.add(account)
    session.flush()
    _end_sessions(session, account_id=account.id, at=at)


def _end_sessions(session: Session, *, account_id: int | None, at: dt.datetime) -> None:
    session.execute(update(AuthSession).where(col(AuthSession.account_id) == account_id,
                                              col(AuthSession.revoked_at).is_(None)).values(revoked_at=at))


def _revoke_tokens(session: Session, *, account_id: int | None = None, partner_id: int | None = None,
                   at: dt.datetime) -> int:
    owner = col(ApiToken.account_id) == account_id if account_id is not None else col(ApiToken.partner_id) == partner_id
    result = session.execute(update(ApiToken).where(owner, col(ApiToken.revoked_at).is_(None)).values(revoked_at=at))
    return int(getattr(result, "rowcount", 0) or 0)


def set_officer_active(*, session: Session, officer: Officer, active: bool, at: dt.datetime,
                       actor: str = "admin", reason: str | None = None) -> Officer:
    """Disable (or enable again) an officer account; commits.

    Disabling ends every session and revokes every token of the account in the same transaction; the registry's
    services refuse an inactive officer too (`access.require_writer`).

    Raises:
        RecordError: the account is in that state already.
        IinInTextError: the reason holds an IIN.
    """
    if reason is not None:
        reason = refuse_iin_in_text(reason, field="reason")
    if officer.active == active:
        raise RecordError(text("v_acc_officer_active" if active else "v_acc_officer_disabled",
                               username=officer.username))
    with unit_of_work(session):
        row = session.exec(select(Officer).where(Officer.id == officer.id).with_for_update()
                           .execution_options(populate_existing=True)).one()
        row.active = active
        session.add(row)
        revoked = 0
        account = get_account_of_officer(session=session, officer=row)
        if account is not None and not active:
            _end_sessions(session, account_id=account.id, at=at)
            revoked = _revoke_tokens(session, account_id=account.id, at=at)
        append_event(session=session, at=at, action="officer.enable" if active else "officer.disable",
                     object_type="officer", object_ref=row.username, institution_id=row.institution_id, actor=actor,
                     reason=reason, before={"active": not active},
                     after={"active": active, "tokens_revoked": revoked})
    return row


def authenticate_password(*, session: Session, username: str, password: str, hashing: PasswordHashing,
                          at: dt.datetime) -> Account | None:
    """The account whose username and password these are, if it may sign in; else None; commits a rehash.

    None for: no such username, a wrong password, no password set, a disabled account or officer. The argon2
    work is done in every case. A hash made with other parameters than `hashing`'s is replaced.
    """
    account = get_account_by_username(session=session, username=username.strip()) if username else None
    too_long = len(password) > PASSWORD_MAX_CHARS
    stored = account.password_hash if account is not None and not too_long else None
    matches = hashing.verify(stored, "" if too_long else password)
    if account is None or not matches or not account.active or not _officer_active(session, account):
        session.rollback()
        return None
    assert account.password_hash is not None
    with unit_of_work(session):  # commits (a rehash, or nothing): loaded rows stay usable
        if hashing.needs_rehash(account.password_hash):
            account.password_hash = hashing.hash(password)
            session.add(account)
    return account


def _officer_active(session: Session, account: Account) -> bool:
    if account.kind != AccountKind.OFFICER.value:
        return True
    officer = session.get(Officer, account.officer_id)
    return officer is not None and officer.active


# ----------------------------------------------------------------------------- sessions
def open_session(*, session: Session, account: Account, at: dt.datetime, ttl: dt.timedelta) -> tuple[str, AuthSession]:
    """A new browser session of `account` for `ttl`; commits.

    Returns:
        (the cookie value, shown once; the `AuthSession` row, which stores only its hash).
    """
    assert account.id is not None
    secret = new_secret()
    row = AuthSession(secret_hash=hash_secret(secret), account_id=account.id, created_at=at, expires_at=at + ttl)
    with unit_of_work(session):
        session.add(row)
    return secret, row


def end_session(*, session: Session, session_id: int, at: dt.datetime) -> None:
    """End a session now (sign-out); commits."""
    with unit_of_work(session):
        session.execute(update(AuthSession).where(col(AuthSession.id) == session_id,
                                                  col(AuthSession.revoked_at).is_(None)).values(revoked_at=at))


def resolve_session(*, session: Session, secret: str, at: dt.datetime) -> Identity | None:
    """The principal of a session cookie, or None if unknown, expired, ended, or its account disabled."""
    row = session.exec(select(AuthSession).where(AuthSession.secret_hash == hash_secret(secret))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= at:
        return None
    account = session.get(Account, row.account_id)
    if account is None:
        return None
    identity = _account_identity(session, account, expires_at=row.expires_at)
    if identity is None:
        return None
    return _with(identity, session_id=row.id)


def _account_identity(session: Session, account: Account, *, expires_at: dt.datetime,
                      scopes: Iterable[str] | None = None) -> Identity | None:
    if not account.active:
        return None
    officer: Officer | None = None
    if account.kind == AccountKind.OFFICER.value:
        officer = session.get(Officer, account.officer_id)
        if officer is None or not officer.active:
            return None
    allowed = allowed_scopes(account, officer)
    effective = allowed if scopes is None else allowed & frozenset(scopes)
    kind: PrincipalKind = "officer" if officer is not None else "admin"
    return Identity(kind=kind, name=account.username, scopes=effective, account=account, officer=officer,
                    partner=None, session_id=None, token_id=None, expires_at=expires_at)


def _with(identity: Identity, *, session_id: int | None = None, token_id: int | None = None) -> Identity:
    return Identity(kind=identity.kind, name=identity.name, scopes=identity.scopes, account=identity.account,
                    officer=identity.officer, partner=identity.partner, session_id=session_id, token_id=token_id,
                    expires_at=identity.expires_at)


# ----------------------------------------------------------------------------- tokens
TokenOwner = Account | Partner


def create_token(*, session: Session, owner: TokenOwner, name: str, scopes: Iterable[str], at: dt.datetime,
                 expires_at: dt.datetime, actor: str | Officer, officer: Officer | None = None) -> tuple[str, ApiToken]:
    """Make an API token for an account or a partner; commits (audited).

    Args:
        owner: the account (officer or administrator) or partner the token acts as.
        name: what it is for, 1-100 characters (e.g. "import robot").
        scopes: a subset of what the owner may hold (`allowed_scopes`; a partner: `partner:read`).
        expires_at: after `at`.
        actor: who makes it (the owner itself, or an administrator).
        officer: the owner's officer row, for an officer account.

    Returns:
        (the token text, shown once; the `ApiToken` row).

    Raises:
        RecordError: a bad name, an unknown scope or one the owner may not hold, an expiry not after `at`.
        IinInTextError: the name holds an IIN.
    """
    name = refuse_iin_in_text(name.strip(), field="name")
    if not 1 <= len(name) <= TOKEN_NAME_MAX_CHARS:
        raise RecordError(text("v_acc_token_name", field="name", limit=TOKEN_NAME_MAX_CHARS))
    wanted = parse_scopes(scopes)
    allowed = frozenset({Scope.PARTNER_READ.value}) if isinstance(owner, Partner) else allowed_scopes(owner, officer)
    if not wanted <= allowed:
        raise RecordError(text("v_acc_scopes_not_allowed", field="scopes", scopes=", ".join(sorted(wanted - allowed)),
                               allowed=", ".join(sorted(allowed))))
    if expires_at <= at:
        raise RecordError(text("v_acc_expires", field="expires_at"))
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(secret_hash=hash_secret(secret), hint=secret[:len(TOKEN_PREFIX) + 6], name=name,
                     account_id=owner.id if isinstance(owner, Account) else None,
                     partner_id=owner.id if isinstance(owner, Partner) else None, scopes=sorted(wanted),
                     created_at=at, created_by=(actor.username if isinstance(actor, Officer) else actor)[:64],
                     expires_at=expires_at)
    owner_ref = owner.username if isinstance(owner, Account) else f"partner:{owner.name}"
    with unit_of_work(session):
        session.add(token)
        session.flush()
        by_officer, by_actor = _who(actor)
        append_event(session=session, at=at, action="token.create", object_type="token",
                     object_ref=f"{token.id} {owner_ref}"[:80], officer=by_officer, actor=by_actor,
                     institution_id=officer.institution_id if officer is not None else None,
                     after={"name": name, "owner": owner_ref, "scopes": sorted(wanted),
                            "expires_at": rfc3339(expires_at)})
    return secret, token


def resolve_token(*, session: Session, secret: str, at: dt.datetime) -> Identity | None:
    """The principal of a bearer token, or None if unknown, expired, revoked, or its owner disabled."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret))).first()
    if token is None or token.revoked_at is not None or token.expires_at <= at:
        return None
    if token.partner_id is not None:
        partner = session.get(Partner, token.partner_id)
        if partner is None or not partner.active:
            return None
        scopes = frozenset(token.scopes) & {Scope.PARTNER_READ.value}
        return Identity(kind="partner", name=partner.name, scopes=scopes, account=None, officer=None,
                        partner=partner, session_id=None, token_id=token.id, expires_at=token.expires_at)
    account = session.get(Account, token.account_id)
    identity = _account_identity(session, account, expires_at=token.expires_at, scopes=token.scopes) \
        if account is not None else None
    return _with(identity, token_id=token.id) if identity is not None else None


def list_tokens(*, session: Session, account_id: int | None = None, include_revoked: bool = True) -> list[ApiToken]:
    """Tokens, newest first: of one account, or all (administration)."""
    statement = select(ApiToken).order_by(col(ApiToken.id).desc())
    if account_id is not None:
        statement = statement.where(ApiToken.account_id == account_id)
    if not include_revoked:
        statement = statement.where(col(ApiToken.revoked_at).is_(None))
    return list(session.exec(statement))


def revoke_token(*, session: Session, token_id: int, at: dt.datetime, actor: str | Officer,
                 account_id: int | None = None) -> ApiToken:
    """Revoke a token now; commits (audited). The next request with it is refused.

    Args:
        account_id: when given, only a token of this account may be revoked (an account revoking its own).

    Raises:
        NotFoundError: no such token (or not the account's): the same answer either way.
        RecordError: revoked already.
    """
    with unit_of_work(session):
        token = session.exec(select(ApiToken).where(ApiToken.id == token_id).with_for_update()
                             .execution_options(populate_existing=True)).first()
        if token is None or (account_id is not None and token.account_id != account_id):
            raise NotFoundError(text("v_acc_no_token", id=token_id))
        if token.revoked_at is not None:
            raise RecordError(text("v_acc_token_revoked", id=token_id))
        token.revoked_at = at
        session.add(token)
        by_officer, by_actor = _who(actor)
        append_event(session=session, at=at, action="token.revoke", object_type="token", object_ref=str(token_id),
                     officer=by_officer, actor=by_actor,
                     institution_id=by_officer.institution_id if by_officer is not None else None,
                     before={"revoked_at": None}, after={"revoked_at": rfc3339(at)})
    return token


def token_owner_name(*, session: Session, token: ApiToken) -> str:
    """The owner of a token as shown: the account's username, or "partner:<name>"."""
    if token.partner_id is not None:
        partner = session.get(Partner, token.partner_id)
        return f"partner:{partner.name if partner is not None else token.partner_id}"
    account = session.get(Account, token.account_id)
    return account.username if account is not None else str(token.account_id)
