"""Authentication of the signed-in surfaces: session cookies with CSRF tokens, bearer tokens, scopes.

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
  without storing it). An HTML form cannot set a header: the officer console's forms (`web.console`) send the same
  token in the form field `csrf_token`, which `session_principal` accepts as well as the header.

Every request looks the session or token up in the database (`verify.registry.accounts.resolve_*`): expiry,
revocation, the account's, officer's or partner's `active` flag. A revoked token or a disabled officer is refused on
the very next request. Then the scopes the route declares (`Security(authenticate, scopes=[...])`, also shown in
the OpenAPI document) must all be held, else 403.

Routes of this module:

| route                             | who                       | does                                              |
|-----------------------------------|---------------------------|---------------------------------------------------|
| POST /api/v1/auth/login           | anyone (rate-limited)     | username + password (JSON or form) -> cookie, CSRF |
| POST /api/v1/auth/logout          | cookie session            | ends the session, clears the cookie                |
| GET /api/v1/auth/me               | any principal             | who, scopes, CSRF token of a cookie session         |
| POST /api/v1/auth/tokens          | officer or admin account  | a token for yourself with a subset of your scopes  |
| GET /api/v1/auth/tokens           | officer or admin account  | your tokens                                        |
| DELETE /api/v1/auth/tokens/{id}   | officer or admin account  | revoke one of your tokens now                      |

A wrong username, a wrong password and a disabled account get the same 401 answer after the same argon2 work.

Sources: RFC 6750 (Bearer tokens; §3 the WWW-Authenticate challenge), RFC 6265bis §4.1.3.2 (`__Host-` prefix),
§5.4.7 (SameSite), OWASP Session Management and CSRF Prevention cheat sheets.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from verify import Error
from verify.registry.accounts import (
    Identity,
    authenticate_password,
    create_token,
    end_session,
    list_tokens,
    open_session,
    resolve_session,
    resolve_token,
    revoke_token,
)
from verify.registry.models import Account, ApiToken, Institution

from ..admin.schemas import LoginRequest, MeModel, TokenCreatedModel, TokenCreateRequest, TokenModel, TokensModel
from ..problems.errors import BEARER_CHALLENGE, insufficient_scope, problem_from_error, unauthorized
from ..problems.handlers import ProblemError
from ..public.schemas import RowIdPath, problem_responses
from ..runtime.backoffice import PRODUCTION_COOKIE, BackOffice, BackOfficeDep, backoffice_of
from ..runtime.services import utcnow

CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
"""The form field that carries the CSRF token in HTML forms, which cannot set a header (`session_principal`)."""
_FORM_TYPES: Final = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
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

# Problem examples shared by the routes of the signed-in surfaces.
UNAUTHORIZED: Final = ("unauthorized", "sign in or send a bearer token")
FORBIDDEN: Final = ("forbidden", "this needs the scope officer:write, which this session or token does not hold")
CSRF_FAILED: Final = ("csrf-failed", "the X-CSRF-Token header is missing or does not match this session")
INVALID: Final = ("invalid-request", "the request does not match the schema; see errors")
TOO_LARGE: Final = ("content-too-large", "the request body is over the cap of 65536 bytes")

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])


def csrf_token_for(session_secret: str) -> str:
    """The CSRF token of a session: base64url(HMAC-SHA256(key=cookie value, "verify csrf v1")), 43 characters."""
    digest = hmac.new(session_secret.encode("utf-8"), _CSRF_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _resolve(office: BackOffice, request: Request, bearer: HTTPAuthorizationCredentials | None, *,
             csrf_sent: str | None = None) -> Identity:
    at = utcnow()
    with office.readers() as session:
        if bearer is not None:
            identity = resolve_token(session=session, secret=bearer.credentials.strip(), at=at)
            if identity is None:
                raise unauthorized("the token is unknown, expired or revoked, or its account is disabled",
                                   error="invalid_token")
            return identity
        secret = request.cookies.get(office.cookie.name)
        if not secret:
            raise unauthorized("sign in (POST /api/v1/auth/login) or send a bearer token")
        identity = resolve_session(session=session, secret=secret, at=at)
        if identity is None:
            raise ProblemError("unauthorized", "the session has ended or its account is disabled: sign in again",
                               headers={"WWW-Authenticate": BEARER_CHALLENGE,
                                        "Set-Cookie": office.cookie.clear_cookie()})
    if request.method in UNSAFE_METHODS:
        sent = csrf_sent if csrf_sent is not None else request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode("utf-8"), csrf_token_for(secret).encode("ascii")):
            raise ProblemError(*CSRF_FAILED)
    return identity


def authenticate(request: Request, security_scopes: SecurityScopes,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_SCHEME)],
                 _cookie: Annotated[str | None, Depends(SESSION_SCHEME)]) -> Identity:
    """The principal of the request, holding every scope the route declares.

    Raises:
        ProblemError: 401 unauthorized (no credentials, or unknown, expired, revoked, disabled), 403 csrf-failed
            (a cookie session's unsafe request without the right X-CSRF-Token), 403 forbidden (a missing scope).
    """
    identity = _resolve(backoffice_of(request), request, bearer)
    missing = [scope for scope in security_scopes.scopes if scope not in identity.scopes]
    if missing:
        raise insufficient_scope(missing)
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
    if media_type not in _FORM_TYPES:
        return ""
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def session_principal(request: Request, office: BackOffice) -> Identity:
    """The principal of a page request, by the session cookie alone (bearer tokens are for programs).

    An unsafe request must carry the session's CSRF token as the X-CSRF-Token header or, from an HTML form, as its
    `csrf_token` field: both are checked against the same HMAC of the cookie value, which a page of another site
    cannot read. No scope is checked here; the caller decides.

    Raises:
        ProblemError: 401 unauthorized (no cookie, or its session has ended: the answer clears the cookie),
            403 csrf-failed (an unsafe request without the right token).
    """
    sent = await sent_csrf_token(request) if request.method in UNSAFE_METHODS else None
    return await run_in_threadpool(_resolve, office, request, None, csrf_sent=sent)


def principal(*scopes: str) -> Any:
    """`Security(authenticate, scopes=[...])`: the route needs these scopes (an Annotated metadata item)."""
    return Security(authenticate, scopes=list(scopes))


AnyPrincipal = Annotated[Identity, principal()]


# ----------------------------------------------------------------------------- sign-in
async def _login_form(request: Request) -> LoginRequest:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    try:
        if media_type == "application/json" or media_type.endswith("+json"):
            try:
                data: Any = json.loads(await request.body())
            except ValueError:
                raise ProblemError("bad-request", "the body is not valid JSON") from None
        elif media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            data = {key: value for key, value in form.items() if isinstance(value, str)}
        else:
            raise ProblemError("unsupported-media-type",
                               "send application/json or application/x-www-form-urlencoded")
        return LoginRequest.model_validate(data)
    except ValidationError as exc:
        errors = [{"loc": [str(p) for p in error.get("loc", ())], "msg": str(error.get("msg", "")),
                   "type": str(error.get("type", ""))} for error in exc.errors(include_input=False)[:20]]
        raise ProblemError("invalid-request", "the request does not match the schema; see errors",
                           extensions={"errors": errors}) from None


def me_model(office: BackOffice, identity: Identity, *, csrf_token: str | None) -> MeModel:
    """What `GET /api/v1/auth/me` and the sign-in answer say about a principal."""
    officer, institution_bin = identity.officer, None
    if officer is not None:
        with office.readers() as session:
            institution = session.get(Institution, officer.institution_id)
            institution_bin = institution.bin if institution is not None else None
            session.commit()
    full_name = identity.account.full_name if identity.account is not None else None
    return MeModel(username=identity.name, kind=identity.kind, full_name=full_name,
                   role=officer.role if officer is not None else None, institution_bin=institution_bin,
                   scopes=sorted(identity.scopes), via="token" if identity.token_id is not None else "session",
                   expires_at=identity.expires_at, csrf_token=csrf_token)


def sign_in(office: BackOffice, form: LoginRequest) -> tuple[str, Identity]:
    """Check a username and password and open a session: (the cookie value, the principal).

    Used by `POST /api/v1/auth/login` and the console's sign-in form alike.

    Raises:
        ProblemError: 401 login-failed, the same for an unknown username, a wrong password and a
            disabled account.
    """
    at = utcnow()
    with office.sessions() as session:
        account = authenticate_password(session=session, username=form.username, password=form.password,
                                        hashing=office.hashing, at=at)
        if account is None:
            raise ProblemError("login-failed", LOGIN_FAILED, headers={"WWW-Authenticate": BEARER_CHALLENGE})
        secret, _ = open_session(session=session, account=account, at=at, ttl=office.session_ttl)
        identity = resolve_session(session=session, secret=secret, at=at)
        session.commit()
    if identity is None:  # disabled between the two reads
        raise ProblemError("login-failed", LOGIN_FAILED, headers={"WWW-Authenticate": BEARER_CHALLENGE})
    return secret, identity


_LOGIN_BODY: Final = {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/LoginRequest"},
                         "example": {"username": "a.seitkali", "password": "correct horse battery staple"}},
    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/LoginRequest"},
                                          "example": {"username": "a.seitkali",
                                                      "password": "correct horse battery staple"}}}}


@router.post(
    "/login", summary="Sign in: a session cookie and its CSRF token", response_model=MeModel,
    openapi_extra={"requestBody": _LOGIN_BODY},
    responses={200: {"description": "Signed in; Set-Cookie carries the session (HttpOnly, SameSite=Lax)",
                     "headers": {"Set-Cookie": {"description": "__Host-verify-session=...; Path=/; Max-Age=28800; "
                                                               "HttpOnly; SameSite=Lax; Secure",
                                                "schema": {"type": "string"}}}},
               **problem_responses(("bad-request", "the body is not valid JSON"),
                                   ("login-failed", LOGIN_FAILED), TOO_LARGE,
                                   ("unsupported-media-type", "send application/json or "
                                                              "application/x-www-form-urlencoded"),
                                   INVALID, ("rate-limited", "too many requests; try again in 17 s"))},
)
async def login(request: Request, office: BackOfficeDep) -> JSONResponse:
    """Check a username and password; open a session (VERIFY_SESSION_TTL_S) and set its cookie.

    The answer carries `csrf_token`: send it as X-CSRF-Token with every POST, PUT, PATCH or DELETE made with the
    cookie. An unknown username, a wrong password and a disabled account all get the same 401.
    """
    form = await _login_form(request)
    secret, identity = await run_in_threadpool(sign_in, office, form)
    body = await run_in_threadpool(me_model, office, identity, csrf_token=csrf_token_for(secret))
    return JSONResponse(body.model_dump(mode="json"), headers={"Set-Cookie": office.cookie.set_cookie(secret)})


@router.post(
    "/logout", summary="Sign out: end the cookie session", status_code=204,
    responses={204: {"description": "The session has ended; Set-Cookie removes the cookie"},
               **problem_responses(("bad-request", "sign-out ends a cookie session; revoke a token with "
                                                   "DELETE /api/v1/auth/tokens/{id}"), UNAUTHORIZED, CSRF_FAILED)},
)
def logout(identity: AnyPrincipal, office: BackOfficeDep) -> Response:
    """End the session of the cookie now (its X-CSRF-Token is required, as for every unsafe request)."""
    if identity.session_id is None:
        raise ProblemError("bad-request", "sign-out ends a cookie session; revoke a token with "
                                          "DELETE /api/v1/auth/tokens/{id}")
    with office.sessions() as session:
        end_session(session=session, session_id=identity.session_id, at=utcnow())
    return Response(status_code=204, headers={"Set-Cookie": office.cookie.clear_cookie()})


@router.get(
    "/me", summary="Who is signed in", response_model=MeModel,
    responses={200: {"description": "The principal of the session or token"},
               **problem_responses(UNAUTHORIZED)},
)
def who_am_i(identity: AnyPrincipal, request: Request, office: BackOfficeDep) -> MeModel:
    """The account (or partner), its scopes and, for a cookie session, the CSRF token of the session."""
    secret = request.cookies.get(office.cookie.name) if identity.session_id is not None else None
    return me_model(office, identity, csrf_token=csrf_token_for(secret) if secret else None)


# ----------------------------------------------------------------------------- tokens
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
        raise ProblemError("invalid-data", f"days: at most {office.token_max_days}")
    expires_at = at + dt.timedelta(days=wanted)
    return min(expires_at, not_after) if not_after is not None else expires_at


def _account_of(identity: Identity) -> Account:
    if identity.account is None:
        raise ProblemError("forbidden", "a partner's tokens are made by an administrator")
    return identity.account


@router.post(
    "/tokens", summary="Make an API token for yourself", status_code=201, response_model=TokenCreatedModel,
    responses={201: {"description": "The token; its text is shown this once"},
               **problem_responses(UNAUTHORIZED, ("forbidden", "a partner's tokens are made by an administrator"),
                                   CSRF_FAILED, INVALID,
                                   ("invalid-data", "scopes: admin not allowed for this account (it may hold "
                                                    "officer:read, officer:write)"))},
)
def make_token(body: TokenCreateRequest, identity: AnyPrincipal, office: BackOfficeDep) -> TokenCreatedModel:
    """A token with a subset of your scopes (a token made with a token cannot outlive it)."""
    account = _account_of(identity)
    missing = sorted(set(body.scopes) - identity.scopes)
    if missing:
        raise ProblemError("invalid-data", f"scopes: {', '.join(missing)} not held by this session or token "
                                           f"(it holds {', '.join(sorted(identity.scopes))})")
    at = utcnow()
    expires_at = token_lifetime(office, body.days, at=at,
                                not_after=identity.expires_at if identity.token_id is not None else None)
    with office.sessions() as session:
        try:
            secret, token = create_token(session=session, owner=account, name=body.name, scopes=body.scopes, at=at,
                                         expires_at=expires_at, actor=identity.officer or identity.actor,
                                         officer=identity.officer)
        except Error as exc:
            raise problem_from_error(exc) from None
    listed = token_model(token, owner=account.username, at=at)
    return TokenCreatedModel(**listed.model_dump(), token=secret)


@router.get(
    "/tokens", summary="Your API tokens", response_model=TokensModel,
    responses={200: {"description": "Your tokens, newest first (never their text)"},
               **problem_responses(UNAUTHORIZED, ("forbidden", "a partner's tokens are made by an administrator"))},
)
def my_tokens(identity: AnyPrincipal, office: BackOfficeDep) -> TokensModel:
    """Every token of your account, with its state."""
    account = _account_of(identity)
    at = utcnow()
    with office.readers() as session:
        tokens = list_tokens(session=session, account_id=account.id)
        session.commit()
    return TokensModel(tokens=[token_model(t, owner=account.username, at=at) for t in tokens])


@router.delete(
    "/tokens/{token_id}", summary="Revoke one of your API tokens", status_code=204,
    responses={204: {"description": "Revoked; the next request with it is refused"},
               **problem_responses(UNAUTHORIZED, CSRF_FAILED, ("not-found", "no token 7"),
                                   ("invalid-data", "token 7 is revoked already"))},
)
def revoke_my_token(token_id: RowIdPath, identity: AnyPrincipal, office: BackOfficeDep) -> Response:
    """Revoke a token of your account at once; a token of another account is answered 404."""
    account = _account_of(identity)
    with office.sessions() as session:
        try:
            revoke_token(session=session, token_id=token_id, at=utcnow(), actor=identity.officer or identity.actor,
                         account_id=account.id)
        except Error as exc:
            raise problem_from_error(exc) from None
    return Response(status_code=204)


__all__ = ["CSRF_FIELD", "CSRF_HEADER", "FORBIDDEN", "INVALID", "TOO_LARGE", "UNAUTHORIZED", "AnyPrincipal",
           "authenticate", "csrf_token_for", "me_model", "principal", "router", "sent_csrf_token", "session_principal",
           "sign_in", "token_lifetime", "token_model"]
