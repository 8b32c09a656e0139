"""Any trust-list file is a `TrustList` or a `TrustListError`, never another error (issue 10 item 5).

A `version` of 2^53 + 1 or a lone surrogate in a label raised the canonicaliser's own errors (a 500 on the
service, a traceback in the CLI). Files are read as I-JSON (RFC 7493): UTF-8, no duplicate keys (a parser that
keeps the first key would read another list than one that keeps the last), integers within +-(2^53 - 1), no
floats, bounded nesting.
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.keys import ROOT, ROOT_KEY, T0, entry, make_signer, signer_certificate, trust_list

from verify.errors import TrustListError
from verify.keys import KeySigner
from verify.trust import TrustList

SIGNER = make_signer("trust file tests")
SIGNED: dict[str, Any] = trust_list((entry(SIGNER, label="TEST ONLY signer"),)).sign(ROOT_KEY)
GOOD = json.dumps(SIGNED).encode()


def _load(data: Any) -> TrustList | None:
    try:
        return TrustList.from_json(data, root=ROOT)
    except TrustListError:
        return None


def test_the_good_file_loads() -> None:
    loaded = _load(GOOD)
    assert loaded is not None and loaded.version == 1


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SIGNED)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


BAD_FILES: dict[str, bytes | str] = {
    "version 2^53+1": json.dumps(_with(("payload", "version"), 2**53 + 1)),
    "version -(2^53+1)": json.dumps(_with(("payload", "version"), -(2**53) - 1)),
    "version 10^5000": json.dumps(SIGNED).replace('"version": 1', '"version": 1' + "0" * 5000),
    "version 1.0": json.dumps(SIGNED).replace('"version": 1', '"version": 1.0'),
    "version 1e0": json.dumps(SIGNED).replace('"version": 1', '"version": 1e0'),
    "version true": json.dumps(_with(("payload", "version"), True)),
    "version as text": json.dumps(_with(("payload", "version"), "1")),
    "NaN": json.dumps(SIGNED).replace('"version": 1', '"version": NaN'),
    "lone surrogate in a label": json.dumps(_with(("payload", "signers", 0, "label"), "\ud800")),
    "lone surrogate in a key": json.dumps(SIGNED).replace('"label"', '"\\udc00label"'),
    "not UTF-8": GOOD.replace(b"TEST ONLY signer", b"TEST ONLY \xff signer"),
    "UTF-16": json.dumps(SIGNED).encode("utf-16"),
    "UTF-8 BOM": b"\xef\xbb\xbf" + GOOD,
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "deep nesting in an object": b'{"payload":' * 5000 + b"1" + b"}" * 5000,
    "moderately deep nesting": json.dumps(_with(("payload", "signers", 0, "label"), [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]])),
    "signers not a list": json.dumps(_with(("payload", "signers"), {"kid": 1})),
    "scope series a text": json.dumps(_with(("payload", "signers", 0, "scope", "series"), "BD")),
    "revocation a number": json.dumps(_with(("payload", "signers", 0, "revocation"), 5)),
    "top level a list": "[]",
    "top level a number": "1",
    "empty": b"",
    "over the cap": b" " * (4 * 1024 * 1024 + 1),
    "truncated": GOOD[:-10],
    "bad month": json.dumps(_with(("payload", "issued_at"), "2026-13-40T25:61:61Z")),
    "certificate not DER": json.dumps(_with(("payload", "signers", 0, "certificate"), "AAAA")),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_a_trust_list_error(name: str) -> None:
    with pytest.raises(TrustListError):
        TrustList.from_json(BAD_FILES[name], root=ROOT)


def test_duplicate_keys_are_refused() -> None:
    """Two `version` keys: json.loads keeps the last, other parsers the first: two readers, two lists."""
    text = GOOD.decode().replace('"version": 1,', '"version": 1, "version": 7,')
    assert text != GOOD.decode()
    with pytest.raises(TrustListError, match="duplicate key"):
        TrustList.from_json(text, root=ROOT)
    # also inside a signer entry
    nested = GOOD.decode().replace('"label":', '"label": "x", "label":', 1)
    with pytest.raises(TrustListError, match="duplicate key"):
        TrustList.from_json(nested, root=ROOT)


@pytest.mark.parametrize("value", [2**53 + 1, "\udfff", float("inf"), 1.5, b"bytes", (1, 2), {1: "x"}])
def test_a_parsed_object_with_a_foreign_value_is_a_trust_list_error(value: Any) -> None:
    with pytest.raises(TrustListError):
        TrustList.from_json(_with(("payload", "signers", 0, "label"), value), root=ROOT)


def test_an_unsupported_signer_key_is_a_trust_list_error() -> None:
    key = ec.derive_private_key(12345, ec.SECP384R1())
    cert = signer_certificate(key, "TEST ONLY P-384 signer", root_key=ROOT_KEY, root=ROOT, not_before=T0,
                              not_after=T0.replace(year=2029))
    doc = trust_list((entry(KeySigner(private_key=key, certificate=cert), label="TEST ONLY P-384"),)).sign(ROOT_KEY)
    with pytest.raises(TrustListError, match="unsupported key type"):
        TrustList.from_json(json.dumps(doc), root=ROOT)


@given(st.binary(max_size=2000))
@settings(max_examples=400)
def test_any_bytes_are_a_trust_list_or_a_trust_list_error(data: bytes) -> None:
    _load(data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**64), max_value=2**64) | st.floats()
    | st.text(alphabet=st.characters(codec=None, categories=None), max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
PATHS = [("payload", "version"), ("payload", "format"), ("payload", "type"), ("payload", "issued_at"),
         ("payload", "signers"), ("payload", "signers", 0), ("payload", "signers", 0, "kid"),
         ("payload", "signers", 0, "label"), ("payload", "signers", 0, "certificate"),
         ("payload", "signers", 0, "scope"), ("payload", "signers", 0, "scope", "institution_bin"),
         ("payload", "signers", 0, "revocation"), ("payload", "signers", 0, "usage"), ("signature", "value"),
         ("signature", "alg"), ("payload", "extra"), ("signature",), ("payload",)]


@given(st.sampled_from(PATHS), JSON_VALUES)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_any_value_anywhere_is_a_trust_list_or_a_trust_list_error(path: tuple[Any, ...], value: Any) -> None:
    doc = _with(path, value)
    _load(doc)
    try:
        text = json.dumps(doc, ensure_ascii=False)
    except (ValueError, TypeError):
        return
    _load(text)
    with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate cannot be written as UTF-8 at all
        _load(text.encode("utf-8"))


@given(st.integers(min_value=0, max_value=len(GOOD) - 1), st.integers(min_value=0, max_value=255))
@settings(max_examples=400)
def test_any_byte_changed_is_a_trust_list_error(position: int, byte: int) -> None:
    data = bytearray(GOOD)
    if data[position] == byte:
        return
    data[position] = byte
    loaded = _load(bytes(data))
    # the signature covers the canonical payload: a change outside it (white space, key order) may still load
    if loaded is not None:
        assert loaded.version == 1 and loaded.signers[0].label == "TEST ONLY signer"
