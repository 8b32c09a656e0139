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
| KeyStoreError, TrustListError, SchemaError,            | 503    | unavailable            |
| RegistryUnavailableError                               |        |                        |
| HsmError (HSM: the token cannot sign)                  | 503    | unavailable            |
| ImageTooLargeError (IMAGE_TOO_LARGE)                   | 413    | content-too-large      |
| UnsupportedImageError (UNSUPPORTED_IMAGE)              | 415    | unsupported-media-type |
| UnreadableImageError, ImageError                       | 422    | unreadable-image       |
| NoQRCodeError (NO_QR_CODE)                             | 422    | no-qr-code             |
| RecordError, OverBudgetError, anything else            | 422    | invalid-data           |

The messages of `verify` never hold an IIN (its services and the import parser are written so), so they are passed
on as `detail`: in the reader's language when the error carries a `verify.texts.Text` (the problem's `text`, which
`install_problem_handlers` renders), else its English message. An object of another institution is answered 404,
never 403, so that an officer cannot learn which numbers other institutions hold (the officer service raises
`NotFoundError` for it).

A verification whose registry cannot be read (`SchemaError`, `RegistryUnavailableError`) is answered by
`verification_unavailable`: 503 with Retry-After, never a verdict (the status is unknown).

`ProblemRoute` is the route class of the API routers: a `verify.Error` a route (or its dependencies) raises is
answered as its problem, so the routes themselves convert nothing.

Sources: RFC 9457 §3 (problem details); RFC 9110 §15.5.2 (401 with WWW-Authenticate), §15.5.4 (403),
§15.5.10 (409), §10.2.3 (Retry-After); RFC 6750 §3 (the Bearer challenge and its `error` values).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request, Response
from fastapi.routing import APIRoute

from verify import Error
from verify.errors import RegistryUnavailableError, SchemaError
from verify.texts import text

from .handlers import ProblemError

_BY_CODE: Final[dict[str, str]] = {
    "NOT_FOUND": "not-found",
    "FORBIDDEN": "forbidden",
    "CONFLICT": "conflict",
    "BLANK_STOCK": "blank-stock",
    "LIFECYCLE": "document-state",
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
BEARER_CHALLENGE: Final = 'Bearer realm="verify"'


def problem_slug(code: str) -> str:
    """The problem type of a `verify.Error` code (see the module table)."""
    return _BY_CODE.get(code, "invalid-data")


def problem_from_error(exc: Error) -> ProblemError:
    """The problem that answers a `verify` error (see the module table), chosen by its `code`."""
    slug = problem_slug(exc.code)
    if slug == "unavailable":
        return ProblemError(slug, f"{exc.message} (the operator must fix the server's configuration)",
                            text=None if exc.text is None else text("v_operator_fix", message=exc.text))
    return ProblemError(slug, exc.message, text=exc.text)


def verification_unavailable() -> ProblemError:
    """503 for a verification whose registry status cannot be read (never a verdict: the status is unknown)."""
    return ProblemError("unavailable", REGISTRY_UNAVAILABLE, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)})


def unauthorized(detail: str, *, error: str | None = None) -> ProblemError:
    """401 with a Bearer challenge (RFC 6750 §3); `error` e.g. "invalid_token"."""
    challenge = BEARER_CHALLENGE + (f', error="{error}"' if error else "")
    return ProblemError("unauthorized", detail, headers={"WWW-Authenticate": challenge})


def insufficient_scope(scopes: list[str]) -> ProblemError:
    """403 naming the scopes the request lacks (RFC 6750 §3.1 insufficient_scope)."""
    needed = " ".join(sorted(scopes))
    return ProblemError("forbidden", f"this needs the scope {needed}, which this session or token does not hold",
                        headers={"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="insufficient_scope", '
                                                     f'scope="{needed}"'})


class ProblemRoute(APIRoute):
    """A route of the API: a `verify.Error` raised by the route or its dependencies is answered as its problem."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn `verify` errors into problems (`problem_from_error`)."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Error as exc:
                raise problem_from_error(exc) from None

        return guarded


__all__ = ["BEARER_CHALLENGE", "REGISTRY_UNAVAILABLE", "UNAVAILABLE_RETRY_S", "UNREADABLE_REGISTRY",
           "ProblemRoute", "insufficient_scope", "problem_from_error", "problem_slug", "unauthorized",
           "verification_unavailable"]
