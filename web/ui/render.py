"""HTML pages: Jinja2 templates in `web/ui/templates/` (autoescaped), assets in `web/ui/static/`, the page headers.

`render(template, lang=...)` renders a page in a language with the common context (`t`, `lang`, `static_url`, the
language switch); `page_response` sends it with a Content-Security-Policy that allows scripts and styles only from
this origin (`/static/...`, no inline code), `Content-Language`, and the `lang` cookie when the language switch
(`?lang=`) was used. Static files are served from memory by `static_response` with a content hash in their URL
(`static_url`), so they can be cached for a day. The verdict page's view is `web.public.verdict`'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from verify.texts import Text

from ..problems.handlers import ProblemError
from .i18n import COOKIE, COOKIE_MAX_AGE_S, FALLBACK, Translator, language_from, negotiate

CONTENT_SECURITY_POLICY: Final = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""Scripts, styles and requests only from this origin; no inline script or style; nothing from elsewhere."""
SCAN_PAGE_POLICY: Final = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""The scan page's policy: `CONTENT_SECURITY_POLICY` plus what decoding and verifying on the device need.

`'wasm-unsafe-eval'` lets the page compile WebAssembly (the QR decoder, zxing-wasm, served from this origin): browsers
gate `WebAssembly.instantiate` behind script-src, and this keyword allows that alone, never `eval` of JavaScript
(CSP Level 3, "wasm-unsafe-eval"). `worker-src` and `manifest-src` admit the page's service worker and web app
manifest. Only the scan page sends it; every other page keeps the strict one.
"""
PAGE_VARY: Final = "Accept, Accept-Language, Cookie"
"""A page depends on the language, chosen by these headers (the `/V/` link also by Accept: page or JSON)."""
STATIC_CACHE: Final = "public, max-age=86400"
STATIC_DIR: Final = Path(__file__).parent / "static"
STATIC_TYPES: Final = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                       ".png": "image/png", ".svg": "image/svg+xml", ".wasm": "application/wasm"}
"""The media types served from `web/ui/static/`, by extension (fixed here, not from the system's mime.types)."""



# ----------------------------------------------------------------------------- static files
@dataclass(frozen=True, slots=True)
class StaticFile:
    """One file of `web/ui/static/`, held in memory.

    Attributes:
        body: the bytes.
        media_type: by its extension.
        etag: a strong entity tag of the bytes, quoted.
    """

    body: bytes
    media_type: str
    etag: str


@cache
def static_files() -> dict[str, StaticFile]:
    """The files of `web/ui/static/` with a type of `STATIC_TYPES`, by name (read once per process)."""
    files = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file() and path.suffix in STATIC_TYPES and not path.name.startswith("."):
            body = path.read_bytes()
            files[path.name] = StaticFile(body=body, media_type=STATIC_TYPES[path.suffix],
                                          etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return files


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash as a query so that a new version is fetched at once.

    Raises:
        KeyError: no such file (a programming error in a template).
    """
    return f"/static/{name}?v={static_files()[name].etag.strip(chr(34))[:12]}"


def static_response(name: str, if_none_match: str | None) -> Response:
    """A static file, cacheable for a day; 304 when If-None-Match names its tag.

    Raises:
        ProblemError: not-found, for any other name.
    """
    found = static_files().get(name)
    if found is None:
        raise ProblemError("not-found", "no static file with this name", text=Text("e_no_static"))
    headers = {"Cache-Control": STATIC_CACHE, "ETag": found.etag}
    if if_none_match and found.etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


# ----------------------------------------------------------------------------- rendering and responses
@cache
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("web.ui", "templates"), autoescape=select_autoescape(("html",)),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.globals["static_url"] = static_url
    return environment


def render(template: str, *, lang: str, switch_base: str = "", **context: Any) -> str:
    """A page from a template in `lang`, with the common context (`t`, `lang`, `static_url`, the switch).

    Args:
        template: a file name in `web/ui/templates/`.
        lang: one of `web.ui.i18n.LANGUAGES`.
        switch_base: the path the language links lead to ("" keeps the current path: `?lang=..`).
        context: the template's own values.
    """
    return _environment().get_template(template).render(t=Translator(lang), lang=lang, switch_base=switch_base,
                                                        **context)


def request_language(request: Request) -> tuple[str, str | None]:
    """The page's language and, when the switch (`?lang=`) chose it, that language (to store in the cookie)."""
    switched = language_from(request.query_params.get("lang"))
    lang = negotiate(query=switched, cookie=request.cookies.get(COOKIE),
                     accept_language=request.headers.get("accept-language"))
    return lang, switched


def problem_language(request: Request) -> str:
    """The language of a problem's `detail`: the switch, the cookie, Accept-Language, else English — a request that
    states no language is a program's more likely than a person's (pages default to Kazakh: `request_language`)."""
    return negotiate(query=language_from(request.query_params.get("lang")), cookie=request.cookies.get(COOKIE),
                     accept_language=request.headers.get("accept-language"), default=FALLBACK)


def page_response(request: Request, html_of: Callable[[str], str], *, status_code: int = 200,
                  camera: bool = False, policy: str = CONTENT_SECURITY_POLICY) -> HTMLResponse:
    """Send a page in the request's language with the page headers and, after a switch, the `lang` cookie.

    Args:
        request: the request (language: `?lang=`, the cookie, Accept-Language).
        html_of: a callable `lang -> str` that renders the page.
        status_code: the HTTP status.
        camera: whether the page may use the camera (Permissions-Policy).
        policy: the Content-Security-Policy (`SCAN_PAGE_POLICY` for the scan page only).
    """
    lang, switched = request_language(request)
    response = HTMLResponse(html_of(lang), status_code=status_code, headers={
        "Content-Security-Policy": policy, "Content-Language": lang, "Vary": PAGE_VARY,
        "Permissions-Policy": "camera=(self)" if camera else "camera=()",
    })
    if switched is not None:
        response.set_cookie(COOKIE, switched, max_age=COOKIE_MAX_AGE_S, path="/", samesite="lax", httponly=True)
    return response
