"""The employer's pages: home, scan (camera, photo upload, lookup form), and their static files.

| route                 | answer                                                                          |
|-----------------------|---------------------------------------------------------------------------------|
| GET /                 | the home page: how to check a document, links to the scan page                  |
| GET /scan             | camera scanning (JavaScript), photo upload and lookup forms (no JavaScript)     |
| POST /scan/photo      | multipart `photo` -> the verdict page of every QR code in it (the upload form)  |
| POST /scan/lookup     | form series, number, surname -> the verdict page, or the uniform not-found page |
| GET /static/{name}    | CSS and JavaScript of the pages, cacheable for a day (hash in the URL)          |
| GET /scan-sw.js       | the scan page's service worker (scope /scan): the page and its lists offline     |
| GET /scan/manifest.webmanifest | the scan page's web app manifest, in the language of `?lang=`          |

The verification page itself is `GET /V/{digits}` of `web.public.api`, rendered by
`web.public.verdict.verdict_response`. The forms run the same code as the API (`web.public.service`):
`scan_picture` (picture checks, decoding processes) and `lookup_document` (the same uniform not-found answer for an
unknown number and a wrong surname), under the same rate-limit buckets (`RATE_BUCKETS`) and upload cap
(`UPLOAD_PATHS`). A refused form comes back as the scan
page with the reason in the page's language and the problem's HTTP status.

The scan page decodes and verifies on the device (README "The scan page offline"): its module `scan-app.js` (the
verifier kit and the QR decoder, built from clients/scanpage) gets the root certificate, the lists' URLs and every
text it shows from the page; the service worker caches the page in each language, the static files and the lists.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Annotated, Final

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ..deps import ServicesDep
from ..http.guards import CLIENT_KEY
from ..problems.handlers import ProblemError
from ..ui.i18n import LANGUAGES, Translator
from ..ui.render import (
    SCAN_PAGE_POLICY,
    page_response,
    render,
    request_language,
    static_files,
    static_response,
    static_url,
)
from .schemas import LookupRequest
from .service import lookup_document, scan_picture
from .verdict import verdict_response

RATE_BUCKETS: Final = {"/scan/photo": "scan", "/scan/lookup": "lookup"}
"""Route template -> rate-limit bucket: the buckets of the API routes that the forms stand for."""
UPLOAD_PATHS: Final = ("/scan/photo",)
"""Paths whose body cap is the upload cap (`web.http.guards.BodySizeLimit`)."""
SCAN_SCOPE: Final = "/scan"
"""The service worker's scope: the scan page (in every language, `?lang=`) and nothing else."""
SCAN_ASSETS: Final = ("site.css", "scan-app.js", "zxing_reader.wasm", "scan-icon-192.png", "scan-icon-512.png")
"""The static files the scan page needs offline (the service worker's cache)."""
TRUST_LIST_URL: Final = "/api/v1/trust-list"
STATUS_LISTS_URL: Final = "/api/v1/status-lists"
_SCAN_ERRORS: Final = frozenset({"no-qr-code", "unreadable-image", "unsupported-media-type", "content-too-large",
                                 "busy", "invalid-request", "too-many-codes", "rate-limited", "unavailable"})

router = APIRouter(include_in_schema=False)


def _max_mb(services: ServicesDep) -> str:
    return f"{services.scan_limits.max_image_bytes / (1024 * 1024):g}"


def _scan_page(request: Request, services: ServicesDep, *, status_code: int = 200, upload_error: str = "",
               lookup_error: str = "", lookup: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The scan page, with a refused form's reason where it applies (the language links lead back to /scan)."""
    max_mb = _max_mb(services)
    errors = {"upload_error": upload_error, "lookup_error": lookup_error}

    def html_of(lang: str) -> str:
        t = Translator(lang)
        shown = {name: t(key, max_mb=max_mb) if key else "" for name, key in errors.items()}
        return render("scan.html", lang=lang, switch_base="/scan", title=t("scan_title"), prefix=services.prefix,
                      max_mb=max_mb, lookup=lookup or {"series": "", "number": "", "surname": ""},
                      root_pem=root_pem, trust_url=TRUST_LIST_URL, lists_url=STATUS_LISTS_URL, **shown)

    root_pem = services.trust.root.public_bytes(serialization.Encoding.PEM).decode("ascii")
    response = page_response(request, html_of, status_code=status_code, camera=True, policy=SCAN_PAGE_POLICY)
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
        reports = scan_picture(services, data, client=str(request.scope.get(CLIENT_KEY) or "unknown"))
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
        key = {"not-found": "lookup_not_found", "unavailable": "lookup_unavailable"}.get(exc.problem.slug,
                                                                                        "lookup_invalid")
        return _scan_page(request, services, status_code=exc.status_code, lookup_error=key, lookup=typed,
                          headers=dict(exc.headers or {}))
    return verdict_response(request, [report], switch_base="/scan")


@router.get("/static/{name}")
def static_file(name: str, request: Request) -> Response:
    """A CSS or JavaScript file of the pages."""
    return static_response(name, request.headers.get("if-none-match"))


@cache
def _worker_config() -> dict[str, object]:
    """What the service worker caches (`self.SCAN_CONFIG`, clients/scanpage/src/sw.js), with a version of it all.

    The version is a hash of the URLs (the static files' content hashes among them), the page's templates and the
    catalogues: whatever changes the page or its files gives a new worker and a new cache.
    """
    assets = [static_url(name) for name in SCAN_ASSETS]
    assets += [f"/scan/manifest.webmanifest?lang={lang}" for lang in LANGUAGES]
    config: dict[str, object] = {"pages": [f"{SCAN_SCOPE}?lang={lang}" for lang in LANGUAGES], "assets": assets,
                                 "lists": [TRUST_LIST_URL], "index": STATUS_LISTS_URL}
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    ui = Path(__file__).resolve().parent.parent / "ui"
    for source in sorted([*ui.glob("templates/*.html"), *ui.glob("locale/*/LC_MESSAGES/*.po")]):
        digest.update(source.read_bytes())
    config["version"] = digest.hexdigest()[:16]
    return config


@router.get("/scan-sw.js")
def scan_service_worker() -> Response:
    """The scan page's service worker: its configuration line, then clients/scanpage/src/sw.js as built.

    Served from the root so that its scope may be /scan (a worker's scope is at most its own folder); never cached
    by HTTP (the browser compares the bytes to find a new version). The version follows the static files' hashes
    and the catalogues (the pages), so a new release replaces the worker and its cache.
    """
    config = json.dumps(_worker_config(), sort_keys=True)
    body = f"self.SCAN_CONFIG = {config};\n".encode() + static_files()["scan-sw.js"].body
    return Response(body, media_type="text/javascript; charset=utf-8", headers={
        "Cache-Control": "no-cache", "Content-Security-Policy": "default-src 'none'; connect-src 'self'"})


@router.get("/scan/manifest.webmanifest")
def scan_manifest(request: Request) -> Response:
    """The scan page's web app manifest (W3C "Web Application Manifest"), in the language of `?lang=`."""
    lang, _ = request_language(request)
    t = Translator(lang)
    manifest = {
        "name": t("site_name"), "short_name": t("pwa_short_name"), "description": t("scan_title"), "lang": lang,
        "start_url": f"{SCAN_SCOPE}?lang={lang}", "scope": SCAN_SCOPE, "id": SCAN_SCOPE, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#17663a",
        "icons": [{"src": static_url("scan-icon-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static_url("scan-icon-512.png"), "sizes": "512x512", "type": "image/png",
                   "purpose": "any maskable"}],
    }
    return Response(json.dumps(manifest, ensure_ascii=False), media_type="application/manifest+json",
                    headers={"Cache-Control": "public, max-age=3600", "Content-Language": lang})
