"""The QR text of record format version 1: `HTTPS://HOST/V/` and the digits of the COSE bytes (docs/FORMAT.md §5).

Pure and strict, as `verify.codec` (which re-exports every name here: the format's bytes and its text are one
codec to its callers). Only ASCII is read; the host grammar is that of docs/FORMAT.md §5.2.

Functions:
    qr_prefix(base_url) / to_qr_text(cose, base_url)  §5
    split_qr_text(text) -> (prefix, digits)           step 1, raises PrefixError
    digits_to_bytes(digits) / bytes_to_digits(cose)   step 2, raises DigitsError
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final
from urllib.parse import urlsplit

from . import texts
from .errors import DigitsError, PrefixError, RecordError

MAX_PREFIX_CHARS = 24  # "HTTP://127.0.0.1:8000/V/"; the longest record then fits version 12
MAX_DIGITS = 1300  # > 2.41 digits per byte x MAX_COSE_BYTES, far below int() limits

# Step 1 reads ASCII only: the text's head is ASCII-upper-cased (a-z -> A-Z, nothing else) and matched
# byte for byte, never with a Unicode-aware case-insensitive match (U+0131 dotless i, U+017F long s and
# U+212A Kelvin sign would otherwise read as I, S and K). The host grammar is checked by `_check_host`.
_PREFIX_RE = re.compile(r"(HTTPS?)://([A-Z0-9.-]+)(?::([1-9][0-9]{0,4}))?/V/", re.ASCII)
_LABEL_RE = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?", re.ASCII)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: Development hosts (docs/FORMAT.md §5.2): the only hosts a `HTTP://` prefix may name.
DEVELOPMENT_SUFFIXES = (".LOCALHOST", ".TEST")  # RFC 6761 §6.3, §6.2
DEVELOPMENT_NETWORKS = tuple(ipaddress.IPv4Network(n) for n in (
    "127.0.0.0/8",  # loopback (RFC 1122 §3.2.1.3)
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private networks (RFC 1918 §3)
))

def qr_prefix(base_url: str) -> str:
    """The QR text prefix for a verification base URL: `HTTPS://HOST/V/`, upper case.

    Args:
        base_url: e.g. "https://v.edu.kz" (scheme http or https, a host of the grammar of
            docs/FORMAT.md §5.2, an optional port, no path, query or user info; ASCII only;
            `http` only for a development host).

    Raises:
        RecordError: another shape, or a prefix longer than `MAX_PREFIX_CHARS`.
    """
    if not isinstance(base_url, str) or not base_url.isascii():
        raise RecordError(texts.text("v_url_ascii", field="base URL"))
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise RecordError(texts.text("v_url_shape", field="base URL"))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise RecordError(texts.text("v_url_path", field="base URL"))
    prefix = ascii_upper(f"{parts.scheme}://{parts.netloc}/V/")
    if len(prefix) > MAX_PREFIX_CHARS:
        raise RecordError(texts.text("v_url_prefix_long", field="base URL", prefix=repr(prefix),
                                     limit=MAX_PREFIX_CHARS))
    try:
        split_qr_text(prefix + "1")
    except PrefixError as exc:
        raise RecordError(_about(exc, "base URL")) from None
    return prefix


def _about(exc: PrefixError, field: str) -> texts.Text:
    """A prefix refusal's `Text`, about a configured `field` ("base URL", "QR prefix") rather than a QR text."""
    said = exc.text if exc.text is not None else texts.text("v_qr_prefix")
    return texts.Text(said.key, said.params, field)


def qr_prefixes(base_urls: Iterable[str]) -> tuple[str, ...]:
    """The QR prefixes of several base URLs (the service's current host and its former ones), in order.

    A verifier of this service accepts a text only under one of them (docs/FORMAT.md §5), so codes printed
    before a domain move still verify: `Verifier(trust_list, accepted_prefixes=qr_prefixes(urls))`.

    Raises:
        RecordError: a URL that `qr_prefix` refuses, or none at all.
    """
    out = tuple(dict.fromkeys(qr_prefix(url) for url in base_urls))
    if not out:
        raise RecordError(texts.text("v_url_none", field="base URLs"))
    return out


def normalize_prefix(prefix: str) -> str:
    """A configured QR prefix (`HTTPS://HOST/V/`, any ASCII case) in its canonical form: ASCII upper case.

    Raises:
        RecordError: not ASCII, or not a prefix of the grammar of docs/FORMAT.md §5.2.
    """
    if not isinstance(prefix, str) or not prefix.isascii():
        raise RecordError(texts.text("v_url_prefix_ascii", field="QR prefix"))
    try:
        found, rest = split_qr_text(prefix + "1")
    except PrefixError as exc:
        raise RecordError(_about(exc, "QR prefix")) from None
    if rest != "1":
        raise RecordError(texts.text("v_url_prefix_end", field="QR prefix"))
    return found


def ascii_upper(text: str) -> str:
    """Upper-case the ASCII letters a-z only; every other character is kept as it is (docs/FORMAT.md §5.2)."""
    return text.translate(_ASCII_UPPER)


def is_development_host(host: str) -> bool:
    """Whether an upper-case host (no port) is a development host (docs/FORMAT.md §5.2).

    `LOCALHOST`, a name ending in `.LOCALHOST` or `.TEST` (RFC 6761 §6.2, §6.3), or an IPv4 address in the
    loopback network 127.0.0.0/8 or a private network of RFC 1918 (10/8, 172.16/12, 192.168/16).
    """
    if host == "LOCALHOST" or host.endswith(DEVELOPMENT_SUFFIXES):
        return True
    octets = _ipv4(host)
    if octets is None:
        return False
    address = ipaddress.IPv4Address(bytes(octets))
    return any(address in network for network in DEVELOPMENT_NETWORKS)


def _ipv4(host: str) -> list[int] | None:
    parts = host.split(".")
    if len(parts) != 4 or not all(p.isdigit() and p.isascii() for p in parts):
        return None
    if any(len(p) > 1 and p[0] == "0" for p in parts) or any(int(p) > 255 for p in parts):
        return None
    return [int(p) for p in parts]


@lru_cache(maxsize=256)
def _check_host(scheme: str, host: str, port: str | None) -> None:
    """The host grammar of docs/FORMAT.md §5.2 (upper-case ASCII); `HTTP` only for a development host.

    Cached (a pure function of its arguments; a verifier sees a handful of hosts): a refusal raises on every call,
    since `lru_cache` keeps only results.
    """
    labels = host.split(".")
    if labels[-1].isdigit():
        if _ipv4(host) is None:
            raise PrefixError(texts.text("v_qr_ipv4", field="QR text"))
    elif len(host) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        raise PrefixError(texts.text("v_qr_host", field="QR text"))
    if port is not None and int(port) > 65535:
        raise PrefixError(texts.text("v_qr_port", field="QR text"))
    if scheme == "HTTP" and not is_development_host(host):
        raise PrefixError(texts.text("v_qr_http", field="QR text"))


def bytes_to_digits(cose: bytes) -> str:
    """0x01 || cose as one decimal number (docs/FORMAT.md §5); the 0x01 keeps leading zero bytes."""
    return str(int.from_bytes(b"\x01" + cose, "big"))


def digits_to_bytes(digits: str) -> bytes:
    """Inverse of `bytes_to_digits`, strict: canonical digits only (step 2).

    Raises:
        DigitsError: empty, too long, a non-digit, a leading zero, or no 0x01 marker byte.
    """
    if not digits or len(digits) > MAX_DIGITS:
        raise DigitsError(texts.text("v_digits_count", field="digits", limit=MAX_DIGITS))
    # As bytes: their isdigit() is ASCII-only and int() of bytes skips the Unicode-to-ASCII pass of int() of a
    # str (callgrind, ~480 digits: 39,100 instructions per call instead of 47,400).
    ascii_digits = digits.encode("ascii") if digits.isascii() else b""
    if not ascii_digits.isdigit():
        raise DigitsError(texts.text("v_digits_only", field="digits"))
    if digits[0] == "0":
        raise DigitsError(texts.text("v_digits_leading_zero", field="digits"))
    value = int(ascii_digits)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if raw[:1] != b"\x01":
        raise DigitsError(texts.text("v_digits_marker", field="digits"))
    return raw[1:]


def split_qr_text(text: str) -> tuple[str, str]:
    """Split a QR text into its prefix (ASCII-upper-cased) and its digits (step 1).

    Leading and trailing white space (a CR/LF some scanners add) is removed; any other
    deviation from `HTTP(S)://HOST/V/` (ASCII letters in any case, the host grammar of
    docs/FORMAT.md §5.2) followed by the digits is refused. Only ASCII is read: a character
    outside it is never case-folded to an ASCII letter.

    Raises:
        PrefixError: not text, too long, not ASCII, or no valid prefix.
    """
    if not isinstance(text, str):
        raise PrefixError(texts.text("v_qr_text", field="QR text"))
    text = text.strip(" \t\r\n")
    if len(text) > MAX_PREFIX_CHARS + MAX_DIGITS:
        raise PrefixError(texts.text("v_qr_too_long", field="QR text"))
    end = text.find("/V/", 0, MAX_PREFIX_CHARS) + 3
    prefix = _SEEN_HEADS.get(text[:end]) if end > 3 else None
    if prefix is None:  # else a head that passed before: `match_prefix` would give the same prefix and end
        prefix, end = match_prefix(text)
        if len(_SEEN_HEADS) < MAX_SEEN_HEADS:
            _SEEN_HEADS[text[:end]] = prefix
    return prefix, text[end:]


def match_prefix(text: str) -> tuple[str, int]:
    """The prefix at the start of a stripped QR text by the grammar of docs/FORMAT.md §5.2, and where it ends.

    Returns:
        (the prefix ASCII-upper-cased, its length in characters).

    Raises:
        PrefixError: no valid prefix.
    """
    match = _PREFIX_RE.match(ascii_upper(text[:MAX_PREFIX_CHARS]))
    if match is None:
        raise PrefixError(texts.text("v_qr_prefix", field="QR text"))
    _check_host(match.group(1), match.group(2), match.group(3))
    return match.group(0), match.end()


MAX_SEEN_HEADS: Final = 256
_SEEN_HEADS: dict[str, str] = {}
"""Heads of QR texts that passed step 1, as received up to and including their "/V/" -> their prefix (at most
`MAX_SEEN_HEADS`: a service sees a few hosts). A text whose first "/V/" ends a head seen before starts with that head,
and the grammar's match on it is that head again (the host runs to its first ":" or "/"), so its prefix is the one
recorded; any other text is matched and checked as the first was (issue 16 item 2: the match and the host check are
step 1's cost, and every code a service verifies names one of its few hosts)."""


def to_qr_text(cose: bytes, base_url: str) -> str:
    """The QR text of a COSE_Sign1: `qr_prefix(base_url)` + `bytes_to_digits(cose)`."""
    return qr_prefix(base_url) + bytes_to_digits(cose)
