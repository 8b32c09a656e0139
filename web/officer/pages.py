"""The pages of the officer console: its route class, its error page, and what every console page shares.

`ConsoleRoute` answers every error of a console route as a page in the reader's language with the problem's status
(a `verify` error through the one mapping, `web.problems.errors.problem_from_error`); an ended session (401) leads
to the sign-in page. `console_page` renders a template in the request's language with the page headers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from verify import Error

from ..auth.desk import Desk
from ..deps import DB_INT_MAX
from ..problems.errors import DATABASE_UNAVAILABLE, problem_from_exception
from ..problems.handlers import ProblemError
from ..ui.i18n import Translator
from ..ui.render import page_response, render

PAGE_SIZE: Final = 100
MAX_ROW_ID: Final = DB_INT_MAX
"""The largest id or offset passed to the database (a 32-bit integer column on PostgreSQL)."""


class ConsoleRoute(APIRoute):
    """A route whose errors are answered as console pages, never as problem JSON.

    A 401 (no session, or an ended one) leads to the sign-in page; any other problem, a `verify` error (through
    `web.problems.errors.problem_from_exception`, also an unavailable database: 503 with Retry-After), or a request
    FastAPI cannot read, is the error page with the problem's status and detail.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn problems into pages."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ProblemError as exc:
                return error_page(request, exc)
            except (Error, *DATABASE_UNAVAILABLE) as exc:
                problem = problem_from_exception(exc)
                assert problem is not None
                return error_page(request, problem)
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

    page = page_response(request, html_of, status_code=exc.status_code)
    retry_after = (exc.headers or {}).get("Retry-After")
    if retry_after is not None:
        page.headers["Retry-After"] = retry_after
    return page


def writer_only(desk: Desk) -> None:
    """403 unless the officer's role may change the registry (a viewer reads only).

    Raises:
        ProblemError: forbidden.
    """
    if not desk.can_write:
        raise ProblemError("forbidden", "this needs the scope officer:write: a viewer reads only")


def console_page(request: Request, template: str, *, title: Callable[[Translator], str], desk: Desk | None,
          status_code: int = 200, switch_base: str = "", **context: Any) -> HTMLResponse:
    """A console page in the request's language; `title` gets the page's translator."""

    def html_of(lang: str) -> str:
        return render(template, lang=lang, switch_base=switch_base, title=title(Translator(lang)), desk=desk,
                      **context)

    return page_response(request, html_of, status_code=status_code)


def see(url: str) -> RedirectResponse:
    """303 See Other: after a form, the page to show next."""
    return RedirectResponse(url, status_code=303)


def document_url(series: str, number: str) -> str:
    """The console page of a document."""
    return f"/console/documents/{quote(series, safe='')}/{quote(number, safe='')}"

