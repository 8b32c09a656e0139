"""JSON bodies in and out for routes that run on the event loop: the verification route reads its body itself.

`read_json(request, model)` answers a bad body exactly as FastAPI's own body parameters do (its
`fastapi.routing.get_request_handler`), so every route of the API fails alike:

    415 unsupported-media-type   Content-Type is not application/json or */*+json (RFC 9110 §15.5.16)
    422 invalid-request          no body, JSON that does not parse (type `json_invalid`, `loc` ["body", offset]),
                                 or a document that does not match the model (`loc` ["body", field, ...])
    400 bad-request              a body that is not UTF-8 or nests too deeply for the parser
    413 content-too-large        the body cap (`web.http.guards.BodySizeLimit`, raised while the body is received)

Why not a FastAPI body parameter: its dependency solving and validation cost a verification a tenth of its
time, and a plain `def` route a hop to a worker thread that costs more than the whole check
(docs/bench-http.md). `ReportResponse` writes JSON with orjson (UTF-8, compact), the same bytes' meaning as
Starlette's `JSONResponse` in a tenth of the time.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from ..problems.handlers import ProblemError

Model = TypeVar("Model", bound=BaseModel)

BODY_UNREADABLE = "the body cannot be read: not UTF-8, or nested too deeply"
JSON_ONLY = "send the request body as application/json"


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type header names JSON: `application/json` or `application/*+json` (any parameters)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


async def read_json(request: Request, model: type[Model]) -> Model:
    """The request body as an instance of `model` (see the module docstring for the answers to a bad one).

    Raises:
        ProblemError: 415 unsupported-media-type, 400 bad-request, 413 content-too-large.
        RequestValidationError: 422, answered by `web.problems` as invalid-request with `errors`.
    """
    if not is_json(request.headers.get("content-type")):
        raise ProblemError("unsupported-media-type", JSON_ONLY)
    body = await request.body()
    if not body:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        document: Any = json.loads(body)
    except json.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": exc.msg}}]) from None
    except (ValueError, RecursionError):  # not UTF-8 (UnicodeDecodeError), or deeper than the parser goes
        raise ProblemError("bad-request", BODY_UNREADABLE) from None
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
