"""The officer console: server-rendered pages in Kazakh, Russian and English for the officers of one institution.

Seed 001 item 7: the persons appointed by the head's order generate document numbers and QR codes through accounts
of the special service, and every action is attributed and audited. The console is that service for people: each
page calls the officers' API route functions (`web.officer_api`, `web.officer_documents`, `web.officer_stock`)
with the signed-in officer's principal, so the institution scoping (an object of another institution is answered
404 like a missing one), the role checks and the registry's transactions are exactly the API's. Only the batch
issue calls the registry's `issue_group` itself, in a background thread, so that its progress can be shown.

| route                                              | does                                                      |
|----------------------------------------------------|-----------------------------------------------------------|
| GET  /console/login                                | the sign-in form                                          |
| POST /console/session                              | username + password -> the session cookie (`auth.sign_in`) |
| POST /console/logout                               | ends the session                                          |
| GET  /console                                      | the institution: study groups, recent batches             |
| GET  /console/graduates                            | graduates (?group=, ?offset=), an Issue button each       |
| POST /console/graduates/{id}/issue                 | issue one graduate's original                             |
| GET, POST /console/import                          | upload CSV/XLSX -> the row-by-row report (all or nothing)  |
| GET  /console/batches/new                          | the batch form (its idempotency key is a hidden field)    |
| POST /console/batches                              | start (or continue) a batch -> its progress page           |
| GET  /console/batch?key=K                          | a batch's progress, then what it issued                   |
| GET  /console/batch/status?key=K                   | the progress as JSON (polled by `static/console.js`)       |
| GET  /console/sheet?group=G or ?batch=K            | A4 print sheets, PDF, every code 30 mm                    |
| GET  /console/documents                            | documents (?group=, ?state=, ?offset=)                     |
| GET  /console/documents/{series}/{number}          | a document with its history                               |
| GET  /console/documents/{series}/{number}/qr.{svg,png,pdf} | its QR code (?revision=N), 30 mm                  |
| GET, POST /console/documents/{series}/{number}/duplicate   | duplicate No. N (seed 000 items 21-25)            |
| GET, POST /console/documents/{series}/{number}/correction  | a corrected revision (seed 000 appendix 38)       |
| GET, POST /console/documents/{series}/{number}/annulment   | annul (the head only)                             |
| GET  /console/blanks                               | blank stock, add a range, write off a blank               |
| POST /console/blanks/ranges, /console/blanks/write-offs | the two blank forms                                   |

**Sessions and CSRF.** The session is the API's (`auth.sign_in`, the same cookie). Every form that changes
something carries the session's CSRF token in the hidden field `csrf_token`; `auth.session_principal` checks it
like the X-CSRF-Token header (the HMAC of the cookie value) before the route runs, so a refused form writes
nothing. The sign-in form has no session yet: it carries a random token that must equal the HttpOnly, SameSite=
Strict cookie `verify-console-login` set with the form (the double-submit pattern against login CSRF). Forms that
issue, replace, correct or annul need their "I confirm" box ticked; a bad form comes back with its message and a
4xx status, and nothing is written.

**Batches.** The form carries a fresh idempotency key; the registry stores it as `<BIN>:<key>` like the API, so a
double submit, a reload or a second worker continue the same batch and never issue twice. The run's progress is
read from the registry (the snapshot's graduates that have an original), so any worker can answer the status; a
run that failed (or a process that stopped) leaves the batch running, and its page offers to continue it with the
same key.

**Errors.** Every error of a console route is a page in the reader's language with the problem's status; an
ended session leads to the sign-in page.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from verify import Error
from verify.codec import split_qr_text
from verify.registry.accounts import Identity, end_session
from verify.registry.documents import get_revision, issue_group
from verify.registry.lifecycle import CORRECTABLE_FIELDS
from verify.registry.models import Batch, BatchState, Document, DocumentState, Graduate, Institution, Officer

from ..admin.schemas import LoginRequest
from ..auth.api import csrf_token_for, session_principal, sign_in
from ..http.logging import get_logger
from ..problems.errors import problem_from_error
from ..problems.handlers import ProblemError
from ..runtime.backoffice import BackOffice, BackOfficeDep
from ..runtime.services import utcnow
from ..ui.i18n import CATALOGUE, Translator
from ..ui.render import page_response, render, request_language
from . import api as officer_api
from . import documents_api as officer_documents
from . import stock_api as officer_stock
from .queries import document_summaries, own_document
from .schemas import (
    AnnulRequest,
    BlankRangeRequest,
    CorrectionRequest,
    DocumentDetailModel,
    DocumentSummaryModel,
    DuplicateRequest,
    HolderNameModel,
    IssueRequest,
    RowProblemModel,
    WriteOffRequest,
)

UPLOAD_PATHS: Final = ("/console/import",)
"""Paths whose body cap is the upload cap (`web.guards.BodySizeLimit`), as the API's import."""
RATE_BUCKETS: Final = {"/console/session": "login"}
"""The sign-in form counts in the API sign-in's bucket."""
LOGIN_COOKIE: Final = "verify-console-login"
"""The sign-in form's double-submit cookie (no session exists yet to bind a token to)."""
LOGIN_COOKIE_MAX_AGE_S: Final = 3600
PAGE_SIZE: Final = 100
MAX_ROW_ID: Final = 2**31 - 1
"""The largest id or offset passed to the database (a 32-bit integer column on PostgreSQL)."""
MAX_KEY_CHARS: Final = officer_api.MAX_IDEMPOTENCY_KEY_CHARS
QR_KINDS: Final = ("svg", "png", "pdf")
DUPLICATE_REASONS: Final = ("lost", "damaged", "name_changed", "filling_error")
NAME_FIELDS: Final = ("surname", "name", "patronymic")
KEPT_RUNS: Final = 200
"""Finished batch runs remembered by a process (their error messages); older ones are forgotten first."""
_KEY_PATTERN: Final = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_CHARS}}}")


# ----------------------------------------------------------------------------- errors as pages
class ConsoleRoute(APIRoute):
    """A route whose errors are answered as console pages, never as problem JSON.

    A 401 (no session, or an ended one) leads to the sign-in page; any other problem, or a request FastAPI cannot
    read, is the error page with the problem's status and detail.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn problems into pages."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ProblemError as exc:
                return error_page(request, exc)
            except RequestValidationError:
                return error_page(request, ProblemError("invalid-request", "the request does not match the form"))

        return guarded


def error_page(request: Request, exc: ProblemError) -> Response:
    """The page that answers a problem: the sign-in page for 401, else the error page with its status."""
    if exc.status_code == 401:
        response = RedirectResponse("/console/login", status_code=303)
        cleared = (exc.headers or {}).get("Set-Cookie")
        if cleared:
            response.headers["Set-Cookie"] = cleared
        return response
    slug = exc.problem.slug
    key = {"csrf-failed": "c_error_csrf", "not-found": "c_error_not_found", "forbidden": "c_error_forbidden",
           "conflict": "c_error_conflict", "document-state": "c_error_conflict", "blank-stock": "c_error_conflict",
           "unavailable": "c_error_unavailable"}.get(slug, "c_error_invalid")
    detail = str(exc.detail)

    def html_of(lang: str) -> str:
        t = Translator(lang)
        return render("console_error.html", lang=lang, title=t(key), desk=None, message=t(key), detail=detail,
                      status=exc.status_code)

    return page_response(request, html_of, status_code=exc.status_code)


# ----------------------------------------------------------------------------- the signed-in officer
@dataclass(frozen=True, slots=True)
class InstitutionView:
    """The officer's institution as the pages show it."""

    bin: str
    kind: str
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class Desk:
    """The signed-in officer of one request.

    Attributes:
        identity: the session's principal (passed to the API's route functions).
        officer: its officer row.
        institution: the officer's institution.
        csrf: the session's CSRF token, for the forms' hidden `csrf_token` field.
    """

    identity: Identity
    officer: Officer
    institution: InstitutionView
    csrf: str

    @property
    def can_write(self) -> bool:
        """The role may change the registry (issuer, head): the scope officer:write."""
        return "officer:write" in self.identity.scopes

    @property
    def is_head(self) -> bool:
        """The head of the institution (the only one who annuls)."""
        return self.officer.role == "head"

    @property
    def college(self) -> bool:
        """A college prints on pre-numbered blanks (seed 000 items 7, 17)."""
        return self.institution.kind == "college"


def _institution_view(office: BackOffice, officer: Officer) -> InstitutionView:
    with office.readers() as session:
        institution = session.get(Institution, officer.institution_id)
        assert institution is not None, "an officer of a missing institution"
        view = InstitutionView(bin=institution.bin, kind=institution.kind,
                               names={"kk": institution.name_kk, "ru": institution.name_ru, "en": institution.name_en})
        session.commit()
    return view


async def signed_in(request: Request, office: BackOfficeDep) -> Desk:
    """The officer of the session cookie (an unsafe request must carry the CSRF token; `auth.session_principal`).

    Raises:
        ProblemError: 401 (leads to the sign-in page), 403 csrf-failed, 403 forbidden for an account that is not
            an officer's.
    """
    identity = await session_principal(request, office)
    if identity.officer is None or "officer:read" not in identity.scopes:
        raise ProblemError("forbidden", "the console is for the officers of an institution")
    secret = request.cookies.get(office.cookie.name, "")
    institution = await run_in_threadpool(_institution_view, office, identity.officer)
    return Desk(identity=identity, officer=identity.officer, institution=institution, csrf=csrf_token_for(secret))


DeskDep = Annotated[Desk, Depends(signed_in)]


def _writer(desk: Desk) -> None:
    if not desk.can_write:
        raise ProblemError("forbidden", "this needs the scope officer:write: a viewer reads only")


@dataclass(frozen=True, slots=True)
class FormError:
    """Why a form was refused: a message id of the catalogue and, from the registry, its English detail."""

    key: str
    detail: str = ""
    status: int = 422


def _refusal(exc: ProblemError) -> FormError:
    """A registry or API refusal as a form error (the registry's detail is English)."""
    key = {"not-found": "c_error_not_found", "forbidden": "c_error_forbidden", "conflict": "c_error_conflict",
           "document-state": "c_error_state", "blank-stock": "c_error_blank_stock",
           "unavailable": "c_error_unavailable"}.get(exc.problem.slug, "c_error_refused")
    return FormError(key, str(exc.detail), exc.status_code)


def _schema_error(exc: ValidationError) -> FormError:
    errors = exc.errors(include_input=False)
    if not errors:
        return FormError("c_error_fields")
    where = ".".join(str(part) for part in errors[0]["loc"])
    return FormError("c_error_fields", f"{where}: {errors[0]['msg']}")


def _page(request: Request, template: str, *, title: Callable[[Translator], str], desk: Desk | None,
          status_code: int = 200, switch_base: str = "", **context: Any) -> HTMLResponse:
    """A console page in the request's language; `title` gets the page's translator."""

    def html_of(lang: str) -> str:
        return render(template, lang=lang, switch_base=switch_base, title=title(Translator(lang)), desk=desk,
                      **context)

    return page_response(request, html_of, status_code=status_code)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _confirmed(value: str) -> bool:
    return value == "yes"


router = APIRouter(prefix="/console", include_in_schema=False, route_class=ConsoleRoute)


# ----------------------------------------------------------------------------- sign-in and sign-out
def _login_page(request: Request, office: BackOffice, *, status_code: int = 200, error: str = "",
                username: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _page(request, "console_login.html", title=lambda t: t("c_login_title"), desk=None,
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
        return _see("/console")
    return _login_page(request, office)


@router.post("/session")
async def open_session(request: Request, office: BackOfficeDep, username: Annotated[str, Form()] = "",
                       password: Annotated[str, Form()] = "",
                       login_token: Annotated[str, Form()] = "") -> Response:
    """Sign in with the API's code (`auth.sign_in`): the same session cookie, then the console."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(login_token.encode("utf-8"), expected.encode("utf-8")):
        return _login_page(request, office, status_code=403, error="c_login_expired", username=username[:64])
    try:
        form = LoginRequest(username=username.strip(), password=password)
    except ValidationError:
        return _login_page(request, office, status_code=422, error="c_login_missing", username=username[:64])
    try:
        secret, _ = await run_in_threadpool(sign_in, office, form)
    except ProblemError:
        return _login_page(request, office, status_code=401, error="c_login_failed", username=username[:64])
    response = _see("/console")
    response.headers.append("Set-Cookie", office.cookie.set_cookie(secret))
    response.headers.append("Set-Cookie", f"{LOGIN_COOKIE}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict")
    return response


@router.post("/logout")
def close_session(desk: DeskDep, office: BackOfficeDep) -> Response:
    """End the session (its CSRF token is required) and go back to the sign-in form."""
    if desk.identity.session_id is not None:
        with office.sessions() as session:
            end_session(session=session, session_id=desk.identity.session_id, at=utcnow())
    response = _see("/console/login")
    response.headers["Set-Cookie"] = office.cookie.clear_cookie()
    return response


# ----------------------------------------------------------------------------- the institution
@dataclass(frozen=True, slots=True)
class GroupLine:
    """A study group: its graduates and how many of them have their original."""

    group: str
    graduates: int
    issued: int


@dataclass(frozen=True, slots=True)
class BatchLine:
    """A batch as listed: its key as the officer gave it, group, state, size, start."""

    key: str
    group: str
    state: str
    total: int
    created_at: dt.datetime


def _groups(session: Session, institution_id: int) -> list[GroupLine]:
    graduates = dict(session.exec(select(Graduate.study_group, func.count())
                                  .where(Graduate.institution_id == institution_id)
                                  .group_by(col(Graduate.study_group))).all())
    issued = dict(session.exec(select(Graduate.study_group, func.count())
                               .join(Document, col(Document.graduate_id) == Graduate.id)
                               .where(Graduate.institution_id == institution_id, col(Document.original_id).is_(None))
                               .group_by(col(Graduate.study_group))).all())
    return [GroupLine(group=group, graduates=int(n), issued=int(issued.get(group, 0)))
            for group, n in sorted(graduates.items())]


def _own_key(stored: str, bin_: str) -> str:
    prefix = f"{bin_}:"
    return stored[len(prefix):] if stored.startswith(prefix) else stored


@router.get("")
def home(request: Request, desk: DeskDep, office: BackOfficeDep) -> HTMLResponse:
    """The institution: its study groups (issue, print) and its recent batches."""
    with office.readers() as session:
        groups = _groups(session, desk.officer.institution_id)
        batches = [BatchLine(key=_own_key(b.idempotency_key, desk.institution.bin), group=b.study_group,
                             state=b.state, total=len(b.graduate_ids), created_at=b.created_at)
                   for b in session.exec(select(Batch).where(Batch.institution_id == desk.officer.institution_id)
                                         .order_by(col(Batch.id).desc()).limit(10))]
        session.commit()
    return _page(request, "console_home.html", title=lambda t: t("c_home_title"), desk=desk, groups=groups,
                 batches=batches, nav="home")


# ----------------------------------------------------------------------------- graduates and single issue
def _graduates_page(request: Request, desk: Desk, office: BackOffice, *, group: str | None, offset: int,
                    status_code: int = 200, error: FormError | None = None) -> HTMLResponse:
    listed = officer_api.list_graduates(desk.identity, office, group=group or None, limit=PAGE_SIZE, offset=offset)
    with office.readers() as session:
        groups = _groups(session, desk.officer.institution_id)
        session.commit()
    here = "/console/graduates" + (f"?{urlencode({'group': group})}" if group else "")
    return _page(request, "console_graduates.html", title=lambda t: t("c_graduates_title"), desk=desk,
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
    _writer(desk)
    if not 1 <= graduate_id <= MAX_ROW_ID:
        raise ProblemError("not-found", "no such graduate in your institution's registry")
    try:
        detail = officer_api.issue_one(IssueRequest(graduate_id=graduate_id), desk.identity, office)
    except ProblemError as exc:
        existing = _original_of(office, desk, graduate_id) if exc.problem.slug == "conflict" else None
        if existing is not None:
            return _see(f"{_document_url(*existing)}?done=issued")
        return _graduates_page(request, desk, office, group=group[:64] or None, offset=0,
                               status_code=exc.status_code, error=_refusal(exc))
    return _see(f"{_document_url(detail.series, detail.number)}?done=issued")


def _original_of(office: BackOffice, desk: Desk, graduate_id: int) -> tuple[str, str] | None:
    with office.readers() as session:
        found = session.exec(select(Document.series, Document.number).where(
            Document.graduate_id == graduate_id, Document.institution_id == desk.officer.institution_id,
            col(Document.original_id).is_(None))).first()
        session.commit()
    return (found[0], found[1]) if found is not None else None


def _document_url(series: str, number: str) -> str:
    return f"/console/documents/{quote(series, safe='')}/{quote(number, safe='')}"


# ----------------------------------------------------------------------------- import
@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, or why it was refused (every bad row, column and reason)."""

    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowProblemModel] = field(default_factory=list)
    warnings: list[RowProblemModel] = field(default_factory=list)


def _import_page(request: Request, desk: Desk, *, status_code: int = 200, report: ImportReport | None = None,
                 error: FormError | None = None) -> HTMLResponse:
    return _page(request, "console_import.html", title=lambda t: t("c_import_title"), desk=desk,
                 status_code=status_code, switch_base="/console/import", report=report, error=error, nav="import")


@router.get("/import")
def import_form(request: Request, desk: DeskDep) -> HTMLResponse:
    """The upload form for a graduates file (docs/IMPORT.md)."""
    return _import_page(request, desk)


@router.post("/import")
def import_upload(request: Request, desk: DeskDep, office: BackOfficeDep,
                  file: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    """Check every row and import all of them, or none: the report lists every bad row, column and reason."""
    _writer(desk)
    if file is None or not file.filename:
        return _import_page(request, desk, status_code=422, error=FormError("c_import_choose"))
    try:
        result = officer_api.import_file(file, desk.identity, office)
    except ProblemError as exc:
        if exc.problem.slug != "import-rejected":
            return _import_page(request, desk, status_code=exc.status_code, error=_refusal(exc))
        rows = [RowProblemModel.model_validate(item) for item in exc.extensions.get("rows", [])]
        warnings = [RowProblemModel.model_validate(item) for item in exc.extensions.get("warnings", [])]
        return _import_page(request, desk, status_code=exc.status_code,
                            report=ImportReport(ok=False, errors=rows, warnings=warnings))
    counts = {"rows": result.rows, "holders_created": result.holders_created,
              "holders_updated": result.holders_updated, "graduates_created": result.graduates_created,
              "graduates_updated": result.graduates_updated, "unchanged": result.unchanged}
    return _import_page(request, desk, report=ImportReport(ok=True, counts=counts, warnings=result.warnings))


# ----------------------------------------------------------------------------- batches
@dataclass
class BatchRun:
    """One batch running in a thread of this process: its progress and how it ended."""

    stored_key: str
    done: int = 0
    total: int = 0
    running: bool = True
    error: str | None = None
    issued: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self, done: int, total: int) -> None:
        """The registry's progress callback: (graduates done, graduates in the snapshot)."""
        with self.lock:
            self.done, self.total = done, total

    def end(self, *, issued: int | None = None, error: str | None = None) -> None:
        """The run is over: finished (`issued`) or failed (`error`)."""
        with self.lock:
            self.running, self.issued, self.error = False, issued, error


class BatchRuns:
    """The batch runs of one process, by their stored key (`<BIN>:<key>`)."""

    def __init__(self) -> None:
        self._runs: dict[str, BatchRun] = {}
        self._lock = threading.Lock()

    def get(self, stored_key: str) -> BatchRun | None:
        """The run of a key in this process, if any."""
        with self._lock:
            return self._runs.get(stored_key)

    def start(self, stored_key: str, work: Callable[[BatchRun], None]) -> BatchRun:
        """Run `work` in a new thread unless a run of the key is going on already (a double submit)."""
        with self._lock:
            current = self._runs.get(stored_key)
            if current is not None and current.running:
                return current
            run = BatchRun(stored_key=stored_key)
            self._runs.pop(stored_key, None)
            self._runs[stored_key] = run
            finished = [key for key, old in self._runs.items() if not old.running]
            for key in finished[:max(0, len(self._runs) - KEPT_RUNS)]:
                del self._runs[key]
        threading.Thread(target=work, args=(run,), name=f"console-batch-{stored_key[-12:]}", daemon=True).start()
        return run


_RUNS_LOCK = threading.Lock()


def _runs(request: Request) -> BatchRuns:
    state = request.app.state
    with _RUNS_LOCK:
        runs: BatchRuns | None = getattr(state, "console_batch_runs", None)
        if runs is None:
            runs = BatchRuns()
            state.console_batch_runs = runs
    return runs


def _batch_work(office: BackOffice, officer: Officer, group: str, blank_series: str | None) -> Callable[[BatchRun],
                                                                                                         None]:
    def work(run: BatchRun) -> None:
        try:
            with office.sessions() as session:
                result = issue_group(session=session, officer=officer, group=group, idempotency_key=run.stored_key,
                                     signer=office.signer(), base_url=office.base_url, at=utcnow(),
                                     blank_series=blank_series, progress=run.advance)
            run.end(issued=result.issued)
        except Error as exc:
            run.end(error=str(problem_from_error(exc).detail))
        except Exception as exc:  # the thread must record any failure; the page offers to continue
            get_logger().error("console batch failed", extra={"error": type(exc).__name__})
            run.end(error="the server failed; the failure was logged")

    return work


def _check_key(value: str) -> str:
    key = value.strip()
    if not _KEY_PATTERN.fullmatch(key):
        raise ProblemError("bad-request", f"the batch key must be 1-{MAX_KEY_CHARS} printable ASCII characters")
    return key


def _batch_form(request: Request, desk: Desk, office: BackOffice, *, group: str, status_code: int = 200,
                error: FormError | None = None, blank_series: str = "") -> HTMLResponse:
    with office.readers() as session:
        groups = _groups(session, desk.officer.institution_id)
        session.commit()
    stock = officer_stock.get_stock(desk.identity, office).series if desk.college else []
    return _page(request, "console_batch_new.html", title=lambda t: t("c_batch_new_title"), desk=desk,
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
    _writer(desk)
    key = _check_key(idempotency_key)
    group = group.strip()[:64]
    if not group:
        return _batch_form(request, desk, office, group="", status_code=422, error=FormError("c_batch_choose_group"))
    stored = f"{desk.institution.bin}:{key}"
    with office.readers() as session:
        batch = session.exec(select(Batch).where(Batch.idempotency_key == stored)).first()
        members = session.exec(select(func.count()).select_from(Graduate).where(
            Graduate.institution_id == desk.officer.institution_id, Graduate.study_group == group)).one()
        session.commit()
    target = _batch_url(key)
    if batch is not None and batch.study_group != group:
        return _batch_form(request, desk, office, group=group, status_code=409,
                           error=FormError("c_batch_key_taken", status=409))
    if batch is not None and batch.state == BatchState.DONE.value:
        return _see(target)
    if batch is None and not members:
        return _batch_form(request, desk, office, group=group, status_code=404,
                           error=FormError("c_batch_no_graduates", status=404))
    _runs(request).start(stored, _batch_work(office, desk.officer, group, blank_series.strip()[:8] or None))
    return _see(target)


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """A batch's progress as the page and the status JSON show it.

    Attributes:
        key: the key as the officer gave it; group: the study group.
        state: "starting" (the thread has not recorded the batch yet), "running", "done", "failed" (the run in
            this process stopped with `error`) or "stalled" (running in the registry, but not in this process:
            another worker runs it, or a process stopped; continuing with the key is safe).
        done, total: graduates of the snapshot that have their original, and all of them.
        error: why the run failed (the registry's words).
    """

    key: str
    group: str
    state: str
    done: int
    total: int
    error: str | None = None
    batch_id: int | None = None

    @property
    def finished(self) -> bool:
        """This process will do nothing more for the batch (done, or the run here failed)."""
        return self.state in ("done", "failed")


def _batch_status(request: Request, desk: Desk, office: BackOffice, key: str) -> BatchStatus:
    stored = f"{desk.institution.bin}:{key}"
    run = _runs(request).get(stored)
    with office.readers() as session:
        batch = session.exec(select(Batch).where(Batch.idempotency_key == stored,
                                                 Batch.institution_id == desk.officer.institution_id)).first()
        done = 0
        if batch is not None:
            ids = list(batch.graduate_ids)
            for start in range(0, len(ids), 1000):
                done += int(session.exec(select(func.count()).select_from(Document).where(
                    col(Document.graduate_id).in_(ids[start:start + 1000]),
                    col(Document.original_id).is_(None))).one())
        session.commit()
    if batch is None:
        if run is None:
            raise ProblemError("not-found", "no batch with this key in your institution")
        if run.running:
            return BatchStatus(key=key, group="", state="starting", done=0, total=0)
        return BatchStatus(key=key, group="", state="failed", done=0, total=0, error=run.error)
    total = len(batch.graduate_ids)
    if batch.state == BatchState.DONE.value:
        state, error = "done", None
    elif run is not None and run.running:
        state, error = "running", None
    elif run is not None and run.error is not None:
        state, error = "failed", run.error
    else:
        state, error = "stalled", None
    return BatchStatus(key=key, group=batch.study_group, state=state, done=done, total=total, error=error,
                       batch_id=batch.id)


def _batch_url(key: str) -> str:
    return f"/console/batch?{urlencode({'key': key})}"


@router.get("/batch")
def batch_page(request: Request, desk: DeskDep, office: BackOfficeDep, key: str = "") -> HTMLResponse:
    """A batch's progress (updated by `static/console.js`, or by reloading), then every document it issued."""
    key = _check_key(key)
    status = _batch_status(request, desk, office, key)
    documents: list[DocumentSummaryModel] = []
    if status.batch_id is not None and status.state == "done":
        with office.readers() as session:
            documents, _ = document_summaries(session, institution_id=desk.officer.institution_id,
                                              where=[col(Document.batch_id) == status.batch_id], limit=100_000,
                                              newest_first=False)
            session.commit()
    return _page(request, "console_batch.html", title=lambda t: t("c_batch_title", group=status.group or key),
                 desk=desk, switch_base=_batch_url(key), status=status, documents=documents,
                 key=key, nav="home", progress_text=progress_text)


@router.get("/batch/status")
def batch_status(request: Request, desk: DeskDep, office: BackOfficeDep, key: str = "") -> JSONResponse:
    """The progress as JSON: state, done, total, and a sentence in the reader's language for the status line."""
    status = _batch_status(request, desk, office, _check_key(key))
    t = Translator(request_language(request)[0])
    return JSONResponse({"state": status.state, "done": status.done, "total": status.total,
                         "finished": status.finished, "text": progress_text(t, status)})


def progress_text(t: Translator, status: BatchStatus) -> str:
    """The batch's progress in words (the status line of the batch page)."""
    if status.state == "done":
        return t("c_batch_done", total=status.total)
    if status.state == "failed":
        return t("c_batch_failed", done=status.done, total=status.total)
    if status.state == "stalled":
        return t("c_batch_stalled", done=status.done, total=status.total)
    if status.state == "starting":
        return t("c_batch_starting")
    return t("c_batch_running", done=status.done, total=status.total)


# ----------------------------------------------------------------------------- print sheets and QR codes
@router.get("/sheet")
def sheet(desk: DeskDep, office: BackOfficeDep, group: str = "", batch: str = "") -> Response:
    """A4 sheets of every code in force of a group or a batch, each exactly 30 mm (the API's `print_sheet`)."""
    response = officer_documents.print_sheet(desk.identity, office, group=group[:64] or None,
                                             batch=batch[:MAX_KEY_CHARS] or None)
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", f"sheet-{group or batch}")[:60]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@router.get("/documents/{series}/{number}/qr.{kind}")
def qr_code(series: str, number: str, kind: str, desk: DeskDep, office: BackOfficeDep,
            revision: int | None = None) -> Response:
    """A document's QR code as SVG, PNG (600 dpi) or PDF, exactly 30 mm (the API's QR routes)."""
    if kind not in QR_KINDS:
        raise ProblemError("not-found", "no such file: qr.svg, qr.png or qr.pdf")
    if revision is not None and not 1 <= revision <= 999:
        raise ProblemError("not-found", f"the document has no revision {revision}")
    render_qr = {"svg": officer_documents.qr_svg, "png": officer_documents.qr_png,
                 "pdf": officer_documents.qr_pdf}[kind]
    return render_qr(series[:8], number[:7], desk.identity, office, revision)


# ----------------------------------------------------------------------------- documents
@router.get("/documents")
def documents(request: Request, desk: DeskDep, office: BackOfficeDep, group: str = "", state: str = "",
              offset: int = 0) -> HTMLResponse:
    """The institution's documents, newest first, by group and state."""
    chosen = DocumentState(state) if state in {s.value for s in DocumentState} else None
    listed = officer_documents.list_documents(desk.identity, office, group=group[:64] or None, state=chosen,
                                              series=None, limit=PAGE_SIZE, offset=min(max(offset, 0), MAX_ROW_ID))
    with office.readers() as session:
        groups = _groups(session, desk.officer.institution_id)
        session.commit()
    query = {name: value for name, value in (("group", group), ("state", chosen.value if chosen else "")) if value}
    here = "/console/documents" + (f"?{urlencode(query)}" if query else "")
    return _page(request, "console_documents.html", title=lambda t: t("c_documents_title"), desk=desk,
                 switch_base=here, listed=listed, groups=groups, group=group,
                 state=chosen.value if chosen else "", nav="documents", page_size=PAGE_SIZE)


def _detail(desk: Desk, office: BackOffice, series: str, number: str) -> tuple[DocumentDetailModel, dict[str, Any]]:
    """The document with its history (the API's answer, 404 outside the institution) and its current record."""
    detail = officer_documents.get_document_detail(series[:8], number[:7], desk.identity, office)
    with office.readers() as session:
        document = own_document(session, desk.officer, detail.series, detail.number)
        record = dict(get_revision(session=session, document=document).record)
        session.commit()
    return detail, record


def _public_path(detail: DocumentDetailModel) -> str:
    current = next(r for r in detail.revisions if r.revision == detail.current_revision)
    return f"/V/{split_qr_text(current.qr_text)[1]}"


@router.get("/documents/{series}/{number}")
def document_page(request: Request, series: str, number: str, desk: DeskDep, office: BackOfficeDep,
                  done: str = "") -> HTMLResponse:
    """A document: its state, QR code, duplicate chain, revisions with what changed, and its audit events."""
    detail, _ = _detail(desk, office, series, number)
    notice = f"c_done_{done}" if done in ("issued", "duplicate", "corrected", "annulled") else ""
    return _page(request, "console_document.html",
                 title=lambda t: f"{t.doc_type_name(detail.doc_type)} {detail.series} {detail.number}", desk=desk,
                 switch_base=_document_url(detail.series, detail.number), doc=detail, notice=notice,
                 url=_document_url(detail.series, detail.number), public_path=_public_path(detail), nav="documents",
                 event_name=event_name, event_reason=event_reason)


def event_name(t: Translator, action: str) -> str:
    """An audit action (`document.issue`) in words, or the action itself when the catalogue has no words for it."""
    key = "c_event_" + action.replace(".", "_")
    return t(key) if key in CATALOGUE else action


def event_reason(t: Translator, reason: str | None) -> str:
    """An audit event's reason: a duplicate's reason code in words (`reason_lost`), any other text as written."""
    if not reason:
        return "—"
    key = f"reason_{reason}"
    return t(key) if key in CATALOGUE else reason


def _action_page(request: Request, desk: Desk, detail: DocumentDetailModel, record: Mapping[str, Any], action: str,
                 *, status_code: int = 200,
                 error: FormError | None = None, values: Mapping[str, str] | None = None,
                 blocked: bool = False) -> HTMLResponse:
    """The form of an action on a document; `blocked` shows the refusal without the form."""
    url = _document_url(detail.series, detail.number)
    return _page(request, f"console_{action}.html",
                 title=lambda t: t(f"c_{action}_title", document=f"{detail.series} {detail.number}"), desk=desk,
                 status_code=status_code, switch_base=f"{url}/{action}", doc=detail, url=url, error=error,
                 values=dict(values or {}), record=_record_values(record), nav="documents",
                 fields=CORRECTABLE_FIELDS, reasons=DUPLICATE_REASONS, blocked=blocked)


def _record_values(record: Mapping[str, Any]) -> dict[str, str]:
    """The correctable values of a stored record as form text (honours "yes"/"no", dates YYYY-MM-DD)."""
    holder = record.get("holder") or {}
    values = {name: str(holder.get(name) or "") for name in NAME_FIELDS}
    values["award_date"] = str(record.get("award_date") or "")
    values["programme"] = str(record.get("programme") or "")
    values["qualification"] = str(record.get("qualification") or "")
    values["honours"] = "yes" if record.get("honours") else "no"
    return values


@router.get("/documents/{series}/{number}/{action}")
def action_form(request: Request, series: str, number: str, action: str, desk: DeskDep,
                office: BackOfficeDep) -> HTMLResponse:
    """The form of a duplicate, a correction or an annulment of a document."""
    if action not in ("duplicate", "correction", "annulment"):
        raise ProblemError("not-found", "no resource at this path")
    detail, record = _detail(desk, office, series, number)
    if not desk.can_write or (action == "annulment" and not desk.is_head):
        key = "c_annul_head_only" if desk.can_write else "c_error_viewer"
        return _action_page(request, desk, detail, record, action, status_code=403, error=FormError(key, status=403),
                            blocked=True)
    if detail.state != DocumentState.VALID.value:
        return _action_page(request, desk, detail, record, action, status_code=409,
                            error=FormError("c_not_in_force", status=409), blocked=True)
    return _action_page(request, desk, detail, record, action)


@router.post("/documents/{series}/{number}/duplicate")
def make_duplicate(request: Request, series: str, number: str, desk: DeskDep, office: BackOfficeDep,
                   reason: Annotated[str, Form()] = "", surname: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", patronymic: Annotated[str, Form()] = "",
                   blank_series: Annotated[str, Form()] = "", blank_number: Annotated[str, Form()] = "",
                   confirm: Annotated[str, Form()] = "") -> Response:
    """Issue duplicate No. N instead of the document (seed 000 items 21-25); the original becomes void."""
    _writer(desk)
    detail, record = _detail(desk, office, series, number)
    values = {"reason": reason, "surname": surname, "name": name, "patronymic": patronymic,
              "blank_series": blank_series, "blank_number": blank_number}
    again = partial(_action_page, request, desk, detail, record, "duplicate", values=values)
    error: FormError | None = None
    new_name = None
    if reason not in DUPLICATE_REASONS:
        error = FormError("c_duplicate_choose_reason")
    elif reason == "name_changed" and not (surname.strip() and name.strip()):
        error = FormError("c_duplicate_new_name_needed")
    elif not _confirmed(confirm):
        error = FormError("c_confirm_needed")
    if error is None:
        try:
            if surname.strip() or name.strip() or patronymic.strip():
                new_name = HolderNameModel(surname=surname.strip(), name=name.strip(),
                                           patronymic=patronymic.strip() or None)
            body = DuplicateRequest(reason=reason, new_name=new_name,  # type: ignore[arg-type]
                                    blank_series=blank_series.strip() or None,
                                    blank_number=blank_number.strip() or None)
        except ValidationError as exc:
            error = _schema_error(exc)
    if error is not None:
        return again(status_code=error.status, error=error)
    try:
        duplicate = officer_documents.make_duplicate(detail.series, detail.number, body, desk.identity, office)
    except ProblemError as exc:  # a registry refusal: the form again with its message; nothing was written
        return again(status_code=exc.status_code, error=_refusal(exc))
    return _see(f"{_document_url(duplicate.series, duplicate.number)}?done=duplicate")


@router.post("/documents/{series}/{number}/correction")
def make_correction(request: Request, series: str, number: str, desk: DeskDep, office: BackOfficeDep,
                    revision: Annotated[str, Form()] = "", surname: Annotated[str, Form()] = "",
                    name: Annotated[str, Form()] = "", patronymic: Annotated[str, Form()] = "",
                    award_date: Annotated[str, Form()] = "", programme: Annotated[str, Form()] = "",
                    qualification: Annotated[str, Form()] = "", honours: Annotated[str, Form()] = "",
                    reason: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    """Correct the data (seed 000 appendix 38): the fields that differ from the current revision, with the reason.

    The form names the revision it was filled from; when the document was corrected since, it is refused (409)
    rather than silently undoing the other correction.
    """
    _writer(desk)
    detail, record = _detail(desk, office, series, number)
    typed = {"surname": surname, "name": name, "patronymic": patronymic, "award_date": award_date,
             "programme": programme, "qualification": qualification, "honours": honours}
    values = {**typed, "reason": reason, "revision": revision}
    again = partial(_action_page, request, desk, detail, record, "correction", values=values)
    current = _record_values(record)
    changes: dict[str, str | bool | None] = {}
    for name_, value in typed.items():
        value = value.strip()
        if name_ == "honours" and value not in ("yes", "no"):
            continue
        if value != current[name_]:
            if name_ == "honours":
                changes[name_] = value == "yes"
            else:
                changes[name_] = (value or None) if name_ in ("patronymic", "qualification") else value
    error: FormError | None = None
    if revision != str(detail.current_revision):
        error = FormError("c_correction_stale", status=409)
    elif not changes:
        error = FormError("c_correction_nothing")
    elif not reason.strip():
        error = FormError("c_reason_needed")
    elif not _confirmed(confirm):
        error = FormError("c_confirm_needed")
    if error is None:
        try:
            body = CorrectionRequest(changes=changes, reason=reason.strip())
        except ValidationError as exc:
            error = _schema_error(exc)
    if error is not None:
        return again(status_code=error.status, error=error)
    try:
        officer_documents.make_correction(detail.series, detail.number, body, desk.identity, office)
    except ProblemError as exc:
        return again(status_code=exc.status_code, error=_refusal(exc))
    return _see(f"{_document_url(detail.series, detail.number)}?done=corrected")


@router.post("/documents/{series}/{number}/annulment")
def annul(request: Request, series: str, number: str, desk: DeskDep, office: BackOfficeDep,
          basis: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    """Annul the document with its basis (the head only; final)."""
    _writer(desk)
    detail, record = _detail(desk, office, series, number)
    values = {"basis": basis}
    again = partial(_action_page, request, desk, detail, record, "annulment", values=values)
    error: FormError | None = None
    if not desk.is_head:
        error = FormError("c_annul_head_only", status=403)
    elif not basis.strip():
        error = FormError("c_annul_basis_needed")
    elif not _confirmed(confirm):
        error = FormError("c_confirm_needed")
    if error is None:
        try:
            body = AnnulRequest(basis=basis.strip())
        except ValidationError as exc:
            error = _schema_error(exc)
    if error is not None:
        return again(status_code=error.status, error=error, blocked=error.status == 403)
    try:
        officer_documents.annul(detail.series, detail.number, body, desk.identity, office)
    except ProblemError as exc:
        return again(status_code=exc.status_code, error=_refusal(exc))
    return _see(f"{_document_url(detail.series, detail.number)}?done=annulled")


# ----------------------------------------------------------------------------- blank stock
def _blanks_page(request: Request, desk: Desk, office: BackOffice, *, status_code: int = 200,
                 error: FormError | None = None, failed: str = "", values: Mapping[str, str] | None = None,
                 done: str = "") -> HTMLResponse:
    stock = officer_stock.get_stock(desk.identity, office).series
    notice = f"c_done_{done}" if done in ("range", "write_off") else ""
    return _page(request, "console_blanks.html", title=lambda t: t("c_blanks_title"), desk=desk,
                 status_code=status_code, switch_base="/console/blanks", stock=stock, error=error, failed=failed,
                 values=dict(values or {}), notice=notice, nav="blanks")


@router.get("/blanks")
def blanks(request: Request, desk: DeskDep, office: BackOfficeDep, done: str = "") -> HTMLResponse:
    """The blank stock by series, and the forms to add a range received and to write off a spoiled blank."""
    return _blanks_page(request, desk, office, done=done)


@router.post("/blanks/ranges")
def add_range(request: Request, desk: DeskDep, office: BackOfficeDep, series: Annotated[str, Form()] = "",
              first: Annotated[str, Form()] = "", last: Annotated[str, Form()] = "",
              confirm: Annotated[str, Form()] = "") -> Response:
    """Record a range of blanks received from the printing house (seed 000 item 17)."""
    _writer(desk)
    values = {"range_series": series, "first": first, "last": last}
    error: FormError | None = None
    if not _confirmed(confirm):
        error = FormError("c_confirm_needed")
    else:
        try:
            body = BlankRangeRequest(series=series.strip(), first=first.strip(), last=last.strip())
        except ValidationError:
            error = FormError("c_blanks_range_invalid")
    if error is None:
        try:
            officer_stock.add_range(body, desk.identity, office)
        except ProblemError as exc:
            error = _refusal(exc)
    if error is not None:
        return _blanks_page(request, desk, office, status_code=error.status, error=error, failed="range",
                            values=values)
    return _see("/console/blanks?done=range")


@router.post("/blanks/write-offs")
def write_off(request: Request, desk: DeskDep, office: BackOfficeDep, series: Annotated[str, Form()] = "",
              number: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
              confirm: Annotated[str, Form()] = "") -> Response:
    """Write off a spoiled blank with its reason; its number is never used."""
    _writer(desk)
    values = {"write_off_series": series, "number": number, "reason": reason}
    error: FormError | None = None
    if not reason.strip():
        error = FormError("c_reason_needed")
    elif not _confirmed(confirm):
        error = FormError("c_confirm_needed")
    else:
        try:
            body = WriteOffRequest(series=series.strip(), number=number.strip(), reason=reason.strip())
        except ValidationError:
            error = FormError("c_blanks_number_invalid")
    if error is None:
        try:
            officer_stock.write_off(body, desk.identity, office)
        except ProblemError as exc:
            error = _refusal(exc)
    if error is not None:
        return _blanks_page(request, desk, office, status_code=error.status, error=error, failed="write_off",
                            values=values)
    return _see("/console/blanks?done=write_off")


__all__ = ["RATE_BUCKETS", "UPLOAD_PATHS", "BatchRuns", "ConsoleRoute", "Desk", "router", "signed_in"]
