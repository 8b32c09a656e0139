"""A TEST ONLY wallet: the holder's side of OID4VCI 1.0's pre-authorized code flow, written with another JOSE library
(joserfc) than the service's (PyJWT), so that the flow and the credential are checked independently.

    wallet = TestWallet(client, alg="EdDSA")
    token = wallet.receive(offer_link, tx_code)        offer -> metadata -> token -> nonce -> proof -> credential
    credential = wallet.check(token)                   signature by the kid link's JWK, chain to the root,
                                                       subject = the wallet's did:jwk, status bit 0
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from fastapi.testclient import TestClient
from joserfc import jws, jwt
from joserfc.jwk import ECKey, OKPKey

GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
_CURVES = {"EdDSA": ("OKP", "Ed25519"), "ES256": ("EC", "P-256")}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TestWallet:
    """A wallet with one key (Ed25519 or P-256) that talks to the service through a TestClient.

    Attributes:
        client: the started app's client (requests go to the paths of the service's absolute links).
        alg: "EdDSA" or "ES256": the proof's algorithm.
        key: the wallet's private key (joserfc).
        did: did:jwk of the public key (members of RFC 7638 §3.2, lexicographic, no whitespace).
    """

    __test__ = False  # not a pytest class

    def __init__(self, client: TestClient, *, alg: str = "EdDSA") -> None:
        self.client = client
        self.alg = alg
        kty, crv = _CURVES[alg]
        self.key: OKPKey | ECKey = OKPKey.generate_key(crv) if kty == "OKP" else ECKey.generate_key(crv)
        public = self.key.as_dict(private=False)
        members = ("crv", "kty", "x") if kty == "OKP" else ("crv", "kty", "x", "y")
        self.public_jwk = {m: public[m] for m in members}
        self.did = "did:jwk:" + _b64url(json.dumps(self.public_jwk, separators=(",", ":"), sort_keys=True).encode())

    @staticmethod
    def path(url: str) -> str:
        """The path (and query) of one of the service's absolute links."""
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @staticmethod
    def parse_offer(link: str) -> dict[str, Any]:
        """The Credential Offer of an `openid-credential-offer://?credential_offer=...` link (OID4VCI 1.0 §4.1)."""
        parts = urlsplit(link)
        assert parts.scheme == "openid-credential-offer", link
        (body,) = parse_qs(parts.query)["credential_offer"]
        offer: dict[str, Any] = json.loads(body)
        return offer

    def metadata(self, issuer: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(Credential Issuer Metadata, Authorization Server Metadata), fetched from their well-known paths."""
        issuer_meta = self.client.get(self.path(issuer + "/.well-known/openid-credential-issuer"))
        assert issuer_meta.status_code == 200, issuer_meta.text
        meta = issuer_meta.json()
        assert meta["credential_issuer"] == issuer
        server = meta["authorization_servers"][0]
        as_meta = self.client.get(self.path(server + "/.well-known/oauth-authorization-server"))
        assert as_meta.status_code == 200, as_meta.text
        return meta, as_meta.json()

    def token(self, as_meta: dict[str, Any], code: str, tx_code: str) -> Any:
        """POST the Token Request (form-encoded, RFC 6749 §4.1.3 with OID4VCI 1.0 §6.1's parameters)."""
        return self.client.post(self.path(as_meta["token_endpoint"]),
                                data={"grant_type": GRANT, "pre-authorized_code": code, "tx_code": tx_code})

    def proof(self, issuer: str, nonce: str, *, iat: int | None = None) -> str:
        """A `jwt` key proof (OID4VCI 1.0 Appendix F.1) signed with the wallet's key."""
        header = {"alg": self.alg, "typ": "openid4vci-proof+jwt", "jwk": self.public_jwk}
        claims = {"aud": issuer, "iat": int(time.time()) if iat is None else iat, "nonce": nonce}
        return jwt.encode(header, claims, self.key, algorithms=[self.alg])

    def receive(self, offer_link: str, tx_code: str) -> str:
        """Run the whole flow for an offer; the credential (a compact JWS). Fails the test on any refusal."""
        offer = self.parse_offer(offer_link)
        issuer = offer["credential_issuer"]
        meta, as_meta = self.metadata(issuer)
        (configuration,) = offer["credential_configuration_ids"]
        assert configuration in meta["credential_configurations_supported"]
        grant = offer["grants"][GRANT]
        assert grant["tx_code"]["length"] == len(tx_code)
        token = self.token(as_meta, grant["pre-authorized_code"], tx_code)
        assert token.status_code == 200, token.text
        assert token.headers["cache-control"] == "no-store" and token.json()["token_type"] == "Bearer"
        nonce = self.client.post(self.path(meta["nonce_endpoint"]))
        assert nonce.status_code == 200, nonce.text
        request = {"credential_configuration_id": configuration,
                   "proofs": {"jwt": [self.proof(issuer, nonce.json()["c_nonce"])]}}
        answer = self.client.post(self.path(meta["credential_endpoint"]), json=request,
                                  headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert answer.status_code == 200, answer.text
        (item,) = answer.json()["credentials"]
        credential: str = item["credential"]
        return credential

    def jwk_of(self, kid_link: str, root: x509.Certificate) -> OKPKey | ECKey:
        """The signer key a JWT's `kid` link serves, after checking that its `x5c` chain ends in the root."""
        served = self.client.get(self.path(kid_link))
        assert served.status_code == 200, served.text
        jwk = served.json()
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in jwk["x5c"]]
        assert chain[-1] == root and chain[0].issuer == root.subject
        chain[0].verify_directly_issued_by(root)
        members = {k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk}
        return OKPKey.import_key(members) if jwk["kty"] == "OKP" else ECKey.import_key(members)

    def verify_jws(self, token: str, root: x509.Certificate) -> dict[str, Any]:
        """The payload of a JWS of the service, verified with the key its `kid` link serves (joserfc)."""
        header = json.loads(_unb64url(token.split(".")[0]))
        key = self.jwk_of(header["kid"], root)
        verified = jws.deserialize_compact(token, key, algorithms=[header["alg"]])
        payload: dict[str, Any] = json.loads(verified.payload)
        return payload

    def check(self, token: str, root: x509.Certificate) -> dict[str, Any]:
        """Verify a received credential as a reader abroad would: the signature, the subject, the status bit.

        Returns:
            The credential (its JWT claims included).
        """
        credential = self.verify_jws(token, root)
        assert credential["credentialSubject"]["id"] == self.did == credential["sub"]
        assert credential["iss"] == credential["issuer"]["id"]
        issuer = self.client.get(self.path(credential["issuer"]["id"]))
        assert issuer.status_code == 200 and issuer.json()["otherIdentifier"][0]["identifier"] \
            == credential["issuer"]["otherIdentifier"][0]["identifier"]
        achievement = self.client.get(self.path(credential["credentialSubject"]["achievement"]["id"]))
        assert achievement.status_code == 200 and achievement.json()["id"] \
            == credential["credentialSubject"]["achievement"]["id"]
        return credential

    def revoked(self, credential: dict[str, Any], root: x509.Certificate) -> bool:
        """The credential's bit in its Bitstring Status List (W3C Bitstring Status List v1.0 §3.2): the list is
        fetched, its JWS verified, the GZIP bitstring expanded; bit 0 is the first byte's most significant bit."""
        entry = credential["credentialStatus"]
        listed = self.client.get(self.path(entry["statusListCredential"]))
        assert listed.status_code == 200, listed.text
        status_list = self.verify_jws(listed.text, root)
        assert status_list["id"] == entry["statusListCredential"]
        encoded = status_list["credentialSubject"]["encodedList"]
        bits = gzip.decompress(_unb64url(encoded[1:] if encoded.startswith("u") else encoded))
        index = int(entry["statusListIndex"])
        return bool(bits[index // 8] >> (7 - index % 8) & 1)
