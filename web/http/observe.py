"""The outermost middleware: request id, client address, route template, metrics, access log, last-resort 500.

For every HTTP request `Observe`:

1. gives it a request id (`instance` of its problems, `X-Request-ID` of the answer, `request_id` of the log line);
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
        request_id = str(uuid.uuid4())
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
                         extra={"route": route, "request_id": request_id, "error": type(exc).__name__})
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
                                          "request_id": request_id})
