"""Request guards that run before any route: the body-size cap and the client's address behind proxies.

`BodySizeLimit` is a pure ASGI middleware. It refuses a request whose Content-Length is over the cap before
the application sees it, and counts the bytes of a streamed (chunked) body as they are received, so that a body
without a length is cut off at the cap too. Either way the answer is 413 Content Too Large (RFC 9110 §15.5.14)
as a problem (RFC 9457). The cap is per path: uploads get `upload_bytes`, everything else `json_bytes`.

`ClientAddress` gives the address a request is counted and logged under. X-Forwarded-For is believed only when
the peer is one of the configured proxies (VERIFY_TRUSTED_PROXIES); then the header is read from the right and
the first address that is not a trusted proxy is the client. Any other peer's header is ignored, so a client
cannot pick its own rate-limit bucket. IPv6 clients are counted by their /64 network (one subscriber's share).

Sources: RFC 9110 §8.6 (Content-Length), §15.5.14 (413); RFC 7239 §5.2 and the de-facto X-Forwarded-For
convention (leftmost = original client, each proxy appends its peer).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable
from typing import Final

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from verify.texts import Text

from ..problems.handlers import ProblemError, problem_error_response, problem_response

CLIENT_KEY: Final = "verify.client"
"""Scope key where `web.http.observe` stores the resolved client address (str)."""

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BodyTooLargeError(ProblemError):
    """The request body is over the cap (413); raised from `receive` while a body streams in."""

    def __init__(self, cap: int) -> None:
        super().__init__("content-too-large", f"the request body is over the cap of {cap} bytes",
                         headers={"Connection": "close"}, text=Text("e_body_over_cap", {"cap": cap}))


class BodySizeLimit:
    """Pure ASGI middleware: 413 for request bodies over the cap, by Content-Length and by counting.

    Args:
        app: the next ASGI application.
        json_bytes: cap of every request body, in bytes.
        upload_bytes: cap of the bodies of `upload_paths`, in bytes (the picture plus multipart framing).
        upload_paths: exact paths that take uploads.
    """

    def __init__(self, app: ASGIApp, *, json_bytes: int, upload_bytes: int, upload_paths: Collection[str]) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes
        self.upload_paths = frozenset(upload_paths)

    def cap_for(self, path: str) -> int:
        """The body cap of a path, in bytes."""
        return self.upload_bytes if path in self.upload_paths else self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse by Content-Length, else pass on a `receive` that counts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isascii() or not declared.strip().isdigit():
                await problem_response("bad-request", "the Content-Length header is not a number", scope=scope,
                                       text=Text("e_content_length"))(scope, receive, send)
                return
            if int(declared) > cap:
                await problem_error_response(BodyTooLargeError(cap), scope)(scope, receive, send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLargeError(cap)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLargeError as exc:  # raised where no exception handler caught it
            if started:
                raise
            await problem_error_response(exc, scope)(scope, receive, send)


class ClientAddress:
    """Resolves the client address of a request (see the module docstring).

    Args:
        trusted_proxies: addresses or CIDRs of the reverse proxies whose X-Forwarded-For is believed.

    Raises:
        ValueError: an entry is not an address or CIDR.
    """

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)

    def _is_trusted(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in self.trusted)

    def resolve(self, scope: Scope) -> str:
        """The client's address as text; IPv6 as its /64 network; "unknown" without a peer address."""
        peer = scope.get("client")
        address = _parse(peer[0]) if peer else None
        if address is None:
            return "unknown"
        if self.trusted and self._is_trusted(address):
            forwarded = ",".join(value.decode("latin-1") for key, value in scope.get("headers", ())
                                 if key.lower() == b"x-forwarded-for")
            for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
                hop_address = _parse(hop)
                if hop_address is None:
                    break
                address = hop_address
                if not self._is_trusted(hop_address):
                    break
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a peer tuple or an X-Forwarded-For hop ("1.2.3.4", "1.2.3.4:56", "[::1]:56"); or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
