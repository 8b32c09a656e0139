"""Benchmark: where a verification request's time goes, in process (issue 16 item 2).

    .venv/bin/python bench/bench_http_parts.py --requests 300 --rounds 7
    .venv/bin/python bench/bench_http_parts.py --engine postgresql --requests 300 --rounds 7

The application of `web serve` (`web.app.create_app`, the production settings of `bench_http.py`: its middleware,
access log, metrics and rate limits) is called as an ASGI application in this process, without a server or a
socket, on a fresh registry of `--documents` issued documents. Measured, alternating request by request in blocks
of `--requests` (the order rotating), each a median of `--rounds` rounds of CPU time per request:

* **trivial**: `GET /api/v1/ping`, the HTTP benchmark's anchor;
* **verify**: `POST /api/v1/verify` of each document's QR text in turn, as served;
* **verify, no rate limit**: the same with the limiter's hit answered at once (what the `verify` bucket costs);
* **verify, status given**: steps 1-12 with each document's registry status read before the run (what the
  registry's lookup costs, its driver and statement included);
* **verify, report given**: each document's report made before the run, its JSON written per request (what
  the check costs inside a request, lookup included).

The parts are the differences between these rows, each measured in the same rounds. They are in-process figures: a
real server adds uvicorn's own work to both the trivial and the verification request (`bench_http.py` measures
that ratio); the in-process ratio is therefore lower than the served one. The access log goes to a file of the run
(as the served benchmark's server log does). PostgreSQL: `--postgres-url`, the benchmarks' own database
(`bench/benchdb.py`), a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_http import RATES, prepare_registry  # noqa: E402
from bench_registry import BASE_URL, T0, fresh_database  # noqa: E402
from benchdb import add_postgres_option  # noqa: E402
from machine import cpu_model  # noqa: E402

from verify.keystore import KeyStore  # noqa: E402

Message = dict[str, Any]


class InProcess:
    """The application, started (its lifespan), called request by request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._lifespan: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        started = asyncio.Event()

        async def send(message: Message) -> None:
            if message["type"].startswith("lifespan.startup"):
                started.set()

        await self._lifespan.put({"type": "lifespan.startup"})
        self._task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"},
                                                   "state": self.state}, self._lifespan.get, send))
        await started.wait()

    async def stop(self) -> None:
        await self._lifespan.put({"type": "lifespan.shutdown"})
        if self._task is not None:
            await self._task

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """One request as uvicorn would pass it (HTTP/1.1, keep-alive client on 127.0.0.1); (status, body)."""
        headers = [(b"host", b"127.0.0.1:8000")]
        if body:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
                 "state": dict(self.state)}
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        status, chunks = 0, []

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def run(url: str, keys: KeyStore, workdir: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    registry = prepare_registry("postgresql" if url.startswith("postgresql") else "sqlite", url, keys, args.documents)
    os.environ.update({
        "VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(keys.path), "VERIFY_BASE_URL": BASE_URL,
        "VERIFY_DATABASE_URL": url, "VERIFY_DATA_DIR": str(workdir / "data"), "VERIFY_RATE_VERIFY": RATES,
        "VERIFY_RATE_SCAN": RATES, "VERIFY_RATE_LOOKUP": RATES, "VERIFY_RATE_TRUST_LIST": RATES,
        "VERIFY_SCAN_WORKERS": "1"})
    from web.app import create_app
    from web.deps import utcnow
    from web.public import api
    from web.public.service import check_text_on_loop

    app = InProcess(create_app())
    await app.start()
    try:
        services = app.app.state.services
        bodies = [json.dumps({"qr_text": text}).encode() for text in registry.qr_texts]
        for body in (bodies[0], bodies[-1]):
            status, answer = await app.request("POST", "/api/v1/verify", body)
            assert status == 200 and json.loads(answer)["verdict"] == "VALID", answer[:300]
        statuses, reports = {}, {}
        for text in registry.qr_texts:
            pending = services.verifier().begin(text, at=utcnow())
            assert pending.query is not None
            statuses[text] = await pending.query.ask_async(services.public_async)
            reports[text] = pending.finish(statuses[text])
        served, hit = check_text_on_loop, services.limiter.hit

        async def status_given(services: Any, text: str, *, source: str) -> Any:
            return services.verifier().begin(text, at=utcnow()).finish(statuses[text])

        async def report_given(services: Any, text: str, *, source: str) -> Any:
            return reports[text]

        async def no_hit(bucket: str, client: str) -> None:
            return None

        def patched(check: Callable[..., Awaitable[Any]], limiter_hit: Callable[..., Awaitable[Any]]) -> None:
            api.check_text_on_loop = check  # type: ignore[attr-defined,assignment]  # the name verify_text calls
            services.limiter.hit = limiter_hit

        cases: dict[str, tuple[str, str, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]]] = {
            "trivial": ("GET", "/api/v1/ping", served, hit),
            "verify": ("POST", "/api/v1/verify", served, hit),
            "verify, no rate limit": ("POST", "/api/v1/verify", served, no_hit),
            "verify, status given": ("POST", "/api/v1/verify", status_given, hit),
            "verify, report given": ("POST", "/api/v1/verify", report_given, hit),
        }
        order = list(cases.items())
        per_request: dict[str, list[float]] = {name: [] for name in cases}
        clock = time.process_time
        for _ in range(args.rounds):
            spent = dict.fromkeys(cases, 0.0)
            for index in range(len(bodies) // args.requests or 1):
                turn = index % len(order)
                for name, (method, path, check, limiter_hit) in order[turn:] + order[:turn]:
                    patched(check, limiter_hit)
                    chunk = bodies[(index * args.requests) % len(bodies):][:args.requests]
                    began = clock()
                    for body in chunk:
                        await app.request(method, path, body if method == "POST" else b"")
                    spent[name] += (clock() - began) / len(chunk)
            for name in cases:
                per_request[name].append(spent[name] / (len(bodies) // args.requests or 1) * 1e6)
        patched(served, hit)
        return per_request
    finally:
        await app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    add_postgres_option(parser)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100, help="requests per block")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-parts-") as tmp:
        workdir = Path(tmp)
        (workdir / "data").mkdir()
        keys = KeyStore(workdir / "keys")
        keys.init(at=T0 - dt.timedelta(days=1), environment="test")
        report = os.fdopen(os.dup(sys.stdout.fileno()), "w")
        log = (workdir / "access.log").open("w")
        with fresh_database(args.engine, args.postgres_url, workdir) as url, contextlib.redirect_stderr(log):
            per_request = asyncio.run(run(url, keys, workdir, args))
    median = {name: statistics.median(values) for name, values in per_request.items()}
    print(f"Python {platform.python_version()}, {cpu_model()}, {args.engine}, {args.documents} documents, "
          f"{args.rounds} rounds, blocks of {args.requests}; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after\n", file=report)
    print("| request | CPU µs per request (median) | every round |\n|---|---|---|", file=report)
    for name, values in per_request.items():
        print(f"| {name} | {median[name]:.1f} | {', '.join(f'{v:.1f}' for v in values)} |", file=report)
    verify = median["verify"]
    print(f"\nin process, trivial / verify: {median['trivial'] / verify:.2f}\n", file=report)
    print("| part of a verification request | CPU µs |\n|---|---|", file=report)
    parts = {"the rate limit's hit": verify - median["verify, no rate limit"],
             "the registry's lookup": verify - median["verify, status given"],
             "the check, steps 1-12 (lookup included)": verify - median["verify, report given"],
             "the rest: body, JSON answer, middleware, log": median["verify, report given"] - median["trivial"]}
    for name, value in parts.items():
        print(f"| {name} | {value:.1f} |", file=report)
    report.close()


if __name__ == "__main__":
    main()
