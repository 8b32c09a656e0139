"""The public, anonymous surface: the QR link, verify, scan, lookup, trust list, health, metrics.

| route                      | answer                                                                      |
|----------------------------|-----------------------------------------------------------------------------|
| GET /V/{digits}, /v/...    | the verification page, or the report JSON for `Accept: application/json`   |
| POST /api/v1/verify        | {"qr_text"} -> the report JSON                                              |
| POST /api/v1/scan          | multipart `photo` -> {"results": [report, ...]} for each QR code in it      |
| POST /api/v1/lookup        | {series, number, surname} -> the report of the registry's current record    |
| GET /api/v1/trust-list     | the signed trust list as stored, cacheable for 300 s                        |
| GET /healthz               | database reachable, trust list version and expiry; 503 problem if not       |
| GET /api/v1/ping           | {"ok": true}: the process answers (liveness probe; the HTTP benchmark's     |
|                            | baseline, `bench/bench_http.py`)                                            |
| GET /metrics               | Prometheus text format                                                      |
| GET /problems/{slug}       | what a problem type means                                                   |

Every verification runs the core verifier with the registry as its `StatusLookup`, pinned to the configured
host: a QR text naming another host fails step 1 (its link would send a phone elsewhere). The link route
rebuilds the text as `qr_prefix(base_url) + digits`.

Routes that block (the ORM reads of a page or a lookup, waiting for a picture's decoding) are plain `def`:
FastAPI runs them in its threadpool, so the event loop keeps answering meanwhile. `POST /api/v1/verify`, the
busiest, is `async`: its checks are a tenth of a millisecond of CPU and its registry question is awaited
(`verify.registry.async_lookup`), which costs far less than a thread hop (docs/bench-http.md). Rate limits
(`web.ratelimit`) and body caps (`web.guards`) run before these functions, keyed by `RATE_BUCKETS` and
`UPLOAD_PATHS`.
"""

from __future__ import annotations

import hmac
import unicodedata
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from verify import Error, VerificationReport
from verify.codec import split_qr_text
from verify.errors import RegistryUnavailableError, SchemaError
from verify.registry.documents import get_document, get_revision
from verify.scan import probe_image

from ..http.bodies import ReportResponse, json_request_body, read_json, require_json
from ..problems.catalogue import PROBLEM_TYPES
from ..problems.handlers import ProblemError
from ..runtime.scanpool import PoolBusyError, ScanFailedError
from ..runtime.services import Services, utcnow
from ..ui.render import PAGE_VARY, verdict_response
from .schemas import (
    HEALTH_EXAMPLE,
    MALFORMED_EXAMPLE,
    REPORT_EXAMPLE,
    HealthModel,
    LookupRequest,
    PingModel,
    ProblemTypeModel,
    ReportModel,
    ScanResultsModel,
    VerifyRequest,
    problem_responses,
)

RATE_BUCKETS: Final = {"/V/{digits}": "verify", "/v/{digits}": "verify", "/api/v1/verify": "verify",
                       "/api/v1/scan": "scan", "/api/v1/lookup": "lookup", "/api/v1/trust-list": "trust_list"}
"""Route template -> rate-limit bucket (`web.ratelimit`)."""
UPLOAD_PATHS: Final = ("/api/v1/scan",)
"""Paths whose body cap is the upload cap (`web.guards.BodySizeLimit`)."""
TRUST_LIST_CACHE: Final = "public, max-age=300"
LOOKUP_NOT_FOUND: Final = "no document with this series and number and this surname in the registry"

_SCAN_PROBLEMS: Final = {"IMAGE_TOO_LARGE": "content-too-large", "UNSUPPORTED_IMAGE": "unsupported-media-type",
                         "UNREADABLE_IMAGE": "unreadable-image", "NO_QR_CODE": "no-qr-code"}
_RATE_LIMITED: Final = ("rate-limited", "too many requests; try again in 17 s")
_TOO_LARGE: Final = ("content-too-large", "the request body is over the cap of 65536 bytes")
_INVALID: Final = ("invalid-request", "the request does not match the schema; see errors")
_JSON_ONLY: Final = ("unsupported-media-type", "send the request body as application/json")
_INTERNAL: Final = ("internal-error", "the server failed; the failure was logged under this instance id")
REGISTRY_UNAVAILABLE: Final = "the registry cannot be read, so the document's status is unknown; try again shortly"
_UNAVAILABLE: Final = ("unavailable", REGISTRY_UNAVAILABLE)
UNAVAILABLE_RETRY_S: Final = 30
"""Retry-After of a verification answered 503 because the registry could not be read."""

router = APIRouter()


def services_of(request: Request) -> Services:
    """The process's `Services` (set by `web.app.create_app`)."""
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    """`services_of` as a dependency (`async`: FastAPI runs a plain `def` dependency in its thread pool)."""
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


async def require_multipart(request: Request) -> None:
    """415 unless the body is `multipart/form-data`.

    Raises:
        ProblemError: unsupported-media-type.
    """
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "multipart/form-data":
        raise ProblemError("unsupported-media-type", "send the picture as multipart/form-data in the field photo")


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


def _registry_unavailable() -> ProblemError:
    """503 for a verification whose registry status cannot be read (never a verdict: the status is unknown)."""
    return ProblemError("unavailable", REGISTRY_UNAVAILABLE, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)})


def _report(services: Services, text: str, *, source: str) -> dict[str, Any]:
    """The report JSON of a QR text, the registry asked through the blocking lookup (routes run in threads).

    Raises:
        ProblemError: 503 unavailable when the registry cannot be read.
    """
    try:
        report: VerificationReport = services.verifier().check(text, at=utcnow())
    except (RegistryUnavailableError, SchemaError):
        raise _registry_unavailable() from None
    services.metrics.count_verdict(source, report.verdict)
    return report.to_json()


async def _report_on_loop(services: Services, text: str, *, source: str) -> dict[str, Any]:
    """The same as `_report`, on the event loop: steps 1-10 inline, the registry awaited (`async_status`).

    Raises:
        ProblemError: 503 unavailable when the registry cannot be read.
    """
    pending = services.verifier().begin(text, at=utcnow())
    if pending.query is None:
        report = pending.report
    else:
        try:
            status = await pending.query.ask_async(services.async_status)
        except (RegistryUnavailableError, SchemaError):
            raise _registry_unavailable() from None
        report = pending.finish(status)
    services.metrics.count_verdict(source, report.verdict)
    return report.to_json()


_REPORT_CONTENT: Final = {"application/json": {"schema": {"$ref": "#/components/schemas/ReportModel"},
                                               "examples": {"valid": {"summary": "an original in force",
                                                                      "value": REPORT_EXAMPLE},
                                                            "malformed": {"summary": "not a record of the format",
                                                                          "value": MALFORMED_EXAMPLE}}}}


@router.get(
    "/V/{digits}", tags=["verification"], summary="Open a QR link", response_class=HTMLResponse,
    responses={200: {"description": "The verdict: an HTML page, or the report JSON for Accept: application/json",
                     "content": {"text/html": {"example": "<!doctype html><html lang=\"en\">...Valid document..."},
                                 **_REPORT_CONTENT}},
               **problem_responses(_RATE_LIMITED, _INTERNAL, _UNAVAILABLE)},
)
@router.get("/v/{digits}", include_in_schema=False)
def open_link(digits: str, request: Request, services: ServicesDep) -> Response:
    """The page a phone opens from the QR code: the verdict first, then the printed fields to compare.

    The QR text is rebuilt from the configured host and the digits of the path. An HTTP error is never used for
    a verdict: every verdict, also MALFORMED or ANNULLED, is a 200 answer.
    """
    report = _report(services, services.prefix + digits, source="link")
    if prefers_json(request.headers.get("accept")):
        return JSONResponse(report, headers={"Vary": PAGE_VARY})
    return verdict_response(request, services, [report])


@router.post(
    "/api/v1/verify", tags=["verification"], summary="Verify a QR text",
    response_model=ReportModel, openapi_extra=json_request_body(VerifyRequest),
    responses={200: {"description": "The report (docs/FORMAT.md §7.3)", "content": _REPORT_CONTENT},
               **problem_responses(_TOO_LARGE, _JSON_ONLY, _INVALID, _RATE_LIMITED, _INTERNAL, _UNAVAILABLE)},
)
async def verify_text(request: Request) -> JSONResponse:
    """Verify one QR text (as a scanner app read it) and answer with the report.

    Runs on the event loop (no worker thread): the body is read by `web.bodies.read_json`, the checks are CPU
    work of a tenth of a millisecond, and the registry is awaited (`verify.registry.async_lookup`).
    """
    body = await read_json(request, VerifyRequest)
    services = services_of(request)
    return ReportResponse(await _report_on_loop(services, body.qr_text, source="api"))


@router.post(
    "/api/v1/scan", tags=["verification"], summary="Verify the QR codes in a photo",
    dependencies=[Depends(require_multipart)], response_model=ScanResultsModel,
    responses={200: {"description": "A report for each QR code, top to bottom, left to right",
                     "content": {"application/json": {"example": {"results": [REPORT_EXAMPLE]}}}},
               **problem_responses(
                   ("content-too-large", "PNG image of 30000 x 30000 pixels is over the cap of 40000000 pixels"),
                   ("unsupported-media-type", "not a JPEG, PNG or WebP image"),
                   ("unreadable-image", "JPEG image could not be decoded: OSError: image file is truncated"),
                   ("no-qr-code", "no QR code found in the picture"),
                   _INVALID, _RATE_LIMITED,
                   ("busy", "all 2 decoders are busy and 8 pictures are waiting"), _INTERNAL, _UNAVAILABLE)},
)
def scan_photo(photo: Annotated[UploadFile, File(description="a JPEG, PNG or WebP picture, at most 10 MiB, 40 MP")],
               services: ServicesDep) -> JSONResponse:
    """Find every QR code in a photo, scan or screenshot and verify each.

    The picture is checked from its header first (size in bytes, format by its magic bytes, pixel size), then
    decoded in a separate, memory-capped process with a time limit.
    """
    data = photo.file.read(services.scan_limits.max_image_bytes + 1)
    return JSONResponse({"results": scan_reports(services, data)})


def scan_reports(services: Services, data: bytes) -> list[dict[str, Any]]:
    """The report of every QR code in a picture, in reading order (`POST /api/v1/scan` and the upload form).

    Raises:
        ProblemError: content-too-large, unsupported-media-type, unreadable-image, no-qr-code, busy.
    """
    try:
        probe_image(data, services.scan_limits)
    except Error as exc:
        services.metrics.count_scan(exc.code)
        raise ProblemError(_SCAN_PROBLEMS.get(exc.code, "unreadable-image"), exc.message) from None
    try:
        texts = services.pool.scan(data)
    except PoolBusyError as exc:
        services.metrics.count_scan("BUSY")
        raise ProblemError("busy", str(exc), headers={"Retry-After": str(services.pool.retry_after_s)}) from None
    except ScanFailedError as exc:
        services.metrics.count_scan(exc.code)
        raise ProblemError(_SCAN_PROBLEMS[exc.code], exc.detail) from None
    services.metrics.count_scan("ok")
    return [_report(services, text, source="scan") for text in texts]


def _fold(surname: str) -> bytes:
    """A surname for comparison: NFC, case-folded, inner spaces collapsed (as UTF-8)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", surname).casefold())
    return " ".join(folded.split()).encode("utf-8")


@router.post(
    "/api/v1/lookup", tags=["verification"], summary="Look up a document by series, number and surname",
    dependencies=[Depends(require_json)], response_model=ReportModel,
    responses={200: {"description": "The report of the registry's current signed record of the document",
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportModel"},
                                                      "example": REPORT_EXAMPLE}}},
               **problem_responses(("not-found", LOOKUP_NOT_FOUND), _TOO_LARGE, _JSON_ONLY,
                                   ("invalid-request", "number: must be exactly seven digits (leading zeros count)"),
                                   _RATE_LIMITED, _INTERNAL, _UNAVAILABLE)},
)
def lookup_document(body: LookupRequest, services: ServicesDep) -> JSONResponse:
    """The verdict on the registry's current signed record of a document, for a person holding the paper.

    The surname must match the record's (case-insensitive, Unicode NFC). An unknown number and a wrong surname
    get the very same 404 answer, so the endpoint cannot tell anyone which numbers exist or whose they are. A
    number typed without its leading zeros is padded to seven digits.
    """
    return JSONResponse(lookup_report(services, body))


def lookup_report(services: Services, body: LookupRequest) -> dict[str, Any]:
    """The report of the registry's current record of a document (`POST /api/v1/lookup` and the lookup form).

    Raises:
        ProblemError: not-found (the same for an unknown number and a wrong surname); invalid-request.
    """
    number = body.number.strip()
    if number.isascii() and number.isdigit() and len(number) < 7:
        number = number.zfill(7)
    stored_surname, qr_text = "", ""
    with services.sessions() as session:
        try:
            document = get_document(session=session, series=body.series, number=number)
            if document is not None:
                revision = get_revision(session=session, document=document)
                stored_surname = str(revision.record.get("holder", {}).get("surname", ""))
                qr_text = revision.qr_text
        except Error as exc:
            if exc.code != "NOT_FOUND":
                raise ProblemError("invalid-request", exc.message) from None
    if not hmac.compare_digest(_fold(stored_surname), _fold(body.surname)) or not qr_text:
        raise ProblemError("not-found", LOOKUP_NOT_FOUND)
    _, digits = split_qr_text(qr_text)
    return _report(services, services.prefix + digits, source="lookup")


@router.get(
    "/api/v1/trust-list", tags=["trust"], summary="The signed trust list",
    responses={200: {"description": "The trust list JSON exactly as signed (docs/FORMAT.md §6)",
                     "content": {"application/json": {"example": {
                         "payload": {"type": "verify-trust-list", "format": 1, "version": 3,
                                     "environment": "production", "issued_at": "2026-07-01T00:00:00Z",
                                     "expires_at": "2026-07-31T00:00:00Z", "root_kid": "5e2b7c0a91d4f3e8",
                                     "signers": ["..."]},
                         "signature": {"alg": "EdDSA", "kid": "5e2b7c0a91d4f3e8", "value": "..."}}}}},
               304: {"description": "Not modified (If-None-Match matched the ETag)"},
               **problem_responses(_RATE_LIMITED)},
)
def get_trust_list(request: Request, services: ServicesDep) -> Response:
    """The root-signed list of document signers that offline verifiers use; cacheable for five minutes."""
    snapshot = services.trust.current()
    headers = {"Cache-Control": TRUST_LIST_CACHE, "ETag": snapshot.etag}
    if snapshot.etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(snapshot.document, media_type="application/json", headers=headers)


_PONG: Final = {"ok": True}


@router.get(
    "/api/v1/ping", tags=["operations"], summary="Liveness", response_model=PingModel,
    responses={200: {"description": "This process answers HTTP requests",
                     "content": {"application/json": {"example": {"ok": True}}}}},
)
async def ping() -> JSONResponse:
    """Answers `{"ok": true}` without looking at anything: a liveness probe (readiness is `GET /healthz`)."""
    return JSONResponse(_PONG)


@router.get(
    "/healthz", tags=["operations"], summary="Health", response_model=HealthModel,
    responses={200: {"description": "This process can verify",
                     "content": {"application/json": {"example": HEALTH_EXAMPLE}}},
               **problem_responses(("unavailable", "the registry database cannot be reached"))},
)
async def health(services: ServicesDep) -> JSONResponse:
    """Whether this process can verify: the database answers and a trust list is loaded (its version, expiry)."""
    trust_list = services.trust.current().trust_list
    now = utcnow()
    info = {"version": trust_list.version, "environment": trust_list.environment,
            "issued_at": trust_list.issued_at.isoformat().replace("+00:00", "Z"),
            "expires_at": trust_list.expires_at.isoformat().replace("+00:00", "Z"),
            "expired": trust_list.is_expired(now)}
    checks: dict[str, Any] = {
        "status": "ok", "database": "ok" if await run_in_threadpool(services.database_reachable) else "unavailable",
        "rate_limit_storage": "ok" if await services.limiter.healthy() else "unavailable", "trust_list": info,
        "scan_pool": {"workers": services.pool.workers, "busy": services.pool.busy, "waiting": services.pool.waiting},
    }
    if checks["database"] != "ok":
        checks["status"] = "unavailable"
        raise ProblemError("unavailable", "the registry database cannot be reached", extensions={"checks": checks})
    return JSONResponse(checks)


@router.get(
    "/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response,
    responses={200: {"description": "Prometheus text exposition format 0.0.4", "content": {"text/plain": {
        "example": 'verify_verdicts_total{source="link",verdict="VALID"} 42.0'}}}},
)
def metrics(services: ServicesDep) -> Response:
    """Request counts and latency by route template and status, verdict counts, decoding queue depth."""
    body, media_type = services.metrics.render()
    return Response(body, media_type=media_type)


@router.get(
    "/problems/{slug}", tags=["operations"], summary="A problem type", response_model=ProblemTypeModel,
    responses=problem_responses(("not-found", "no resource at this path")),
)
async def describe_problem(slug: str) -> JSONResponse:
    """What a problem `type` of this service means (the target of its `/problems/<slug>` URI)."""
    problem = PROBLEM_TYPES.get(slug)
    if problem is None:
        raise ProblemError("not-found", "no problem type with this name")
    return JSONResponse({"type": problem.uri, "title": problem.title, "status": problem.status,
                         "description": problem.description}, headers={"Cache-Control": "public, max-age=86400"})
