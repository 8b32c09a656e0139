"""The accounts' API: sign-in and sign-out, who is signed in, API tokens (`web.auth.sessions` holds the logic).

| route                             | who                       | does                                              |
|-----------------------------------|---------------------------|---------------------------------------------------|
| POST /api/v1/auth/login           | anyone (rate-limited)     | username + password (JSON) -> cookie, CSRF token   |
| POST /api/v1/auth/logout          | cookie session            | ends the session, clears the cookie                |
| GET /api/v1/auth/me               | any principal             | who, scopes, CSRF token of a cookie session         |
| POST /api/v1/auth/tokens          | officer or admin account  | a token for yourself with a subset of your scopes  |
| GET /api/v1/auth/tokens           | officer or admin account  | your tokens                                        |
| DELETE /api/v1/auth/tokens/{id}   | officer or admin account  | revoke one of your tokens now                      |

The scopes each route needs are declared with `web.deps.principal` (also shown in the OpenAPI document); a missing
scope is 403. A wrong username, a wrong password and a disabled account get the same 401 answer.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from verify.errors import ForbiddenError
from verify.registry.accounts import Identity, create_token, end_session, list_tokens, revoke_token
from verify.registry.models import Account
from verify.texts import Text, text

from ..deps import AnyPrincipal, BackOfficeDep, RowIdPath, utcnow
from ..http.bodies import BODY_UNREADABLE, JSON_ONLY, read_json
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import CSRF_FAILED, INVALID, RATE_LIMITED, TOO_LARGE, UNAUTHORIZED, problem_responses
from ..runtime.backoffice import BackOffice
from .schemas import LoginRequest, MeModel, TokenCreatedModel, TokenCreateRequest, TokensModel
from .sessions import (
    FOREIGN_ORIGIN,
    LOGIN_FAILED,
    check_origin,
    csrf_token_for,
    limit_account,
    me_model,
    sign_in,
    token_lifetime,
    token_model,
)

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"], route_class=ProblemRoute)


async def _login_form(request: Request, office: BackOffice) -> LoginRequest:
    """The sign-in body: JSON only (an HTML form of another site cannot send it without CORS), from our own origin.

    Raises:
        ProblemError: 403 forbidden (a foreign Origin), 415 (not JSON), 400 (too deep, not UTF-8), 422.
        RequestValidationError: 422 (the shape of the body).
    """
    check_origin(request, base_url=office.base_url)
    return await read_json(request, LoginRequest)


_LOGIN_BODY: Final = {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/LoginRequest"},
                         "example": {"username": "a.seitkali", "password": "correct horse battery staple"}}}}


@router.post(
    "/login", summary="Sign in: a session cookie and its CSRF token", response_model=MeModel,
    operation_id="login",
    openapi_extra={"requestBody": _LOGIN_BODY},
    responses={200: {"description": "Signed in; Set-Cookie carries the session (HttpOnly, SameSite=Lax)",
                     "headers": {"Set-Cookie": {"description": "__Host-verify-session=...; Path=/; Max-Age=28800; "
                                                               "HttpOnly; SameSite=Lax; Secure",
                                                "schema": {"type": "string"}}}},
               **problem_responses(("bad-request", BODY_UNREADABLE),
                                   ("login-failed", LOGIN_FAILED), ("forbidden", FOREIGN_ORIGIN), TOO_LARGE,
                                   ("unsupported-media-type", JSON_ONLY), INVALID, RATE_LIMITED)},
)
async def login(request: Request, office: BackOfficeDep) -> JSONResponse:
    """Check a username and password; open a session (VERIFY_SESSION_TTL_S) and set its cookie.

    JSON only, and an Origin header, when sent, must be this service's (login CSRF). Attempts are limited per
    client address (VERIFY_RATE_LOGIN) and per account (VERIFY_RATE_LOGIN_ACCOUNT): 429 with Retry-After.

    The answer carries `csrf_token`: send it as X-CSRF-Token with every POST, PUT, PATCH or DELETE made with the
    cookie. An unknown username, a wrong password and a disabled account all get the same 401.
    """
    form = await _login_form(request, office)
    await limit_account(office, form.username)
    secret, identity = await run_in_threadpool(sign_in, office, form, at=utcnow())
    body = await run_in_threadpool(me_model, office, identity, csrf_token=csrf_token_for(secret))
    return JSONResponse(body.model_dump(mode="json"), headers={"Set-Cookie": office.cookie.set_cookie(secret)})


@router.post(
    "/logout", summary="Sign out: end the cookie session", status_code=204,
    operation_id="logout",
    responses={204: {"description": "The session has ended; Set-Cookie removes the cookie"},
               **problem_responses(("bad-request", "sign-out ends a cookie session; revoke a token with "
                                                   "DELETE /api/v1/auth/tokens/{id}"), UNAUTHORIZED, CSRF_FAILED)},
)
def logout(identity: AnyPrincipal, office: BackOfficeDep) -> Response:
    """End the session of the cookie now (its X-CSRF-Token is required, as for every unsafe request)."""
    if identity.session_id is None:
        raise ProblemError("bad-request", "sign-out ends a cookie session; revoke a token with "
                                          "DELETE /api/v1/auth/tokens/{id}",
                           text=Text("e_sign_out_cookie", {"request": "DELETE /api/v1/auth/tokens/{id}"}))
    with office.sessions() as session:
        end_session(session=session, session_id=identity.session_id, at=utcnow())
    return Response(status_code=204, headers={"Set-Cookie": office.cookie.clear_cookie()})


@router.get(
    "/me", summary="Who is signed in", response_model=MeModel,
    operation_id="whoAmI",
    responses={200: {"description": "The principal of the session or token"},
               **problem_responses(UNAUTHORIZED)},
)
def who_am_i(identity: AnyPrincipal, request: Request, office: BackOfficeDep) -> MeModel:
    """The account (or partner), its scopes and, for a cookie session, the CSRF token of the session."""
    secret = request.cookies.get(office.cookie.name) if identity.session_id is not None else None
    return me_model(office, identity, csrf_token=csrf_token_for(secret) if secret else None)


# ----------------------------------------------------------------------------- tokens
def _account_of(identity: Identity) -> Account:
    if identity.account is None:
        raise ForbiddenError(text("v_adm_partner_tokens"))
    return identity.account


@router.post(
    "/tokens", summary="Make an API token for yourself", status_code=201, response_model=TokenCreatedModel,
    operation_id="createMyToken",
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
                                           f"(it holds {', '.join(sorted(identity.scopes))})",
                           text=Text("e_scopes_not_held", {"missing": ", ".join(missing),
                                                           "held": ", ".join(sorted(identity.scopes))}, "scopes"))
    at = utcnow()
    expires_at = token_lifetime(office, body.days, at=at,
                                not_after=identity.expires_at if identity.token_id is not None else None)
    with office.sessions() as session:
        secret, token = create_token(session=session, owner=account, name=body.name, scopes=body.scopes, at=at,
                                     expires_at=expires_at, actor=identity.officer or identity.actor,
                                     officer=identity.officer)
    listed = token_model(token, owner=account.username, at=at)
    return TokenCreatedModel(**listed.model_dump(), token=secret)


@router.get(
    "/tokens", summary="Your API tokens", response_model=TokensModel,
    operation_id="listMyTokens",
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
    operation_id="revokeMyToken",
    responses={204: {"description": "Revoked; the next request with it is refused"},
               **problem_responses(UNAUTHORIZED, CSRF_FAILED, ("not-found", "no token 7"),
                                   ("invalid-data", "token 7 is revoked already"))},
)
def revoke_my_token(token_id: RowIdPath, identity: AnyPrincipal, office: BackOfficeDep) -> Response:
    """Revoke a token of your account at once; a token of another account is answered 404."""
    account = _account_of(identity)
    with office.sessions() as session:
        revoke_token(session=session, token_id=token_id, at=utcnow(), actor=identity.officer or identity.actor,
                     account_id=account.id)
    return Response(status_code=204)


