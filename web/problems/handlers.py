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

from verify.texts import Text

from .catalogue import PROBLEM_TYPES, ProblemType

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
LOCALIZE_STATE: Final = "problem_localize"
"""Attribute of `app.state` holding the `Localize` of `install_problem_handlers`."""
SCHEMA_MISMATCH: Final = "the request does not match the schema; see errors"
INTERNAL_ERROR: Final = "the server failed; the failure was logged under this instance id"
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
        text: the same detail as a `verify.texts.Text`, which the answer gives in the reader's language
            (`install_problem_handlers`' `localize`); `detail` is its English.
        message_key: a message id of the catalogues without parameters: the same as `text=Text(message_key)`.

    Raises:
        KeyError: an unknown slug (a programming error).
    """

    def __init__(self, slug: str, detail: str, *, headers: Mapping[str, str] | None = None,
                 extensions: Mapping[str, Any] | None = None, text: Text | None = None,
                 message_key: str | None = None) -> None:
        self.problem = PROBLEM_TYPES[slug]
        super().__init__(self.problem.status, detail, dict(headers) if headers else None)
        self.extensions = dict(extensions or {})
        self.message_key = message_key
        self.text = text if text is not None or message_key is None else Text(message_key)


Localize = Callable[[Request, Text], str]
"""A `Text` in the language of a request (the app factory hands `install_problem_handlers` one)."""


def localize_in(scope: Scope, detail: str, text: Text) -> str:
    """`text` in the language of the request of `scope` (the localizer of `install_problem_handlers`, found
    through the scope's app), or the English `detail` where the app has none."""
    localize: Localize | None = getattr(getattr(scope.get("app"), "state", None), LOCALIZE_STATE, None)
    return detail if localize is None else localize(Request(scope), text)


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
                     extensions: Mapping[str, Any] | None = None, text: Text | None = None) -> JSONResponse:
    """A complete `application/problem+json` response for the problem type `slug`.

    Args:
        detail: the English detail (the answer's when the app has no localizer).
        text: the same as a `Text`: the answer's `detail` in the request's language through the localizer of
            `install_problem_handlers` (found through the scope's app, so that the ASGI guards, which answer
            before any route, speak the reader's language too), and its key the member `code` unless
            `extensions` names one.

    Raises:
        KeyError: an unknown slug.
    """
    problem = PROBLEM_TYPES[slug]
    if text is not None:
        detail = localize_in(scope, detail, text)
        if "code" not in (extensions or {}):
            extensions = {**(extensions or {}), "code": text.key}
    body = problem_body(problem, detail, instance=request_instance(scope), extensions=extensions)
    return JSONResponse(body, status_code=problem.status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


def problem_error_response(exc: ProblemError, scope: Scope) -> JSONResponse:
    """The answer to a `ProblemError`: its type, headers and members, its `Text` in the request's language."""
    return problem_response(exc.problem.slug, str(exc.detail), scope=scope, headers=exc.headers,
                            extensions=exc.extensions, text=exc.text)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if isinstance(exc, ProblemError):
        return problem_error_response(exc, request.scope)
    slug = _BY_STATUS.get(exc.status_code)
    phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if slug is None:  # a status without a type of ours: RFC 9457 §4.2.1 "about:blank"
        body = {"type": "about:blank", "title": phrase, "status": exc.status_code,
                "detail": detail or phrase, "instance": request_instance(request.scope)}
        return JSONResponse(body, status_code=exc.status_code, headers=headers, media_type=PROBLEM_MEDIA_TYPE)
    if slug == "not-found" and detail is None:
        detail = localize_in(request.scope, "no resource at this path", Text("e_no_resource"))
    elif slug == "method-not-allowed" and detail is None:
        detail = localize_in(request.scope, f"{request.method} is not allowed here; see the Allow header",
                             Text("e_method_not_allowed", {"method": request.method}))
    return problem_response(slug, detail or PROBLEM_TYPES[slug].title, scope=request.scope, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
               "type": str(error.get("type", ""))} for error in exc.errors()[:20]]
    return problem_response("invalid-request", SCHEMA_MISMATCH, scope=request.scope,
                            extensions={"errors": errors},
                            text=Text("e_schema_mismatch"))


def internal_error_response(scope: Scope) -> JSONResponse:
    """The generic 500 problem: nothing about the failure itself (it is logged server-side)."""
    return problem_response("internal-error", INTERNAL_ERROR, scope=scope)


async def _unhandled(request: Request, exc: Exception) -> Response:
    try:
        detail = localize_in(request.scope, INTERNAL_ERROR, Text("e_internal"))
    except Exception:  # the answer to a failure must not fail in its turn
        detail = INTERNAL_ERROR
    return problem_response("internal-error", detail, scope=request.scope)


def install_problem_handlers(app: FastAPI, *, localize: Localize | None = None) -> None:
    """Answer every error of `app` as a problem: HTTP errors, validation errors and anything unhandled.

    Args:
        localize: renders a problem's `Text` in the request's language, its `detail` (the `type`, its `title`
            and any `code` stay stable); None: the English detail.
    """
    setattr(app.state, LOCALIZE_STATE, localize)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unhandled)
