"""The API reference at `/docs`: Swagger UI served from a package's files, under the pages' Content-Security-Policy.

| route                    | answers                                                                     |
|--------------------------|-----------------------------------------------------------------------------|
| GET /docs                | the Swagger UI page for `/openapi.json`                                     |
| GET /docs/assets/{name}  | `swagger-ui-bundle.js`, `swagger-ui.css`, `favicon.png`, cacheable for a day |

FastAPI's own `/docs` and `/redoc` load their scripts from a CDN and start Swagger UI with an inline script, which
the pages' CSP (`web.ui.render.CONTENT_SECURITY_POLICY`: scripts and styles from this origin only, nothing inline)
refuses; they are switched off (`web.app`). Here the assets are the files the `fastapi-offline` package ships
(Swagger UI 5), read once per process, and the page starts Swagger UI from `web/ui/static/apidocs.js`. ReDoc
stays off: its styled-components write inline `<style>` elements, which the CSP refuses. `VERIFY_API_DOCS=false`
leaves this router out (404), e.g. for a production deployment that publishes the reference elsewhere
(docs/DEPLOY.md).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from verify.texts import Text

from ..problems.handlers import ProblemError
from ..ui.render import STATIC_CACHE, page_response, static_url

ASSET_TYPES: Final = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
                      "swagger-ui.css": "text/css; charset=utf-8", "favicon.png": "image/png"}
"""The files of `fastapi_offline/static` that `/docs` serves, with their media types (nothing else is served)."""
ASSETS_PACKAGE: Final = "fastapi_offline"

router = APIRouter(include_in_schema=False)


@cache
def asset(name: str) -> tuple[bytes, str, str]:
    """(bytes, media type, strong ETag) of one Swagger UI file of the package, read once per process.

    Raises:
        ProblemError: not-found for a name outside `ASSET_TYPES`.
    """
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        raise ProblemError("not-found", "no such file of the API reference", text=Text("e_no_api_file"))
    body = (files(ASSETS_PACKAGE) / "static" / name).read_bytes()
    return body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _asset_url(name: str) -> str:
    return f"/docs/assets/{name}?v={asset(name)[2].strip(chr(34))[:12]}"


def docs_html(title: str) -> str:
    """The page: the stylesheet and script from `/docs/assets`, the start from `/static/apidocs.js`; no inline
    code. `title` must be plain text (it is written as is)."""
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
            f"<title>{title} - API reference</title>\n"
            f"<link rel=\"icon\" href=\"{_asset_url('favicon.png')}\">\n"
            f"<link rel=\"stylesheet\" href=\"{_asset_url('swagger-ui.css')}\">\n</head>\n<body>\n"
            "<div id=\"swagger-ui\" data-openapi-url=\"/openapi.json\"></div>\n"
            f"<script src=\"{_asset_url('swagger-ui-bundle.js')}\"></script>\n"
            f"<script src=\"{static_url('apidocs.js')}\"></script>\n</body>\n</html>\n")


@router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document, with the pages' headers (CSP, no inline code)."""
    title = str(request.app.title).split(":", 1)[0]
    return page_response(request, lambda _lang: docs_html(title))


@router.get("/docs/assets/{name}")
def api_docs_asset(name: str, request: Request) -> Response:
    """A Swagger UI file of the package; 304 when If-None-Match names its tag."""
    body, media_type, etag = asset(name)
    headers = {"Cache-Control": STATIC_CACHE, "ETag": etag}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
