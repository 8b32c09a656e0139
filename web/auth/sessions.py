"""Who a request is: session cookies with CSRF tokens, bearer tokens, sign-in (the logic behind `web.deps`).

Two ways to authenticate a request (seed 001 item 7: accounts for the persons appointed by the head's order):

* **Bearer token** (`Authorization: Bearer vfy_...`), for programs: made with `POST /api/v1/auth/tokens` (or by an
  administrator for a partner), shown once, stored as its SHA-256; scopes, expiry, revocable. It wins when both
  are sent. A browser never attaches it by itself, so it needs no CSRF check.
* **Session cookie**, for pages: `POST /api/v1/auth/login` sets `__Host-verify-session` (production; HttpOnly,
  Secure, SameSite=Lax, Path=/) holding 32 random bytes; the server keeps their SHA-256 with the expiry
  (VERIFY_SESSION_TTL_S). Every unsafe request (POST, PUT, PATCH, DELETE) authenticated by the cookie must carry
  `X-CSRF-Token`, the synchronizer token `base64url(HMAC-SHA256(key=cookie value, "verify csrf v1"))` given at
  sign-in and by `GET /api/v1/auth/me`: a page of another site can make the browser send the cookie, but cannot
  read the token (OWASP CSRF Prevention Cheat Sheet, "Synchronizer Token Pattern"; the HMAC binds it to the session
  without storing it). An HTML form cannot set a header: the officer console's forms send the same token in the
  form field `csrf_token`, which `resolve_principal` accepts as well as the header.

Every request looks the session or token up in the database (`verify.registry.accounts.resolve_*`): expiry,
revocation, the account's, officer's or partner's `active` flag. A revoked token or a disabled officer is refused on
the very next request. A wrong username, a wrong password and a disabled account get the same 401 answer after the
same argon2 work.

Sources: RFC 6750 (Bearer tokens; §3 the WWW-Authenticate challenge), RFC 6265bis §4.1.3.2 (`__Host-` prefix),
§5.4.7 (SameSite), OWASP Session Management and CSRF Prevention cheat sheets.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Final
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from verify.registry.accounts import Identity, authenticate_password, open_session, resolve_session, resolve_token
from verify.registry.institutions import get_institution
from verify.registry.models import ApiToken
from verify.texts import Text

from ..problems.errors import BEARER_CHALLENGE, unauthorized
from ..problems.handlers import ProblemError
from ..problems.openapi import CSRF_FAILED
from ..runtime.backoffice import PRODUCTION_COOKIE, BackOffice
from .schemas import LoginRequest, MeModel, TokenModel

CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
"""The form field that carries the CSRF token in HTML forms, which cannot set a header (`sent_csrf_token`)."""
FORM_TYPES: Final = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSRF_CONTEXT: Final = b"verify csrf v1"
LOGIN_FAILED: Final = "wrong username or password"

BEARER_SCHEME: Final = HTTPBearer(
    auto_error=False, scheme_name="bearer", bearerFormat="vfy_ + 43 characters",
    description="An API token (`POST /api/v1/auth/tokens`; partners get theirs from an administrator). The scopes "
                "each operation needs are listed with it: officer:read, officer:write, partner:read, admin.")
SESSION_SCHEME: Final = APIKeyCookie(
    name=PRODUCTION_COOKIE, auto_error=False, scheme_name="session",
    description="The session cookie set by `POST /api/v1/auth/login` (`verify-session` in development). Unsafe "
                "requests must also send the X-CSRF-Token header given at sign-in.")


def csrf_token_for(session_secret: str) -> str:
    """The CSRF token of a session: base64url(HMAC-SHA256(key=cookie value, "verify csrf v1")), 43 characters."""
    digest = hmac.new(session_secret.encode("utf-8"), _CSRF_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def resolve_principal(office: BackOffice, request: Request, bearer: HTTPAuthorizationCredentials | None, *,
                      at: dt.datetime, csrf_sent: str | None = None) -> Identity:
    """The principal of a request: its bearer token, else its session cookie (with the CSRF check when unsafe).

    Args:
        bearer: the Authorization header's credentials, or None (pages: the cookie alone).
        at: the time of the request (expiry).
        csrf_sent: the token an unsafe request carries (`sent_csrf_token`); None reads the X-CSRF-Token header.

    Raises:
        ProblemError: 401 unauthorized (no credentials, or unknown, expired, revoked, disabled; an ended session's
            answer clears the cookie), 403 csrf-failed.
    """
    with office.readers() as session:
        if bearer is not None:
            identity = resolve_token(session=session, secret=bearer.credentials.strip(), at=at)
            if identity is None:
                raise unauthorized("the token is unknown, expired or revoked, or its account is disabled",
                                   text=Text("e_token_unknown"),
                                   error="invalid_token")
            return identity
        secret = request.cookies.get(office.cookie.name)
        if not secret:
            raise unauthorized("sign in (POST /api/v1/auth/login) or send a bearer token", text=Text("e_sign_in"))
        identity = resolve_session(session=session, secret=secret, at=at)
        if identity is None:
            raise ProblemError("unauthorized", "the session has ended or its account is disabled: sign in again",
                               text=Text("e_session_ended"),
                               headers={"WWW-Authenticate": BEARER_CHALLENGE,
                                        "Set-Cookie": office.cookie.clear_cookie()})
    if request.method in UNSAFE_METHODS:
        sent = csrf_sent if csrf_sent is not None else request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode("utf-8"), csrf_token_for(secret).encode("ascii")):
            raise ProblemError(*CSRF_FAILED, text=Text("e_csrf_failed"))
    return identity


async def sent_csrf_token(request: Request) -> str:
    """The CSRF token an unsafe request carries: the X-CSRF-Token header, else the `csrf_token` field of its form.

    The form body (URL-encoded or multipart) is read only when the header is absent; Starlette keeps the parsed
    form, so the route's own `Form()` and `File()` parameters read it again without a second parse.

    Returns:
        The token sent, or "" when there is none.
    """
    header = request.headers.get(CSRF_HEADER)
    if header is not None:
        return header
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in FORM_TYPES:
        return ""
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


ACCOUNT_BUCKET: Final = "login_account"
"""The rate-limit bucket of sign-in attempts per account (VERIFY_RATE_LOGIN_ACCOUNT), beside the per-address one."""
FOREIGN_ORIGIN: Final = "sign-in is accepted only from this service's own pages and from programs without an Origin"


def own_origin(request: Request, origin: str, *, base_url: str) -> bool:
    """Whether an Origin header (RFC 6454 §7) names this service: the configured base URL's origin, or the host
    the request was sent to (its Host header), as the OWASP CSRF cheat sheet's "verifying origin with standard
    headers" compares them. `null` (a sandboxed or privacy-sensitive context) is never our own.
    """
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return False
    netloc = parts.netloc.lower()
    office_origin = urlsplit(base_url)
    if parts.scheme == office_origin.scheme and netloc == office_origin.netloc.lower():
        return True
    host = request.headers.get("host", "").strip().lower()
    return bool(host) and netloc == host


def check_origin(request: Request, *, base_url: str) -> None:
    """Refuse a request whose Origin header names another site (login CSRF); programs send none.

    Raises:
        ProblemError: 403 forbidden.
    """
    origin = request.headers.get("origin")
    if origin is not None and not own_origin(request, origin, base_url=base_url):
        raise ProblemError("forbidden", FOREIGN_ORIGIN, message_key="e_foreign_origin")


def account_key(username: str) -> str:
    """The per-account rate-limit key of a username: SHA-256 of its case-folded, trimmed text (no name stored)."""
    return hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()


async def limit_account(office: BackOffice, username: str) -> None:
    """Count one sign-in attempt for the account named `username`, whatever the address it comes from.

    Credential stuffing spreads its attempts over many addresses; this limit (VERIFY_RATE_LOGIN_ACCOUNT) counts
    them per account. It is counted before the password is checked, for unknown names alike (no oracle).

    Raises:
        ProblemError: 429 rate-limited with Retry-After.
    """
    wait_s = await office.limiter.hit(ACCOUNT_BUCKET, account_key(username))
    if wait_s is not None:
        raise ProblemError("rate-limited", f"too many sign-in attempts for this account; try again in {wait_s} s",
                           headers={"Retry-After": str(wait_s)}, message_key="c_login_limited")


def sign_in(office: BackOffice, form: LoginRequest, *, at: dt.datetime) -> tuple[str, Identity]:
    """Check a username and password and open a session: (the cookie value, the principal).

    Used by `POST /api/v1/auth/login` and the console's sign-in form alike.

    Raises:
        ProblemError: 401 login-failed, the same for an unknown username, a wrong password and a
            disabled account.
    """
    with office.sessions() as session:
        account = authenticate_password(session=session, username=form.username, password=form.password,
                                        hashing=office.hashing, at=at)
        if account is None:
            raise ProblemError("login-failed", LOGIN_FAILED, headers={"WWW-Authenticate": BEARER_CHALLENGE},
                               text=Text("e_login_failed"))
        secret, _ = open_session(session=session, account=account, at=at, ttl=office.session_ttl)
        identity = resolve_session(session=session, secret=secret, at=at)
        session.commit()
    if identity is None:  # disabled between the two reads
        raise ProblemError("login-failed", LOGIN_FAILED, headers={"WWW-Authenticate": BEARER_CHALLENGE},
                               text=Text("e_login_failed"))
    return secret, identity


def me_model(office: BackOffice, identity: Identity, *, csrf_token: str | None) -> MeModel:
    """What `GET /api/v1/auth/me` and the sign-in answer say about a principal."""
    officer, institution_bin = identity.officer, None
    if officer is not None:
        with office.readers() as session:
            institution_bin = get_institution(session=session, institution_id=officer.institution_id).bin
            session.commit()
    full_name = identity.account.full_name if identity.account is not None else None
    return MeModel(username=identity.name, kind=identity.kind, full_name=full_name,
                   role=officer.role if officer is not None else None, institution_bin=institution_bin,
                   scopes=sorted(identity.scopes), via="token" if identity.token_id is not None else "session",
                   expires_at=identity.expires_at, csrf_token=csrf_token)


def token_model(token: ApiToken, *, owner: str, at: dt.datetime) -> TokenModel:
    """A token as listed."""
    assert token.id is not None
    return TokenModel(id=token.id, name=token.name, hint=token.hint, owner=owner, scopes=list(token.scopes),
                      created_at=token.created_at, created_by=token.created_by, expires_at=token.expires_at,
                      revoked_at=token.revoked_at, active=token.revoked_at is None and token.expires_at > at)


def token_lifetime(office: BackOffice, days: int | None, *, at: dt.datetime,
                   not_after: dt.datetime | None = None) -> dt.datetime:
    """The expiry of a new token: `days` (default VERIFY_TOKEN_DEFAULT_DAYS), at most `not_after`.

    Raises:
        ProblemError: invalid-data, more days than VERIFY_TOKEN_MAX_DAYS.
    """
    wanted = office.token_default_days if days is None else days
    if wanted > office.token_max_days:
        raise ProblemError("invalid-data", f"days: at most {office.token_max_days}",
                           text=Text("e_at_most", {"limit": office.token_max_days}, "days"))
    expires_at = at + dt.timedelta(days=wanted)
    return min(expires_at, not_after) if not_after is not None else expires_at
