"""Problems in the OpenAPI document: their schema, examples per operation, and what every operation may answer.

* `ProblemModel` (with `ValidationItem`) is the schema of every error answer; `ProblemTypeModel` of
  `GET /problems/<slug>`;
* `problem_responses((slug, detail), ...)` gives an operation's `responses` entries, grouped by status, each with
  an example; the shared examples (`UNAUTHORIZED`, `FORBIDDEN`, ...) are the details the service really sends;
* `complete_openapi(app, models)` builds the document once: the named component schemas responses refer to,
  FastAPI's default 422 described as the invalid-request problem it is, and 400 / 413 on every operation that
  takes a body.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from .catalogue import PROBLEM_TYPES
from .errors import REGISTRY_UNAVAILABLE

# Examples shared by the operations (the details the service sends).
UNAUTHORIZED: Final = ("unauthorized", "sign in or send a bearer token")
FORBIDDEN: Final = ("forbidden", "this needs the scope officer:write, which this session or token does not hold")
CSRF_FAILED: Final = ("csrf-failed", "the X-CSRF-Token header is missing or does not match this session")
INVALID: Final = ("invalid-request", "the request does not match the schema; see errors")
TOO_LARGE: Final = ("content-too-large", "the request body is over the cap of 65536 bytes")
RATE_LIMITED: Final = ("rate-limited", "too many requests; try again in 17 s")
JSON_ONLY: Final = ("unsupported-media-type", "send the request body as application/json")
INTERNAL: Final = ("internal-error", "the server failed; the failure was logged under this instance id")
UNAVAILABLE: Final = ("unavailable", REGISTRY_UNAVAILABLE)
BODY_PROBLEMS: Final = (("bad-request", "the body cannot be read: not UTF-8, malformed JSON or multipart"),
                        TOO_LARGE)
"""What any request with a body may be answered: FastAPI's 400 for a body it cannot parse, and the body cap."""


class ValidationItem(BaseModel):
    """Where a request failed its schema (never the value sent)."""

    loc: list[str]
    msg: str
    type: str


class ProblemModel(BaseModel):
    """An RFC 9457 problem (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="/problems/<slug>; GET it for a description")
    title: str
    status: int
    detail: str
    instance: str = Field(description="urn:uuid:<request id>, also in the X-Request-ID header and the server log")
    errors: list[ValidationItem] | None = Field(default=None, description="for invalid-request: where")
    code: str | None = Field(default=None, description=(
        "a stable machine code: the verify error's code (NOT_FOUND, NO_SIGNER_IN_SCOPE, ...) or the message id of "
        "the service's own refusal (e_login_failed, ...); `detail` is in the language of Accept-Language"))


class ProblemTypeModel(BaseModel):
    """`GET /problems/<slug>`: what a problem type means."""

    type: str
    title: str
    status: int
    description: str


def problem_example(slug: str, detail: str, **extensions: Any) -> dict[str, Any]:
    """An example problem body of type `slug` for the OpenAPI document."""
    problem = PROBLEM_TYPES[slug]
    return {"type": problem.uri, "title": problem.title, "status": problem.status, "detail": detail,
            "instance": "urn:uuid:4f1c2a57-9a0e-4c53-9d7e-0c1b5d2f7e61", **extensions}


def problem_responses(*examples: tuple[str, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for problems: (slug, detail) pairs, grouped by status.

    The schema is referenced by name; `complete_openapi` adds `ProblemModel` to the document's components.
    """
    out: dict[int | str, dict[str, Any]] = {}
    for slug, detail in examples:
        problem = PROBLEM_TYPES[slug]
        entry = out.setdefault(problem.status, {
            "description": problem.title,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"},
                                                     "examples": {}}}})
        examples_map = entry["content"]["application/problem+json"]["examples"]
        examples_map[slug] = {"summary": problem.title, "value": problem_example(slug, detail)}
    return out


def complete_openapi(app: FastAPI, models: Sequence[type[BaseModel]]) -> Callable[[], dict[str, Any]]:
    """`app.openapi`: the document built once, with `models` (and `ProblemModel`) as named component schemas."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=app.routes, tags=app.openapi_tags)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            named: tuple[type[BaseModel], ...] = (ProblemModel, *models, ValidationItem)
            for model in named:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in schema.pop("$defs", {}).items():
                    schemas.setdefault(name, definition)
                schemas.setdefault(model.__name__, schema)
            _problem_validation_errors(document)
            _problem_body_errors(document)
            app.openapi_schema = document
        return app.openapi_schema

    return build


def _problem_validation_errors(document: dict[str, Any]) -> None:
    """Describe FastAPI's default 422 answers as what `web.problems` sends: an invalid-request problem."""
    invalid = problem_responses(INVALID)[422]
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422")
            if answer is not None and "application/problem+json" not in answer.get("content", {}):
                operation["responses"]["422"] = invalid
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _problem_body_errors(document: dict[str, Any]) -> None:
    """Document 400 (an unreadable body) and 413 (over the cap) on every operation that takes a request body."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            for status, answer in problem_responses(*BODY_PROBLEMS).items():
                present = responses.setdefault(str(status), answer)
                if present is not answer and "application/problem+json" in present.get("content", {}):
                    examples = present["content"]["application/problem+json"].setdefault("examples", {})
                    for slug, example in answer["content"]["application/problem+json"]["examples"].items():
                        examples.setdefault(slug, example)
