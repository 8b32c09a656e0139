"""The officer console, part 2: documents, their history, the lifecycle forms and the blank stock.

| route                                                      | does                                              |
|------------------------------------------------------------|---------------------------------------------------|
| GET  /console/documents                                    | documents (?group=, ?state=, ?offset=)             |
| GET  /console/documents/{series}/{number}                  | a document with its history                       |
| GET, POST /console/documents/{series}/{number}/duplicate   | apply for duplicate No. N (seed 000 items 21-25)  |
| GET, POST /console/documents/{series}/{number}/correction  | apply for a correction (seed 000 appendix 38)     |
| GET, POST /console/documents/{series}/{number}/annulment   | apply for an annulment                            |
| GET  /console/blanks                                       | blank stock, add a range, write off a blank       |
| POST /console/blanks/ranges, /console/blanks/write-offs    | the two blank forms (a range has its kind)        |
| POST /console/blanks/reprints                              | a blank spoiled while printing: reprint the document |

Every page calls the officer service (`web.officer.service`); the forms are `web.officer.forms`. A duplicate, a
correction or an annulment is an application (`web.officer.cases_service.register_and_propose`): its form registers
and proposes it, and the case page follows; it takes effect when a head approves it (`web.officer.console_cases`).
Forms that replace, correct or annul need their "I confirm" box ticked; a bad form comes back with its message and a 4xx
status, and nothing is written. The app includes this router after `web.officer.console`'s, whose QR route
(`.../qr.{kind}`) must match before the action forms (`.../{action}`).
"""


from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from verify import Error
from verify.qrtext import split_qr_text
from verify.registry.lifecycle import CORRECTABLE_FIELDS
from verify.registry.models import DocumentState
from verify.registry.queries import DocumentFilter
from verify.texts import Text

from ..auth.desk import Desk
from ..deps import BackOfficeDep, DeskDep, utcnow
from ..problems.handlers import ProblemError
from ..runtime.backoffice import BackOffice
from ..ui.i18n import CATALOGUE, Translator
from . import cases_service, service
from .forms import (
    DUPLICATE_REASONS,
    FormError,
    confirmed,
    correction_request,
    duplicate_request,
    record_values,
    refusal,
    schema_error,
    shown_values,
)
from .pages import MAX_ROW_ID, PAGE_SIZE, ConsoleRoute, console_page, document_url, see, writer_only
from .schemas import (
    AnnulRequest,
    BlankRangeRequest,
    DocumentDetailModel,
    ReprintRequest,
    WriteOffRequest,
)

router = APIRouter(prefix="/console", include_in_schema=False, route_class=ConsoleRoute)


# ----------------------------------------------------------------------------- documents
@router.get("/documents")
def documents(request: Request, desk: DeskDep, office: BackOfficeDep, group: str = "", state: str = "",
              offset: int = 0) -> HTMLResponse:
    """The institution's documents, newest first, by group and state."""
    chosen = DocumentState(state) if state in {s.value for s in DocumentState} else None
    listed = service.list_documents(office, desk.identity, where=DocumentFilter(group=group[:64] or None,
                                                                                  state=chosen),
                                    limit=PAGE_SIZE, offset=min(max(offset, 0), MAX_ROW_ID))
    groups = service.groups(office, desk.identity)
    query = {name: value for name, value in (("group", group), ("state", chosen.value if chosen else "")) if value}
    here = "/console/documents" + (f"?{urlencode(query)}" if query else "")
    return console_page(request, "console_documents.html", title=lambda t: t("c_documents_title"), desk=desk,
                 switch_base=here, listed=listed, groups=groups, group=group,
                 state=chosen.value if chosen else "", nav="documents", page_size=PAGE_SIZE)


def _detail(desk: Desk, office: BackOffice, series: str, number: str) -> tuple[DocumentDetailModel, dict[str, Any]]:
    """The document with its history (404 outside the institution) and its current record."""
    detail = service.document_detail(office, desk.identity, series=series[:8], number=number[:7])
    record = service.current_record(office, desk.identity, series=detail.series, number=detail.number)
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
    return console_page(request, "console_document.html",
                 title=lambda t: f"{t.doc_type_name(detail.doc_type)} {detail.series} {detail.number}", desk=desk,
                 switch_base=document_url(detail.series, detail.number), doc=detail, notice=notice,
                 url=document_url(detail.series, detail.number), public_path=_public_path(detail), nav="documents",
                 event_name=event_name, event_reason=event_reason,
                 has_appendix=service.has_appendix(office, desk.identity, series=detail.series, number=detail.number))


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
    url = document_url(detail.series, detail.number)
    return console_page(request, f"console_{action}.html",
                 title=lambda t: t(f"c_{action}_title", document=f"{detail.series} {detail.number}"), desk=desk,
                 status_code=status_code, switch_base=f"{url}/{action}", doc=detail, url=url, error=error,
                 values=shown_values(values), record=record_values(record), nav="documents",
                 fields=CORRECTABLE_FIELDS, reasons=DUPLICATE_REASONS, blocked=blocked)


@router.get("/documents/{series}/{number}/{action}")
def action_form(request: Request, series: str, number: str, action: str, desk: DeskDep,
                office: BackOfficeDep) -> HTMLResponse:
    """The form of a duplicate, a correction or an annulment of a document."""
    if action not in ("duplicate", "correction", "annulment"):
        raise ProblemError("not-found", "no resource at this path", text=Text("c_p_no_resource"))
    detail, record = _detail(desk, office, series, number)
    if not desk.can_write:
        return _action_page(request, desk, detail, record, action, status_code=403,
                            error=FormError("c_error_viewer", status=403), blocked=True)
    if detail.state != DocumentState.VALID.value:
        return _action_page(request, desk, detail, record, action, status_code=409,
                            error=FormError("c_not_in_force", status=409), blocked=True)
    return _action_page(request, desk, detail, record, action)


@router.post("/documents/{series}/{number}/duplicate")
def make_duplicate(request: Request, series: str, number: str, desk: DeskDep, office: BackOfficeDep,
                   reason: Annotated[str, Form()] = "", surname: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", patronymic: Annotated[str, Form()] = "",
                   confirm: Annotated[str, Form()] = "") -> Response:
    """Apply for duplicate No. N instead of the document (seed 000 items 21-25): registered and proposed in one
    step; the duplicate is issued when a head approves the application (its page comes next)."""
    writer_only(desk)
    detail, record = _detail(desk, office, series, number)
    values = {"reason": reason, "surname": surname, "name": name, "patronymic": patronymic}
    again = partial(_action_page, request, desk, detail, record, "duplicate", values=values)
    body = duplicate_request(values, confirm=confirm)
    if isinstance(body, FormError):
        return again(status_code=body.status, error=body)
    changes = None if body.new_name is None else {
        "surname": body.new_name.surname, "name": body.new_name.name, "patronymic": body.new_name.patronymic}
    try:
        application = cases_service.register_and_propose(office, desk.identity, kind="duplicate",
                                                          series=detail.series, number=detail.number,
                                                          reason=body.reason, changes=changes, at=utcnow())
    except Error as exc:  # a registry refusal: the form again with its message; nothing was written
        refused = refusal(exc)
        return again(status_code=refused.status, error=refused)
    return see(f"/console/cases/{application.number}?done=proposed")


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
    writer_only(desk)
    detail, record = _detail(desk, office, series, number)
    typed = {"surname": surname, "name": name, "patronymic": patronymic, "award_date": award_date,
             "programme": programme, "qualification": qualification, "honours": honours}
    values = {**typed, "reason": reason, "revision": revision}
    again = partial(_action_page, request, desk, detail, record, "correction", values=values)
    body = correction_request(typed, current=record_values(record), current_revision=detail.current_revision,
                              revision=revision, reason=reason, confirm=confirm)
    if isinstance(body, FormError):
        return again(status_code=body.status, error=body)
    try:
        application = cases_service.register_and_propose(office, desk.identity, kind="correction",
                                                          series=detail.series, number=detail.number,
                                                          changes=body.changes, explanation=body.reason,
                                                          explanation_field="reason", at=utcnow())
    except Error as exc:
        refused = refusal(exc)
        return again(status_code=refused.status, error=refused)
    return see(f"/console/cases/{application.number}?done=proposed")


@router.post("/documents/{series}/{number}/annulment")
def annul(request: Request, series: str, number: str, desk: DeskDep, office: BackOfficeDep,
          basis: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "order",
          confirm: Annotated[str, Form()] = "") -> Response:
    """Apply to annul the document with its basis and kind (order or issued_in_error): registered and proposed in
    one step; it takes effect (final) when a head of the institution, another account, approves the application."""
    writer_only(desk)
    detail, record = _detail(desk, office, series, number)
    again = partial(_action_page, request, desk, detail, record, "annulment", values={"basis": basis, "kind": kind})
    error: FormError | None = None
    if not basis.strip():
        error = FormError("c_annul_basis_needed")
    elif not confirmed(confirm):
        error = FormError("c_confirm_needed")
    if error is None:
        try:
            body = AnnulRequest(basis=basis.strip(), kind=kind)  # type: ignore[arg-type]  # checked by the model
        except ValidationError as exc:
            error = schema_error(exc)
    if error is not None:
        return again(status_code=error.status, error=error, blocked=error.status == 403)
    try:
        application = cases_service.register_and_propose(office, desk.identity, kind="annulment",
                                                          series=detail.series, number=detail.number,
                                                          explanation=body.basis, explanation_field="basis",
                                                          reason=body.kind, at=utcnow())
    except Error as exc:
        refused = refusal(exc)
        return again(status_code=refused.status, error=refused)
    return see(f"/console/cases/{application.number}?done=proposed")


# ----------------------------------------------------------------------------- blank stock
def _blanks_page(request: Request, desk: Desk, office: BackOffice, *, status_code: int = 200,
                 error: FormError | None = None, failed: str = "", values: Mapping[str, str] | None = None,
                 done: str = "") -> HTMLResponse:
    stock = service.stock(office, desk.identity).series
    notice = f"c_done_{done}" if done in ("range", "write_off") else ""
    return console_page(request, "console_blanks.html", title=lambda t: t("c_blanks_title"), desk=desk,
                 status_code=status_code, switch_base="/console/blanks", stock=stock, error=error, failed=failed,
                 values=shown_values(values), notice=notice, nav="blanks")


@router.get("/blanks")
def blanks(request: Request, desk: DeskDep, office: BackOfficeDep, done: str = "") -> HTMLResponse:
    """The blank stock by series, and the forms to add a range received and to write off a spoiled blank."""
    return _blanks_page(request, desk, office, done=done)


@router.post("/blanks/ranges")
def add_range(request: Request, desk: DeskDep, office: BackOfficeDep, series: Annotated[str, Form()] = "",
              first: Annotated[str, Form()] = "", last: Annotated[str, Form()] = "",
              kind: Annotated[str, Form()] = "ordinary", confirm: Annotated[str, Form()] = "") -> Response:
    """Record a range of blanks of one kind received from the printing house (seed 000 items 8, 17)."""
    writer_only(desk)
    values = {"range_series": series, "first": first, "last": last, "kind": kind}
    error: FormError | None = None
    if not confirmed(confirm):
        error = FormError("c_confirm_needed")
    else:
        try:
            body = BlankRangeRequest(series=series.strip(), first=first.strip(), last=last.strip(),
                                     kind=kind)  # type: ignore[arg-type]  # checked by the model
        except ValidationError:
            error = FormError("c_blanks_range_invalid")
    if error is None:
        try:
            service.receive_blanks(office, desk.identity, series=body.series, first=body.first, last=body.last,
                                   at=utcnow(), kind=body.kind)
        except Error as exc:
            error = refusal(exc)
    if error is not None:
        return _blanks_page(request, desk, office, status_code=error.status, error=error, failed="range",
                            values=values)
    return see("/console/blanks?done=range")


@router.post("/blanks/write-offs")
def write_off(request: Request, desk: DeskDep, office: BackOfficeDep, series: Annotated[str, Form()] = "",
              number: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
              confirm: Annotated[str, Form()] = "") -> Response:
    """Write off a spoiled blank with its reason; its number is never used."""
    writer_only(desk)
    values = {"write_off_series": series, "number": number, "reason": reason}
    error: FormError | None = None
    if not reason.strip():
        error = FormError("c_reason_needed")
    elif not confirmed(confirm):
        error = FormError("c_confirm_needed")
    else:
        try:
            body = WriteOffRequest(series=series.strip(), number=number.strip(), reason=reason.strip())
        except ValidationError:
            error = FormError("c_blanks_number_invalid")
    if error is None:
        try:
            service.write_off(office, desk.identity, series=body.series, number=body.number, reason=body.reason,
                              at=utcnow())
        except Error as exc:
            error = refusal(exc)
    if error is not None:
        return _blanks_page(request, desk, office, status_code=error.status, error=error, failed="write_off",
                            values=values)
    return see("/console/blanks?done=write_off")


@router.post("/blanks/reprints")
def reprint(request: Request, desk: DeskDep, office: BackOfficeDep, series: Annotated[str, Form()] = "",
            number: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
            confirm: Annotated[str, Form()] = "") -> Response:
    """A blank spoiled while printing: written off, the document reprinted on the next blank of its kind (a new
    number; the spoiled code annulled); then the new document's page."""
    writer_only(desk)
    values = {"reprint_series": series, "reprint_number": number, "reprint_reason": reason}
    error: FormError | None = None
    if not reason.strip():
        error = FormError("c_reason_needed")
    elif not confirmed(confirm):
        error = FormError("c_confirm_needed")
    else:
        try:
            body = ReprintRequest(reason=reason.strip())
            WriteOffRequest(series=series.strip(), number=number.strip(), reason=reason.strip())
        except ValidationError:
            error = FormError("c_blanks_number_invalid")
    if error is None:
        try:
            document = service.reprint(office, desk.identity, series=series.strip(), number=number.strip(),
                                       reason=body.reason, blank_number=None, at=utcnow())
        except Error as exc:
            error = refusal(exc)
    if error is not None:
        return _blanks_page(request, desk, office, status_code=error.status, error=error, failed="reprint",
                            values=values)
    return see(f"{document_url(document.series, document.number)}?done=issued")


__all__ = ["event_name", "event_reason", "router"]
