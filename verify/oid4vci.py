"""OpenID for Verifiable Credential Issuance 1.0: the issuer's messages and the wallet's key proof (issue 17 item 3).

Standard: "OpenID for Verifiable Credential Issuance 1.0" (OpenID Foundation, final specification, September
2025), pre-authorized code flow only; OAuth 2.0 Authorization Server Metadata (RFC 8414); JWK thumbprints (RFC
7638); the `did:jwk` method (W3C CCG did:jwk specification: "did:jwk:" + base64url of the JWK's UTF-8 JSON).

What this module builds and checks (the registry keeps the codes, `verify.registry.credentialoffers`; the web
adapter serves the endpoints, `web.wallet`):

* the Credential Issuer Metadata (§12.2) with one credential configuration, `DIPLOMA_CONFIGURATION`, of format
  `jwt_vc_json` (Appendix A.1.1: a VC secured as a JWT; ours is the VCDM 2.0 / Open Badges 3.0 credential of
  `verify.vc`, `typ` JWT), signed with EdDSA or ES256, bound to the wallet's key by `did:jwk`;
* the Authorization Server Metadata (RFC 8414) of the same host, whose only grant is the pre-authorized code with
  anonymous access (§12.3: `pre-authorized_grant_anonymous_access_supported`);
* the Credential Offer (§4.1.1) and its `openid-credential-offer://` link;
* the key proof of a Credential Request (§8.2, Appendix F.1 `jwt` proof type): a JWS with header `typ`
  `openid4vci-proof+jwt`, `alg` EdDSA or ES256, and the wallet's public key as `jwk` (no private members); claims
  `aud` = the issuer identifier, `iat` within `PROOF_MAX_AGE` of the check (and not after it beyond
  `PROOF_CLOCK_SKEW`), `nonce` = a `c_nonce` of the Nonce Endpoint (the caller spends it once). The signature is
  checked with PyJWT's own algorithms.

    issuer_metadata(base_url, names=) -> dict            /.well-known/openid-credential-issuer
    authorization_server_metadata(base_url) -> dict      /.well-known/oauth-authorization-server
    credential_offer(base_url, code, tx_code_length=) -> dict ; offer_link(offer) -> str
    verify_key_proof(token, issuer_id=, at=) -> WalletKey   raises CredentialError (the endpoint's invalid_proof)
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jwt
from jwt.exceptions import PyJWTError

from . import credentials as cr
from .errors import CredentialError
from .vc import OB_CONTEXT, VC_CONTEXT

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"  # OID4VCI 1.0 §4.1.1
DIPLOMA_CONFIGURATION = "KzEducationDiploma_jwt_vc_json"
FORMAT = "jwt_vc_json"  # OID4VCI 1.0 Appendix A.1.1
PROOF_TYPE = "openid4vci-proof+jwt"  # Appendix F.1
PROOF_ALGS = ("EdDSA", "ES256")
PROOF_MAX_AGE = dt.timedelta(minutes=5)
PROOF_CLOCK_SKEW = dt.timedelta(seconds=60)
MAX_PROOF_CHARS = 8192
TOKEN_PATH = "/oid4vci/token"  # noqa: S105 - a path, not a secret
NONCE_PATH = "/oid4vci/nonce"
CREDENTIAL_PATH = "/oid4vci/credential"
OFFER_SCHEME = "openid-credential-offer://"
_PUBLIC_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}  # RFC 7638 §3.2 required members
_CURVES = {"OKP": "Ed25519", "EC": "P-256"}


def issuer_metadata(base_url: str, *, names: Mapping[str, str]) -> dict[str, Any]:
    """The Credential Issuer Metadata (OID4VCI 1.0 §12.2.4) of the verification host.

    Args:
        base_url: the verification host (`VERIFY_BASE_URL`): the issuer identifier is its origin.
        names: the service's display name per language ({"kk", "ru", "en"}).

    Returns:
        The metadata JSON object: credential_issuer, the token, nonce and credential endpoints, and the
        `DIPLOMA_CONFIGURATION` configuration.
    """
    issuer = cr.base(base_url)
    display = [{"name": name, "locale": lang} for lang, name in names.items()]
    return {
        "credential_issuer": issuer,
        "authorization_servers": [issuer],
        "credential_endpoint": issuer + CREDENTIAL_PATH,
        "nonce_endpoint": issuer + NONCE_PATH,
        "display": display,
        "credential_configurations_supported": {
            DIPLOMA_CONFIGURATION: {
                "format": FORMAT,
                "scope": "diploma",
                "cryptographic_binding_methods_supported": ["did:jwk"],
                "credential_signing_alg_values_supported": list(PROOF_ALGS),
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}},
                "credential_definition": {"type": ["VerifiableCredential", "AchievementCredential"]},
                "credential_metadata": {"display": display},
                "@context": [VC_CONTEXT, OB_CONTEXT],
            },
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """The OAuth 2.0 Authorization Server Metadata (RFC 8414 §2) of the host: the pre-authorized code grant only."""
    issuer = cr.base(base_url)
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def credential_offer(base_url: str, code: str, *, tx_code_length: int) -> dict[str, Any]:
    """A Credential Offer (OID4VCI 1.0 §4.1.1) of the diploma credential with a pre-authorized code.

    Args:
        code: the pre-authorized code.
        tx_code_length: the digits of the transaction code the holder is told apart (§4.1.1 `tx_code`).
    """
    return {
        "credential_issuer": cr.base(base_url),
        "credential_configuration_ids": [DIPLOMA_CONFIGURATION],
        "grants": {PRE_AUTHORIZED_GRANT: {
            "pre-authorized_code": code,
            "tx_code": {"input_mode": "numeric", "length": tx_code_length,
                        "description": "The code the registrar or the eGov Mobile app gave you"},
        }},
    }


def offer_link(offer: Mapping[str, Any]) -> str:
    """The offer by value as a link (§4.1: `openid-credential-offer://?credential_offer=<URL-encoded JSON>`)."""
    body = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(body, safe='')}"


@dataclass(frozen=True, slots=True)
class WalletKey:
    """The wallet key a proof demonstrated.

    Attributes:
        jwk: its public JWK (the RFC 7638 required members only).
        did: `did:jwk:<base64url of the JWK's JSON>`, the credential subject's id.
        thumbprint: the RFC 7638 SHA-256 thumbprint (base64url).
        nonce: the proof's `nonce` claim (the caller spends it with the registry).
    """

    jwk: dict[str, str]
    did: str
    thumbprint: str
    nonce: str


def _public_jwk(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or "d" in value:
        raise CredentialError("key proof: the header's jwk must be a public key (no private members)")
    kty = value.get("kty")
    if not isinstance(kty, str) or kty not in _PUBLIC_MEMBERS or value.get("crv") != _CURVES[kty]:
        raise CredentialError("key proof: the jwk must be an Ed25519 (OKP) or P-256 (EC) key")
    jwk: dict[str, str] = {}
    for member in _PUBLIC_MEMBERS[kty]:
        item = value.get(member)
        if not isinstance(item, str) or not item or len(item) > 100:
            raise CredentialError(f"key proof: the jwk's {member} is missing or not text")
        jwk[member] = item
    return jwk


def verify_key_proof(token: object, *, issuer_id: str, at: dt.datetime) -> WalletKey:
    """Check a Credential Request's `jwt` key proof (OID4VCI 1.0 §8.2.1.1, Appendix F.1 and F.4).

    Args:
        token: the proof JWT as received (untrusted).
        issuer_id: the Credential Issuer Identifier (the `aud` the proof must name).
        at: the time of the check (aware).

    Returns:
        The demonstrated `WalletKey` (the nonce is not spent here).

    Raises:
        CredentialError: not a compact JWS of at most 8 KiB; a header other than typ openid4vci-proof+jwt with
            alg EdDSA or ES256 and a public jwk; a bad signature; aud not the issuer; iat missing, older than
            `PROOF_MAX_AGE` or later than `PROOF_CLOCK_SKEW` after `at`; no nonce.
    """
    if not isinstance(token, str) or not 0 < len(token) <= MAX_PROOF_CHARS or not token.isascii():
        raise CredentialError("key proof: not a compact JWS of at most 8 KiB")
    try:
        header = jwt.get_unverified_header(token)
    except PyJWTError:
        raise CredentialError("key proof: not a compact JWS") from None
    if header.get("typ") != PROOF_TYPE:
        raise CredentialError(f"key proof: typ must be {PROOF_TYPE}")
    alg = header.get("alg")
    if alg not in PROOF_ALGS:
        raise CredentialError("key proof: alg must be EdDSA or ES256")
    if "kid" in header or "x5c" in header:
        raise CredentialError("key proof: give the key as jwk only (kid and x5c are not resolved here)")
    jwk = _public_jwk(header.get("jwk"))
    if (alg == "EdDSA") != (jwk["kty"] == "OKP"):
        raise CredentialError("key proof: alg does not fit the jwk's key type")
    try:
        key = jwt.PyJWK(jwk, algorithm=alg).key
        claims = jwt.decode(token, key=key, algorithms=[alg], audience=issuer_id,
                            options={"require": ["aud", "iat"], "verify_exp": False, "verify_nbf": False,
                                     "verify_iat": False})
    except PyJWTError as exc:
        raise CredentialError(f"key proof: {type(exc).__name__}: the signature or aud does not verify") from None
    iat = claims.get("iat")
    if type(iat) is not int:
        raise CredentialError("key proof: iat must be an integer time")
    issued = dt.datetime.fromtimestamp(iat, tz=dt.UTC)
    if issued > at + PROOF_CLOCK_SKEW or issued < at - PROOF_MAX_AGE:
        raise CredentialError("key proof: iat is not within 5 minutes before the request")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise CredentialError("key proof: the nonce claim (a c_nonce of the nonce endpoint) is required")
    canonical = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return WalletKey(jwk=jwk, did="did:jwk:" + cr.b64url(canonical), thumbprint=_thumbprint(canonical), nonce=nonce)


def _thumbprint(canonical_jwk: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(canonical_jwk).digest()).rstrip(b"=").decode("ascii")


__all__ = ["CREDENTIAL_PATH", "DIPLOMA_CONFIGURATION", "FORMAT", "NONCE_PATH", "PRE_AUTHORIZED_GRANT", "PROOF_TYPE",
           "TOKEN_PATH", "WalletKey", "authorization_server_metadata", "credential_offer", "issuer_metadata",
           "offer_link", "verify_key_proof"]
