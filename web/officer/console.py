"""The officer console: server-rendered pages in Kazakh, Russian and English for the officers of one institution.

Seed 001 item 7: the persons appointed by the head's order generate document numbers and QR codes through accounts
of the special service, and every action is attributed and audited. The console is that service for people: each
page calls the officer service (`web.officer.service`, the same the API calls) with the signed-in officer's
principal, so the institution scoping (an object of another institution is answered 404 like a missing one), the
role checks and the registry's transactions are exactly the API's. The batch issue runs in a background thread
(`web.officer.batches`), so that its progress can be shown; the forms are `web.officer.forms`.

| route                                                      | does                                                |
|------------------------------------------------------------|-----------------------------------------------------|
| GET  /console/login                                        | the sign-in form                                    |
| POST /console/session                                      | username + password -> the session cookie           |
| POST /console/logout                                       | ends the session (an officer's or an administrator's) |
| GET  /console                                              | the institution: study groups, recent batches       |
| GET  /console/graduates                                    | graduates (?group=, ?offset=), an Issue button each |
| POST /console/graduates/{id}/issue                         | issue one graduate's original                       |
| GET, POST /console/import                                  | upload CSV/XLSX -> the row-by-row report            |
| GET  /console/batches/new                                  | the batch form (its idempotency key is hidden)      |
| POST /console/batches                                      | start (or continue) a batch -> its progress page    |
| GET  /console/batch?key=K                                  | a batch's progress, then what it issued             |
| GET  /console/batch/status?key=K                           | the progress as JSON (polled by `console.js`)       |
| GET  /console/sheet?group=G or ?batch=K                    | A4 print sheets, PDF, every code 30 mm              |
| GET  /console/documents/{series}/{number}/qr.{svg,png,pdf} | its QR code (?revision=N), 30 mm                    |
| GET  /console/documents/{series}/{number}/appendix.pdf | its appendix (grades) printed, A4 kk/ru                 |

The documents, their history, the lifecycle forms and the blank stock are `web.officer.console_documents`.

**Sessions and CSRF.** The session is the API's (`web.auth.sessions.sign_in`, the same cookie). Every form that
changes something carries the session's CSRF token in the hidden field `csrf_token`; `web.deps.session_principal`
checks it like the X-CSRF-Token header (the HMAC of the cookie value) before the route runs, so a refused form
writes nothing. The sign-in form has no session yet: it carries a random token that must equal the HttpOnly, SameSite=
Strict cookie `verify-console-login` set with the form (the double-submit pattern against login CSRF). Forms that
issue, replace, correct or annul need their "I confirm" box ticked; a bad form comes back with its message and a
4xx status, and nothing is written.

**Batches.** The form carries a fresh idempotency key; a double submit, a reload or a second worker continue the
same batch and never issue twice (`web.officer.batches`).

**Errors.** Every error of a console route is a page in the reader's language with the problem's status; an
ended session leads to the sign-in page.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from verify import Error
from verify.registry.accounts import end_session
from verify.registry.imports.parse import MAX_FILE_BYTES, RowError
from verify.registry.models import BatchState
from verify.registry.queries import NO_SUCH_GRADUATE, DocumentFilter
from verify.texts import Text, text

from ..auth.desk import Desk
from ..auth.schemas import LoginRequest
from ..auth.sessions import limit_account, sign_in
from ..deps import BackOfficeDep, ConsolePrincipal, DeskDep, utcnow
from ..problems.handlers import ProblemError
from ..runtime.backoffice import BackOffice
from ..ui.i18n import Translator
from ..ui.render import request_language
from . import service
from .batches import BatchStatus, batch_status, batch_work, progress_text, runs_of
from .forms import (
    FormError,
    refusal,
)
from .pages import MAX_ROW_ID, PAGE_SIZE, ConsoleRoute, console_page, document_url, see, writer_only
from .schemas import (
    DocumentSummaryModel,
)
from .service import content_disposition

UPLOAD_PATHS: Final = ("/console/import",)
"""Paths whose body cap is the upload cap (`web.http.guards.BodySizeLimit`), as the API's import."""
RATE_BUCKETS: Final = {"/console/session": "login"}
"""The sign-in form counts in the API sign-in's bucket."""
LOGIN_COOKIE: Final = "verify-console-login"
"""The sign-in form's double-submit cookie (no session exists yet to bind a token to)."""
LOGIN_COOKIE_MAX_AGE_S: Final = 3600
MAX_KEY_CHARS: Final = service.MAX_IDEMPOTENCY_KEY_CHARS
QR_KINDS: Final = ("svg", "png", "pdf")
_KEY_PATTERN: Final = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_CHARS}}}")

router = APIRouter(prefix="/console", include_in_schema=False, route_class=ConsoleRoute)


# ----------------------------------------------------------------------------- sign-in and sign-out
def _login_page(request: Request, office: BackOffice, *, status_code: int = 200, error: str = "",
                username: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = console_page(request, "console_login.html", title=lambda t: t("c_login_title"), desk=None,
                     status_code=status_code, switch_base="/console/login", login_token=token, error=error,
                     username=username)
    secure = "; Secure" if office.cookie.secure else ""
    response.headers.append("Set-Cookie", f"{LOGIN_COOKIE}={token}; Path=/console; Max-Age={LOGIN_COOKIE_MAX_AGE_S}; "
                                          f"HttpOnly; SameSite=Strict{secure}")
    return response


@router.get("/login")
def login_page(request: Request, office: BackOfficeDep) -> Response:
    """The sign-in form (a signed-in officer goes on to the console)."""
    if request.cookies.get(office.cookie.name):
        return see("/console")
    return _login_page(request, office)


@router.post("/session")
async def open_session(request: Request, office: BackOfficeDep, username: Annotated[str, Form()] = "",
                       password: Annotated[str, Form()] = "",
                       login_token: Annotated[str, Form()] = "") -> Response:
    """Sign in with the API's code (`web.auth.sessions.sign_in`): the same session cookie, then the console."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(login_token.encode("utf-8"), expected.encode("utf-8")):
        return _login_page(request, office, status_code=403, error="c_login_expired", username=username[:64])
    try:
        form = LoginRequest(username=username.strip(), password=password)
    except ValidationError:
        return _login_page(request, office, status_code=422, error="c_login_missing", username=username[:64])
    try:
        await limit_account(office, form.username)
    except ProblemError as exc:
        page = _login_page(request, office, status_code=429, error="c_login_limited", username=username[:64])
        page.headers.update(exc.headers or {})
        return page
    try:
        secret, _ = await run_in_threadpool(sign_in, office, form, at=utcnow())
    except ProblemError:
        return _login_page(request, office, status_code=401, error="c_login_failed", username=username[:64])
    response = see("/console")
    response.headers.append("Set-Cookie", office.cookie.set_cookie(secret))
    response.headers.append("Set-Cookie", f"{LOGIN_COOKIE}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict")
    return response


@router.post("/logout")
def close_session(identity: ConsolePrincipal, office: BackOfficeDep) -> Response:
    """End the session of whoever is signed in (its CSRF token is required) and go back to the sign-in form."""
    if identity.session_id is not None:
        with office.sessions() as session:
            end_session(session=session, session_id=identity.session_id, at=utcnow())
    response = see("/console/login")
    response.headers["Set-Cookie"] = office.cookie.clear_cookie()
    return response


# ----------------------------------------------------------------------------- the institution
@dataclass(frozen=True, slots=True)
class BatchLine:
    """A batch as listed: its key as the officer gave it, group, state, size, start."""

    key: str
    group: str
    state: str
    total: int
    created_at: dt.datetime


def _own_key(stored: str, bin_: str) -> str:
    prefix = f"{bin_}:"
    return stored[len(prefix):] if stored.startswith(prefix) else stored


@router.get("")
def home(request: Request, desk: DeskDep, office: BackOfficeDep) -> HTMLResponse:
    """The institution: its study groups (issue, print) and its recent batches."""
    groups = service.groups(office, desk.identity)
    batches = [BatchLine(key=_own_key(b.idempotency_key, desk.institution.bin), group=b.study_group, state=b.state,
                         total=len(b.graduate_ids), created_at=b.created_at)
               for b in service.recent_batches(office, desk.identity)]
    return console_page(request, "console_home.html", title=lambda t: t("c_home_title"), desk=desk, groups=groups,
                 batches=batches, nav="home")


# ----------------------------------------------------------------------------- graduates and single issue
def _graduates_page(request: Request, desk: Desk, office: BackOffice, *, group: str | None, offset: int,
                    status_code: int = 200, error: FormError | None = None) -> HTMLResponse:
    listed = service.list_graduates(office, desk.identity, group=group or None, limit=PAGE_SIZE, offset=offset)
    groups = service.groups(office, desk.identity)
    here = "/console/graduates" + (f"?{urlencode({'group': group})}" if group else "")
    return console_page(request, "console_graduates.html", title=lambda t: t("c_graduates_title"), desk=desk,
                 status_code=status_code, switch_base=here, listed=listed, groups=groups,
                 group=group or "", error=error, nav="graduates", page_size=PAGE_SIZE)


@router.get("/graduates")
def graduates(request: Request, desk: DeskDep, office: BackOfficeDep, group: str = "", offset: int = 0) -> Response:
    """The institution's graduates, a group at a time, with an Issue button for those without a document."""
    return _graduates_page(request, desk, office, group=group[:64] or None, offset=min(max(offset, 0), MAX_ROW_ID))


@router.post("/graduates/{graduate_id}/issue")
def issue_one(request: Request, graduate_id: int, desk: DeskDep, office: BackOfficeDep,
              group: Annotated[str, Form()] = "") -> Response:
    """Issue one graduate's original; pressed twice, the second press shows the document issued by the first."""
    writer_only(desk)
    if not 1 <= graduate_id <= MAX_ROW_ID:
        raise ProblemError("not-found", NO_SUCH_GRADUATE, text=text("v_no_such_graduate"))
    try:
        detail = service.issue_original(office, desk.identity, graduate_id=graduate_id, blank_series=None,
                                        blank_number=None, at=utcnow())
    except Error as exc:
        refused = refusal(exc)
        existing = service.original_of(office, desk.identity, graduate_id=graduate_id) \
            if refused.key == "c_error_conflict" else None
        if existing is not None:
            return see(f"{document_url(*existing)}?done=issued")
        return _graduates_page(request, desk, office, group=group[:64] or None, offset=0,
                               status_code=refused.status, error=refused)
    return see(f"{document_url(detail.series, detail.number)}?done=issued")


# ----------------------------------------------------------------------------- import
@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, or why it was refused (every bad row, column and reason)."""

    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def _import_page(request: Request, desk: Desk, *, status_code: int = 200, report: ImportReport | None = None,
                 error: FormError | None = None) -> HTMLResponse:
    return console_page(request, "console_import.html", title=lambda t: t("c_import_title"), desk=desk,
                 status_code=status_code, switch_base="/console/import", report=report, error=error, nav="import")


@router.get("/import")
def import_form(request: Request, desk: DeskDep) -> HTMLResponse:
    """The upload form for a graduates file (docs/IMPORT.md)."""
    return _import_page(request, desk)


@router.post("/import")
def import_upload(request: Request, desk: DeskDep, office: BackOfficeDep,
                  file: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    """Check every row and import all of them, or none: the report lists every bad row, column and reason."""
    writer_only(desk)
    if file is None or not file.filename:
        return _import_page(request, desk, status_code=422, error=FormError("c_import_choose"))
    try:
        result = service.import_file(office, desk.identity, data=file.file.read(MAX_FILE_BYTES + 1),
                                     filename=file.filename, at=utcnow())
    except Error as exc:
        refused = refusal(exc)
        return _import_page(request, desk, status_code=refused.status, error=refused)
    warnings = list(result.warnings)
    if not result.ok:
        return _import_page(request, desk, status_code=422,
                            report=ImportReport(ok=False, errors=list(result.errors), warnings=warnings))
    counts = {"rows": result.rows, "holders_created": result.holders_created,
              "holders_updated": result.holders_updated, "graduates_created": result.graduates_created,
              "graduates_updated": result.graduates_updated, "unchanged": result.unchanged}
    return _import_page(request, desk, report=ImportReport(ok=True, counts=counts, warnings=warnings))


# ----------------------------------------------------------------------------- batches
def _check_key(value: str) -> str:
    key = value.strip()
    if not _KEY_PATTERN.fullmatch(key):
        raise ProblemError("bad-request", f"the batch key must be 1-{MAX_KEY_CHARS} printable ASCII characters",
                           text=Text("c_p_batch_key", {"limit": MAX_KEY_CHARS}))
    return key


def _batch_form(request: Request, desk: Desk, office: BackOffice, *, group: str, status_code: int = 200,
                error: FormError | None = None, blank_series: str = "") -> HTMLResponse:
    groups = service.groups(office, desk.identity)
    stock = service.stock(office, desk.identity).series if desk.college else []
    return console_page(request, "console_batch_new.html", title=lambda t: t("c_batch_new_title"), desk=desk,
                 status_code=status_code, switch_base="/console/batches/new", groups=groups, group=group,
                 key=uuid.uuid4().hex, stock=stock, blank_series=blank_series, error=error, nav="home")


@router.get("/batches/new")
def batch_form(request: Request, desk: DeskDep, office: BackOfficeDep, group: str = "") -> HTMLResponse:
    """The batch form: a study group (and a blank series for a college), with a fresh idempotency key."""
    return _batch_form(request, desk, office, group=group[:64])


@router.post("/batches")
def start_batch(request: Request, desk: DeskDep, office: BackOfficeDep,
                idempotency_key: Annotated[str, Form()] = "", group: Annotated[str, Form()] = "",
                blank_series: Annotated[str, Form()] = "") -> Response:
    """Start the batch of the form's key, or continue it; then its progress page.

    The same key again (a double submit, a reload, the Continue button) never issues twice: a run going on in this
    process is joined, a finished batch is shown, and otherwise the registry issues only what is missing.
    """
    writer_only(desk)
    key = _check_key(idempotency_key)
    group = group.strip()[:64]
    if not group:
        return _batch_form(request, desk, office, group="", status_code=422, error=FormError("c_batch_choose_group"))
    stored = f"{desk.institution.bin}:{key}"
    state = service.batch_of_key(office, desk.identity, stored_key=stored, own_only=False)
    batch = None if state is None else state.batch
    members = service.group_size(office, desk.identity, group=group)
    target = _batch_url(key)
    if batch is not None and batch.study_group != group:
        return _batch_form(request, desk, office, group=group, status_code=409,
                           error=FormError("c_batch_key_taken", status=409))
    if batch is not None and batch.state == BatchState.DONE.value:
        return see(target)
    if batch is None and not members:
        return _batch_form(request, desk, office, group=group, status_code=404,
                           error=FormError("c_batch_no_graduates", status=404))
    runs_of(request).start(stored, batch_work(office, desk.identity, group, blank_series.strip()[:8] or None))
    return see(target)


def _batch_url(key: str) -> str:
    return f"/console/batch?{urlencode({'key': key})}"


def _status(request: Request, desk: Desk, office: BackOffice, key: str) -> BatchStatus:
    return batch_status(request, office, desk.identity, stored_key=f"{desk.institution.bin}:{key}", key=key)


@router.get("/batch")
def batch_page(request: Request, desk: DeskDep, office: BackOfficeDep, key: str = "") -> HTMLResponse:
    """A batch's progress (updated by `static/console.js`, or by reloading), then every document it issued."""
    key = _check_key(key)
    status = _status(request, desk, office, key)
    documents: list[DocumentSummaryModel] = []
    if status.batch_id is not None and status.state == "done":
        documents = service.list_documents(office, desk.identity, where=DocumentFilter(batch_id=status.batch_id),
                                           limit=100_000, offset=0, newest_first=False).documents
    return console_page(request, "console_batch.html", title=lambda t: t("c_batch_title", group=status.group or key),
                 desk=desk, switch_base=_batch_url(key), status=status, documents=documents,
                 key=key, nav="home", progress_text=progress_text)


@router.get("/batch/status")
def batch_status_json(request: Request, desk: DeskDep, office: BackOfficeDep, key: str = "") -> JSONResponse:
    """The progress as JSON: state, done, total, and a sentence in the reader's language for the status line."""
    status = _status(request, desk, office, _check_key(key))
    t = Translator(request_language(request)[0])
    return JSONResponse({"state": status.state, "done": status.done, "total": status.total,
                         "finished": status.finished, "text": progress_text(t, status)})


# ----------------------------------------------------------------------------- print sheets and QR codes
@router.get("/sheet")
def sheet(request: Request, desk: DeskDep, office: BackOfficeDep, group: str = "", batch: str = "") -> Response:
    """A4 sheets of every code in force of a group or a batch, each exactly 30 mm (the API's print sheet), headed in
    the officer's language and named by series, number range and group."""
    printed = service.print_sheet(office, desk.identity, group=group[:64] or None,
                                  batch=batch[:MAX_KEY_CHARS] or None, lang=request_language(request)[0])
    return Response(printed.body, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition("attachment", printed.filename)})


@router.get("/documents/{series}/{number}/appendix.pdf")
def appendix_print(series: str, number: str, desk: DeskDep, office: BackOfficeDep) -> Response:
    """The document's appendix (grades) printed, A4 in Kazakh and Russian (the API's appendix.pdf)."""
    printed = service.appendix_pdf(office, desk.identity, series=series[:8], number=number[:7])
    return Response(printed.body, media_type=printed.media_type,
                    headers={"Content-Disposition": content_disposition("inline", printed.filename)})


@router.get("/documents/{series}/{number}/qr.{kind}")
def qr_code(series: str, number: str, kind: str, desk: DeskDep, office: BackOfficeDep,
            revision: int | None = None) -> Response:
    """A document's QR code as SVG, PNG (600 dpi) or PDF, exactly 30 mm (the API's QR routes)."""
    if kind not in QR_KINDS:
        raise ProblemError("not-found", "no such file: qr.svg, qr.png or qr.pdf", text=Text("c_p_no_qr_file"))
    if revision is not None and not 1 <= revision <= 999:
        raise ProblemError("not-found", f"the document has no revision {revision}",
                           text=Text("c_p_no_revision", {"revision": revision}))
    image = service.code_image(office, desk.identity, series=series[:8], number=number[:7], revision=revision,
                               kind=kind)
    return Response(image.body, media_type=image.media_type,
                    headers={"Content-Disposition": f'inline; filename="{image.filename}"'})


__all__ = ["LOGIN_COOKIE", "RATE_BUCKETS", "UPLOAD_PATHS", "router"]
