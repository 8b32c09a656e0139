"""Problem types of the signed-in surfaces (officers, partners, administrators), and the registry's errors as problems.

The types are added to `web.problems.PROBLEM_TYPES` when this module is imported (before any route module that
names them in its OpenAPI responses), so that `GET /problems/<slug>` describes them like the public ones.

`problem_from_error` is the one place where a `verify.Error` raised by the registry's services becomes an answer:

| error (its `code`)                          | status | type             |
|---------------------------------------------|--------|------------------|
| NotFoundError (NOT_FOUND)                   | 404    | not-found        |
| ForbiddenError (FORBIDDEN)                  | 403    | forbidden        |
| ConflictError (CONFLICT)                    | 409    | conflict         |
| StockError (BLANK_STOCK)                    | 409    | blank-stock      |
| LifecycleError (LIFECYCLE)                  | 409    | document-state   |
| KeyStoreError, TrustListError, SchemaError  | 503    | unavailable      |
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

from .problems import PROBLEM_TYPES, ProblemError, ProblemType

STAFF_PROBLEM_TYPES: Final = (
    ProblemType("unauthorized", 401, "Authentication required",
                "Sign in (POST /api/v1/auth/login) and send the session cookie, or send an API token as "
                "`Authorization: Bearer vfy_...`. The token or session may also have expired or been revoked, or "
                "the account disabled; the WWW-Authenticate header says which scheme to use."),
    ProblemType("login-failed", 401, "Sign-in failed",
                "The username and password do not open an account. The same answer is given for an unknown "
                "username, a wrong password and a disabled account, so that accounts cannot be probed."),
    ProblemType("forbidden", 403, "Forbidden",
                "The account is signed in but may not do this: its token lacks the scope the endpoint needs, or "
                "the officer's role does not allow it (a viewer changes nothing; only the head annuls)."),
    ProblemType("csrf-failed", 403, "CSRF check failed",
                "A request that changes something and authenticates with the session cookie must carry the "
                "X-CSRF-Token header given at sign-in (also in GET /api/v1/auth/me). API clients should use a "
                "bearer token instead of the cookie."),
    ProblemType("conflict", 409, "Conflict",
                "The request conflicts with what the registry holds: a BIN, username or number that is taken, an "
                "overlapping blank range, or an idempotency key used before with other parameters."),
    ProblemType("blank-stock", 409, "Blank stock",
                "No free blank in the institution's stock for this series, or the blank number is outside the "
                "stock (seed 000, items 7 and 17). Record the blanks received first."),
    ProblemType("document-state", 409, "Document state",
                "The document's state forbids this: an annulment is final, and a document replaced by a duplicate "
                "is void (seed 000, item 21). Act on the document in force."),
    ProblemType("invalid-data", 422, "Invalid data",
                "The request has the right shape but the registry refused its content; `detail` says which field "
                "and why. Nothing was written."),
    ProblemType("import-rejected", 422, "Import rejected",
                "The graduates file has errors; nothing was imported (all or nothing). `rows` lists every error "
                "by row and column, so that the whole file can be fixed at once; `warnings` what would be kept."),
)
"""The problem types this module adds to `PROBLEM_TYPES`."""

for _problem in STAFF_PROBLEM_TYPES:
    if PROBLEM_TYPES.setdefault(_problem.slug, _problem) != _problem:
        raise RuntimeError(f"problem type {_problem.slug} is defined twice")

_BY_CODE: Final[dict[str, str]] = {
    "NOT_FOUND": "not-found",
    "FORBIDDEN": "forbidden",
    "CONFLICT": "conflict",
    "BLANK_STOCK": "blank-stock",
    "LIFECYCLE": "document-state",
    "KEY_STORE": "unavailable",
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
