"""The outermost middleware: request id, client address, route template, metrics, access log, last-resort 500.

For every HTTP request `Observe`:

1. gives it a request id (`instance` of its problems, `X-Request-ID` of the answer, `request_id` of the log line):
   the caller's `X-Request-ID` when it is a plain token (`incoming_request_id`: letters, digits, `.` `_` `:` `-`,
   at most 128 characters, no run of 12 digits, which could be an IIN), else a new UUID; and keeps the W3C
   `traceparent` (Trace Context §3.2) of the caller: its trace id is logged as `trace_id`;
2. resolves the client address once (`web.http.guards.ClientAddress`: X-Forwarded-For only from trusted proxies);
3. finds the route template (`/V/{digits}`) that the rate limits, metrics and the log line use, before the
   application runs, so that a 413 or 429 answer is labelled with its route too;
4. adds headers every answer carries: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (a
   verification link carries the holder's name in its digits) and `Cache-Control: no-store` unless the route
   set its own;
5. turns any exception that escaped the application into the generic 500 problem, logs it (type and scrubbed
   traceback; never the request body) and does not re-raise it, so that uvicorn does not log it again; a client
   that went away before its body was received (`ClientDisconnect`) is no failure of ours: one info line, no
   traceback, no answer (there is no one to read it), counted with status 499 (the nginx convention);
6. writes one access line (method, route template, status, duration in ms, client hash, request id) and
   counts it in the metrics.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..problems.handlers import REQUEST_ID_KEY, internal_error_response
from .guards import CLIENT_KEY, ClientAddress
from .logging import ClientHasher, get_logger
from .metrics import UNMATCHED, Metrics

ROUTE_KEY: Final = "verify.route"
"""Scope key of the matched route template (str), or `metrics.UNMATCHED`."""
CLIENT_CLOSED: Final = 499
"""The status a request is counted and logged with when its client went away before its body arrived."""

_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def incoming_request_id(value: str | None) -> str | None:
    """The caller's X-Request-ID if it may be kept and logged, else None.

    Kept: 1-128 characters of letters, digits and `._:-`, starting with a letter or digit, and no run of twelve
    digits (an IIN typed into a header never reaches a log line).
    """
    if value is None or _REQUEST_ID.fullmatch(value) is None or _TWELVE_DIGITS.search(value):
        return None
    return value


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id (32 lower-case hex digits) of a valid W3C `traceparent` header, else None.

    Valid (W3C Trace Context, §3.2): `version-trace_id-parent_id-flags`, lower-case hex; version `ff`, an all-zero
    trace id and an all-zero parent id are invalid; a version 00 header has exactly these four fields.
    """
    if traceparent is None:
        return None
    value = traceparent.strip()
    match = _TRACEPARENT.match(value)
    if match is None:
        return None
    version, trace_id, parent_id, _ = match.groups()
    rest = value[match.end():]
    if version == "ff" or (version == "00" and rest) or (rest and not rest.startswith("-")):
        return None
    if trace_id == "0" * 32 or parent_id == "0" * 16:
        return None
    return trace_id


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The path template of the route that matches the request (fully, or by path only: a 405), or UNMATCHED."""
    partial: str | None = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", UNMATCHED))
        if match is Match.PARTIAL and partial is None:
            partial = str(getattr(route, "path", UNMATCHED))
    return partial or UNMATCHED


class Observe:
    """Pure ASGI middleware (see the module docstring).

    Args:
        app: the next ASGI application.
        routes: the routes whose template is found before the application runs (plain routes, as an
            `APIRouter`'s `routes`; FastAPI's included-router wrappers are not searched).
        metrics: where answers are counted.
        client_address: resolves the client address.
        hasher: stands for the client address in the log line.
    """

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute], metrics: Metrics, client_address: ClientAddress,
                 hasher: ClientHasher) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics
        self.client_address = client_address
        self.hasher = hasher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Observe one request (see the module docstring)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        headers_in = dict(scope.get("headers") or ())
        request_id = incoming_request_id(_header(headers_in, b"x-request-id")) or str(uuid.uuid4())
        trace_id = trace_id_of(_header(headers_in, b"traceparent"))
        traced = {} if trace_id is None else {"trace_id": trace_id}  # logged only when the caller sent one
        scope[REQUEST_ID_KEY] = request_id
        client = self.client_address.resolve(scope)
        scope[CLIENT_KEY] = client
        route = route_template(self.routes, scope)
        scope[ROUTE_KEY] = route
        status = 500
        response_started = False

        async def observing_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        logger = get_logger()
        try:
            await self.app(scope, receive, observing_send)
        except ClientDisconnect:
            status = CLIENT_CLOSED if not response_started else status
            logger.info("client disconnected before the request body was received",
                        extra={"route": route, "request_id": request_id})
        except Exception as exc:
            logger.error("unhandled exception", exc_info=True,
                         extra={"route": route, "request_id": request_id, "error": type(exc).__name__,
                                **traced})
            if response_started:
                status = 500  # the answer is cut short; counted as a failure
            else:
                await internal_error_response(scope)(scope, receive, observing_send)
        finally:
            duration_s = time.perf_counter() - started_at
            method = str(scope.get("method", ""))
            self.metrics.observe_request(method=method, route=route, status=status, duration_s=duration_s)
            logger.info("request", extra={"method": method, "route": route, "status": status,
                                          "duration_ms": round(duration_s * 1000, 1), "client": self.hasher(client),
                                          "request_id": request_id, **traced})


def _header(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")
