"""The one mapping of `verify` errors to problems, and the routes that answer with it.

The problem types themselves are in the one catalogue, `web.problems.catalogue`. `problem_from_error` is the one
place where a `verify.Error` becomes an answer, chosen by its `code`:

| error (its `code`)                                     | status | type                   |
|--------------------------------------------------------|--------|------------------------|
| NotFoundError (NOT_FOUND)                              | 404    | not-found              |
| ForbiddenError (FORBIDDEN)                             | 403    | forbidden              |
| ConflictError (CONFLICT)                               | 409    | conflict               |
| StockError (BLANK_STOCK)                               | 409    | blank-stock            |
| LifecycleError (LIFECYCLE)                             | 409    | document-state         |
| NoSignerInScopeError (NO_SIGNER_IN_SCOPE)              | 409    | signer-scope           |
| KeyStoreError, TrustListError, SchemaError,            | 503    | unavailable            |
| RegistryUnavailableError                               |        |                        |
| HsmError (HSM: the token cannot sign)                  | 503    | unavailable            |
| ImageTooLargeError (IMAGE_TOO_LARGE)                   | 413    | content-too-large      |
| UnsupportedImageError (UNSUPPORTED_IMAGE)              | 415    | unsupported-media-type |
| UnreadableImageError, ImageError                       | 422    | unreadable-image       |
| NoQRCodeError (NO_QR_CODE)                             | 422    | no-qr-code             |
| IinInTextError (IIN_IN_TEXT)                           | 422    | invalid-data, with     |
|                                                        |        | `code` and `field`     |
| RecordError, OverBudgetError, anything else            | 422    | invalid-data           |

The messages of `verify` never hold an IIN (its services and the import parser are written so), so they are passed
on as `detail`: in the reader's language when the error carries a `verify.texts.Text` (the problem's `text`, which
`install_problem_handlers` renders), else its English message. An object of another institution is answered 404,
never 403, so that an officer cannot learn which numbers other institutions hold (the officer service raises
`NotFoundError` for it).

Every problem of a `verify` error carries the extension member `code` (the stable `verify` code), and `reason`
where the error names one (`NoSignerInScopeError`); its `detail` is in the reader's language through its `Text`.

A verification whose registry cannot be read (`SchemaError`, `RegistryUnavailableError`) is answered by
`verification_unavailable`: 503 with Retry-After, never a verdict (the status is unknown).

A database that refuses connections, drops one, has no free connection in the pool, or does not answer within
the statement or lock timeout (`verify.registry.db.make_engine`) surfaces as one of `DATABASE_UNAVAILABLE`, the
driver's errors as SQLAlchemy wraps them; `problem_from_exception` answers it 503 with Retry-After
(`registry_unavailable`), on every route: the API's (`ProblemRoute`), the console's, and the others (the app's
exception handler, `web.problems.handlers`). A `RegistryUnavailableError` of the registry's own is answered
the same. The driver's message is never passed on (it may quote a parameter).

`ProblemRoute` is the route class of the API routers: a `verify.Error` a route (or its dependencies) raises is
answered as its problem, so the routes themselves convert nothing.

Sources: RFC 9457 §3 (problem details); RFC 9110 §15.5.2 (401 with WWW-Authenticate), §15.5.4 (403),
§15.5.10 (409), §10.2.3 (Retry-After); RFC 6750 §3 (the Bearer challenge and its `error` values).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from verify import Error
from verify.errors import IinInTextError, RegistryUnavailableError, SchemaError
from verify.texts import Text, text

from .handlers import ProblemError, problem_error_response

_BY_CODE: Final[dict[str, str]] = {
    "NOT_FOUND": "not-found",
    "FORBIDDEN": "forbidden",
    "CONFLICT": "conflict",
    "BLANK_STOCK": "blank-stock",
    "LIFECYCLE": "document-state",
    "NO_SIGNER_IN_SCOPE": "signer-scope",
    "KEY_STORE": "unavailable",
    "HSM": "unavailable",
    "TRUST_LIST": "unavailable",
    "SCHEMA": "unavailable",
    "REGISTRY_UNAVAILABLE": "unavailable",
    "IMAGE_TOO_LARGE": "content-too-large",
    "UNSUPPORTED_IMAGE": "unsupported-media-type",
    "UNREADABLE_IMAGE": "unreadable-image",
    "IMAGE": "unreadable-image",
    "NO_QR_CODE": "no-qr-code",
}
"""`verify.Error.code` -> problem slug (every other code, e.g. INVALID_RECORD or OVER_BUDGET: invalid-data)."""

UNREADABLE_REGISTRY: Final = (SchemaError, RegistryUnavailableError)
"""The errors of a registry whose status cannot be read: a verification is then 503, never a verdict."""
REGISTRY_UNAVAILABLE: Final = "the registry cannot be read, so the document's status is unknown; try again shortly"
UNAVAILABLE_RETRY_S: Final = 30
"""Retry-After of a verification answered 503 because the registry could not be read."""
DATABASE_UNAVAILABLE: Final = (OperationalError, InterfaceError, PoolTimeoutError)
"""SQLAlchemy's errors of a database that cannot answer now: connection refused or lost, statement or lock timeout
(PostgreSQL 57014, 55P03; SQLite "database is locked"), no free pooled connection. Never a constraint or a bad
value (IntegrityError, DataError): those are requests' faults."""
DATABASE_DOWN: Final = "the registry database cannot be reached or did not answer in time; try again shortly"
DATABASE_DOWN_MESSAGE: Final = "e_registry_unavailable"
"""The catalogue's message of `DATABASE_DOWN` (the `detail` in the reader's language)."""
BEARER_CHALLENGE: Final = 'Bearer realm="verify"'
IIN_IN_TEXT_MESSAGE: Final = "e_iin_in_text"
"""The catalogue's message for free text that holds an IIN (`verify.errors.IinInTextError`)."""


def problem_slug(code: str) -> str:
    """The problem type of a `verify.Error` code (see the module table)."""
    return _BY_CODE.get(code, "invalid-data")


def registry_unavailable() -> ProblemError:
    """503 with Retry-After for a database that cannot answer now (`DATABASE_UNAVAILABLE`); nothing of the driver's
    message is passed on."""
    return ProblemError("unavailable", DATABASE_DOWN, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)},
                        message_key=DATABASE_DOWN_MESSAGE)


def problem_from_exception(exc: BaseException) -> ProblemError | None:
    """The problem of a `verify` error or of an unavailable database (`DATABASE_UNAVAILABLE`); None for others."""
    if isinstance(exc, Error):
        return problem_from_error(exc)
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return registry_unavailable()
    return None


def problem_from_error(exc: Error) -> ProblemError:
    """The problem that answers a `verify` error (see the module table), chosen by its `code`.

    The problem carries the error's `Text` (its `detail` in the reader's language) and the members `code` (the
    stable `verify` code) and, where the error names one, `reason` (`NoSignerInScopeError`) or `field`
    (`IinInTextError`).
    """
    slug = problem_slug(exc.code)
    if exc.code == "REGISTRY_UNAVAILABLE":
        return registry_unavailable()
    extensions: dict[str, Any] = {"code": exc.code}
    if isinstance(exc, IinInTextError):  # the field named, a stable code, the message in the reader's language
        return ProblemError(slug, exc.message, extensions={**extensions, "field": exc.field},
                            message_key=IIN_IN_TEXT_MESSAGE)
    if slug == "unavailable":  # a 503 always says when to try again (RFC 9110 §10.2.3)
        return ProblemError(slug, f"{exc.message} (the operator must fix the server's configuration)",
                            text=None if exc.text is None else text("v_operator_fix", message=exc.text),
                            headers={"Retry-After": str(UNAVAILABLE_RETRY_S)}, extensions=extensions)
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str):
        extensions["reason"] = reason
    return ProblemError(slug, exc.message, text=exc.text, extensions=extensions)


def verification_unavailable() -> ProblemError:
    """503 for a verification whose registry status cannot be read (never a verdict: the status is unknown)."""
    return ProblemError("unavailable", REGISTRY_UNAVAILABLE, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)},
                        text=Text("e_status_unknown_retry"))


def unauthorized(detail: str, *, text: Text, error: str | None = None) -> ProblemError:
    """401 with a Bearer challenge (RFC 6750 §3); `error` e.g. "invalid_token"; `text` is `detail` as a `Text`
    (a message id of the catalogues), said in the reader's language."""
    challenge = BEARER_CHALLENGE + (f', error="{error}"' if error else "")
    return ProblemError("unauthorized", detail, headers={"WWW-Authenticate": challenge}, text=text)


def insufficient_scope(scopes: list[str]) -> ProblemError:
    """403 naming the scopes the request lacks (RFC 6750 §3.1 insufficient_scope)."""
    needed = " ".join(sorted(scopes))
    return ProblemError("forbidden", f"this needs the scope {needed}, which this session or token does not hold",
                        text=Text("e_insufficient_scope", {"scopes": needed}),
                        headers={"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="insufficient_scope", '
                                                     f'scope="{needed}"'})


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    return problem_error_response(registry_unavailable(), request.scope)


def install_outage_handlers(app: FastAPI) -> None:
    """Answer an unavailable database (`DATABASE_UNAVAILABLE`) 503 with Retry-After on every route of `app` (the
    routes outside `ProblemRoute` and the console: the public API's and pages')."""
    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _database_unavailable)


class ProblemRoute(APIRoute):
    """A route of the API: a `verify.Error` raised by the route or its dependencies is answered as its problem, an
    unavailable database as 503 with Retry-After."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn `verify` errors and database outages into problems."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (Error, *DATABASE_UNAVAILABLE) as exc:
                problem = problem_from_exception(exc)
                assert problem is not None
                raise problem from None

        return guarded


__all__ = ["BEARER_CHALLENGE", "DATABASE_DOWN", "DATABASE_DOWN_MESSAGE", "DATABASE_UNAVAILABLE",
           "IIN_IN_TEXT_MESSAGE", "REGISTRY_UNAVAILABLE", "UNAVAILABLE_RETRY_S", "UNREADABLE_REGISTRY",
           "ProblemRoute", "install_outage_handlers", "insufficient_scope", "problem_from_error",
           "problem_from_exception", "problem_slug", "registry_unavailable", "unauthorized",
           "verification_unavailable"]
