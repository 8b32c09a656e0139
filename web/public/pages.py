"""The employer's pages: home, scan (camera, photo upload, lookup form), and their static files.

| route                 | answer                                                                          |
|-----------------------|---------------------------------------------------------------------------------|
| GET /                 | the home page: how to check a document, links to the scan page                  |
| GET /scan             | camera scanning (JavaScript), photo upload and lookup forms (no JavaScript)     |
| POST /scan/photo      | multipart `photo` -> the verdict page of every QR code in it (the upload form)  |
| POST /scan/lookup     | form series, number, surname -> the verdict page, or the uniform not-found page |
| GET /static/{name}    | CSS and JavaScript of the pages, cacheable for a day (hash in the URL)          |

The verification page itself is `GET /V/{digits}` of `web.public.api`, rendered by
`web.public.verdict.verdict_response`. The forms run the same code as the API (`web.public.service`):
`scan_picture` (picture checks, decoding processes) and `lookup_document` (the same uniform not-found answer for an
unknown number and a wrong surname), under the same rate-limit buckets (`RATE_BUCKETS`) and upload cap
(`UPLOAD_PATHS`). A refused form comes back as the scan
page with the reason in the page's language and the problem's HTTP status.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ..deps import ServicesDep
from ..problems.handlers import ProblemError
from ..ui.i18n import Translator
from ..ui.render import page_response, render, static_response
from .schemas import LookupRequest
from .service import lookup_document, lookup_series, scan_picture
from .verdict import verdict_response

RATE_BUCKETS: Final = {"/scan/photo": "scan", "/scan/lookup": "lookup"}
"""Route template -> rate-limit bucket: the buckets of the API routes that the forms stand for."""
UPLOAD_PATHS: Final = ("/scan/photo",)
"""Paths whose body cap is the upload cap (`web.http.guards.BodySizeLimit`)."""
_SCAN_ERRORS: Final = frozenset({"no-qr-code", "unreadable-image", "unsupported-media-type", "content-too-large",
                                 "busy", "invalid-request"})

LOOKUP_HINTS: Final = ("lookup_check_series", "lookup_check_number", "lookup_check_surname")
"""What to check when nothing matches (the same for an unknown number and a wrong surname)."""

router = APIRouter(include_in_schema=False)


def _max_mb(services: ServicesDep) -> str:
    return f"{services.scan_limits.max_image_bytes / (1024 * 1024):g}"


def _scan_page(request: Request, services: ServicesDep, *, status_code: int = 200, upload_error: str = "",
               lookup_error: str = "", lookup: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The scan page, with a refused form's reason where it applies (the language links lead back to /scan)."""
    max_mb = _max_mb(services)
    errors = {"upload_error": upload_error, "lookup_error": lookup_error}
    series_choices = lookup_series(services)
    hints = LOOKUP_HINTS if lookup_error == "lookup_not_found" else ()

    def html_of(lang: str) -> str:
        t = Translator(lang)
        shown = {name: t(key, max_mb=max_mb) if key else "" for name, key in errors.items()}
        return render("scan.html", lang=lang, switch_base="/scan", title=t("scan_title"), prefix=services.prefix,
                      max_mb=max_mb, lookup=lookup or {"series": "", "number": "", "surname": ""},
                      series_choices=series_choices, lookup_hints=[t(key) for key in hints], **shown)

    response = page_response(request, html_of, status_code=status_code, camera=True)
    response.headers.update(headers or {})
    return response


@router.get("/")
def home(request: Request) -> HTMLResponse:
    """The home page: point a phone at the QR code, or use the scan page."""
    return page_response(request, lambda lang: render("home.html", lang=lang, title=Translator(lang)("home_title")))


@router.get("/scan")
def scan_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """Camera scanning, photo upload and the lookup form."""
    return _scan_page(request, services)


@router.post("/scan/photo")
def scan_photo_page(request: Request, services: ServicesDep,
                    photo: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    """The upload form (works without JavaScript): the verdict of every QR code in the photo, or why not."""
    data = b"" if photo is None else photo.file.read(services.scan_limits.max_image_bytes + 1)
    if not data:
        return _scan_page(request, services, status_code=422, upload_error="scan_invalid-request")
    try:
        reports = scan_picture(services, data)
    except ProblemError as exc:
        slug = exc.problem.slug if exc.problem.slug in _SCAN_ERRORS else "unreadable-image"
        return _scan_page(request, services, status_code=exc.status_code, upload_error=f"scan_{slug}",
                          headers=dict(exc.headers or {}))
    return verdict_response(request, reports, switch_base="/scan")


@router.post("/scan/lookup")
def lookup_page(request: Request, services: ServicesDep, series: Annotated[str, Form()] = "",
                number: Annotated[str, Form()] = "", surname: Annotated[str, Form()] = "") -> HTMLResponse:
    """The lookup form: the verdict page of the document, or the same not-found page whatever was wrong."""
    typed = {"series": series[:8], "number": number[:16], "surname": surname[:100]}
    try:
        body = LookupRequest(series=series.strip(), number=number.strip(), surname=surname.strip())
    except ValidationError:
        return _scan_page(request, services, status_code=422, lookup_error="lookup_invalid", lookup=typed)
    try:
        report = lookup_document(services, body)
    except ProblemError as exc:
        key = "lookup_not_found" if exc.problem.slug == "not-found" else "lookup_invalid"
        return _scan_page(request, services, status_code=exc.status_code, lookup_error=key, lookup=typed)
    return verdict_response(request, [report], switch_base="/scan")


@router.get("/static/{name}")
def static_file(name: str, request: Request) -> Response:
    """A CSS or JavaScript file of the pages."""
    return static_response(name, request.headers.get("if-none-match"))
