"""The catalogue of problem types (RFC 9457 §3.1.1): every `type` the service answers with, in one place.

`web.problems.handlers` answers with them, `web.public.api` serves `GET /problems/<slug>`, and
`web.problems.errors` maps `verify`'s errors onto them. Statuses follow RFC 9110 §15 and RFC 6585 §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of problem.

    Attributes:
        slug: the last segment of the type URI `/problems/<slug>`.
        status: the HTTP status code it is answered with.
        title: a short summary, the same for every occurrence (RFC 9457 §3.1.3).
        description: what it means and what the client can do; served at `/problems/<slug>`.
    """

    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        """The `type` member: `/problems/<slug>`."""
        return f"/problems/{self.slug}"


PUBLIC_PROBLEM_TYPES: Final = (
    ProblemType("bad-request", 400, "Bad request",
                "The request could not be read: a malformed body, nested too deeply, or a bad header."),
    ProblemType("not-found", 404, "Not found",
                "No such resource, or no document matches what was asked. The same answer is given whether or "
                "not a document number exists, so that numbers and surnames cannot be probed."),
    ProblemType("method-not-allowed", 405, "Method not allowed",
                "The resource exists but not with this method; the Allow header lists the methods it takes."),
    ProblemType("content-too-large", 413, "Content too large",
                "The request body or the picture is over the size cap (RFC 9110 §15.5.14): 64 KiB for JSON "
                "bodies, 10 MiB and 40 megapixels for pictures by default."),
    ProblemType("unsupported-media-type", 415, "Unsupported media type",
                "JSON endpoints take application/json; the scan endpoint takes multipart/form-data with a JPEG, "
                "PNG or WebP picture in the field `photo` (RFC 9110 §15.5.16)."),
    ProblemType("invalid-request", 422, "Invalid request",
                "The request is well-formed but its content does not match the schema; `errors` says where."),
    ProblemType("unreadable-image", 422, "Unreadable image",
                "The picture could not be decoded: truncated, corrupt, or too complex to decode in time."),
    ProblemType("no-qr-code", 422, "No QR code",
                "The picture was read but no QR code was found in it. Take the photo closer, in focus, with the "
                "whole code inside the frame."),
    ProblemType("too-many-codes", 422, "Too many QR codes",
                "The picture holds more QR codes than are verified from one picture (VERIFY_SCAN_MAX_CODES, 8 by "
                "default). Photograph one document at a time; nothing was verified."),
    ProblemType("rate-limited", 429, "Too many requests",
                "This client sent too many requests; Retry-After says how many seconds to wait (RFC 6585 §4)."),
    ProblemType("internal-error", 500, "Internal error",
                "The server failed. The failure was logged under the request id given as `instance`."),
    ProblemType("busy", 503, "Busy",
                "Every picture decoder is busy and the queue is full; Retry-After says when to try again "
                "(RFC 9110 §15.6.4, §10.2.3)."),
    ProblemType("unavailable", 503, "Unavailable",
                "A service this answer needs (the registry database, the trust list) is not available."),
)
"""What anyone may be answered: bad input, limits, decoding, the service's own state."""

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
    ProblemType("signer-scope", 409, "No signer may sign this",
                "No active document signer's scope holds the document's series and institution at the signing "
                "time (DESIGN.md, Trust model), so nothing was signed or stored. `code` is NO_SIGNER_IN_SCOPE; "
                "`reason` says why: `no_signer` (none is active), `series` (none holds the series) or "
                "`institution` (none holds it for this institution). The administrator creates or rotates the "
                "institution's signer (POST /api/v1/admin/institutions/{bin}/signer)."),
    ProblemType("invalid-data", 422, "Invalid data",
                "The request has the right shape but the registry refused its content; `detail` says which field "
                "and why. Nothing was written."),
    ProblemType("import-rejected", 422, "Import rejected",
                "The graduates file has errors; nothing was imported (all or nothing). `rows` lists every error "
                "by row and column, so that the whole file can be fixed at once; `warnings` what would be kept."),
)
"""What the signed-in surfaces (officers, partners, administrators) may also be answered."""

PROBLEM_TYPES: Final[dict[str, ProblemType]] = {p.slug: p for p in (*PUBLIC_PROBLEM_TYPES, *STAFF_PROBLEM_TYPES)}
"""Every problem type the service answers with, by slug."""
if len(PROBLEM_TYPES) != len(PUBLIC_PROBLEM_TYPES) + len(STAFF_PROBLEM_TYPES):
    raise RuntimeError("a problem type is defined twice")
