"""The registry's errors as problems of the signed-in surfaces (officers, partners, administrators).

The problem types themselves are in the one catalogue, `web.problemtypes`.

`problem_from_error` is the one place where a `verify.Error` raised by the registry's services becomes an answer:

| error (its `code`)                          | status | type             |
|---------------------------------------------|--------|------------------|
| NotFoundError (NOT_FOUND)                   | 404    | not-found        |
| ForbiddenError (FORBIDDEN)                  | 403    | forbidden        |
| ConflictError (CONFLICT)                    | 409    | conflict         |
| StockError (BLANK_STOCK)                    | 409    | blank-stock      |
| LifecycleError (LIFECYCLE)                  | 409    | document-state   |
| KeyStoreError, TrustListError, SchemaError  | 503    | unavailable      |
| HsmError (HSM: the token cannot sign)       | 503    | unavailable      |
| RecordError, OverBudgetError, anything else | 422    | invalid-data     |

The registry's messages never hold an IIN (its services and the import parser are written so), so they are
passed on as `detail`. An object of another institution is answered 404 by the routes, never 403, so that an
officer cannot learn which numbers other institutions hold.

Sources: RFC 9457 §3 (problem details); RFC 9110 §15.5.2 (401 with WWW-Authenticate), §15.5.4 (403),
§15.5.10 (409); RFC 6750 §3 (the Bearer challenge and its `error` values).
"""

from __future__ import annotations

from typing import Final

from verify import Error

from .problems import ProblemError

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
}
"""`verify.Error.code` -> problem slug (every other code, e.g. INVALID_RECORD or OVER_BUDGET: invalid-data)."""

BEARER_CHALLENGE: Final = 'Bearer realm="verify"'


def problem_from_error(exc: Error) -> ProblemError:
    """The problem that answers a registry or key-store error (see the module table), chosen by its `code`."""
    slug = _BY_CODE.get(exc.code, "invalid-data")
    if slug == "unavailable":
        return ProblemError(slug, f"{exc.message} (the operator must fix the server's configuration)")
    return ProblemError(slug, exc.message)


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
