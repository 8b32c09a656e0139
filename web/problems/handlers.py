"""Every error answer is an RFC 9457 problem: `application/problem+json` with type, title, status, detail, instance.

* `type` is a URI reference relative to the service, `/problems/<slug>`; `GET /problems/<slug>` describes it.
* `title` is the same for every occurrence of a type; `detail` explains this occurrence without echoing input
  (no IIN, no QR text, no surname ever comes back in an error).
* `instance` is `urn:uuid:<request id>`, the id the access log line of the request carries, so that an operator
  can find the request a person reports.
* extension members: `errors` (validation failures: `loc`, `msg`, `type`, never the input) and `checks` (health).

No stack trace ever leaves the server: unhandled exceptions become a generic 500 here and are logged by
`web.http.observe`. Statuses follow RFC 9110 §15 (413 Content Too Large, 415 Unsupported Media Type,
422 Unprocessable Content, 503 Service Unavailable with Retry-After §10.2.3) and RFC 6585 §4 (429 Too Many Requests).

Sources: RFC 9457 §3 (members), §3.1.1 (relative type URIs); FastAPI's exception handler hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from .catalogue import PROBLEM_TYPES, ProblemType

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
REQUEST_ID_KEY: Final = "verify.request_id"
"""Scope key of the request id (a UUID string) that `web.http.observe` sets for every request."""



_BY_STATUS: Final = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "content-too-large",
                     415: "unsupported-media-type", 422: "invalid-request", 429: "rate-limited",
                     500: "internal-error", 503: "unavailable"}


class ProblemError(StarletteHTTPException):
    """Raise to answer with a problem of a known type.

    A subclass of Starlette's `HTTPException`, so that FastAPI passes it through unchanged when it is raised
    while a request body is read (the body-size guard raises it from `receive`).

    Args:
        slug: a key of `PROBLEM_TYPES`.
        detail: this occurrence, for a person; never echoes input.
        headers: extra response headers (`Retry-After`, `Allow`).
        extensions: extension members (RFC 9457 §3.2), e.g. {"checks": {...}}.
        message_key: a message id of the catalogues (web/ui/locale) that says the same as `detail` in the
            reader's language; the application's `localize` hook (`install_problem_handlers`) puts it in `detail`.

    Raises:
        KeyError: an unknown slug (a programming error).
    """

    def __init__(self, slug: str, detail: str, *, headers: Mapping[str, str] | None = None,
                 extensions: Mapping[str, Any] | None = None, message_key: str | None = None) -> None:
        self.problem = PROBLEM_TYPES[slug]
        super().__init__(self.problem.status, detail, dict(headers) if headers else None)
        self.extensions = dict(extensions or {})
        self.message_key = message_key


Localize = Callable[[Request, str], str]
"""The message `key` of the catalogues in the language of the request (the app passes `web.ui`'s)."""


def request_instance(scope: Scope) -> str:
    """The `instance` member: `urn:uuid:<request id>` (a fresh id if the request has none)."""
    request_id = scope.get(REQUEST_ID_KEY) or str(uuid.uuid4())
    return f"urn:uuid:{request_id}"


def problem_body(problem: ProblemType, detail: str, *, instance: str,
                 extensions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The problem object (RFC 9457 §3): type, title, status, detail, instance, then any extension members."""
    body: dict[str, Any] = {"type": problem.uri, "title": problem.title, "status": problem.status,
                            "detail": detail, "instance": instance}
    for key, value in (extensions or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(slug: str, detail: str, *, scope: Scope, headers: Mapping[str, str] | None = None,
                     extensions: Mapping[str, Any] | None = None) -> JSONResponse:
    """A complete `application/problem+json` response for the problem type `slug`.

    Raises:
        KeyError: an unknown slug.
    """
    problem = PROBLEM_TYPES[slug]
    body = problem_body(problem, detail, instance=request_instance(scope), extensions=extensions)
    return JSONResponse(body, status_code=problem.status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if isinstance(exc, ProblemError):
        said = str(exc.detail)
        localize: Localize | None = getattr(request.app.state, "localize_problem", None)
        if exc.message_key is not None and localize is not None:
            said = localize(request, exc.message_key)
        return problem_response(exc.problem.slug, said, scope=request.scope, headers=headers,
                                extensions=exc.extensions)
    slug = _BY_STATUS.get(exc.status_code)
    phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if slug is None:  # a status without a type of ours: RFC 9457 §4.2.1 "about:blank"
        body = {"type": "about:blank", "title": phrase, "status": exc.status_code,
                "detail": detail or phrase, "instance": request_instance(request.scope)}
        return JSONResponse(body, status_code=exc.status_code, headers=headers, media_type=PROBLEM_MEDIA_TYPE)
    if slug == "not-found" and detail is None:
        detail = "no resource at this path"
    elif slug == "method-not-allowed" and detail is None:
        detail = f"{request.method} is not allowed here; see the Allow header"
    return problem_response(slug, detail or PROBLEM_TYPES[slug].title, scope=request.scope, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
               "type": str(error.get("type", ""))} for error in exc.errors()[:20]]
    return problem_response("invalid-request", "the request does not match the schema; see errors",
                            scope=request.scope, extensions={"errors": errors})


def internal_error_response(scope: Scope) -> JSONResponse:
    """The generic 500 problem: nothing about the failure itself (it is logged server-side)."""
    return problem_response("internal-error", "the server failed; the failure was logged under this instance id",
                            scope=scope)


async def _unhandled(request: Request, exc: Exception) -> Response:
    return internal_error_response(request.scope)


def install_problem_handlers(app: FastAPI, *, localize: Localize | None = None) -> None:
    """Answer every error of `app` as a problem: HTTP errors, validation errors and anything unhandled.

    Args:
        localize: gives a problem that has a `message_key` its `detail` in the request's language.
    """
    app.state.localize_problem = localize
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unhandled)
