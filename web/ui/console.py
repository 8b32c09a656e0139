"""What every console page shares, whoever is signed in (an officer or the ministry): the route class, the error page.

`ConsoleRoute` answers every error of a console route as a page in the reader's language with the problem's status
(a `verify` error through the one mapping, `web.problems.errors.problem_from_exception`, also an unavailable database:
503 with Retry-After); an ended session (401) leads
to the sign-in page, and `SeeOther` raised by a dependency leads where it says (the ministry's start page for an
administrator who opens the officers' console). `console_page` renders a template in the request's language with the
page headers.

The error page carries a sign-out button when the request was signed in (`remember_sign_out` stores the session's
CSRF token on the request), so that a page the account may not see is never a dead end that leads back to itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from verify import Error
from verify.texts import Text

from ..problems.errors import DATABASE_UNAVAILABLE, problem_from_exception
from ..problems.handlers import ProblemError
from .i18n import Translator
from .render import page_response, render

SIGN_OUT_STATE: Final = "console_sign_out_csrf"
"""The request-state attribute holding the signed-in session's CSRF token (for the error page's sign-out form)."""


class SeeOther(Exception):  # noqa: N818 - a control-flow signal of the console, not an error
    """Raised by a console dependency: answer 303 See Other to `url` instead of running the route."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def remember_sign_out(request: Request, csrf: str) -> None:
    """Keep the session's CSRF token on the request, so that an error page can offer the sign-out form."""
    setattr(request.state, SIGN_OUT_STATE, csrf)


class ConsoleRoute(APIRoute):
    """A route whose errors are answered as console pages, never as problem JSON.

    A 401 (no session, or an ended one) leads to the sign-in page; `SeeOther` to its URL; any other problem, a
    `verify` error (through `web.problems.errors.problem_from_exception`, also an unavailable database: 503 with
    Retry-After), or a request FastAPI cannot read, is the error page with the problem's status and detail.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn problems into pages."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SeeOther as exc:
                return see(exc.url)
            except ProblemError as exc:
                return error_page(request, exc)
            except (Error, *DATABASE_UNAVAILABLE) as exc:
                problem = problem_from_exception(exc)
                assert problem is not None
                return error_page(request, problem)
            except RequestValidationError:
                return error_page(request, ProblemError("invalid-request", "the request does not match the form",
                                                        text=Text("c_p_form_mismatch")))

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
    sign_out_csrf = getattr(request.state, SIGN_OUT_STATE, None)

    def html_of(lang: str) -> str:
        t = Translator(lang)
        detail, detail_lang = (t.text(exc.text), None) if exc.text is not None else (str(exc.detail), "en")
        return render("console_error.html", lang=lang, title=t(key), desk=None, message=t(key), detail=detail,
                      detail_lang=detail_lang, status=exc.status_code, sign_out_csrf=sign_out_csrf)

    page = page_response(request, html_of, status_code=exc.status_code)
    retry_after = (exc.headers or {}).get("Retry-After")
    if retry_after is not None:
        page.headers["Retry-After"] = retry_after
    return page


def console_page(request: Request, template: str, *, title: Callable[[Translator], str], desk: object | None,
                 status_code: int = 200, switch_base: str = "", **context: Any) -> HTMLResponse:
    """A console page in the request's language; `title` gets the page's translator."""

    def html_of(lang: str) -> str:
        return render(template, lang=lang, switch_base=switch_base, title=title(Translator(lang)), desk=desk,
                      **context)

    return page_response(request, html_of, status_code=status_code)


def see(url: str) -> RedirectResponse:
    """303 See Other: after a form, the page to show next."""
    return RedirectResponse(url, status_code=303)
