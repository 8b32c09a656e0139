"""Rate limits per client: memory and Redis storage, the client behind trusted proxies, and a Redis outage.

Named cases of who a request is counted as (`ClientAddress`), then the limits through the app. The Redis cases
need the server at VERIFY_TEST_REDIS_URL (default redis://127.0.0.1:6379/0): skipped with the reason when it
cannot be reached, failed when CI=true.
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
from typing import Any

import pytest
from support.coroutines import run_async
from support.leaks import CORPUS
from support.web import MakeClient, assert_problem

from web.http.guards import ClientAddress
from web.http.ratelimit import RateLimiter

REDIS_URL = os.environ.get("VERIFY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROXIES = ("10.0.0.0/8", "2001:db8:ffff::/48")


def scope(peer: str | None, *forwarded: str) -> dict[str, Any]:
    return {"type": "http", "client": None if peer is None else (peer, 1234),
            "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded]}


CLIENT_CASES = [
    # (case, trusted proxies, peer, X-Forwarded-For headers, counted as)
    ("no proxies configured: the header is ignored", (), "203.0.113.9", ("198.51.100.1",), "203.0.113.9"),
    ("untrusted peer: a spoofed header is ignored", PROXIES, "203.0.113.9", ("198.51.100.1",), "203.0.113.9"),
    ("trusted proxy: the client it names", PROXIES, "10.1.2.3", ("198.51.100.1",), "198.51.100.1"),
    ("two trusted proxies: the first untrusted from the right", PROXIES, "10.1.2.3",
     ("198.51.100.1, 10.9.9.9",), "198.51.100.1"),
    ("a client's own spoofed entry on the left is skipped", PROXIES, "10.1.2.3",
     ("6.6.6.6, 198.51.100.1",), "198.51.100.1"),
    ("several header lines are one list", PROXIES, "10.1.2.3", ("6.6.6.6", "198.51.100.1"), "198.51.100.1"),
    ("a garbage hop stops the walk at the last good address", PROXIES, "10.1.2.3",
     ("198.51.100.1, not-an-ip",), "10.1.2.3"),
    ("only trusted hops: the leftmost", PROXIES, "10.1.2.3", ("10.4.4.4, 10.5.5.5",), "10.4.4.4"),
    ("a hop with a port", PROXIES, "10.1.2.3", ("198.51.100.1:4711",), "198.51.100.1"),
    ("IPv6 clients are counted by /64", (), "2001:db8:1:2:3:4:5:6", (), "2001:db8:1:2::/64"),
    ("an IPv6 proxy and a bracketed hop", PROXIES, "2001:db8:ffff::1", ("[2001:db8:9::5]:443",), "2001:db8:9::/64"),
    ("IPv4-mapped IPv6 is IPv4", (), "::ffff:198.51.100.1", (), "198.51.100.1"),
    ("no peer address (a unix socket)", PROXIES, None, ("198.51.100.1",), "unknown"),
]


@pytest.mark.parametrize(("case", "trusted", "peer", "forwarded", "expected"), CLIENT_CASES,
                         ids=[case[0] for case in CLIENT_CASES])
def test_the_client_address(case: str, trusted: tuple[str, ...], peer: str | None, forwarded: tuple[str, ...],
                            expected: str) -> None:
    assert ClientAddress(trusted).resolve(scope(peer, *forwarded)) == expected, case


def test_x_forwarded_for_from_an_untrusted_peer_does_not_pick_a_new_bucket(make_client: MakeClient) -> None:
    client = make_client(client=("203.0.113.9", 5000), rate_lookup="2/minute", trusted_proxies="10.0.0.0/8")
    statuses = [client.post("/api/v1/lookup", json={"series": "BD", "number": "0000001", "surname": "x"},
                            headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
    assert statuses == [404, 404, 429]


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(make_client: MakeClient) -> None:
    client = make_client(client=("10.0.0.2", 5000), rate_lookup="2/minute", trusted_proxies="10.0.0.0/8")
    body = {"series": "BD", "number": "0000001", "surname": "x"}

    def lookup(address: str) -> int:
        return client.post("/api/v1/lookup", json=body, headers={"X-Forwarded-For": address}).status_code

    assert [lookup("198.51.100.1") for _ in range(3)] == [404, 404, 429]
    assert [lookup("198.51.100.2") for _ in range(2)] == [404, 404]


def test_rate_strings_and_proxies_are_validated_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from web.settings import WebSettings

    with pytest.raises(ValidationError, match="not a rate"):
        WebSettings(rate_lookup="ten per minute")
    with pytest.raises(ValidationError, match="not an IP address or CIDR"):
        WebSettings.model_validate({"trusted_proxies": "10.0.0.0/8, proxy.example"})
    parsed = WebSettings.model_validate({"trusted_proxies": "10.0.0.0/8, 192.0.2.1"})
    assert parsed.trusted_proxies == ("10.0.0.0/8", "192.0.2.1")
    monkeypatch.setenv("VERIFY_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32")
    assert WebSettings().trusted_proxies == ("10.0.0.0/8", "2001:db8::/32")


def test_a_limiter_counts_each_rate_of_a_bucket() -> None:
    limiter = RateLimiter({"lookup": "3/minute;4/hour"})

    async def hits() -> None:
        assert [await limiter.hit("lookup", "a") for _ in range(3)] == [None, None, None]
        wait_s = await limiter.hit("lookup", "a")
        assert wait_s is not None and 1 <= wait_s <= 60
        assert await limiter.hit("lookup", "b") is None and await limiter.hit("other", "a") is None
        assert limiter.backend == "memory" and await limiter.healthy()

    run_async(hits())


def test_a_limiter_refuses_a_storage_url_of_another_scheme() -> None:
    with pytest.raises(ValueError, match="redis, rediss, redis"):
        RateLimiter({"lookup": "3/minute"}, redis_url="memcached://127.0.0.1:11211")
    with pytest.raises(ValueError, match="rate"):
        RateLimiter({"lookup": "three a minute"})


# ----------------------------------------------------------------------------- Redis
@pytest.fixture(scope="module")
def redis_url() -> str:
    """The Redis URL, or a skip (a failure when CI=true) saying why it cannot be used."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}: {exc})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the Redis rate-limit tests are required when CI=true")
        pytest.skip(f"{reason}; set VERIFY_TEST_REDIS_URL or start Redis (required when CI=true)")
    return REDIS_URL


def fresh_address() -> str:
    """An address no earlier run used (the windows of earlier runs may still be open in Redis)."""
    return str(ipaddress.IPv4Address("198.18.0.0") + random.randrange(2**17))


def test_redis_storage_counts_every_worker_together(make_client: MakeClient, redis_url: str) -> None:
    address = fresh_address()
    first = make_client(client=(address, 5000), redis_url=redis_url, rate_verify="3/minute")
    second = make_client(client=(address, 5001), redis_url=redis_url, rate_verify="3/minute")
    assert first.app.state.services.limiter.backend == "redis"  # type: ignore[attr-defined]
    statuses = [client.post("/api/v1/verify", json={"qr_text": "x"}).status_code
                for client in (first, second, first)]
    assert statuses == [200, 200, 200]
    refused = second.post("/api/v1/verify", json={"qr_text": "x"})
    assert_problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    other = make_client(client=(fresh_address(), 5000), redis_url=redis_url, rate_verify="3/minute")
    assert other.post("/api/v1/verify", json={"qr_text": "x"}).status_code == 200
    assert first.get("/healthz").json()["rate_limit_storage"] == "ok"


def test_an_unreachable_redis_lets_requests_through_and_says_so(make_client: MakeClient) -> None:
    lines_before = len(CORPUS.lines)
    client = make_client(redis_url="redis://127.0.0.1:1/0", rate_verify="1/minute")  # nothing listens on port 1
    assert [client.post("/api/v1/verify", json={"qr_text": "x"}).status_code for _ in range(3)] == [200] * 3
    assert client.get("/healthz").json()["rate_limit_storage"] == "unavailable"
    warnings = [json.loads(line) for line in CORPUS.lines[lines_before:] if '"level": "warning"' in line]
    assert [w["event"] for w in warnings] == ["rate-limit storage unavailable; requests are let through"]
