"""Keys and certificates: the root, document signers, the `Signer` protocol, key files.

Trust model (DESIGN.md, Trust model): a root (the ministry's) issues X.509 certificates to
document signers; records are signed by a document signer; the trust list (trust.py) says
which signers may sign which series and when.

* kid = the first 8 bytes of SHA-256 over the DER of the document signer certificate
  (DESIGN.md; the EU DCC rule). A kid is only a hint.
* Algorithms: Ed25519 (COSE EdDSA, -8) by default; ECDSA P-256 with SHA-256 (COSE ES256, -7)
  also signs and verifies, for HSMs (RFC 9053 §2.1, §2.2). COSE ES256 signatures are the raw
  r || s, 32 bytes each, not DER.
* Private keys on disk: encrypted PKCS#8 PEM (RFC 5958), mode 0600; the passphrase comes from
  the caller (the CLI reads VERIFY_KEY_PASSPHRASE). An HSM is another `Signer`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import nacl.exceptions
import nacl.signing
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID

from .codec import ALG_EDDSA, ALG_ES256, KID_BYTES
from .errors import KeyStoreError

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

ALGORITHMS = {"EdDSA": ALG_EDDSA, "ES256": ALG_ES256}
ALGORITHM_NAMES = {v: k for k, v in ALGORITHMS.items()}
#: The order n of the P-256 base point (SEC 2 v2 §2.4.2; FIPS 186-4 D.1.2.3).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
#: The largest `s` of an ES256 signature in low-S form (docs/FORMAT.md §4): s <= n / 2, as BIP 62 and
#: @noble/curves' default require. (r, n - s) verifies whenever (r, s) does, so a verifier that took both
#: would accept two texts for one signed record.
P256_HALF_ORDER = P256_ORDER // 2


def compute_kid(certificate: x509.Certificate) -> bytes:
    """kid: first 8 bytes of SHA-256 over the certificate's DER (DESIGN.md, Record format)."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest()[:KID_BYTES]


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint of a certificate's DER as 64 lower-case hex digits (docs/FORMAT.md §6.5).

    The root certificate's fingerprint is what a verifier pins: compare it case-insensitively, ignoring
    colons, with `openssl x509 -in root.crt -noout -fingerprint -sha256`.
    """
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def generate_private_key(alg: int = ALG_EDDSA) -> PrivateKey:
    """A fresh Ed25519 (alg -8) or P-256 (alg -7) private key.

    Raises:
        KeyStoreError: any other algorithm id.
    """
    if alg == ALG_EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    if alg == ALG_ES256:
        return ec.generate_private_key(ec.SECP256R1())
    raise KeyStoreError(f"unsupported algorithm {alg}")


def alg_of_key(key: PrivateKey | PublicKey) -> int:
    """The COSE algorithm id that goes with a key (-8 Ed25519, -7 P-256).

    Raises:
        KeyStoreError: a key of another type or curve.
    """
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return ALG_EDDSA
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and isinstance(key.curve, ec.SECP256R1):
        return ALG_ES256
    raise KeyStoreError(f"unsupported key type {type(key).__name__}")


def sign_bytes(key: PrivateKey, data: bytes) -> bytes:
    """Sign as COSE does: Ed25519 (64 bytes) or ES256 raw r || s (64 bytes, RFC 9053 §2.1).

    ES256 uses deterministic nonces (RFC 6979), so a signature never depends on the RNG, and is
    written in low-S form (s <= n / 2; docs/FORMAT.md §4): a high s is replaced by n - s, which
    verifies the same.
    """
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    # RFC 6979 deterministic nonces: no dependence on the RNG at signing time.
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
    if s > P256_HALF_ORDER:
        s = P256_ORDER - s
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


SignatureCheck = Callable[[int, bytes, bytes], bool]


def signature_check(key: PublicKey) -> SignatureCheck:
    """A function `(alg, signature, data) -> bool` that checks COSE signatures under `key`.

    Ed25519 is checked with libsodium (PyNaCl), about twice as fast as OpenSSL here and strict
    (canonical S, no small-order points; RFC 8032 §5.1.7); ES256 with cryptography (OpenSSL),
    and only in low-S form: 1 <= r < n and 1 <= s <= n / 2 (`P256_HALF_ORDER`), so that no second
    signature (r, n - s) of the same data verifies (docs/FORMAT.md §4, step 5).
    Build it once per key and reuse it: the trust list does so for every signer.
    The function returns False for a mismatch of key type and algorithm; it never raises for bad input.
    """
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        verify_key = nacl.signing.VerifyKey(raw)

        def check_eddsa(alg: int, signature: bytes, data: bytes) -> bool:
            if alg != ALG_EDDSA or len(signature) != 64:
                return False
            try:
                verify_key.verify(data, signature)
            except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
                return False
            return True

        return check_eddsa

    def check_es256(alg: int, signature: bytes, data: bytes) -> bool:
        if alg != ALG_ES256 or not isinstance(key, ec.EllipticCurvePublicKey) or len(signature) != 64:
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        if not (1 <= r < P256_ORDER and 1 <= s <= P256_HALF_ORDER):
            return False
        der = encode_dss_signature(r, s)
        try:
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            return False
        return True

    return check_es256


def verify_bytes(key: PublicKey, alg: int, signature: bytes, data: bytes) -> bool:
    """Whether `signature` is a valid COSE signature of `data` under `key` with `alg` (`signature_check`)."""
    return signature_check(key)(alg, signature, data)


def _cert_signature_algorithm(key: PrivateKey) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def make_root_certificate(
    key: PrivateKey, *, common_name: str, environment: str, not_before: dt.datetime, years: int = 30
) -> x509.Certificate:
    """A self-signed root CA certificate (X.509 v3, RFC 5280 §4.2.1.9 basicConstraints CA).

    Args:
        environment: "production", "development" or "test"; written into the subject's
            organizational unit so that a person reading the certificate sees it.
    """
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "verify"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, environment.upper()),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, _cert_signature_algorithm(key))
    )


def make_signer_certificate(
    key: PrivateKey | PublicKey,
    *,
    root_key: PrivateKey,
    root_certificate: x509.Certificate,
    common_name: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    """A document signer certificate issued by the root (digitalSignature only, not a CA).

    The validity period is the signer's usage period: the time in which it may sign.
    Records it signed verify for ever after, judged at their signing time (trust.py).
    `key` is the signer's private key, or only its public key when the private one stays in a
    token (pkcs11.py).
    """
    public_key = key.public_key() if isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)) else key
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "verify"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    return (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(root_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(root_key, _cert_signature_algorithm(root_key))
    )


def is_issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `certificate` names `issuer` as issuer and carries a valid signature by it."""
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@runtime_checkable
class Signer(Protocol):
    """What signs records: a file key now, an HSM (PKCS#11) at scale.

    Attributes:
        kid: 8-byte key id of the document signer certificate.
        alg: COSE algorithm id (-8 or -7).
        certificate: the document signer certificate.
    """

    @property
    def kid(self) -> bytes:
        """8-byte key id of the document signer certificate."""
        ...

    @property
    def alg(self) -> int:
        """COSE algorithm id."""
        ...

    @property
    def certificate(self) -> x509.Certificate:
        """The document signer certificate."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte COSE signature of `data`."""
        ...


@dataclass(frozen=True)
class KeySigner:
    """A `Signer` over a private key held in memory (loaded from a file, or a test key)."""

    private_key: PrivateKey
    certificate: x509.Certificate

    @functools.cached_property
    def kid(self) -> bytes:
        """The certificate's kid (`compute_kid`), computed once (the batch issue asks for it per document)."""
        return compute_kid(self.certificate)

    @property
    def alg(self) -> int:
        """COSE algorithm id of the key."""
        return alg_of_key(self.private_key)

    def sign(self, data: bytes) -> bytes:
        """The 64-byte COSE signature of `data`."""
        return sign_bytes(self.private_key, data)


# ----------------------------------------------------------------------------------- files
def write_private_key(path: Path, key: PrivateKey, passphrase: bytes) -> None:
    """Write an encrypted PKCS#8 PEM file with mode 0600 (created so, never wider).

    Raises:
        KeyStoreError: empty passphrase or the file already exists.
    """
    if not passphrase:
        raise KeyStoreError("a private key needs a non-empty passphrase")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyStoreError(f"{path}: exists already; refusing to overwrite a private key") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def load_private_key(path: Path, passphrase: bytes) -> PrivateKey:
    """Read an encrypted PKCS#8 PEM file; refuse it if group or others may read it.

    Raises:
        KeyStoreError: missing file, mode wider than 0600, wrong passphrase, unsupported key.
    """
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise KeyStoreError(f"{path}: cannot read private key ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyStoreError(f"{path}: mode {stat.S_IMODE(mode):04o} is too open; private keys must be 0600")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        raise KeyStoreError(f"{path}: wrong passphrase or not an encrypted PKCS#8 key") from None
    if not isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyStoreError(f"{path}: unsupported key type")
    alg_of_key(key)
    return key


def write_certificate(path: Path, certificate: x509.Certificate) -> None:
    """Write a certificate as PEM (public; mode 0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def load_certificate(path: Path) -> x509.Certificate:
    """Read a PEM certificate.

    Raises:
        KeyStoreError: missing or not a PEM certificate.
    """
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except OSError as exc:
        raise KeyStoreError(f"{path}: cannot read certificate ({exc.strerror})") from None
    except ValueError:
        raise KeyStoreError(f"{path}: not a PEM certificate") from None
