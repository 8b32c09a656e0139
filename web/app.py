"""The application factory: `create_app(settings) -> FastAPI`.

Settings are built here (or by `web.cli`) and nowhere else; the rest of `web/` and the core get plain values.
The middleware stack, outermost first (each is a pure ASGI middleware):

    Observe         request id (the caller's X-Request-ID kept), traceparent's trace id, client address (trusted
                    proxies), route template, metrics, access log, last 500
    (OpenTelemetry) spans of FastAPI, SQLAlchemy and Redis when VERIFY_OTEL_ENDPOINT is set (web.http.tracing)
    BodySizeLimit   413 by Content-Length and by counting streamed bytes (64 KiB JSON, 10 MiB uploads)
    RateLimit       429 with Retry-After per client and bucket, before any body is read (public buckets)
    RateLimit       the same for sign-in and partner look-ups (`web.runtime.backoffice.RATE_BUCKETS`)
    InputGuard      422 for control characters in the path, query, JSON and form fields; JSON bodies read once by
                    the one bounded reader (depth, size), 400 when too deep
    FastAPI         routes of `web.public.api`, the employer's pages (`web.public.pages`) and of the signed-in
                    surfaces (`STAFF_ROUTERS`: `web.auth.api`, the officer, partner and admin APIs, the officer
                    console); every API error answered as an RFC 9457 problem (`web.problems`), every console error
                    as a page

Run it with `verify serve` (`web.cli`), or `uvicorn --factory web.app:create_app` (then start uvicorn with
`--no-access-log --no-proxy-headers`: the app logs and resolves forwarded addresses itself).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.routing import Route

from verify.settings import Settings, load_settings
from verify.texts import Text

from .admin import api as admin_api
from .admin import console as ministry_console
from .auth import api as auth_api
from .auth.schemas import LoginRequest
from .http.guards import BodySizeLimit, ClientAddress
from .http.inputs import InputGuard
from .http.logging import ClientHasher, configure_logging
from .http.observe import Observe
from .http.ratelimit import RateLimit
from .http.tracing import install_tracing
from .officer import api as officer_api
from .officer import cases_api, console, console_cases, console_documents
from .partner import api as partner_api
from .problems.errors import install_outage_handlers
from .problems.handlers import install_problem_handlers
from .problems.openapi import complete_openapi
from .public import api as public_api
from .public import apidocs
from .public import log as public_log
from .public import pages as public_pages
from .public.schemas import ReportModel, VerifyRequest
from .runtime.backoffice import RATE_BUCKETS as STAFF_RATE_BUCKETS
from .runtime.backoffice import build_backoffice
from .runtime.services import build_services, prepare
from .settings import KiB, WebSettings
from .ui.i18n import Translator
from .ui.render import problem_language
from .wallet import issuance as wallet_issuance
from .wallet import links as wallet_links
from .wallet import offers as wallet_offers

TITLE = "verify: education document verification"
DESCRIPTION = """\
Verifies the signed QR codes of Kazakhstan education documents (diplomas and their duplicates).

* **Open the QR link** `GET /V/{digits}`: a page for people, or the report JSON with `Accept: application/json`.
* **Verify a QR text** `POST /api/v1/verify`, **a photo** `POST /api/v1/scan`, or **look up** a document by series,
  number and the holder's surname `POST /api/v1/lookup`.
* **Offline verification**: fetch the root-signed trust list `GET /api/v1/trust-list` and the signed status lists
  `GET /api/v1/status-lists` (the index) and `GET /api/v1/status-lists/{series}` (docs/FORMAT.md §9).
* **The transparency log**: every signed record and status change, `GET /api/v1/log/checkpoint` and its proofs.

Only the verdict `VALID` means a valid document. Every error is an RFC 9457 problem (`application/problem+json`);
its `type` is `/problems/<slug>`, which describes it. Public endpoints are rate-limited per client (429 with
Retry-After). No answer ever contains a national ID number (IIN).
"""
TAGS = [
    {"name": "verification", "description": "Verdicts on QR codes and documents (docs/FORMAT.md §7)."},
    {"name": "trust", "description": "The trust list and the signed status lists for offline verifiers "
                                     "(docs/FORMAT.md §6, §9)."},
    {"name": "transparency", "description": "The transparency log of issuance: signed checkpoints, inclusion and "
                                            "consistency proofs, entries (docs/TRANSPARENCY.md)."},
    {"name": "operations", "description": "Health, metrics, problem types."},
    {"name": "accounts", "description": "Sign-in (session cookie + X-CSRF-Token) and API tokens (web/auth/)."},
    {"name": "officer", "description": "Officers of one institution (seed 001 item 7): import, issue, print, "
                                       "applications for duplicates, corrections and annulments (cases: a registrar "
                                       "prepares, a head approves), blanks, audit. The institution is "
                                       "always the account's."},
    {"name": "partner", "description": "The digital documents app: a holder's documents by IIN in the body."},
    {"name": "admin", "description": "The ministry: institutions, officer accounts, partners, tokens, document "
                                     "signers, trust list publication."},
    {"name": "wallet", "description": "Wallets (OpenID for Verifiable Credential Issuance 1.0, pre-authorized "
                                      "code): credential offers, the token, nonce and credential endpoints, and the "
                                      "public links a credential names (docs/INTEROP.md)."},
]
STAFF_ROUTERS = (auth_api.router, officer_api.router, cases_api.router, partner_api.router, admin_api.router,
                 console.router, console_documents.router, console_cases.router, ministry_console.router,
                 wallet_offers.router, wallet_issuance.router, wallet_links.router)
"""The routers of the signed-in surfaces: accounts, the officer API and its applications (cases), the partner and
admin APIs, the officer console (its QR route before the documents' action forms; its cases), the ministry's
console pages, and the wallets' OID4VCI endpoints and the links a credential names (`web.wallet`)."""
OPENAPI_MODELS = (ReportModel, LoginRequest, VerifyRequest)
"""Models the OpenAPI document names as components because responses and bodies refer to them by name."""
MULTIPART_OVERHEAD_BYTES = 64 * KiB
"""Room for multipart boundaries and part headers on top of the picture cap."""


def _as_web_settings(settings: Settings | None) -> WebSettings:
    if settings is None:
        return load_settings(WebSettings)
    if isinstance(settings, WebSettings):
        return settings
    return WebSettings(**settings.model_dump(exclude_unset=True))


def localized(request: Request, message: Text) -> str:
    """A problem's `Text` in the request's language (`?lang=`, the cookie, Accept-Language, else English): its
    `detail` (`web.ui.render.problem_language`)."""
    return Translator(problem_language(request)).text(message)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application.

    In development a missing key store and registry database are created first (`web.runtime.services.prepare`).

    Args:
        settings: `WebSettings` (or core `Settings`, extended with the web defaults); None reads `VERIFY_*`.

    Returns:
        The FastAPI application; its lifespan ends the decoding processes and closes database connections.

    Raises:
        verify.Error: the key store, trust list or database cannot be used (the message says what to run).
    """
    web_settings = _as_web_settings(settings)
    configure_logging()
    prepare(web_settings)
    services = build_services(web_settings)
    backoffice = build_backoffice(web_settings, services=services)
    if services.replica is not None:
        services.replica.watch_writes(backoffice.engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What start-up made (modules, models, routes) lives as long as the process: keep it out of the cyclic
        # collector's full passes, which otherwise stall a request for ~80 ms every few hundred (docs/bench-http.md).
        gc.freeze()
        await services.open()
        backoffice.checkpointer.start()
        if web_settings.webhook_delivery:
            backoffice.webhooks.start()
        try:
            yield
        finally:
            gc.unfreeze()
            backoffice.checkpointer.stop()
            backoffice.webhooks.stop()
            await backoffice.limiter.close()
            await services.limiter.close()
            backoffice.close()
            await services.aclose()
            services.close()
            if tracing is not None:
                tracing.shutdown()

    # FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN with inline scripts: off; web.public.apidocs
    # serves Swagger UI from the package under the pages' CSP (VERIFY_API_DOCS=false: not at all).
    app = FastAPI(title=TITLE, description=DESCRIPTION, version="1", openapi_tags=TAGS, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.backoffice = backoffice
    install_problem_handlers(app, localize=localized)
    install_outage_handlers(app)
    app.include_router(public_api.router)
    app.router.routes[0:0] = public_api.DIRECT_ROUTES  # matched before every FastAPI route (their docstring)
    app.include_router(public_log.router)
    app.include_router(public_pages.router)
    if web_settings.api_docs:
        app.include_router(apidocs.router)
    for router in STAFF_ROUTERS:
        app.include_router(router)
    app.openapi = complete_openapi(app, OPENAPI_MODELS)  # type: ignore[method-assign]
    upload_paths = (*public_api.UPLOAD_PATHS, *public_pages.UPLOAD_PATHS, *officer_api.UPLOAD_PATHS,
                    *console.UPLOAD_PATHS)
    app.add_middleware(InputGuard, upload_paths=upload_paths)
    staff_buckets = {**STAFF_RATE_BUCKETS, **console.RATE_BUCKETS, **wallet_issuance.RATE_BUCKETS}
    app.add_middleware(RateLimit, limiter=backoffice.limiter, buckets=staff_buckets,
                       on_limited=services.metrics.count_rate_limited)
    app.add_middleware(RateLimit, limiter=services.limiter,
                       buckets={**public_api.RATE_BUCKETS, **public_log.RATE_BUCKETS, **public_pages.RATE_BUCKETS},
                       on_limited=services.metrics.count_rate_limited)
    app.add_middleware(BodySizeLimit, json_bytes=web_settings.max_json_bytes,
                       upload_bytes=web_settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES,
                       upload_paths=upload_paths)
    # FastAPI wraps included routers in objects without a path template: match the plain routes.
    plain_routes = [*public_api.router.routes, *public_log.router.routes, *public_pages.router.routes,
                    *apidocs.router.routes,
                    *(route for router in STAFF_ROUTERS for route in router.routes),
                    *(route for route in app.router.routes if isinstance(route, Route))]
    app.add_middleware(Observe, routes=plain_routes, metrics=services.metrics,
                       client_address=ClientAddress(web_settings.trusted_proxies),
                       hasher=ClientHasher(web_settings.log_key_bytes()))
    tracing = None
    if web_settings.otel_endpoint:  # off unless configured; needs the `otel` extra
        tracing = install_tracing(app, engines=[services.engine, services.status_engine, backoffice.engine],
                                  service_name="verify", endpoint=web_settings.otel_endpoint)
    app.state.tracing = tracing
    return app
