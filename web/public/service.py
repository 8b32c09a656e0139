"""Verification for the public surface: a QR text, a picture or a lookup -> the `VerificationReport` of each code.

The API (`web.public.api`) and the employer's pages (`web.public.pages`) both call these; neither calls the
other's routes. Every verification runs the core verifier with the registry as its `StatusLookup`, pinned to the
configured host: a QR text naming another host fails step 1 (its link would send a phone elsewhere). The report is
the typed object until it leaves the process (the API writes `to_json()`, the pages render it).

A registry that cannot be read (`SchemaError`, `RegistryUnavailableError`, or a database that refuses connections
or runs over its timeout) makes the verification 503 with Retry-After, never a verdict
(`web.problems.errors.verification_unavailable`).

A picture holds at most `Services.scan_max_codes` QR codes (VERIFY_SCAN_MAX_CODES; more: 422 too-many-codes,
nothing verified), and each code it holds counts as one request of the client against the verification rate limit
(the `verify` bucket of `/V/` and `POST /api/v1/verify`), so a photo of a sheet cannot verify more than the
client may one by one.
"""

from __future__ import annotations

from typing import Final

from anyio.from_thread import run as run_on_loop
from sqlalchemy.exc import SQLAlchemyError

from verify import Error, VerificationReport
from verify.doctypes import all_fixed_series
from verify.errors import RecordError
from verify.qrtext import split_qr_text
from verify.registry.documents import find_printed, known_series
from verify.scan import probe_image
from verify.texts import Text, text

from ..deps import utcnow
from ..problems.errors import DATABASE_UNAVAILABLE, UNREADABLE_REGISTRY, problem_slug, verification_unavailable
from ..problems.handlers import ProblemError
from ..runtime.scanpool import PoolBusyError, ScanFailedError
from ..runtime.services import Services
from .schemas import LookupRequest

LOOKUP_NOT_FOUND: Final = ("no document with this series, number and surname in the registry; check the series as "
                           "printed (BD, MD, ... or the letters of the blank), the seven digits of the number, and "
                           "the surname as printed on this document (before any change of name)")


def check_text(services: Services, text: str, *, source: str) -> VerificationReport:
    """The report of a QR text, the registry asked through the blocking lookup (routes run in threads).

    Args:
        source: where the text came from, for the verdict metric: "link", "scan", "lookup".

    Raises:
        ProblemError: 503 unavailable when the registry cannot be read.
    """
    try:
        report = services.verifier().check(text, at=utcnow())
    except (*UNREADABLE_REGISTRY, *DATABASE_UNAVAILABLE):
        raise verification_unavailable() from None
    services.metrics.count_verdict(source, report.verdict)
    return report


async def check_text_on_loop(services: Services, text: str, *, source: str) -> VerificationReport:
    """The same as `check_text`, on the event loop: steps 1-10 inline, the registry awaited (`async_status`).

    Raises:
        ProblemError: 503 unavailable when the registry cannot be read.
    """
    pending = services.verifier().begin(text, at=utcnow())
    if pending.query is None:
        report = pending.report
    else:
        try:
            status = await pending.query.ask_async(services.public_async)
        except UNREADABLE_REGISTRY:
            raise verification_unavailable() from None
        report = pending.finish(status)
    services.metrics.count_verdict(source, report.verdict)
    return report


PICTURE_PROBLEMS: Final = frozenset({"content-too-large", "unsupported-media-type", "unreadable-image", "no-qr-code"})
"""The problem types of the picture stage, each with its sentence of the scan page (`scan_<type>`)."""


def _picture_text(code: str, cause: str, services: Services) -> Text:
    """The scan page's sentence for a refused picture in the reader's language, then the stage's own words in
    brackets (the decoder's, in English: what an operator needs); the problem's `code` stays the stage's."""
    slug = problem_slug(code)
    if slug == "content-too-large":
        max_mb = f"{services.scan_limits.max_image_bytes / (1024 * 1024):g}"
        sentence = Text("scan_content-too-large", {"max_mb": max_mb})
    else:
        sentence = Text(f"scan_{slug}" if slug in PICTURE_PROBLEMS else "scan_unreadable-image")
    return Text("e_picture_refused", {"sentence": sentence, "cause": cause})


def scan_picture(services: Services, data: bytes, *, client: str) -> list[VerificationReport]:
    """The report of every QR code in a picture, in reading order (`POST /api/v1/scan` and the upload form).

    The picture is checked from its header first (size in bytes, format by its magic bytes, pixel size), then
    decoded in a separate, memory-capped process with a time limit. Runs in a worker thread (the rate limit is
    counted on the event loop).

    Args:
        client: the client's address (`web.http.guards.CLIENT_KEY`): each code is counted against its
            verification rate limit.

    Raises:
        ProblemError: content-too-large, unsupported-media-type, unreadable-image, no-qr-code, busy,
            too-many-codes (more than `scan_max_codes`), rate-limited (the codes over the client's verify limit).
    """
    try:
        probe_image(data, services.scan_limits)
    except Error as exc:
        services.metrics.count_scan(exc.code)
        raise ProblemError(problem_slug(exc.code), exc.message, text=_picture_text(exc.code, exc.message, services),
                           extensions={"code": exc.code}) from None
    try:
        texts = services.pool.scan(data)
    except PoolBusyError as exc:
        services.metrics.count_scan("BUSY")
        raise ProblemError("busy", str(exc), headers={"Retry-After": str(services.pool.retry_after_s)},
                           text=Text("scan_busy")) from None
    except ScanFailedError as exc:
        services.metrics.count_scan(exc.code)
        raise ProblemError(problem_slug(exc.code), exc.detail, text=_picture_text(exc.code, exc.detail, services),
                           extensions={"code": exc.code}) from None
    if len(texts) > services.scan_max_codes:
        services.metrics.count_scan("TOO_MANY_CODES")
        raise ProblemError("too-many-codes", f"the picture holds {len(texts)} QR codes, more than the "
                                             f"{services.scan_max_codes} verified from one picture: photograph one "
                                             "document at a time", message_key="scan_too-many-codes",
                           extensions={"codes": len(texts), "max_codes": services.scan_max_codes})
    for _ in texts:
        wait_s = run_on_loop(services.limiter.hit, "verify", client)
        if wait_s is not None:
            services.metrics.count_rate_limited("verify")
            raise ProblemError("rate-limited", f"too many verifications; try again in {wait_s} s",
                               headers={"Retry-After": str(wait_s)},
                               text=Text("e_verify_rate_limited", {"seconds": wait_s}))
    services.metrics.count_scan("ok")
    return [check_text(services, text, source="scan") for text in texts]


def lookup_series(services: Services) -> list[str]:
    """The series the lookup form offers (`verify.registry.documents.known_series`); the fixed higher-education
    series alone when the registry cannot be read now (the page still serves the photo form)."""
    try:
        with services.sessions() as session:
            return known_series(session=session)
    except (Error, SQLAlchemyError):  # the registry is down or not migrated: the photo form still works
        return list(all_fixed_series())


def lookup_document(services: Services, body: LookupRequest) -> VerificationReport:
    """The report of the registry's current record of a document (`POST /api/v1/lookup` and the lookup form).

    The one rule of every surface (`verify.registry.documents.find_printed`, `verify.matching`): the series among
    the registry's (Latin look-alikes and Kazakh letters folded), the number as printed or grouped ("0100 001") or
    without its leading zeros, the surname folded (case, Kazakh letters typed as Russian ones). An unknown number
    and a wrong surname get the very same answer, so that no one can learn which numbers exist or whose they are.

    Raises:
        ProblemError: not-found (the same for an unknown number and a wrong surname); invalid-request.
    """
    qr_text = ""
    with services.public_sessions() as session:
        try:
            revision = find_printed(session=session, series=body.series, number=body.number, surname=body.surname)
        except RecordError as exc:
            raise ProblemError("invalid-request", exc.message, text=exc.text) from None
        except DATABASE_UNAVAILABLE:
            raise verification_unavailable() from None
        if revision is not None:
            qr_text = revision.qr_text
    if not qr_text:
        raise ProblemError("not-found", LOOKUP_NOT_FOUND, text=text("v_lookup_not_found"))
    _, digits = split_qr_text(qr_text)
    return check_text(services, services.prefix + digits, source="lookup")
