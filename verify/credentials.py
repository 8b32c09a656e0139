"""What the standard credentials say about a diploma, shared by the VC / Open Badges form (verify.vc), its status
(verify.bitstring) and the Europass export (verify.elm): issuer, names, links and achievement types.

Links are under the verification host (the service's `VERIFY_BASE_URL`): the web integration serves them.

    /api/v1/institutions/{BIN}                        the issuer profile (name in kk/ru/en)
    /api/v1/keys/{kid hex}                            a trust-list signer's public key as a JWK (x5c: its chain)
    /api/v1/credentials/{series}/{number}/r{revision} the credential of one diploma revision
    /api/v1/achievements/{doc type}/{programme}       the achievement (programme) description
    /api/v1/status-lists/{series}/bitstring/r{revision}  the Bitstring Status List credential (verify.bitstring)

A series of Cyrillic letters is percent-encoded in a link (UTF-8, RFC 3986 §2.1).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from .errors import RecordError
from .identifiers import validate_bin
from .trust import SignerEntry

LANGUAGES = ("kk", "ru", "en")
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"  # VCDM 2.0 §4.3

#: The Open Badges 3.0 achievement type of each document type (OB 3.0 AchievementType vocabulary); the анықтама of
#: one who did not finish (seed 000 appendix 37) is a "Certificate", not a "CertificateOfCompletion".
ACHIEVEMENT_TYPES: dict[str, str] = {
    "TVE": "Diploma", "TVE_HONOURS": "Diploma", "POST_SECONDARY": "Diploma", "POST_SEC_HONOURS": "Diploma",
    "INCOMPLETE": "Certificate",
    "BD": "BachelorDegree", "BQ": "Degree", "MD": "MasterDegree", "MBA": "MasterDegree",
    "DBA": "ProfessionalDoctorate", "PD": "ProfessionalDoctorate", "PHD": "ResearchDoctorate",
    "CMD": "Certificate", "CPR": "Certificate",
}


@dataclass(frozen=True, slots=True)
class Issuer:
    """The institution that issues a diploma, as a credential names it.

    Attributes:
        bin: its 12-digit BIN (valid check digit).
        names: {"kk": ..., "ru": ..., "en": ...}; at least one language.

    Raises:
        RecordError: a bad BIN or no name.
    """

    bin: str
    names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_bin(self.bin)
        if not self.names or set(self.names) - set(LANGUAGES) or not all(
                isinstance(v, str) and v.strip() for v in self.names.values()):
            raise RecordError("issuer: names must map some of kk, ru, en to non-empty text")

    def name(self, lang: str = "en") -> str:
        """The name in `lang`, else English, Russian, Kazakh, in that order."""
        for key in (lang, "en", "ru", "kk"):
            if key in self.names:
                return self.names[key]
        raise RecordError("issuer: no name")  # unreachable: __post_init__ requires one


def base(base_url: str) -> str:
    """The verification host without a trailing slash (`https://v.edu.kz`).

    Raises:
        RecordError: not an http(s) URL.
    """
    if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
        raise RecordError("base URL: must be http(s)://host")
    return base_url.rstrip("/")


def issuer_url(base_url: str, bin_: str) -> str:
    """The issuer profile's link."""
    return f"{base(base_url)}/api/v1/institutions/{bin_}"


def key_url(base_url: str, kid: bytes) -> str:
    """The link of a signer's public key (the JWS `kid` of verify.vc): `/api/v1/keys/{kid hex}`."""
    return f"{base(base_url)}/api/v1/keys/{kid.hex()}"


def credential_url(base_url: str, series: str, number: str, revision: int) -> str:
    """The link of the credential of one diploma revision."""
    return f"{base(base_url)}/api/v1/credentials/{quote(series, safe='')}/{number}/r{revision}"


def achievement_url(base_url: str, doc_type: str, programme: str) -> str:
    """The link of the achievement (the programme of a document type)."""
    return f"{base(base_url)}/api/v1/achievements/{doc_type}/{programme}"


def status_list_url(base_url: str, series: str, revision: int) -> str:
    """The link of the Bitstring Status List credential of a series' documents at one revision (verify.bitstring)."""
    return f"{base(base_url)}/api/v1/status-lists/{quote(series, safe='')}/bitstring/r{revision}"


def rfc3339(value: dt.datetime) -> str:
    """An aware time as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds; the XML Schema dateTimeStamp VCDM 2.0 uses).

    Raises:
        RecordError: a naive time.
    """
    if value.tzinfo is None:
        raise RecordError("time: must be timezone-aware")
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def signer_jwk(entry: SignerEntry, *, root: x509.Certificate | None = None) -> dict[str, Any]:
    """A trust-list signer's public key as a JWK (RFC 7517), what `/api/v1/keys/{kid}` serves.

    `x5c` (RFC 7517 §4.7) carries the signer's certificate and, when given, the root's, so a reader abroad can
    check the chain to the ministry's root fingerprint (docs/FORMAT.md §6.5) as well as the key.

    Args:
        entry: the `SignerEntry` (document or status signer).
        root: the root certificate, appended to `x5c`.

    Returns:
        {"kty": "OKP", "crv": "Ed25519", "x": ...} or {"kty": "EC", "crv": "P-256", "x": ..., "y": ...}, with
        "kid" (the key link's last segment: the kid in hex), "use": "sig", "alg" and "x5c".
    """
    key = entry.public_key
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk: dict[str, Any] = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "alg": "EdDSA"}
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        numbers = key.public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")),
               "y": b64url(numbers.y.to_bytes(32, "big")), "alg": "ES256"}
    chain = [entry.certificate] + ([root] if root is not None else [])
    jwk.update({"kid": entry.kid.hex(), "use": "sig",
                "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in chain]})
    return jwk


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
