"""The ministry's console pages: what an administrator sees after signing in at `/console/login`.

An administrator who opens the officers' console is sent here (`web.deps.signed_in`), and an officer who opens these
pages is sent to the console (`web.deps.ministry_signed_in`): neither meets a 403 that leads back to itself. The
pages read, disable or enable an officer account (a person who left, a password that leaked: at once), and mark an
institution closed with the archive that keeps its records (seed 000, Rules item 23); every other change (a new
institution, an officer account, rotating or revoking a signer, publishing the trust list) is the administrators'
API (`/api/v1/admin/...`, `web.admin.api`), which the pages name.

| route                                      | shows                                                                |
|--------------------------------------------|----------------------------------------------------------------------|
| GET /console/ministry                      | the institutions: BIN, kind, name, region, officer accounts, closure |
| POST /console/ministry/institutions/{b}/close | mark it closed, naming the archive that keeps its records (item 23) |
| GET /console/ministry/officers?institution=| officer accounts (of one institution by its BIN)                     |
| GET /console/ministry/signers              | the key store's trust list: version, expiry, every signer and state  |
| POST /console/ministry/officers/{u}/disable| disable an account now (reason kept in the audit log)                |
| POST /console/ministry/officers/{u}/enable | enable it again (revoked tokens stay revoked)                        |

The forms carry the session's CSRF token (`csrf_token`), checked before the route runs, as the officers' forms.

Every error is a console page in the reader's language (`web.ui.console.ConsoleRoute`), with a sign-out button.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from verify.texts import Text, text

from ..deps import BackOfficeDep, MinistryDep, utcnow
from ..problems.handlers import ProblemError
from ..ui.console import ConsoleRoute, console_page, see
from . import service
from .schemas import DisableRequest

_BIN: Final = re.compile(r"[0-9]{12}")

router = APIRouter(prefix="/console/ministry", include_in_schema=False, route_class=ConsoleRoute)


@router.get("")
def institutions(request: Request, ministry: MinistryDep, office: BackOfficeDep) -> HTMLResponse:
    """Every institution with its officer accounts' count."""
    return console_page(request, "ministry_institutions.html", title=lambda t: t("m_institutions_title"),
                        desk=None, ministry=ministry, switch_base="/console/ministry", nav="institutions",
                        institutions=service.institutions(office))


@router.get("/officers")
def officers(request: Request, ministry: MinistryDep, office: BackOfficeDep, institution: str = "") -> HTMLResponse:
    """Officer accounts, of every institution or of one (by its BIN)."""
    if institution and not _BIN.fullmatch(institution):
        raise ProblemError("invalid-request", "institution: give a BIN of 12 digits",
                           text=Text("e_give_bin", field="institution"))
    here = "/console/ministry/officers" + (f"?{urlencode({'institution': institution})}" if institution else "")
    return console_page(request, "ministry_officers.html", title=lambda t: t("m_officers_title"), desk=None,
                        ministry=ministry, switch_base=here, nav="officers", institution=institution,
                        officers=service.officers(office, institution_bin=institution or None))


@router.post("/officers/{username}/disable")
def disable_officer(ministry: MinistryDep, office: BackOfficeDep,
                    username: Annotated[str, Path(max_length=64)],
                    reason: Annotated[str, Form()] = "") -> Response:
    """Disable an officer account now: its sessions end and its tokens are revoked; the reason goes to the audit."""
    try:
        body = DisableRequest(reason=reason.strip() or None)
    except ValidationError:
        raise ProblemError("invalid-request", "reason: at most 500 characters",
                           text=Text("e_at_most_chars", {"limit": 500}, "reason")) from None
    bin_ = service.set_active(office, ministry.identity, username=username, active=False, reason=body.reason,
                              at=utcnow())
    return see(f"/console/ministry/officers?{urlencode({'institution': bin_})}")


@router.post("/officers/{username}/enable")
def enable_officer(ministry: MinistryDep, office: BackOfficeDep,
                   username: Annotated[str, Path(max_length=64)]) -> Response:
    """Let a disabled officer sign in again (its revoked tokens stay revoked)."""
    bin_ = service.set_active(office, ministry.identity, username=username, active=True, reason=None, at=utcnow())
    return see(f"/console/ministry/officers?{urlencode({'institution': bin_})}")


@router.post("/institutions/{bin}/close")
def close_institution(ministry: MinistryDep, office: BackOfficeDep,
                      bin: Annotated[str, Path(pattern=r"^[0-9]{12}$")],
                      archive_bin: Annotated[str, Form(max_length=12)] = "",
                      closed_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Mark an institution closed; the archive's officers then handle its documents, its own only read them."""
    if not _BIN.fullmatch(archive_bin.strip()):
        raise ProblemError("invalid-request", "archive_bin: give a BIN of 12 digits",
                           text=text("v_give_bin", field="archive_bin"))
    try:
        day = dt.date.fromisoformat(closed_on.strip())
    except ValueError:
        raise ProblemError("invalid-request", "closed_on: give a day as YYYY-MM-DD",
                           text=text("v_give_day", field="closed_on")) from None
    service.close(office, ministry.identity, bin=bin, archive_bin=archive_bin.strip(), closed_on=day, at=utcnow())
    return see("/console/ministry")


@router.get("/signers")
def signers(request: Request, ministry: MinistryDep, office: BackOfficeDep) -> HTMLResponse:
    """The key store's trust list: version, environment, expiry, and every signer with its state now."""
    view = service.trust_view(office.keys.trust_list(), at=utcnow())
    return console_page(request, "ministry_signers.html", title=lambda t: t("m_signers_title"), desk=None,
                        ministry=ministry, switch_base="/console/ministry/signers", nav="signers", trust=view)


__all__ = ["router"]
