"""Rate limits per client on the public endpoints: sliding window counters (`limits`), 429 with Retry-After.

Each limited route belongs to a bucket ("verify", "scan", "lookup", "trust_list"); a bucket has one or more
rates ("10/minute;60/hour") counted per client address (`web.http.guards.ClientAddress`). The state lives in Redis
when VERIFY_REDIS_URL is set, so that every worker and instance counts together, else in the process's memory.

`RateLimit` is a pure ASGI middleware that runs before the application, on the route template and client
address `web.http.observe.Observe` found, so a refused request is answered before its body (an upload of 10 MiB) is
read. If Redis cannot be reached the request is let through and a warning is logged (at most once a minute):
verification stays available, and the limits resume with Redis.

The limiter is the asyncio flavour of `limits` (`limits.aio`): it counts on the event loop, with no worker
thread per request for Redis (redis-py's asyncio client) and none every 10 ms for memory (the synchronous
memory storage starts a `threading.Timer` that often, which cost a verification 7 % of its CPU:
docs/bench-http.md). Its storage is made on first use, inside the running loop, as `limits.aio` requires.

The sliding window counter keeps two counters per client and rate (this window's and the previous one's) and
weighs the previous one by how much of it still overlaps the last window length: memory per client is constant
(a moving window stores a timestamp per request: a `1000/minute` limit over a million clients could hold a
billion). The weighting assumes the previous window's requests were spread evenly; a client that crowds them
at its very end can fit up to about twice the rate into one window length, the bound a fixed window has at
every boundary. Retry-After (RFC 9110 §10.2.3) is the number of seconds until the weighted count falls under
the rate; the status is 429 Too Many Requests (RFC 6585 §4).

Sources: limits documentation, "Rate limiting strategies: Sliding Window Counter" and "Storage backends".
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import redis.asyncio
from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from verify.texts import Text

from ..problems.handlers import problem_response
from .guards import CLIENT_KEY
from .logging import get_logger
from .observe import ROUTE_KEY

KEY_PREFIX: Final = "verify"
REDIS_SCHEMES: Final = ("redis", "rediss", "redis+sentinel", "redis+cluster")
"""URL schemes of VERIFY_REDIS_URL (each has an asyncio storage in `limits.aio`, as `async+<scheme>`)."""
_WARN_EVERY_S: Final = 60.0


class RateLimiter:
    """Per-client sliding-window-counter limits by bucket, counted on the event loop.

    Args:
        rates: bucket name -> rate string of the `limits` library, e.g. {"lookup": "10/minute;60/hour"}.
        redis_url: `redis://`, `rediss://`, `redis+sentinel://` or `redis+cluster://` URL of the shared state, or
            None for this process's memory.
        timeout_s: Redis socket timeout, in seconds; a slower Redis lets the request through.

    Raises:
        ValueError: a rate string that does not parse, or a URL of another scheme.
    """

    def __init__(self, rates: Mapping[str, str], *, redis_url: str | None = None, timeout_s: float = 0.5) -> None:
        self.items: dict[str, list[RateLimitItem]] = {bucket: parse_many(rate) for bucket, rate in rates.items()}
        if redis_url is not None and urlsplit(redis_url).scheme not in REDIS_SCHEMES:
            raise ValueError(f"VERIFY_REDIS_URL: use one of the schemes {', '.join(REDIS_SCHEMES)}")
        self.backend = "redis" if redis_url else "memory"
        self._redis_url = redis_url
        self._timeout_s = timeout_s
        self._connections: redis.asyncio.ConnectionPool | None = None
        self._limiter: SlidingWindowCounterRateLimiter | None = None
        self._warned_at = -math.inf

    def _strategy(self) -> SlidingWindowCounterRateLimiter:
        """The sliding-window-counter strategy on its storage, made on first use (inside the running loop)."""
        if self._limiter is None:
            if self._redis_url is None:
                storage = storage_from_string("async+memory://")
            else:
                options: dict[str, Any] = {"implementation": "redispy", "wrap_exceptions": True,
                                           "key_prefix": KEY_PREFIX}
                timeouts = {"socket_timeout": self._timeout_s, "socket_connect_timeout": self._timeout_s}
                if urlsplit(self._redis_url).scheme in ("redis", "rediss"):  # our pool, so that `close` can end it
                    self._connections = redis.asyncio.ConnectionPool.from_url(self._redis_url, **timeouts)
                    options["connection_pool"] = self._connections
                else:
                    options.update(timeouts)
                storage = storage_from_string(f"async+{self._redis_url}", **options)
            assert isinstance(storage, Storage)
            self._limiter = SlidingWindowCounterRateLimiter(storage)
        return self._limiter

    async def close(self) -> None:
        """Close the Redis connections (redis:// and rediss://; a sentinel's are closed with the process)."""
        if self._connections is not None:
            await self._connections.aclose()
            self._connections = None
        self._limiter = None

    async def hit(self, bucket: str, client: str) -> int | None:
        """Count one request of `client` in `bucket`.

        Returns:
            None when the request is within every rate of the bucket; else the seconds (>= 1) until it would be.
            Also None when the bucket has no rates or the storage fails (the request is let through).
        """
        items = self.items.get(bucket)
        if not items:
            return None
        strategy = self._strategy()
        try:
            for item in items:
                if not await strategy.hit(item, bucket, client):
                    stats = await strategy.get_window_stats(item, bucket, client)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except StorageError as exc:
            self._warn(exc)
        return None

    async def healthy(self) -> bool:
        """Whether the storage answers (always True for memory)."""
        try:
            return bool(await self._strategy().storage.check())
        except Exception:  # a storage that cannot even be asked is not healthy
            return False

    def _warn(self, exc: StorageError) -> None:
        now = time.monotonic()  # only the event loop counts: no lock needed
        if now - self._warned_at < _WARN_EVERY_S:
            return
        self._warned_at = now
        get_logger().warning("rate-limit storage unavailable; requests are let through",
                             extra={"error": type(exc.storage_error).__name__})


class RateLimit:
    """Pure ASGI middleware: counts requests to limited routes and answers 429 over the limit.

    It reads the route template and the client address that `web.http.observe.Observe` put in the scope.

    Args:
        app: the next ASGI application.
        limiter: the `RateLimiter`.
        buckets: route path template -> bucket, e.g. {"/api/v1/lookup": "lookup"}; other routes are not limited.
        on_limited: called with the bucket of every refused request (metrics).
    """

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, buckets: Mapping[str, str],
                 on_limited: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.buckets = dict(buckets)
        self.on_limited = on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 429 for a client over its limit; else pass the request on."""
        bucket = self.buckets.get(str(scope.get(ROUTE_KEY))) if scope["type"] == "http" else None
        if bucket is not None:
            client = str(scope.get(CLIENT_KEY) or "unknown")
            wait_s = await self.limiter.hit(bucket, client)
            if wait_s is not None:
                if self.on_limited is not None:
                    self.on_limited(bucket)
                response = problem_response("rate-limited", f"too many requests; try again in {wait_s} s",
                                            scope=scope, headers={"Retry-After": str(wait_s)},
                                            text=Text("e_rate_limited", {"seconds": wait_s}))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
