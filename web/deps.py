"""Every FastAPI dependency of the service, and its clock (STYLE.md §10: one place for dependencies).

    utcnow()            the current time, aware UTC: the web edge is where the clock is read
    ServicesDep         the process's `web.runtime.services.Services` (public surface: trust list, registry, pool)
    BackOfficeDep       the process's `web.runtime.backoffice.BackOffice` (signed-in surfaces: writing engine, keys)
    require_json        415 unless the body is declared as JSON
    require_multipart   415 unless the body is multipart/form-data
    principal(*scopes)  the request's principal holding these scopes (bearer token, else session cookie + CSRF)
    AnyPrincipal, OfficerReader, OfficerWriter, PartnerReader, AdminPrincipal   the principals of the API routes
    session_principal   the principal of a page request (the session cookie alone; the form's CSRF field counts)
    ConsolePrincipal    the console's signed-in principal, whoever it is (sign-out)
    DeskDep             the console's signed-in officer (`web.auth.desk.Desk`); an administrator is sent on
    MinistryDep         the console's signed-in administrator (`web.auth.desk.MinistryDesk`); an officer is sent on
    RowIdPath           a path parameter naming a row by its id (at most `DB_INT_MAX`)

The dependencies that only read the app's state are `async` (FastAPI would run a plain `def` one in its thread
pool, a hop that costs more than the lookup); those that read the database are plain `def` or hop explicitly.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from fastapi import Depends, Path, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, SecurityScopes
from starlette.concurrency import run_in_threadpool

from verify.registry.accounts import Identity
from verify.texts import Text

from .auth.desk import Desk, MinistryDesk, desk_of, ministry_desk_of
from .auth.sessions import (
    BEARER_SCHEME,
    SESSION_SCHEME,
    UNSAFE_METHODS,
    csrf_token_for,
    resolve_principal,
    sent_csrf_token,
)
from .http.bodies import JSON_ONLY, is_json
from .problems.errors import insufficient_scope
from .problems.handlers import ProblemError
from .runtime.backoffice import BackOffice, backoffice_of
from .runtime.services import Services, services_of
from .ui.console import SeeOther, remember_sign_out

MINISTRY_HOME: Final = "/console/ministry"
"""Where an administrator's console starts (`web.admin.console`)."""

DB_INT_MAX: Final = 2**31 - 1
"""The largest id, sequence number or offset a request may carry: PostgreSQL's `integer` (larger ones are
answered 422, not a database error)."""
RowIdPath = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="a row id")]
"""A path parameter naming a row by its id (a token, a partner)."""


def utcnow() -> dt.datetime:
    """The current time, aware UTC (the web edge is where the clock is read)."""
    return dt.datetime.now(dt.UTC)


# ----------------------------------------------------------------------------- the process's services
async def get_services(request: Request) -> Services:
    """`services_of` as a dependency."""
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_backoffice(request: Request) -> BackOffice:
    """`backoffice_of` as a dependency."""
    return backoffice_of(request)


BackOfficeDep = Annotated[BackOffice, Depends(get_backoffice)]


# ----------------------------------------------------------------------------- bodies
async def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON (`application/json` or `application/*+json`).

    Raises:
        ProblemError: unsupported-media-type.
    """
    if not is_json(request.headers.get("content-type")):
        raise ProblemError("unsupported-media-type", JSON_ONLY, text=Text("e_json_only"))


async def require_multipart(request: Request) -> None:
    """415 unless the body is `multipart/form-data`.

    Raises:
        ProblemError: unsupported-media-type.
    """
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "multipart/form-data":
        raise ProblemError("unsupported-media-type", "send the picture as multipart/form-data in the field photo",
                           text=Text("e_multipart_photo"))


# ----------------------------------------------------------------------------- principals
def authenticate(request: Request, security_scopes: SecurityScopes,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_SCHEME)],
                 _cookie: Annotated[str | None, Depends(SESSION_SCHEME)]) -> Identity:
    """The principal of the request, holding every scope the route declares (`web.auth.sessions`).

    Raises:
        ProblemError: 401 unauthorized (no credentials, or unknown, expired, revoked, disabled), 403 csrf-failed
            (a cookie session's unsafe request without the right X-CSRF-Token), 403 forbidden (a missing scope).
    """
    identity = resolve_principal(backoffice_of(request), request, bearer, at=utcnow())
    missing = [scope for scope in security_scopes.scopes if scope not in identity.scopes]
    if missing:
        raise insufficient_scope(missing)
    return identity


def principal(*scopes: str) -> Any:
    """`Security(authenticate, scopes=[...])`: the route needs these scopes (an Annotated metadata item)."""
    return Security(authenticate, scopes=list(scopes))


AnyPrincipal = Annotated[Identity, principal()]
OfficerReader = Annotated[Identity, principal("officer:read")]
OfficerWriter = Annotated[Identity, principal("officer:write")]
PartnerReader = Annotated[Identity, principal("partner:read")]
AdminPrincipal = Annotated[Identity, principal("admin")]


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
    return await run_in_threadpool(resolve_principal, office, request, None, at=utcnow(), csrf_sent=sent)


async def console_signed_in(request: Request, office: BackOfficeDep) -> Identity:
    """The principal of a console page's session cookie, whoever it is; the error page may then offer sign-out.

    Raises:
        ProblemError: 401 (leads to the sign-in page), 403 csrf-failed.
    """
    identity = await session_principal(request, office)
    remember_sign_out(request, csrf_token_for(request.cookies.get(office.cookie.name, "")))
    return identity


ConsolePrincipal = Annotated[Identity, Depends(console_signed_in)]


async def signed_in(request: Request, office: BackOfficeDep, identity: ConsolePrincipal) -> Desk:
    """The console's officer of the session cookie (an unsafe request must carry the CSRF token).

    Raises:
        SeeOther: an administrator goes to the ministry's pages (`/console/ministry`).
        ProblemError: 401 (leads to the sign-in page), 403 csrf-failed, 403 forbidden for an account that is
            neither an officer's nor an administrator's (its error page offers sign-out).
    """
    if identity.officer is None and "admin" in identity.scopes:
        raise SeeOther(MINISTRY_HOME)
    if identity.officer is None or "officer:read" not in identity.scopes:
        raise ProblemError("forbidden", "the console is for the officers of an institution",
                           text=Text("c_console_officers_only"))
    secret = request.cookies.get(office.cookie.name, "")
    return await run_in_threadpool(desk_of, office, identity, secret)


DeskDep = Annotated[Desk, Depends(signed_in)]


async def ministry_signed_in(request: Request, office: BackOfficeDep, identity: ConsolePrincipal) -> MinistryDesk:
    """The console's administrator of the session cookie (the ministry's pages).

    Raises:
        SeeOther: an officer goes to the officers' console (`/console`).
        ProblemError: 401, 403 csrf-failed, 403 forbidden for any other account (its error page offers sign-out).
    """
    if identity.officer is not None:
        raise SeeOther("/console")
    if "admin" not in identity.scopes:
        raise ProblemError("forbidden", "the ministry's pages are for administrators", text=Text("e_ministry_only"))
    return ministry_desk_of(identity, request.cookies.get(office.cookie.name, ""))


MinistryDep = Annotated[MinistryDesk, Depends(ministry_signed_in)]
