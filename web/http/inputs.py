"""Text input checked at the edge, before any route: control characters refused, JSON bodies read once and bounded.

`InputGuard` is a pure ASGI middleware that runs inside the body cap (`web.http.guards.BodySizeLimit`) and the rate
limits, before the application. For every HTTP request it checks

* the path and every query parameter (name and value, percent-decoded): no control character at all, not even tab
  or line feed (a path or query value is one line);
* a JSON body (`application/json`, `application/*+json`): read whole and parsed by the one reader,
  `web.http.bodies.parse_json` (depth bounded, control characters refused in every key and string, tab, line feed
  and carriage return allowed: correction reasons and annulment bases may be several lines). The document is
  left in the scope for `web.http.bodies.read_json`, and the body is handed on unchanged, so FastAPI's own body
  parameters parse a body that is known to be bounded;
* a URL-encoded form body (`application/x-www-form-urlencoded`, the console's and the pages' forms): every field
  name and value, tab, line feed and carriage return allowed (text areas); a `multipart/form-data` body the same
  (the console's forms take either), except on the upload paths, whose files are pictures and spreadsheets
  checked by their own parsers (a 10 MiB body is not parsed twice).

"Control character" is the C0 set, DEL and the C1 set (Unicode general category Cc); PostgreSQL refuses NUL in
text (a 500 before this guard), and the others have no place in a name, a number or a reason. A refused request
is answered 422 invalid-request with `errors` naming where (`loc`, never the text), a JSON body that nests too
deeply or is not UTF-8 400 bad-request, before any route or database work, so nothing is written.

Sources: Unicode 15 §23.1 (control codes, Cc); RFC 8259 §7 (JSON strings); WHATWG URL, "application/x-www-form-
urlencoded parsing"; PostgreSQL 16 manual §8.3 ("the character with code zero cannot be stored").
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection
from typing import Any, Final
from urllib.parse import parse_qsl

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from verify.texts import Text

from ..problems.handlers import SCHEMA_MISMATCH, ProblemError, problem_error_response, problem_response
from .bodies import CONTROL_CHARACTERS, CONTROL_MESSAGE, JSON_KEY, is_json, parse_json

LINE_CONTROLS: Final = frozenset("\t\n\r")
"""The control characters a body's text may hold (multi-line text); a path or a query never."""
FORM_TYPE: Final = "application/x-www-form-urlencoded"
MULTIPART_TYPE: Final = "multipart/form-data"


def _error(loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {"type": "control_character", "loc": loc, "msg": CONTROL_MESSAGE, "input": None}


def has_control(text: str, *, multiline: bool) -> bool:
    """Whether `text` holds a control character (Cc); `multiline` allows tab, line feed and carriage return."""
    if CONTROL_CHARACTERS.search(text):
        return True
    return not multiline and any(character in text for character in LINE_CONTROLS)


def target_errors(scope: Scope) -> list[dict[str, Any]]:
    """Errors for control characters in the request's path and query parameters (none allowed)."""
    errors: list[dict[str, Any]] = []
    if has_control(str(scope.get("path", "")), multiline=False):
        errors.append(_error(("path",)))
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if has_control(name, multiline=False) or has_control(value, multiline=False):
                errors.append(_error(("query", name if not has_control(name, multiline=False) else "<name>")))
    return errors


def form_errors(body: bytes) -> list[dict[str, Any]]:
    """Errors for control characters in a URL-encoded form's names and values (tab and line breaks allowed)."""
    errors: list[dict[str, Any]] = []
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        if has_control(name, multiline=False):
            errors.append(_error(("body", "<name>")))
        elif has_control(value, multiline=True):
            errors.append(_error(("body", name)))
    return errors


async def multipart_errors(headers: Headers, body: bytes) -> list[dict[str, Any]]:
    """Errors for control characters in a multipart form's text fields (tab and line breaks allowed); none for a
    body that does not parse (the route answers that itself)."""

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(headers, stream()).parse()
    except MultiPartException:
        return []
    errors: list[dict[str, Any]] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                continue
            if has_control(name, multiline=False):
                errors.append(_error(("body", "<name>")))
            elif has_control(value, multiline=True):
                errors.append(_error(("body", name)))
    finally:
        await form.close()
    return errors


async def read_body(receive: Receive) -> bytes:
    """The whole request body from `receive` (the body cap counts it on the way).

    Raises:
        ClientDisconnect: the client went away before the body was complete.
    """
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class InputGuard:
    """Pure ASGI middleware (see the module docstring).

    Args:
        app: the next ASGI application.
        upload_paths: exact paths that take uploads: their multipart bodies are not read here.
    """

    def __init__(self, app: ASGIApp, *, upload_paths: Collection[str] = ()) -> None:
        self.app = app
        self.upload_paths = frozenset(upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse control characters and unbounded JSON; hand a checked body on unchanged."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            errors = target_errors(scope)
            if errors:
                raise RequestValidationError(errors)
            headers = Headers(scope=scope)
            content_type = headers.get("content-type")
            media_type = (content_type or "").split(";", 1)[0].strip().lower()
            multipart = media_type == MULTIPART_TYPE and scope["path"] not in self.upload_paths
            if not (is_json(content_type) or media_type == FORM_TYPE or multipart):
                await self.app(scope, receive, send)
                return
            body = await read_body(receive)
            if is_json(content_type):
                if body:
                    scope[JSON_KEY] = parse_json(body)
            else:
                errors = await multipart_errors(headers, body) if multipart else form_errors(body)
                if errors:
                    raise RequestValidationError(errors)
        except RequestValidationError as exc:
            await problem_response("invalid-request", SCHEMA_MISMATCH, scope=scope, extensions={"errors": _public(exc)},
                                   text=Text("e_schema_mismatch"))(scope, receive, send)
            return
        except ProblemError as exc:
            await problem_error_response(exc, scope)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _public(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The `errors` member of the 422 problem (as `web.problems.handlers` writes it): loc, msg, type."""
    return [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")),
             "type": str(error.get("type", ""))} for error in exc.errors()[:20]]


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read before once, then waits on the client's own (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


__all__ = ["InputGuard", "form_errors", "has_control", "multipart_errors", "read_body", "target_errors"]
