"""The HTTP service of `verify` (FastAPI): the public verification surface.

`web/` is an adapter: it builds the settings, speaks HTTP and HTML, and uses only what `verify/__init__.py`
exports plus `verify.registry.*`, `verify.scan`, `verify.codec` and `verify.settings` (DESIGN.md, One picture).

    app.py         create_app(settings) -> FastAPI: the middleware stack, routes, OpenAPI document
    settings.py    WebSettings: the core settings plus VERIFY_REDIS_URL, rates, decoder pool, proxies, caps
    services.py    prepare (development key store and database), Services, TrustSource (reloads the list)
    public.py      GET /V/{digits}, POST /api/v1/{verify,scan,lookup}, GET /api/v1/trust-list, /healthz, /metrics
    schemas.py     request models, response models and examples for the OpenAPI document
    pages.py       the pages' views and rendering: verdict pages (kk/ru/en) from templates/, static files, CSP
    page_routes.py GET /, GET /scan, POST /scan/photo, POST /scan/lookup, GET /static/{name}
    i18n.py        the kk/ru/en catalogue, Accept-Language and the `lang` cookie, dates in Kazakhstan time
    problems.py    RFC 9457 problems: ProblemError, the problem types, exception handlers
    guards.py      BodySizeLimit (413), ClientAddress (X-Forwarded-For from trusted proxies only)
    ratelimit.py   RateLimiter (limits, moving window, Redis or memory), RateLimit middleware (429)
    scanpool.py    ScanPool: bounded, memory-capped, killable decoding processes (503 when full)
    scanworker.py  the decoding process (JSON answers, RLIMIT_AS)
    observe.py     request id, client address, route template, metrics, access log, last-resort 500
    metrics.py     Prometheus metrics (per-app registry; multiprocess mode for several workers)
    logging.py     JSON log lines with allowlisted fields; 12-digit runs scrubbed
    cli.py         add_serve_command: `verify serve [--host --port --workers]` (uvicorn)

Nothing is imported here, so that a decoding process (`scanworker`) starts without the web stack.
"""
