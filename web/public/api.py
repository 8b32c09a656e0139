"""The public, anonymous surface: the QR link, verify, scan, lookup, trust list, health, metrics.

| route                      | answer                                                                      |
|----------------------------|-----------------------------------------------------------------------------|
| GET /V/{digits}, /v/...    | the verification page, or the report JSON for `Accept: application/json`   |
| POST /api/v1/verify        | {"qr_text"} -> the report JSON                                              |
| POST /api/v1/scan          | multipart `photo` -> {"results": [report, ...]} for each QR code in it      |
| POST /api/v1/lookup        | {series, number, surname} -> the report of the registry's current record    |
| GET /api/v1/trust-list     | the signed trust list as stored, cacheable for 300 s (ETag, 304)            |
| GET /api/v1/status-lists   | the index of the signed status lists (docs/FORMAT.md §9.8; ETag, 304)      |
| GET /api/v1/status-lists/S | series S's signed status list, `application/cose` (ETag, 304)              |
| GET /healthz               | database reachable, trust list version and expiry; 503 problem if not       |
| GET /api/v1/ping           | {"ok": true}: the process answers (liveness probe; the HTTP benchmark's     |
|                            | baseline, `bench/bench_http.py`)                                            |
| GET /metrics               | Prometheus text format                                                      |
| GET /problems/{slug}       | what a problem type means                                                   |

Every verification runs the core verifier with the registry as its `StatusLookup` (`web.public.service`, which
the pages call too), pinned to the configured host: a QR text naming another host fails step 1 (its link would
send a phone elsewhere). The link route rebuilds the text as `qr_prefix(base_url) + digits`. The report is the
typed `VerificationReport` until it leaves: its JSON (`to_json()`) or its page (`web.public.verdict`).

Routes that block (the ORM reads of a page or a lookup, waiting for a picture's decoding) are plain `def`:
FastAPI runs them in its threadpool, so the event loop keeps answering meanwhile. `POST /api/v1/verify`, the
busiest, is `async`: its checks are a tenth of a millisecond of CPU and its registry question is awaited
(`verify.registry.async_lookup`), which costs far less than a thread hop (docs/bench-http.md). Rate limits
(`web.http.ratelimit`) and body caps (`web.http.guards`) run before these functions, keyed by `RATE_BUCKETS` and
`UPLOAD_PATHS`.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Header, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Route

from verify.errors import StatusListError
from verify.texts import Text, rfc3339

from ..deps import ServicesDep, require_json, require_multipart, utcnow
from ..http.bodies import ReportResponse, json_request_body, read_json
from ..http.guards import CLIENT_KEY
from ..problems.catalogue import PROBLEM_TYPES
from ..problems.errors import (
    UNAVAILABLE_RETRY_S,
    UNREADABLE_REGISTRY,
    unauthorized,
    verification_unavailable,
)
from ..problems.handlers import ProblemError
from ..problems.openapi import (
    INTERNAL,
    INVALID,
    JSON_ONLY,
    RATE_LIMITED,
    TOO_LARGE,
    UNAVAILABLE,
    ProblemTypeModel,
    problem_responses,
)
from ..runtime.backoffice import backoffice_of
from ..runtime.lists import StatusLists, status_lists_of
from ..runtime.services import Services, services_of
from ..ui.render import PAGE_VARY
from . import service
from .appendixview import check_for_page
from .schemas import (
    HEALTH_EXAMPLE,
    MALFORMED_EXAMPLE,
    REPORT_EXAMPLE,
    HealthModel,
    LookupRequest,
    PingModel,
    ReportModel,
    ScanResultsModel,
    VerifyRequest,
)
from .service import LOOKUP_NOT_FOUND, check_text, check_text_on_loop, scan_picture
from .verdict import unavailable_page, verdict_response

RATE_BUCKETS: Final = {"/V/{digits}": "verify", "/v/{digits}": "verify", "/api/v1/verify": "verify",
                       "/api/v1/scan": "scan", "/api/v1/lookup": "lookup", "/api/v1/trust-list": "trust_list",
                       "/api/v1/status-lists": "status_lists", "/api/v1/status-lists/{series}": "status_lists"}
"""Route template -> rate-limit bucket (`web.http.ratelimit`)."""
UPLOAD_PATHS: Final = ("/api/v1/scan",)
"""Paths whose body cap is the upload cap (`web.http.guards.BodySizeLimit`)."""
TRUST_LIST_CACHE: Final = "public, max-age=300"
STATUS_LIST_CACHE: Final = "public, max-age=60"
"""Status lists change with every lifecycle change: a minute of caching, then revalidation by ETag (304)."""
COSE_MEDIA_TYPE: Final = "application/cose"
"""RFC 9052 §11.2 (the COSE_Sign1 bytes of a status list, docs/FORMAT.md §9.3)."""
MAX_SERIES_CHARS: Final = 16


router = APIRouter()


def prefers_json(accept: str | None) -> bool:
    """Whether an Accept header (RFC 9110 §12.5.1) prefers application/json to text/html.

    Media ranges are weighed by their q values and specificity; with no Accept header, `*/*`, or a tie, the page
    (text/html) wins, because that is what a phone's browser opening the QR link should get.
    """
    if not accept:
        return False
    best = {"application/json": (0.0, -1), "text/html": (0.0, -1)}  # (q, specificity) of the most specific match
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        for wanted in best:
            kind = wanted.split("/", 1)[0]
            specificity = 2 if media == wanted else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if specificity > best[wanted][1]:
                best[wanted] = (q, specificity)
    return best["application/json"][0] > best["text/html"][0]


_REPORT_CONTENT: Final = {"application/json": {"schema": {"$ref": "#/components/schemas/ReportModel"},
                                               "examples": {"valid": {"summary": "an original in force",
                                                                      "value": REPORT_EXAMPLE},
                                                            "malformed": {"summary": "not a record of the format",
                                                                          "value": MALFORMED_EXAMPLE}}}}


@router.get(
    "/V/{digits}", tags=["verification"], summary="Open a QR link", response_class=HTMLResponse,
    operation_id="openLink",
    responses={200: {"description": "The verdict: an HTML page, or the report JSON for Accept: application/json",
                     "content": {"text/html": {"example": "<!doctype html><html lang=\"en\">...Valid document..."},
                                 **_REPORT_CONTENT}},
               **problem_responses(RATE_LIMITED, INTERNAL, UNAVAILABLE)},
)
@router.get("/v/{digits}", include_in_schema=False)
def open_link(digits: str, request: Request, services: ServicesDep) -> Response:
    """The page a phone opens from the QR code: the verdict first, then the printed fields to compare.

    The QR text is rebuilt from the configured host and the digits of the path. An HTTP error is never used for
    a verdict: every verdict, also MALFORMED or ANNULLED, is a 200 answer. A registry that cannot be read is 503
    with Retry-After: the problem for JSON, a page saying to try again for a browser.
    """
    wants_json = prefers_json(request.headers.get("accept"))
    try:
        report = check_text(services, services.prefix + digits, source="link")
    except ProblemError as exc:
        if wants_json or exc.problem.slug != "unavailable":
            raise
        return unavailable_page(request, exc)  # a person with a phone reads a page, never a verdict
    if wants_json:
        return JSONResponse(report.to_json(), headers={"Vary": PAGE_VARY})
    try:
        appendix = check_for_page(services, report, services.prefix + digits)
    except ProblemError as exc:
        return unavailable_page(request, exc)
    return verdict_response(request, [report], appendices=[appendix])


@router.post(
    "/api/v1/verify", tags=["verification"], summary="Verify a QR text",
    operation_id="verifyText",
    response_model=ReportModel, openapi_extra=json_request_body(VerifyRequest),
    responses={200: {"description": "The report (docs/FORMAT.md §7.3)", "content": _REPORT_CONTENT},
               **problem_responses(TOO_LARGE, JSON_ONLY, INVALID, RATE_LIMITED, INTERNAL, UNAVAILABLE)},
)
async def verify_text(request: Request) -> JSONResponse:
    """Verify one QR text (as a scanner app read it) and answer with the report.

    Runs on the event loop (no worker thread): the body is read by `web.http.bodies.read_json`, the checks are CPU
    work of a tenth of a millisecond, and the registry is awaited (`verify.registry.async_lookup`).
    """
    body = await read_json(request, VerifyRequest)
    report = await check_text_on_loop(services_of(request), body.qr_text, source="api")
    return ReportResponse(report.to_json())


@router.post(
    "/api/v1/scan", tags=["verification"], summary="Verify the QR codes in a photo",
    operation_id="scanPhoto",
    dependencies=[Depends(require_multipart)], response_model=ScanResultsModel,
    responses={200: {"description": "A report for each QR code, top to bottom, left to right",
                     "content": {"application/json": {"example": {"results": [REPORT_EXAMPLE]}}}},
               **problem_responses(
                   ("content-too-large", "PNG image of 30000 x 30000 pixels is over the cap of 40000000 pixels"),
                   ("unsupported-media-type", "not a JPEG, PNG or WebP image"),
                   ("unreadable-image", "JPEG image could not be decoded: OSError: image file is truncated"),
                   ("no-qr-code", "no QR code found in the picture"),
                   ("too-many-codes", "the picture holds 12 QR codes, more than the 8 verified from one picture: "
                                      "photograph one document at a time"),
                   INVALID, RATE_LIMITED,
                   ("busy", "all 2 decoders are busy and 8 pictures are waiting"), INTERNAL, UNAVAILABLE)},
)
def scan_photo(photo: Annotated[UploadFile, File(description="a JPEG, PNG or WebP picture, at most 10 MiB, 40 MP")],
               services: ServicesDep, request: Request) -> JSONResponse:
    """Find every QR code in a photo, scan or screenshot and verify each.

    The picture is checked from its header first (size in bytes, format by its magic bytes, pixel size), then
    decoded in a separate, memory-capped process with a time limit. At most VERIFY_SCAN_MAX_CODES codes (8) are
    verified from one picture, each counted against the client's verification rate limit.
    """
    data = photo.file.read(services.scan_limits.max_image_bytes + 1)
    reports = scan_picture(services, data, client=str(request.scope.get(CLIENT_KEY) or "unknown"))
    return JSONResponse({"results": [report.to_json() for report in reports]})


@router.post(
    "/api/v1/lookup", tags=["verification"], summary="Look up a document by series, number and surname",
    operation_id="lookupDocument",
    dependencies=[Depends(require_json)], response_model=ReportModel,
    responses={200: {"description": "The report of the registry's current signed record of the document",
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportModel"},
                                                      "example": REPORT_EXAMPLE}}},
               **problem_responses(("not-found", LOOKUP_NOT_FOUND), TOO_LARGE, JSON_ONLY,
                                   ("invalid-request", "number: must be exactly seven digits (leading zeros count)"),
                                   RATE_LIMITED, INTERNAL, UNAVAILABLE)},
)
def lookup_document(body: LookupRequest, services: ServicesDep) -> JSONResponse:
    """The verdict on the registry's current signed record of a document, for a person holding the paper.

    The surname must match the record's (case-insensitive, Unicode NFC). An unknown number and a wrong surname
    get the very same 404 answer, so the endpoint cannot tell anyone which numbers exist or whose they are. A
    number typed without its leading zeros is padded to seven digits.
    """
    return JSONResponse(service.lookup_document(services, body).to_json())


@router.get(
    "/api/v1/trust-list", tags=["trust"], summary="The signed trust list",
    operation_id="getTrustList",
    responses={200: {"description": "The trust list JSON exactly as signed (docs/FORMAT.md §6)",
                     "content": {"application/json": {"example": {
                         "payload": {"type": "verify-trust-list", "format": 1, "version": 3,
                                     "environment": "production", "issued_at": "2026-07-01T00:00:00Z",
                                     "expires_at": "2026-07-31T00:00:00Z", "root_kid": "5e2b7c0a91d4f3e8",
                                     "signers": ["..."]},
                         "signature": {"alg": "EdDSA", "kid": "5e2b7c0a91d4f3e8", "value": "..."}}}}},
               304: {"description": "Not modified (If-None-Match matched the ETag)"},
               **problem_responses(RATE_LIMITED)},
)
def get_trust_list(request: Request, services: ServicesDep) -> Response:
    """The root-signed list of document signers that offline verifiers use; cacheable for five minutes."""
    snapshot = services.trust.current()
    return cached(request, snapshot.document, etag=snapshot.etag, cache=TRUST_LIST_CACHE,
                  media_type="application/json")


def not_modified(request: Request, etag: str) -> bool:
    """Whether If-None-Match (RFC 9110 §13.1.2) matches `etag`: `*`, or one of its tags by weak comparison."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in [tag.removeprefix("W/") for tag in tags]


def cached(request: Request, body: bytes, *, etag: str, cache: str, media_type: str) -> Response:
    """`body` with its ETag and Cache-Control, or 304 Not Modified with the same headers (RFC 9110 §15.4.5)."""
    headers = {"Cache-Control": cache, "ETag": etag}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _status_lists(request: Request, services: Services) -> StatusLists:
    office = backoffice_of(request)
    return status_lists_of(readers=services.sessions, writer=office.engine, keys=office.keys)


@router.get(
    "/api/v1/status-lists", tags=["trust"], summary="The index of the signed status lists",
    operation_id="getStatusListIndex",
    responses={200: {"description": "Which series have a signed status list: version, times, size and SHA-256 of "
                                    "each (docs/FORMAT.md §9.8; not signed: every list is verified on its own)",
                     "content": {"application/json": {"example": {
                         "type": "verify-status-list-index", "format": 1, "generated_at": "2026-11-01T06:00:00Z",
                         "lists": [{"series": "BD", "version": 7, "issued_at": "2026-11-01T06:00:00Z",
                                    "next_update": "2026-11-02T06:00:00Z", "expires_at": "2026-11-08T06:00:00Z",
                                    "bytes": 201, "sha256": "0" * 64}]}}}},
               304: {"description": "Not modified (If-None-Match matched the ETag)"},
               **problem_responses(RATE_LIMITED, UNAVAILABLE)},
)
def get_status_list_index(request: Request, services: ServicesDep) -> Response:
    """Which signed status lists exist (a list due after a lifecycle change is signed first); cacheable 60 s."""
    try:
        published = _status_lists(request, services).index(utcnow())
    except UNREADABLE_REGISTRY:
        raise verification_unavailable() from None
    return cached(request, published.body, etag=published.etag, cache=STATUS_LIST_CACHE,
                  media_type="application/json")


@router.get(
    "/api/v1/status-lists/{series}", tags=["trust"], summary="One series' signed status list",
    operation_id="getStatusList", response_class=Response,
    responses={200: {"description": "The COSE_Sign1 bytes of the series' newest list (docs/FORMAT.md §9.3); the "
                                    "ETag is their SHA-256 in double quotes",
                     "content": {COSE_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
               304: {"description": "Not modified (If-None-Match matched the ETag)"},
               **problem_responses(("not-found", "no status list of series XX"), RATE_LIMITED, UNAVAILABLE)},
)
def get_status_list(series: str, request: Request, services: ServicesDep) -> Response:
    """The signed status list of one series (signed first when due); cacheable 60 s."""
    if len(series) > MAX_SERIES_CHARS or not series.isprintable():
        raise ProblemError("not-found", "no status list of this series", text=Text("e_no_status_list_here"))
    try:
        published = _status_lists(request, services).series_list(series, utcnow())
    except UNREADABLE_REGISTRY:
        raise verification_unavailable() from None
    except StatusListError as exc:
        raise ProblemError("unavailable", exc.message, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)},
                           text=exc.text) from None
    if published is None:
        raise ProblemError("not-found", f"no status list of series {series}",
                           text=Text("e_no_status_list", {"series": series}))
    return cached(request, published.body, etag=published.etag, cache=STATUS_LIST_CACHE, media_type=COSE_MEDIA_TYPE)


_PONG: Final = {"ok": True}


@router.get(
    "/api/v1/ping", tags=["operations"], summary="Liveness", response_model=PingModel,
    operation_id="ping",
    responses={200: {"description": "This process answers HTTP requests",
                     "content": {"application/json": {"example": {"ok": True}}}}},
)
async def ping() -> JSONResponse:
    """Answers `{"ok": true}` without looking at anything: a liveness probe (readiness is `GET /healthz`)."""
    return JSONResponse(_PONG)


async def _ping(_: Request) -> JSONResponse:
    return await ping()


DIRECT_ROUTES: Final[tuple[BaseRoute, ...]] = (
    Route("/api/v1/verify", verify_text, methods=["POST"], name="verify_text", include_in_schema=False),
    Route("/api/v1/ping", _ping, methods=["GET"], name="ping", include_in_schema=False),
)
"""Routes `web.app` puts first in the application's routing table, as plain Starlette routes: what FastAPI's route
adds (its router's match, dependency solving, its exit stacks, response-model handling) costs a request about a
quarter of the trivial answer (0.29 of 1.2 million instructions, counted in process: issue 16), and neither
`verify_text` nor `ping` uses any of it: the one reads its own body and returns its response, the other answers
a constant. The liveness probe is the HTTP benchmark's trivial answer (`bench/bench_http.py`): it takes the same
route as the verification, so that the ratio of the two compares the verification's own work, not two routings.
The FastAPI routes above stay for the OpenAPI document and are never reached for these methods. A request answers
exactly as before: the same middleware, the same exception handlers (Starlette's `request_response` applies the
app's), and the same 405 with `Allow` for another method (a HEAD of the liveness probe now answers as its GET,
without a body: RFC 9110 §9.3.2)."""


@router.get(
    "/healthz", tags=["operations"], summary="Health", response_model=HealthModel,
    operation_id="getHealth",
    responses={200: {"description": "This process can verify",
                     "content": {"application/json": {"example": HEALTH_EXAMPLE}}},
               **problem_responses(("unavailable", "the registry database cannot be reached"))},
)
async def health(services: ServicesDep) -> JSONResponse:
    """Whether this process can verify: the database answers and a trust list is loaded (its version, expiry)."""
    trust_list = services.trust.current().trust_list
    now = utcnow()
    info = {"version": trust_list.version, "environment": trust_list.environment,
            "issued_at": rfc3339(trust_list.issued_at),
            "expires_at": rfc3339(trust_list.expires_at),
            "expired": trust_list.is_expired(now)}
    checks: dict[str, Any] = {
        "status": "ok", "database": "ok" if await run_in_threadpool(services.database_reachable) else "unavailable",
        "rate_limit_storage": "ok" if await services.limiter.healthy() else "unavailable", "trust_list": info,
        "scan_pool": {"workers": services.pool.workers, "busy": services.pool.busy, "waiting": services.pool.waiting},
    }
    if checks["database"] != "ok":
        checks["status"] = "unavailable"
        raise ProblemError("unavailable", "the registry database cannot be reached", extensions={"checks": checks},
                           text=Text("e_db_unreachable"))
    return JSONResponse(checks)


METRICS_TOKEN_MISSING: Final = ("unauthorized", "send the metrics token: Authorization: Bearer <VERIFY_METRICS_TOKEN>")
METRICS_NOT_SERVED: Final = ("not-found", "metrics are not served without VERIFY_METRICS_TOKEN in production")


@router.get(
    "/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response,
    operation_id="getMetrics",
    responses={200: {"description": "Prometheus text exposition format 0.0.4", "content": {"text/plain": {
        "example": 'verify_verdicts_total{source="link",verdict="VALID"} 42.0'}}},
        **problem_responses(METRICS_TOKEN_MISSING, METRICS_NOT_SERVED)},
)
def metrics(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> Response:
    """Request counts and latency by route template and status, verdict counts, decoding queue depth, build
    and process metrics, the trust list's version and expiry; behind `VERIFY_METRICS_TOKEN` (issue 14 item 8)."""
    allowed = services.metrics.access.allows(authorization)
    if allowed is None:
        raise ProblemError(*METRICS_NOT_SERVED, text=Text("e_metrics_not_served"))
    if not allowed:
        raise unauthorized(METRICS_TOKEN_MISSING[1], text=Text("e_metrics_token"))
    body, media_type = services.metrics.render()
    return Response(body, media_type=media_type)


@router.get(
    "/problems/{slug}", tags=["operations"], summary="A problem type", response_model=ProblemTypeModel,
    operation_id="describeProblem",
    responses=problem_responses(("not-found", "no resource at this path")),
)
async def describe_problem(slug: str) -> JSONResponse:
    """What a problem `type` of this service means (the target of its `/problems/<slug>` URI)."""
    problem = PROBLEM_TYPES.get(slug)
    if problem is None:
        raise ProblemError("not-found", "no problem type with this name", text=Text("e_no_problem_type"))
    return JSONResponse({"type": problem.uri, "title": problem.title, "status": problem.status,
                         "description": problem.description}, headers={"Cache-Control": "public, max-age=86400"})
