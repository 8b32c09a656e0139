"""The HTTP service of `verify` (FastAPI), by surface.

`web/` is an adapter, the top layer: it builds the settings, speaks HTTP and HTML, and uses `verify` and the
modules below it (`verify.registry.*`, `verify.scan`, `verify.codec`, ...; DESIGN.md, One picture). The layers,
of `verify` and inside `web/`, are checked by import-linter (pyproject.toml, [tool.importlinter]). No SQL here: the
registry's functions read and write.

    app.py        create_app(settings) -> FastAPI: the middleware stack, the routers, the OpenAPI document
    deps.py       every FastAPI dependency (services, back office, principals, the console's desk) and the clock
    settings.py   WebSettings: the core settings plus VERIFY_REDIS_URL, rates, decoder pool, proxies, caps
    cli.py        add_serve_command: `verify serve [--host --port --workers]` (uvicorn)
    demo.py       add_demo_command: `verify demo` runs `verify.demo` and serves it

    runtime/      what a process holds: services.py (Services, TrustSource, prepare), backoffice.py (the signed-in
                  surfaces' writing engine, keys, cookie policy), scanpool.py and scanworker.py (decoding processes)
    http/         guards.py (body cap, client address), ratelimit.py, bodies.py (the one bounded JSON reader; JSON
                  in and out on the loop), inputs.py (control characters refused, JSON read once, before any
                  route), logging.py (JSON lines, no IIN), metrics.py (Prometheus), observe.py (request id,
                  access line, 500)
    problems/     catalogue.py (every problem type), handlers.py (RFC 9457 answers), errors.py (the one mapping of
                  `verify` errors to problems; ProblemRoute), openapi.py (problem schemas, examples, the document)
    ui/           render.py (Jinja2, page headers, CSP, static files), i18n.py (Babel catalogues, languages, dates),
                  locale/{kk,ru,en}/LC_MESSAGES/messages.po, templates/, static/
    public/       api.py (/V/, verify, scan, lookup, trust list, health), pages.py (home, scan page, forms),
                  verdict.py (the verdict page from the report), service.py (verification), schemas.py,
                  apidocs.py (/docs: Swagger UI from the package under the pages' CSP)
    officer/      service.py (what an officer does: both faces call it), queries.py (answers from the registry's
                  read queries), api.py (the officers' API), console.py and console_documents.py (the console),
                  forms.py, batches.py, pages.py, schemas.py
    partner/      api.py (a holder's documents by IIN in the body), schemas.py
    admin/        api.py (institutions, officers, partners, tokens, signers, trust list), schemas.py
    auth/         api.py (sign-in, tokens), sessions.py (cookies, CSRF, bearer tokens), desk.py (the console's
                  signed-in officer of one request), schemas.py

The surfaces (public, officer, partner, admin, auth's api.py) import none of one another; what they share is below
them: deps.py, auth's sessions, runtime/, ui/, http/, problems/.

Nothing is imported here, so that a decoding process (`web.runtime.scanworker`) starts without the web stack.
"""
