"""The officer console, part 3: applications (cases) for a duplicate, a correction or an annulment (issue 13 item 8).

| route                                              | does                                                    |
|----------------------------------------------------|---------------------------------------------------------|
| GET  /console/cases                                | the cases (?state=, ?kind=, ?due=): overdue and due     |
|                                                    | soon first, and marked                                  |
| GET  /console/cases/queue                          | the head's approval queue                               |
| GET  /console/cases/new?series=&number=&kind=      | the form to register an application received            |
| POST /console/cases                                | register it -> its page                                 |
| GET  /console/cases/{number}                       | a case: timeline, documents presented, term, decision,  |
|                                                    | the forms of its next step, the letter when decided     |
| POST /console/cases/{number}/{step}                | review, notice, hearing, proposal, approve, return      |
| GET  /console/cases/{number}/letter?lang=kk|ru     | the decision letter (PDF)                               |

Every page calls the case service (`web.officer.cases_service`, the same the API calls) with the signed-in
officer's principal; a refusal of the registry (a step out of order, a head approving what they prepared, a
notice too late in the term) brings the case page back with its message and status, and nothing is written. The
head's approval needs its "I confirm" box ticked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from verify import Error
from verify.errors import LifecycleError
from verify.texts import Text

from ..auth.desk import Desk
from ..deps import BackOfficeDep, DeskDep, utcnow
from ..problems.handlers import ProblemError
from ..runtime.backoffice import BackOffice
from ..ui.i18n import CATALOGUE, Translator
from . import cases_service
from .cases_schemas import (
    CHANNELS,
    DUPLICATE_REASONS,
    KINDS,
    PRESENTED,
    REFUSAL_REASONS,
    STATES,
    ApplicationModel,
    ApplicationRequest,
)
from .forms import FormError, confirmed, refusal, schema_error, shown_values
from .pages import PAGE_SIZE, ConsoleRoute, console_page, see, writer_only
from .service import content_disposition

STEPS: Final = ("review", "notice", "hearing", "proposal", "approve", "return")
_NUMBER: Final = re.compile(r"[0-9]{12}-[0-9]{4}-[0-9]{6}")
NOT_A_CASE: Final = "no such application in your institution"

router = APIRouter(prefix="/console", include_in_schema=False, route_class=ConsoleRoute)


def case_url(number: str) -> str:
    """The console page of a case."""
    return f"/console/cases/{number}"


def _check_number(number: str) -> str:
    if not _NUMBER.fullmatch(number):
        raise ProblemError("not-found", NOT_A_CASE, text=Text("case_p_no_case"))
    return number


def _today() -> dt.date:
    return cases_service.today_of(utcnow())


# ----------------------------------------------------------------------------- lists
@router.get("/cases")
def cases(request: Request, desk: DeskDep, office: BackOfficeDep, state: str = "", kind: str = "", due: str = "",
          offset: int = 0) -> HTMLResponse:
    """The institution's cases, overdue and due soon first (marked), by state, kind and due."""
    chosen = {"state": state if state in STATES else "", "kind": kind if kind in KINDS else "",
              "due": due if due in ("overdue", "soon") else ""}
    offset = min(max(offset, 0), 100_000)
    listed = cases_service.list_applications(office, desk.identity, state=chosen["state"] or None,
                                             kind=chosen["kind"] or None, due=chosen["due"] or None, today=_today(),
                                             limit=PAGE_SIZE + 1, offset=offset)
    query = {name: value for name, value in chosen.items() if value}
    here = "/console/cases" + (f"?{urlencode(query)}" if query else "")
    more = len(listed.applications) > PAGE_SIZE
    return console_page(request, "console_cases.html", title=lambda t: t("case_list_title"), desk=desk,
                        switch_base=here, applications=listed.applications[:PAGE_SIZE], chosen=chosen,
                        states=STATES, kinds=KINDS, queue=False, nav="cases", offset=offset, more=more,
                        base=here + ("&" if query else "?"))


@router.get("/cases/queue")
def queue(request: Request, desk: DeskDep, office: BackOfficeDep) -> HTMLResponse:
    """The cases awaiting the head's approval (none the head prepared)."""
    listed = cases_service.approval_queue(office, desk.identity, today=_today()) if desk.is_head else []
    return console_page(request, "console_cases.html", title=lambda t: t("case_queue_title"), desk=desk,
                        switch_base="/console/cases/queue", applications=listed, chosen={}, states=STATES,
                        kinds=KINDS, queue=True, nav="cases", offset=0, more=False, base="")


# ----------------------------------------------------------------------------- registering
def _new_page(request: Request, desk: Desk, *, values: Mapping[str, str], presented: list[str],
              status_code: int = 200, error: FormError | None = None) -> HTMLResponse:
    return console_page(request, "console_case_new.html", title=lambda t: t("case_new_title"), desk=desk,
                        status_code=status_code, switch_base="/console/cases/new", values=shown_values(values),
                        presented=presented, error=error, kinds=KINDS, channels=CHANNELS, kinds_presented=PRESENTED,
                        reasons=DUPLICATE_REASONS, nav="cases", today=_today().isoformat())


@router.get("/cases/new")
def new_case(request: Request, desk: DeskDep, series: str = "", number: str = "", kind: str = "") -> HTMLResponse:
    """The form to register an application received (the document may be given in the query)."""
    values = {"series": series[:8], "number": number[:7], "kind": kind if kind in KINDS else "duplicate",
              "channel": "in_person", "received_on": _today().isoformat()}
    return _new_page(request, desk, values=values, presented=["application", "identity_document"])


def _changes(values: Mapping[str, str]) -> dict[str, str | bool | list[dict[str, Any]] | None] | None:
    """The new values typed (a correction's fields; a duplicate's new name), or None."""
    fields = ("surname", "name", "patronymic", "award_date", "programme", "qualification")
    changes: dict[str, str | bool | list[dict[str, Any]] | None] = {
        f: values[f].strip() for f in fields if values.get(f, "").strip()}
    if values.get("honours") in ("yes", "no"):
        changes["honours"] = values["honours"] == "yes"
    return changes or None


@router.post("/cases")
def register(request: Request, desk: DeskDep, office: BackOfficeDep, kind: Annotated[str, Form()] = "",
             series: Annotated[str, Form()] = "", number: Annotated[str, Form()] = "",
             received_on: Annotated[str, Form()] = "", channel: Annotated[str, Form()] = "",
             presented: Annotated[list[str] | None, Form()] = None, reason: Annotated[str, Form()] = "",
             scope: Annotated[str, Form()] = "document", surname: Annotated[str, Form()] = "",
             name: Annotated[str, Form()] = "", patronymic: Annotated[str, Form()] = "",
             award_date: Annotated[str, Form()] = "", programme: Annotated[str, Form()] = "",
             qualification: Annotated[str, Form()] = "", honours: Annotated[str, Form()] = "",
             explanation: Annotated[str, Form()] = "") -> Response:
    """Register an application received: its number, term and due date are the registry's."""
    writer_only(desk)
    values = {"kind": kind, "series": series, "number": number, "received_on": received_on, "channel": channel,
              "reason": reason, "scope": scope, "surname": surname, "name": name, "patronymic": patronymic,
              "award_date": award_date, "programme": programme, "qualification": qualification,
              "honours": honours, "explanation": explanation}
    chosen = [p for p in (presented or []) if p in PRESENTED]
    try:
        body = ApplicationRequest(kind=kind, series=series.strip(), number=number.strip(),  # type: ignore[arg-type]
                                  received_on=received_on.strip(), channel=channel,  # type: ignore[arg-type]
                                  presented=chosen, reason=reason or None, scope=scope,  # type: ignore[arg-type]
                                  changes=_changes(values), explanation=explanation.strip() or None)
    except ValidationError as exc:
        error = schema_error(exc)
        return _new_page(request, desk, values=values, presented=chosen, status_code=error.status, error=error)
    try:
        application = cases_service.register(office, desk.identity, body=body, at=utcnow())
    except Error as exc:
        refused = refusal(exc)
        return _new_page(request, desk, values=values, presented=chosen, status_code=refused.status, error=refused)
    return see(f"{case_url(application.number)}?done=registered")


# ----------------------------------------------------------------------------- a case
def _case_page(request: Request, desk: Desk, application: ApplicationModel, *, status_code: int = 200,
               error: FormError | None = None, failed: str = "", values: Mapping[str, str] | None = None,
               done: str = "") -> HTMLResponse:
    notice = f"case_done_{done}" if done in ("registered", "proposed", *STEPS) else ""
    return console_page(request, "console_case.html",
                        title=lambda t: t("case_title", number=application.number), desk=desk,
                        status_code=status_code, switch_base=case_url(application.number), case=application,
                        url=case_url(application.number), error=error, failed=failed, notice=notice,
                        values=shown_values(values), refusal_reasons=REFUSAL_REASONS, nav="cases",
                        may_approve=desk.is_head and cases_service.may_approve(application, desk.officer.username),
                        event_label=event_label)


def event_label(t: Translator, action: str) -> str:
    """A timeline step (`approve`) in words, or the step itself when the catalogue has no words for it."""
    key = f"case_event_{action}"
    return t(key) if key in CATALOGUE else action


@router.get("/cases/{number}")
def case_page(request: Request, number: str, desk: DeskDep, office: BackOfficeDep, done: str = "") -> HTMLResponse:
    """A case: its document, documents presented, term and due date, decision, timeline, and its next step."""
    application = cases_service.get_application(office, desk.identity, number=_check_number(number), today=_today())
    return _case_page(request, desk, application, done=done)


@router.get("/cases/{number}/letter")
def letter(number: str, desk: DeskDep, office: BackOfficeDep, lang: str = "kk") -> Response:
    """The decision letter of a decided case, PDF, in Kazakh or Russian."""
    if lang not in ("kk", "ru"):
        lang = "kk"
    try:
        body, filename = cases_service.decision_letter(office, desk.identity, number=_check_number(number),
                                                       lang=lang, today=_today())
    except LifecycleError:
        raise ProblemError("document-state", "the application is not decided yet",
                           text=Text("case_p_not_decided")) from None
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition("attachment", filename)})


def _step(office: BackOffice, desk: Desk, number: str, step: str, form: Mapping[str, str],
          reasons: list[str]) -> FormError | None:
    """Run one step of a case with the form's values; the form error when it is refused (nothing written)."""
    at = utcnow()
    text_value = form.get("text", "").strip()
    if step == "notice" and (not reasons or not text_value):
        return FormError("case_notice_needs")
    if step == "hearing" and not form.get("statement", "").strip():
        return FormError("case_statement_needed")
    if step == "proposal" and form.get("decision") not in ("grant", "refuse"):
        return FormError("case_choose_decision")
    if step == "proposal" and form.get("decision") == "refuse" and not reasons:
        return FormError("case_refusal_needs")
    if step == "return" and not form.get("comment", "").strip():
        return FormError("case_comment_needed")
    if step == "approve" and not confirmed(form.get("confirm", "")):
        return FormError("c_confirm_needed")
    try:
        if step == "review":
            cases_service.start_review(office, desk.identity, number=number, at=at)
        elif step == "notice":
            cases_service.send_notice(office, desk.identity, number=number, reasons=reasons, text=text_value, at=at)
        elif step == "hearing":
            cases_service.record_hearing(office, desk.identity, number=number,
                                         statement=form["statement"].strip(), at=at)
        elif step == "proposal":
            cases_service.propose(office, desk.identity, number=number, decision=form["decision"],
                                  reasons=reasons if form["decision"] == "refuse" else [],
                                  text=text_value or None, at=at)
        elif step == "approve":
            cases_service.approve(office, desk.identity, number=number, at=at)
        else:
            cases_service.return_for_review(office, desk.identity, number=number, comment=form["comment"].strip(),
                                            at=at)
    except Error as exc:
        return refusal(exc)
    return None


@router.post("/cases/{number}/{step}")
def take_step(request: Request, number: str, step: str, desk: DeskDep, office: BackOfficeDep,
              reasons: Annotated[list[str] | None, Form()] = None, text: Annotated[str, Form()] = "",
              statement: Annotated[str, Form()] = "", decision: Annotated[str, Form()] = "",
              comment: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    """One step of the case (review, notice, hearing, proposal, approve, return); then the case page."""
    if step not in STEPS:
        raise ProblemError("not-found", "no resource at this path", text=Text("c_p_no_resource"))
    writer_only(desk)
    number = _check_number(number)
    form = {"text": text, "statement": statement, "decision": decision, "comment": comment, "confirm": confirm}
    chosen = [r for r in (reasons or []) if r in REFUSAL_REASONS]
    error = _step(office, desk, number, step, form, chosen)
    if error is not None:
        application = cases_service.get_application(office, desk.identity, number=number, today=_today())
        return _case_page(request, desk, application, status_code=error.status, error=error, failed=step,
                          values={k: v for k, v in form.items() if k != "confirm"})
    return see(f"{case_url(number)}?done={step}")


__all__ = ["NOT_A_CASE", "STEPS", "case_url", "router"]
