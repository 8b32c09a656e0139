"""JSON bodies in and out for routes that run on the event loop: the verification route reads its body itself.

`parse_json(body)` is the one JSON reader of the service: every JSON body is read by it once, in
`web.http.inputs.InputGuard` (before any route, FastAPI's body parameters included), and `read_json` takes the
document it left in the scope. It is bounded: the body by the body cap (`web.http.guards.BodySizeLimit`, 64 KiB
by default), the nesting by `MAX_JSON_DEPTH` (counted on the bytes before parsing, so a deep document never
reaches a recursive parser), and it refuses control characters in every string (`web.http.inputs`).

`read_json(request, model)` answers a bad body exactly as FastAPI's own body parameters do (its
`fastapi.routing.get_request_handler`), so every route of the API fails alike:

    415 unsupported-media-type   Content-Type is not application/json or */*+json (RFC 9110 §15.5.16)
    422 invalid-request          no body, JSON that does not parse (type `json_invalid`, `loc` ["body", offset]),
                                 a string with a control character (type `control_character`, `loc` where), or a
                                 document that does not match the model (`loc` ["body", field, ...])
    400 bad-request              a body that is not UTF-8 or nests deeper than `MAX_JSON_DEPTH`
    413 content-too-large        the body cap (`web.http.guards.BodySizeLimit`, raised while the body is received)

Why not a FastAPI body parameter: its dependency solving and validation cost a verification a tenth of its
time, and a plain `def` route a hop to a worker thread that costs more than the whole check
(docs/bench-http.md). `ReportResponse` writes JSON with orjson (UTF-8, compact), the same bytes' meaning as
Starlette's `JSONResponse` in a tenth of the time.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final, TypeVar

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.types import Scope

from verify.texts import Text

from ..problems.handlers import ProblemError

Model = TypeVar("Model", bound=BaseModel)

BODY_UNREADABLE = "the body cannot be read: not UTF-8, or nested too deeply"
JSON_ONLY = "send the request body as application/json"
MAX_JSON_DEPTH: Final = 32
"""The deepest nesting of arrays and objects a JSON body may have (the API's bodies nest a few levels)."""
JSON_KEY: Final = "verify.json"
"""Scope key where `web.http.inputs.InputGuard` leaves the parsed JSON body (`parse_json`'s result)."""
CONTROL_CHARACTERS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 controls but tab, line feed and carriage return (multi-line text keeps them), DEL, and C1 controls."""
CONTROL_MESSAGE: Final = "control characters are not allowed in text"
_BRACKETS_AND_STRINGS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_C1_IN_UTF8: Final = re.compile(rb"\xc2[\x80-\x9f]")


def may_hold_controls(body: bytes) -> bool:
    """Whether a JSON body may hold a control character in a string: an escape `\\u` (any code point), `\\b` or
    `\\f`, a raw DEL, or a raw C1 control (UTF-8 `C2 80`-`C2 9F`); False means it surely holds none.

    Single bytes first (a backslash, DEL, `C2`: memchr), the two-byte escapes and the C1 pattern only in a body that
    has their first byte: half the cost of the verification's body read (7.2 µs) went to a generator over the
    markers and that search, for a body that has none.
    """
    return ((b"\\" in body and (b"\\u" in body or b"\\b" in body or b"\\f" in body)) or b"\x7f" in body
            or (b"\xc2" in body and _C1_IN_UTF8.search(body) is not None))


def too_deep(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `max_depth` (brackets inside strings not counted).

    Linear in the body and never recursive: it runs before the parser, which recurses once per level.
    """
    if body.count(b"[") + body.count(b"{") <= max_depth:  # cannot be deeper than it has openers
        return False
    depth = 0
    for match in _BRACKETS_AND_STRINGS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def control_character_errors(document: Any, loc: tuple[str | int, ...] = ("body",)) -> list[dict[str, Any]]:
    """Validation errors (FastAPI's shape) for every string of a parsed JSON document with a control character.

    Keys and values are both checked; the error's `loc` names where (never the text). Iterative, so any depth.
    """
    errors: list[dict[str, Any]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, loc)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if CONTROL_CHARACTERS.search(value):
                errors.append({"type": "control_character", "loc": where, "msg": CONTROL_MESSAGE, "input": None})
        elif isinstance(value, dict):
            for key, item in value.items():
                if CONTROL_CHARACTERS.search(key):
                    errors.append({"type": "control_character", "loc": (*where, "<key>"), "msg": CONTROL_MESSAGE,
                                   "input": None})
                else:
                    stack.append((item, (*where, key)))
        elif isinstance(value, list):
            stack.extend((item, (*where, index)) for index, item in enumerate(value))
    return sorted(errors, key=lambda error: [str(part) for part in error["loc"]])


def parse_json(body: bytes) -> Any:
    """The one JSON reader: the document of a JSON body, bounded in depth, without control characters.

    Args:
        body: the whole body (already capped in size by `web.http.guards.BodySizeLimit`), UTF-8.

    Returns:
        The parsed document (RFC 8259).

    Raises:
        ProblemError: 400 bad-request: not UTF-8, or nested deeper than `MAX_JSON_DEPTH`.
        RequestValidationError: 422: no body, JSON that does not parse (`json_invalid`), or a string holding
            a control character (`control_character`, `loc` naming it).
    """
    if not body:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    if too_deep(body):
        raise ProblemError("bad-request", BODY_UNREADABLE, text=Text("e_body_unreadable"))
    try:
        # UTF-8 only (RFC 8259 §8.1): json.loads(bytes) would also take UTF-16 and UTF-32, whose escapes the
        # control-character check below (on UTF-8 bytes) would not see.
        document: Any = json.loads(body.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": exc.msg}}]) from None
    except (ValueError, RecursionError):  # not UTF-8 (UnicodeDecodeError), or deeper than the parser goes
        raise ProblemError("bad-request", BODY_UNREADABLE, text=Text("e_body_unreadable")) from None
    # Control characters can only be in strings, escaped (\u0000, \b, \f) or as raw DEL and C1 bytes:
    # a body with none of those needs no walk (the common case, and the verification's).
    if may_hold_controls(body):
        errors = control_character_errors(document)
        if errors:
            raise RequestValidationError(errors)
    return document


def scope_json(scope: Scope) -> tuple[bool, Any]:
    """(True, the document) when `InputGuard` parsed this request's JSON body, else (False, None)."""
    if JSON_KEY in scope:
        return True, scope[JSON_KEY]
    return False, None


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type header names JSON: `application/json` or `application/*+json` (any parameters)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


async def read_json(request: Request, model: type[Model]) -> Model:
    """The request body as an instance of `model` (see the module docstring for the answers to a bad one).

    The document `InputGuard` parsed is used when there is one; else the body is read with `parse_json`.

    Raises:
        ProblemError: 415 unsupported-media-type, 400 bad-request, 413 content-too-large.
        RequestValidationError: 422, answered by `web.problems` as invalid-request with `errors`.
    """
    if not is_json(request.headers.get("content-type")):
        raise ProblemError("unsupported-media-type", JSON_ONLY, text=Text("e_json_only"))
    parsed, document = scope_json(request.scope)
    if not parsed:
        document = parse_json(await request.body())
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])}
                                      for error in exc.errors(include_url=False, include_input=False)]) from None


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` of a route that reads `model` with `read_json`: the request body it documents.

    The model's schema must be among the components (`web.app` adds it by name).
    """
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


class ReportResponse(JSONResponse):
    """`JSONResponse` rendered by orjson: UTF-8, no spaces; keys must be strings (orjson refuses others)."""

    def render(self, content: Any) -> bytes:
        """The JSON bytes of `content`.

        Raises:
            TypeError: a value orjson cannot write (orjson.JSONEncodeError).
        """
        return orjson.dumps(content)
