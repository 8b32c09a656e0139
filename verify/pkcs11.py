"""Document signers whose private key lives in a PKCS#11 token (an HSM), behind the `Signer` protocol.

The key pair is generated inside the token, private half sensitive and non-extractable
(CKA_SENSITIVE true, CKA_EXTRACTABLE false; PKCS#11 v2.40 §4.9): no byte of it ever leaves the
token. The document signer certificate is built outside, from the token's public key, by the
root (keys.make_signer_certificate); the key store (keystore.py) records where the key is
(module path, token label, key label and CKA_ID), never the PIN.

Mechanisms (PKCS#11 Current Mechanisms v3.0 §2.3):

* EdDSA (COSE -8): CKM_EC_EDWARDS_KEY_PAIR_GEN with the curve OID 1.3.101.112 (RFC 8410 §3) and
  CKM_EDDSA without parameters, i.e. pure Ed25519 (RFC 8032 §5.1). Chosen where the token offers
  both; SoftHSM2 2.6 built on OpenSSL >= 1.1.1 (Debian 12: OpenSSL 3.0) does.
* ES256 (COSE -7) otherwise: CKM_EC_KEY_PAIR_GEN on P-256 and CKM_ECDSA over the SHA-256 digest
  computed here (CKM_ECDSA signs a digest and is offered more widely than CKM_ECDSA_SHA256). The
  token returns r || s, 32 bytes each, which is COSE's form (RFC 9053 §2.1). ECDSA signatures are
  malleable: s and n - s both verify; the verifier refuses the high one, so a high s from the token
  is replaced by n - s (low-S, as BIP 62 and RFC 6979 users normalise).

Library: python-pkcs11 (MIT; 0.10.1 of 2026-10-20, several releases a year; manylinux wheels
for CPython 3.11 on x86_64 and aarch64; ships `py.typed` and stubs for its Cython core, so
mypy --strict checks our calls; KeyType.EC_EDWARDS and Mechanism.EDDSA named). PyKCS11
(1.5.20 of 2026-09-04, wheels for 3.11 too, CKM_EDDSA among its constants) was not taken: it is
GPL-2.0-or-later, which our proprietary licence cannot absorb, and its SWIG low-level API has
no type information. The library is an optional extra (`pip install 'verify[hsm]'`); without it
every function here raises `HsmError` saying so, and nothing else in `verify` needs it.

Sessions: PKCS#11 login is per application, not per session (v2.40 §5.6), and closing the last
session logs out. So each process keeps one logged-in read/write session per (module, token),
shared by every signer on that token and used under a lock; `close_all` ends them (tests, shut
down). A process that forks must open its signers after the fork (a child must call
C_Initialize again); `verify serve` starts its workers by spawning, not forking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from .codec import ALG_EDDSA, ALG_ES256
from .errors import HsmError
from .keys import PublicKey, alg_of_key, compute_kid, verify_bytes

if TYPE_CHECKING:
    import pkcs11 as p11

# Order n of the P-256 group (SEC 2 v2 §2.4.2; FIPS 186-4 D.1.2.3).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# CKA_EC_PARAMS: DER OBJECT IDENTIFIER of the curve (RFC 8410 §3 id-Ed25519; RFC 5480 §2.1.1.1 secp256r1).
ED25519_PARAMS = bytes.fromhex("06032b6570")
P256_PARAMS = bytes.fromhex("06082a8648ce3d030107")
KEY_ID_BYTES = 16
_PROBE = b"verify: does this token key match its document signer certificate?"


@dataclass(frozen=True)
class TokenLocation:
    """Where document signer keys are made: a PKCS#11 module and a token in it.

    Args:
        module: path of the PKCS#11 module (a shared library), e.g. /usr/lib/softhsm/libsofthsm2.so.
        label: the token's label (CKA_LABEL of the token, up to 32 characters).
    """

    module: Path
    label: str


@dataclass(frozen=True)
class TokenKeyRef:
    """Where one document signer's private key is: what the key store records (never the PIN).

    Args:
        module: path of the PKCS#11 module.
        token_label: the token's label.
        key_label: CKA_LABEL of the key pair.
        key_id: CKA_ID of the key pair (16 random bytes when made here).
    """

    module: Path
    token_label: str
    key_label: str
    key_id: bytes

    @property
    def location(self) -> TokenLocation:
        """The module and token holding the key."""
        return TokenLocation(module=self.module, label=self.token_label)

    def to_json(self) -> bytes:
        """UTF-8 JSON: {"module", "token", "key_label", "key_id" (hex)}."""
        document = {"module": str(self.module), "token": self.token_label,
                    "key_label": self.key_label, "key_id": self.key_id.hex()}
        return json.dumps(document, indent=2).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> TokenKeyRef:
        """Read what `to_json` wrote.

        Raises:
            HsmError: not that JSON shape.
        """
        try:
            document = json.loads(data)
            return cls(module=Path(document["module"]), token_label=str(document["token"]),
                       key_label=str(document["key_label"]), key_id=bytes.fromhex(document["key_id"]))
        except (ValueError, KeyError, TypeError):
            raise HsmError("the token key record is not {module, token, key_label, key_id}") from None


def read_pin_file(path: Path) -> bytes:
    """A token PIN from a file: its bytes without one trailing newline ("\\n" or "\\r\\n").

    Raises:
        HsmError: the file cannot be read or holds an empty PIN.
    """
    try:
        pin = path.read_bytes()
    except OSError as exc:
        raise HsmError(f"{path}: cannot read the token PIN ({exc.strerror})") from None
    if pin.endswith(b"\r\n"):
        pin = pin[:-2]
    elif pin.endswith(b"\n"):
        pin = pin[:-1]
    if not pin:
        raise HsmError(f"{path}: the token PIN file is empty")
    return pin


# ------------------------------------------------------------------------------ sessions
@dataclass
class _Connection:
    location: TokenLocation
    session: p11.Session
    mechanisms: frozenset[int]
    pin_digest: bytes
    lock: threading.Lock


_connections: dict[tuple[str, str], _Connection] = {}
_connections_lock = threading.Lock()
_modules: set[str] = set()  # modules this process loaded (and initialised)


def _library(module: Path) -> Any:
    try:
        import pkcs11
    except ImportError:
        raise HsmError("PKCS#11 support is not installed: pip install 'verify[hsm]' (python-pkcs11)") from None
    if not module.is_file():
        raise HsmError(f"PKCS#11 module {module}: no such file")
    try:
        lib = pkcs11.lib(str(module))
    except pkcs11.PKCS11Error as exc:
        raise HsmError(f"PKCS#11 module {module}: cannot be loaded ({exc})") from None
    _modules.add(str(module))
    return lib


@contextmanager
def _pkcs11_errors(where: str, connection: _Connection | None = None) -> Iterator[None]:
    """Convert python-pkcs11's exceptions into `HsmError`, once, at the boundary.

    When the token or its session is gone, `connection` (held by the caller) is forgotten, so
    that the next `Pkcs11Signer.open` logs in afresh.
    """
    from pkcs11 import exceptions as e

    try:
        yield
    except (e.PinIncorrect, e.PinInvalid, e.PinLenRange):
        raise HsmError(f"{where}: wrong PIN") from None
    except (e.PinLocked, e.PinExpired):
        raise HsmError(f"{where}: the user PIN is locked or expired; the security officer must reset it") from None
    except e.UserPinNotInitialized:
        raise HsmError(f"{where}: the token has no user PIN yet") from None
    except (e.MechanismInvalid, e.MechanismParamInvalid, e.DomainParamsInvalid, e.KeyTypeInconsistent,
            e.FunctionNotSupported, e.TemplateInconsistent):
        raise HsmError(f"{where}: mechanism or key type not supported by the token") from None
    except (e.DeviceRemoved, e.DeviceError, e.TokenNotPresent, e.TokenNotRecognised, e.SessionClosed,
            e.SessionHandleInvalid, e.UserNotLoggedIn):
        if connection is not None:
            _forget(connection)
        raise HsmError(f"{where}: the token is gone or its session ended") from None
    except e.PKCS11Error as exc:
        raise HsmError(f"{where}: {type(exc).__name__} {exc}".rstrip()) from None


def _connect(location: TokenLocation, pin: bytes) -> _Connection:
    """The process's logged-in session on a token, opened on first use.

    Raises:
        HsmError: missing module or token, wrong PIN, or a different PIN than the one this
            process logged in with.
    """
    key = (str(location.module), location.label)
    digest = hashlib.sha256(pin).digest()
    with _connections_lock:
        connection = _connections.get(key)
        if connection is not None:
            if not hmac.compare_digest(connection.pin_digest, digest):
                raise HsmError(f"token {location.label!r}: this process is logged in with another PIN")
            return connection
        try:
            user_pin = pin.decode("utf-8")
        except UnicodeDecodeError:
            raise HsmError(f"token {location.label!r}: the PIN is not UTF-8 text") from None
        if not user_pin:
            raise HsmError(f"token {location.label!r}: empty PIN")
        lib = _library(location.module)
        from pkcs11 import exceptions as e

        with _pkcs11_errors(f"token {location.label!r}"):
            try:
                token = lib.get_token(token_label=location.label)
            except e.NoSuchToken:
                raise HsmError(f"no token labelled {location.label!r} in PKCS#11 module {location.module}") from None
            except e.MultipleTokensReturned:
                raise HsmError(f"several tokens labelled {location.label!r} in {location.module}") from None
            mechanisms = frozenset(int(m) for m in token.slot.get_mechanisms())
            session = token.open(rw=True, user_pin=user_pin)
        connection = _Connection(location=location, session=session, mechanisms=mechanisms, pin_digest=digest,
                                 lock=threading.Lock())
        _connections[key] = connection
        return connection


def _forget(connection: _Connection) -> None:
    """Drop a connection whose session is gone (the caller holds its lock) and close what is left of it."""
    with _connections_lock:
        key = (str(connection.location.module), connection.location.label)
        if _connections.get(key) is connection:
            del _connections[key]
    from pkcs11 import PKCS11Error

    with suppress(PKCS11Error):
        connection.session.close()


def close_all() -> None:
    """Log out, close every session this process opened and finalise the modules.

    The next use loads the module's configuration again (e.g. SOFTHSM2_CONF). Errors while
    closing are ignored: the sessions are gone either way.
    """
    with _connections_lock:  # never held while taking a connection's lock (sign -> _forget takes them the other way)
        connections = list(_connections.values())
        modules = set(_modules)
        _connections.clear()
        _modules.clear()
    if not modules:
        return
    import pkcs11

    for connection in connections:
        with connection.lock, suppress(pkcs11.PKCS11Error):
            connection.session.close()
    for module in modules:
        with suppress(pkcs11.PKCS11Error):
            pkcs11.lib(module).finalize()


def token_algorithm(location: TokenLocation, *, pin: bytes, alg: int | None = None) -> int:
    """The COSE algorithm a new key in this token gets: EdDSA if offered, else ES256.

    Args:
        alg: ask for -8 or -7; None takes the best the token offers.

    Raises:
        HsmError: the token (or module) is unusable, or offers neither (or not the one asked for).
    """
    connection = _connect(location, pin)
    return choose_algorithm(connection.mechanisms, alg=alg, token_label=location.label)


def choose_algorithm(mechanisms: Collection[int], *, alg: int | None = None, token_label: str = "") -> int:
    """The COSE algorithm for a token offering `mechanisms`: EdDSA if it can make and use Ed25519 keys, else ES256.

    Args:
        mechanisms: the token's mechanism numbers (C_GetMechanismList).
        alg: ask for -8 or -7; None takes EdDSA where offered, else ES256.
        token_label: for the message.

    Raises:
        HsmError: unsupported mechanism: the token offers neither (or not the one asked for).
    """
    from pkcs11 import Mechanism

    needs = {ALG_EDDSA: ("EdDSA", {Mechanism.EC_EDWARDS_KEY_PAIR_GEN, Mechanism.EDDSA}),
             ALG_ES256: ("ES256", {Mechanism.EC_KEY_PAIR_GEN, Mechanism.ECDSA})}
    offered = set(mechanisms)
    for candidate in ((alg,) if alg is not None else (ALG_EDDSA, ALG_ES256)):
        if candidate in needs and needs[candidate][1] <= offered:
            return candidate
    if alg is None:
        raise HsmError(f"token {token_label!r}: unsupported mechanism, it offers neither EdDSA (CKM_EDDSA) "
                       "nor ES256 (CKM_ECDSA)")
    name, mechanism_names = needs.get(alg, (f"algorithm {alg}", set()))
    raise HsmError(f"token {token_label!r}: unsupported mechanism, it does not offer {name} "
                   f"({', '.join(sorted(f'CKM_{m.name}' for m in mechanism_names))})")


# ------------------------------------------------------------------------------ keys
def generate_token_key(location: TokenLocation, *, pin: bytes, key_label: str,
                       alg: int | None = None) -> tuple[TokenKeyRef, PublicKey]:
    """Generate a document signer key pair inside the token; the private half never leaves it.

    The private key is a token object, private, sensitive and non-extractable, usable only to
    sign; the public key is a token object that may verify.

    Args:
        key_label: CKA_LABEL for both halves; must be new in the token.
        alg: -8 or -7, or None for EdDSA where offered and ES256 otherwise.

    Returns:
        Where the key is (its CKA_ID is 16 random bytes) and its public key.

    Raises:
        HsmError: missing module or token, wrong PIN, label taken, unsupported mechanism.
    """
    from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass

    connection = _connect(location, pin)
    chosen = choose_algorithm(connection.mechanisms, alg=alg, token_label=location.label)
    key_type, params, mechanism = ((KeyType.EC_EDWARDS, ED25519_PARAMS, Mechanism.EC_EDWARDS_KEY_PAIR_GEN)
                                   if chosen == ALG_EDDSA else (KeyType.EC, P256_PARAMS, Mechanism.EC_KEY_PAIR_GEN))
    key_id = secrets.token_bytes(KEY_ID_BYTES)
    where = f"token {location.label!r}, key {key_label!r}"
    with connection.lock, _pkcs11_errors(where, connection):
        session = connection.session
        if any(True for _ in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                  Attribute.LABEL: key_label})):
            raise HsmError(f"{where}: the token holds a key with that label already")
        domain = session.create_domain_parameters(key_type, {Attribute.EC_PARAMS: params}, local=True)
        public, _private = domain.generate_keypair(
            id=key_id, label=key_label, store=True, mechanism=mechanism,
            capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
            public_template={Attribute.TOKEN: True, Attribute.VERIFY: True},
            private_template={Attribute.TOKEN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                              Attribute.EXTRACTABLE: False, Attribute.SIGN: True, Attribute.DERIVE: False,
                              Attribute.DECRYPT: False, Attribute.UNWRAP: False},
        )
        point = bytes(public[Attribute.EC_POINT])
    ref = TokenKeyRef(module=location.module, token_label=location.label, key_label=key_label, key_id=key_id)
    return ref, public_key_from_point(chosen, point)


def destroy_token_key(ref: TokenKeyRef, *, pin: bytes) -> None:
    """Delete both halves of a key pair from the token (used when making its certificate failed).

    Raises:
        HsmError: the token is unusable.
    """
    connection = _connect(ref.location, pin)
    from pkcs11 import Attribute

    with connection.lock, _pkcs11_errors(f"token {ref.token_label!r}, key {ref.key_label!r}", connection):
        for obj in list(connection.session.get_objects({Attribute.ID: ref.key_id, Attribute.LABEL: ref.key_label})):
            obj.destroy()


def public_key_from_point(alg: int, point: bytes) -> PublicKey:
    """A public key from CKA_EC_POINT: a DER OCTET STRING (PKCS#11 v2.40 §2.3.3) or, as some tokens
    give it, the bare point (Ed25519: 32 bytes, RFC 8032 §5.1.5; P-256: 65 bytes, SEC 1 §2.3.3 uncompressed).

    Raises:
        HsmError: neither form, or not a point on the curve.
    """
    size = 32 if alg == ALG_EDDSA else 65
    if len(point) == size + 2 and point[0] == 0x04 and point[1] == size:
        point = point[2:]
    if len(point) != size:
        raise HsmError(f"the token's public key is not a {size}-byte point")
    try:
        if alg == ALG_EDDSA:
            return ed25519.Ed25519PublicKey.from_public_bytes(point)
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise HsmError("the token's public key is not a point on the curve") from None


def low_s(signature: bytes) -> bytes:
    """An ES256 r || s signature with s replaced by n - s when s > n / 2 (both verify; the low one is canonical).

    Args:
        signature: 64 bytes, r then s, big-endian (RFC 9053 §2.1).
    """
    r, s = signature[:32], int.from_bytes(signature[32:], "big")
    if s > P256_ORDER // 2:
        s = P256_ORDER - s
    return r + s.to_bytes(32, "big")


# ------------------------------------------------------------------------------ signer
class Pkcs11Signer:
    """A `Signer` whose private key is in a PKCS#11 token; `sign` runs in the token.

    Build it with `Pkcs11Signer.open`. It is safe to share between threads (signing holds the
    token session's lock).
    """

    def __init__(self, *, ref: TokenKeyRef, certificate: x509.Certificate, alg: int, key: Any,
                 connection: _Connection) -> None:
        self._ref = ref
        self._certificate = certificate
        self._alg = alg
        self._kid = compute_kid(certificate)
        self._key = key
        self._connection = connection

    @classmethod
    def open(cls, ref: TokenKeyRef, *, pin: bytes, certificate: x509.Certificate) -> Pkcs11Signer:
        """Log in to the token (or reuse this process's session) and find the private key.

        The key is checked against the certificate with one signature over a fixed probe,
        verified with the certificate's public key: a token key that does not match its
        certificate never signs a record.

        Args:
            ref: where the key is (the key store's record).
            pin: the token's user PIN (bytes; see `read_pin_file`).
            certificate: the document signer certificate of that key.

        Raises:
            HsmError: missing module or token, wrong PIN, key not found (or not unique),
                unsupported mechanism, or a key that does not match the certificate.
        """
        from pkcs11 import Attribute, ObjectClass

        public_key = certificate.public_key()
        if not isinstance(public_key, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey)):
            raise HsmError("the document signer certificate holds neither an Ed25519 nor a P-256 key")
        alg = alg_of_key(public_key)
        connection = _connect(ref.location, pin)
        choose_algorithm(connection.mechanisms, alg=alg, token_label=ref.token_label)
        where = f"token {ref.token_label!r}, key {ref.key_label!r} ({ref.key_id.hex()})"
        with connection.lock, _pkcs11_errors(where, connection):
            found = list(connection.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                         Attribute.ID: ref.key_id, Attribute.LABEL: ref.key_label}))
        if len(found) != 1:
            raise HsmError(f"{where}: key not found" if not found else f"{where}: more than one key matches")
        signer = cls(ref=ref, certificate=certificate, alg=alg, key=found[0], connection=connection)
        if not verify_bytes(public_key, alg, signer.sign(_PROBE), _PROBE):
            raise HsmError(f"{where}: the key does not match the document signer certificate {signer.kid.hex()}")
        return signer

    @property
    def kid(self) -> bytes:
        """8-byte kid of the document signer certificate (keys.compute_kid)."""
        return self._kid

    @property
    def alg(self) -> int:
        """COSE algorithm id: -8 (EdDSA) or -7 (ES256)."""
        return self._alg

    @property
    def certificate(self) -> x509.Certificate:
        """The document signer certificate."""
        return self._certificate

    @property
    def ref(self) -> TokenKeyRef:
        """Where the private key is."""
        return self._ref

    def sign(self, data: bytes) -> bytes:
        """The 64-byte COSE signature of `data`, made in the token (ES256: low-S r || s).

        Raises:
            HsmError: the token refused or is gone.
        """
        from pkcs11 import Mechanism

        where = f"token {self._ref.token_label!r}, key {self._ref.key_label!r}: signing"
        with self._connection.lock, _pkcs11_errors(where, self._connection):
            if self._alg == ALG_EDDSA:
                signature = bytes(self._key.sign(data, mechanism=Mechanism.EDDSA))
            else:
                signature = bytes(self._key.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA))
        if len(signature) != 64:
            raise HsmError(f"{where}: the token returned {len(signature)} bytes, not 64")
        return signature if self._alg == ALG_EDDSA else low_s(signature)


def default_key_label(at: dt.datetime, *, usage: str = "document") -> str:
    """CKA_LABEL of a signer key made at `at`: "verify <usage> signer YYYY-MM-DDTHH:MM:SSZ <8 hex digits>".

    The random suffix keeps labels unique when several keys are made in one second (a root's first document
    signer and an institution's own, say): `generate_token_key` refuses a label the token holds already.
    """
    return f"verify {usage} signer {at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ} {secrets.token_hex(4)}"
