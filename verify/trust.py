"""The trust list: which document signers a verifier trusts, for what and when (docs/FORMAT.md §6).

A trust list is a JSON document `{"payload": {...}, "signature": {...}}`. The signature is the
root's, over the RFC 8785 canonical JSON of `payload`. The payload names every signer ever used
(rotation keeps old signers, so that old records still verify), each with its usage (`document`
signs records, `status` status lists, `log` checkpoints; absent = document), certificate, kid,
usage period, scope and revocation (with the compromise time). Files are read as I-JSON
(RFC 7493): anything else is a `TrustListError`. The JSON Schema is
`verify/schemas/trust-list.schema.json`; versions seen are persisted by `verify.versionstate`.

Rules (DESIGN.md, Trust model):
    * a list verifies only under the root certificate the verifier was configured with;
    * a list older than one already seen is refused (rollback protection);
    * a list past its expiry still verifies, with a warning (offline verifiers may be behind);
    * a signer's certificate must be issued by that root (checked once, at load time);
    * a record verifies only if its signing time lies in the signer's usage period (both the
      certificate's validity and the list's period) and the signer was not revoked with a
      compromise time at or before it; the series (and institution, where scoped) must be in
      the signer's scope. See `SignerEntry.check_at` and `SignerEntry.check_scope`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import rfc8785
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from . import texts
from .codec import ALG_EDDSA
from .errors import KeyStoreError, ScopeError, SignerPeriodError, SignerRevokedError, TrustListError
from .keys import (
    ALGORITHM_NAMES,
    ALGORITHMS,
    PrivateKey,
    PublicKey,
    SignatureCheck,
    alg_of_key,
    compute_kid,
    is_issued_by,
    sign_bytes,
    signature_check,
    verify_bytes,
)

ENVIRONMENTS = ("production", "development", "test")
#: What a signer in the trust list may sign (docs/FORMAT.md §6.3): records (`document`), status lists
#: (`status`), transparency-log checkpoints (`log`). A signer signs for one usage only; an entry without
#: `usage` (lists written before it existed) is a document signer.
USAGES = ("document", "status", "log")
MAX_TRUST_LIST_BYTES = 4 * 1024 * 1024
#: I-JSON (RFC 7493 §2.2) and RFC 8785 §3.2.2.3: integers beyond +-(2^53 - 1) are refused.
MAX_SAFE_INTEGER = 2**53 - 1
#: Nesting a trust list needs (document > payload > signers > entry > scope > series is 5), with room.
MAX_JSON_DEPTH = 16


def format_time(value: dt.datetime) -> str:
    """RFC 3339 UTC with seconds and a Z, as the trust list schema requires."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> dt.datetime:
    """Parse `format_time` output back to an aware UTC datetime.

    Raises:
        TrustListError: not that shape.
    """
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        raise TrustListError(f"trust list: bad time {text!r}") from None


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("verify.schemas").joinpath("trust-list.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def schema_text() -> str:
    """The JSON Schema of the trust list, as text (for publishing beside the list)."""
    return resources.files("verify.schemas").joinpath("trust-list.schema.json").read_text("utf-8")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a document signer may sign.

    Attributes:
        series: the series it may sign (e.g. {"BD", "MD"}).
        institution_bin: the one institution it signs for, or None for any.
    """

    series: frozenset[str]
    institution_bin: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The scope's JSON form."""
        return {"series": sorted(self.series), "institution_bin": self.institution_bin}


@dataclass(frozen=True, slots=True)
class Revocation:
    """A revocation. `compromised_at` is the earliest time the key may have been misused."""

    revoked_at: dt.datetime
    compromised_at: dt.datetime
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The revocation's JSON form."""
        return {"revoked_at": format_time(self.revoked_at), "compromised_at": format_time(self.compromised_at),
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class SignerEntry:
    """One document signer in the trust list.

    Attributes:
        kid: 8 bytes as listed; `verify keys` always lists `keys.compute_kid(certificate)`,
            but the root-signed list is authoritative and two entries may share a kid.
        label: a human name ("Development document signer 2026-11").
        certificate: the X.509 document signer certificate.
        usage_from, usage_until: the period in which it may sign (aware UTC datetimes).
        scope: `Scope` (for a status signer: the series whose status lists it may sign).
        revocation: `Revocation` or None.
        usage: one of `USAGES`: what it may sign ("document" records, "status" lists, "log" checkpoints).
        chains_to_root: set by `TrustList` at load time: the certificate is issued by the root.
    """

    kid: bytes
    label: str
    certificate: x509.Certificate
    usage_from: dt.datetime
    usage_until: dt.datetime
    scope: Scope
    revocation: Revocation | None = None
    usage: str = "document"
    chains_to_root: bool = field(default=False, compare=False)
    _check: SignatureCheck | None = field(default=None, compare=False, repr=False)
    #: (start, end) of the period in which it may sign: the usage period within the certificate's validity (set by
    #: `TrustList` at load time; read from the certificate when None).
    _window: tuple[dt.datetime, dt.datetime] | None = field(default=None, init=False, compare=False, repr=False)
    _alg: int | None = field(default=None, init=False, compare=False, repr=False)  # `alg`, set at load time too

    def verifies(self, alg: int, signature: bytes, data: bytes) -> bool:
        """Whether the signer's key verifies `signature` over `data` with COSE `alg` (keys.signature_check)."""
        check = self._check or signature_check(self.public_key)
        return check(alg, signature, data)

    @property
    def public_key(self) -> PublicKey:
        """The signer's public key (Ed25519 or P-256)."""
        key = self.certificate.public_key()
        assert isinstance(key, PublicKey)  # guaranteed by _entry_from_json
        return key

    @property
    def alg(self) -> int:
        """COSE algorithm id of the signer's key (-8 or -7)."""
        return self._alg if self._alg is not None else alg_of_key(self.public_key)

    def check_at(self, signed_at: dt.datetime) -> None:
        """Judge the signer at the record's signing time (STYLE.md §3: keys judged at issue time).

        Raises:
            SignerPeriodError: `signed_at` outside the usage period or the certificate validity (step 8).
            SignerRevokedError: revoked with `compromised_at <= signed_at` (step 9).
        """
        start, end = self._window or self.signing_window()
        if not start <= signed_at <= end:
            raise SignerPeriodError(texts.text(
                "v_trust_period", signed_at=format_time(signed_at), start=format_time(start), end=format_time(end)))
        if self.revocation is not None and self.revocation.compromised_at <= signed_at:
            raise SignerRevokedError(texts.text(
                "v_trust_revoked", compromised_at=format_time(self.revocation.compromised_at),
                signed_at=format_time(signed_at)))

    def signing_window(self) -> tuple[dt.datetime, dt.datetime]:
        """(start, end), aware UTC: the usage period within the certificate's validity, both ends included."""
        return (max(self.usage_from, self.certificate.not_valid_before_utc),
                min(self.usage_until, self.certificate.not_valid_after_utc))

    def check_scope(self, *, series: str, institution_bin: str) -> None:
        """Whether this signer may sign the series (and institution, where scoped).

        Raises:
            ScopeError: series or institution outside the scope (step 10).
        """
        if series not in self.scope.series:
            raise ScopeError(texts.text("v_trust_series_scope", series=series,
                                        scope=", ".join(sorted(self.scope.series))))
        if self.scope.institution_bin is not None and institution_bin != self.scope.institution_bin:
            raise ScopeError(texts.text("v_trust_institution_scope"))

    def to_json(self) -> dict[str, Any]:
        """The entry's JSON form (docs/FORMAT.md §6)."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return {
            "kid": self.kid.hex(),
            "label": self.label,
            "certificate": base64.b64encode(der).decode("ascii"),
            "usage_from": format_time(self.usage_from),
            "usage_until": format_time(self.usage_until),
            "scope": self.scope.to_json(),
            "revocation": None if self.revocation is None else self.revocation.to_json(),
            "usage": self.usage,
        }


@dataclass(frozen=True)
class TrustList:
    """A verified trust list (or one being built for signing).

    Attributes:
        version: publication number, increasing.
        environment: "production", "development" or "test".
        issued_at, expires_at: aware UTC datetimes.
        root: the root certificate the list is (to be) signed by.
        signers: the `SignerEntry`s, chain checks already applied.
    """

    version: int
    environment: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    root: x509.Certificate
    signers: tuple[SignerEntry, ...]
    _by_kid: dict[tuple[str, bytes], tuple[SignerEntry, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        checked = tuple(replace(s, chains_to_root=is_issued_by(s.certificate, self.root),
                                _check=signature_check(s.public_key)) for s in self.signers)
        for entry in checked:  # a field outside __init__, so that `replace` never carries a stale window over
            object.__setattr__(entry, "_window", entry.signing_window())
            with contextlib.suppress(KeyStoreError):  # another key type: `alg` raises where it is read, as before
                object.__setattr__(entry, "_alg", alg_of_key(entry.public_key))
        object.__setattr__(self, "signers", checked)
        index: dict[tuple[str, bytes], list[SignerEntry]] = {}
        for entry in checked:
            index.setdefault((entry.usage, entry.kid), []).append(entry)
        object.__setattr__(self, "_by_kid", {k: tuple(v) for k, v in index.items()})

    def candidates(self, kid: bytes, *, usage: str = "document") -> tuple[SignerEntry, ...]:
        """Every signer of this usage listed with this kid, in list order (a kid is only a hint: the verifier
        tries them all). Records are judged only against document signers (steps 4-10), status lists only
        against status signers: a signer of another usage is not a candidate at all."""
        return self._by_kid.get((usage, kid), ())

    def is_expired(self, at: dt.datetime) -> bool:
        """Whether `at` is past the list's expiry."""
        return at > self.expires_at

    def payload_json(self) -> dict[str, Any]:
        """The payload object that the root signs."""
        return {
            "type": "verify-trust-list",
            "format": 1,
            "version": self.version,
            "environment": self.environment,
            "issued_at": format_time(self.issued_at),
            "expires_at": format_time(self.expires_at),
            "root_kid": compute_kid(self.root).hex(),
            "signers": [s.to_json() for s in self.signers],
        }

    def sign(self, root_key: PrivateKey) -> dict[str, Any]:
        """The signed trust list document, ready for `json.dumps`.

        Raises:
            TrustListError: `root_key` does not belong to `root`.
        """
        spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if root_key.public_key().public_bytes(*spki) != self.root.public_key().public_bytes(*spki):
            raise TrustListError("the root key does not match the root certificate")
        payload = self.payload_json()
        signature = sign_bytes(root_key, canonical_json(payload))
        return {
            "payload": payload,
            "signature": {
                "alg": ALGORITHM_NAMES[alg_of_key(root_key)],
                "kid": compute_kid(self.root).hex(),
                "value": base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii"),
            },
        }

    @classmethod
    def from_json(cls, document: bytes | str | dict[str, Any], *, root: x509.Certificate,
                  min_version: int = 0) -> TrustList:
        """Load and verify a signed trust list.

        Args:
            document: the JSON text/bytes (<= 4 MiB) or the parsed object.
            root: the configured root certificate (the trust anchor, obtained out of band).
            min_version: the highest version already seen; an older list is refused.

        Raises:
            TrustListError: not JSON, schema violation, wrong root, bad signature, rollback,
                or a certificate/kid mismatch in an entry.
        """
        doc = _parse_document(document)
        try:
            _schema_validator().validate(doc)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
            raise TrustListError(f"trust list: schema violation at {where}: {exc.message[:200]}") from None
        payload, sig = doc["payload"], doc["signature"]
        root_kid = compute_kid(root).hex()
        if payload["root_kid"] != root_kid or sig["kid"] != root_kid:
            raise TrustListError("trust list: signed by another root than the one configured")
        root_key = root.public_key()
        if not isinstance(root_key, PublicKey) or ALGORITHMS[sig["alg"]] != _alg_or_none(root_key):
            raise TrustListError("trust list: signature algorithm does not match the root key")
        value = base64.urlsafe_b64decode(sig["value"] + "==")
        if not verify_bytes(root_key, ALGORITHMS[sig["alg"]], value, canonical_json(payload)):
            raise TrustListError("trust list: the root's signature does not verify")
        if payload["version"] < min_version:
            raise TrustListError(f"trust list: version {payload['version']} is older than version {min_version} "
                                 "already seen (rollback refused)")
        return cls(
            version=payload["version"],
            environment=payload["environment"],
            issued_at=parse_time(payload["issued_at"]),
            expires_at=parse_time(payload["expires_at"]),
            root=root,
            signers=tuple(_entry_from_json(e) for e in payload["signers"]),
        )


def canonical_json(payload: Any) -> bytes:
    """The RFC 8785 (JCS) bytes of a parsed JSON value: what the root signs (docs/FORMAT.md §6.2).

    Raises:
        TrustListError: a value JCS cannot write (an integer beyond +-(2^53 - 1), a lone surrogate,
            a float that is not finite); never the canonicaliser's own errors.
    """
    try:
        return rfc8785.dumps(payload)
    except (rfc8785.CanonicalizationError, ValueError, TypeError, RecursionError) as exc:
        raise TrustListError(f"trust list: not canonical JSON (RFC 8785): {type(exc).__name__}") from None


class _RefusedJSONError(ValueError):
    """A JSON construct the trust list refuses while parsing (I-JSON, RFC 7493)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RefusedJSONError(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise _RefusedJSONError("a number with a fraction or exponent")


def _no_constant(text: str) -> Any:
    raise _RefusedJSONError(f"{text} is not JSON")


def _parse_document(document: bytes | str | dict[str, Any]) -> Any:
    """Parse a trust list file as I-JSON (RFC 7493): UTF-8, no duplicate keys, safe integers only.

    Raises:
        TrustListError: whatever is wrong with it; no other error escapes.
    """
    if isinstance(document, dict):
        doc: Any = document
    elif isinstance(document, (bytes, bytearray, str)):
        if len(document) > MAX_TRUST_LIST_BYTES:
            raise TrustListError("trust list: over the 4 MiB cap")
        try:
            text = document if isinstance(document, str) else bytes(document).decode("utf-8")
        except UnicodeDecodeError:
            raise TrustListError("trust list: not UTF-8 (RFC 8259 §8.1)") from None
        try:
            doc = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_float=_no_float,
                             parse_constant=_no_constant)
        except _RefusedJSONError as exc:
            raise TrustListError(f"trust list: refused JSON: {exc}") from None
        except (ValueError, RecursionError):
            raise TrustListError("trust list: not valid JSON") from None
    else:
        raise TrustListError("trust list: must be JSON text, bytes or an object")
    _check_ijson(doc)
    return doc


def _check_ijson(doc: Any) -> None:
    """Refuse what I-JSON (RFC 7493) and RFC 8785 refuse, iteratively (no recursion on hostile depth).

    Raises:
        TrustListError: nesting deeper than `MAX_JSON_DEPTH`, a non-text key, a lone surrogate, an
            integer beyond +-(2^53 - 1), a float, or a value that is not JSON.
    """
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise TrustListError(f"trust list: nested deeper than {MAX_JSON_DEPTH}")
        if isinstance(value, dict):
            for key, item in value.items():
                if type(key) is not str:
                    raise TrustListError("trust list: object keys must be text")
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)
        elif type(value) is int:
            if abs(value) > MAX_SAFE_INTEGER:
                raise TrustListError("trust list: an integer beyond +-(2^53 - 1) (RFC 7493 §2.2)")
        elif value is not None and type(value) is not bool:
            raise TrustListError(f"trust list: a {type(value).__name__} is not allowed")


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise TrustListError("trust list: a lone surrogate in a string (RFC 7493 §2.1)") from None


def _alg_or_none(key: PublicKey) -> int | None:
    try:
        return alg_of_key(key)
    except KeyStoreError:
        return None


def _entry_from_json(e: dict[str, Any]) -> SignerEntry:
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(e["certificate"], validate=True))
        key = certificate.public_key()
    except (ValueError, binascii.Error, TypeError, UnsupportedAlgorithm):
        raise TrustListError(f"trust list: signer {e['kid']}: certificate is not base64 DER") from None
    if not isinstance(key, PublicKey) or _alg_or_none(key) is None:
        raise TrustListError(f"trust list: signer {e['kid']}: unsupported key type (Ed25519 or P-256 only)")
    if e.get("usage") == "log" and _alg_or_none(key) != ALG_EDDSA:
        raise TrustListError(f"trust list: log signer {e['kid']}: must be Ed25519 (C2SP signed-note)")
    rev = e["revocation"]
    return SignerEntry(
        kid=bytes.fromhex(e["kid"]),
        label=e["label"],
        certificate=certificate,
        usage_from=parse_time(e["usage_from"]),
        usage_until=parse_time(e["usage_until"]),
        scope=Scope(frozenset(e["scope"]["series"]), e["scope"]["institution_bin"]),
        revocation=None if rev is None else Revocation(
            parse_time(rev["revoked_at"]), parse_time(rev["compromised_at"]), rev["reason"]),
        usage=e.get("usage", "document"),
    )
