"""TEST ONLY key material, derived reproducibly from public seed strings.

Nothing here is secret and nothing here may ever sign a real document: every key is
derived from a published string, and every certificate says "TEST ONLY". Records signed
with these keys verify only against the test trust lists under tests/vectors/_trust/.
(STYLE.md §9: test keys live only under tests/, generated reproducibly, marked TEST ONLY.)
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from verify.keys import KeySigner, PrivateKey, compute_kid
from verify.record import HolderName, Record
from verify.trust import Scope, SignerEntry, TrustList
from verify.verifier import Verifier

UTC = dt.UTC
T0 = dt.datetime(2026, 1, 1, tzinfo=UTC)


def ed25519_key(seed: str) -> ed25519.Ed25519PrivateKey:
    """A TEST ONLY Ed25519 key from a seed string."""
    return ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"TEST ONLY {seed}".encode()).digest())


def p256_key(seed: str) -> ec.EllipticCurvePrivateKey:
    """A TEST ONLY P-256 key from a seed string."""
    scalar = int.from_bytes(hashlib.sha256(f"TEST ONLY {seed}".encode()).digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(scalar % (order - 1) + 1, ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "verify TEST ONLY"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _serial(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") >> 1


def root_certificate(key: ed25519.Ed25519PrivateKey, cn: str) -> x509.Certificate:
    """A deterministic TEST ONLY root certificate (Ed25519 signatures are deterministic)."""
    return (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(_serial(cn))
        .not_valid_before(dt.datetime(2025, 1, 1, tzinfo=UTC))
        .not_valid_after(dt.datetime(2055, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, None)
    )


def signer_certificate(key: PrivateKey, cn: str, *, root_key: ed25519.Ed25519PrivateKey,
                       root: x509.Certificate, not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    """A deterministic TEST ONLY document signer certificate issued by `root`."""
    return (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(_serial(cn))
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(root_key, None)
    )


ROOT_KEY = ed25519_key("root")
ROOT = root_certificate(ROOT_KEY, "verify TEST ONLY root")
OTHER_ROOT_KEY = ed25519_key("other root")
OTHER_ROOT = root_certificate(OTHER_ROOT_KEY, "verify TEST ONLY other root")
PRODUCTION_ROOT_KEY = ed25519_key("production-like root")
PRODUCTION_ROOT = root_certificate(PRODUCTION_ROOT_KEY, "verify TEST ONLY production-like root")

ALL_SERIES = frozenset({"BD", "BQ", "MD", "MBA", "DBA", "CMD", "CPR", "PhD", "PD", "ТКБ", "TKB", "ТКБӘ", "REG"})
INSTITUTION = "040140001236"
OTHER_INSTITUTION = "990340001121"


def make_signer(seed: str, *, alg: str = "EdDSA", root_key: ed25519.Ed25519PrivateKey = ROOT_KEY,
                root: x509.Certificate = ROOT, not_before: dt.datetime = T0,
                not_after: dt.datetime = T0 + dt.timedelta(days=365 * 3)) -> KeySigner:
    """A TEST ONLY signer: key from the seed, certificate from `root`."""
    key: PrivateKey = ed25519_key(seed) if alg == "EdDSA" else p256_key(seed)
    cert = signer_certificate(key, f"TEST ONLY signer {seed}", root_key=root_key, root=root,
                              not_before=not_before, not_after=not_after)
    return KeySigner(private_key=key, certificate=cert)


def entry(signer: KeySigner, *, label: str, series: frozenset[str] = ALL_SERIES, institution_bin: str | None = None,
          usage_from: dt.datetime | None = None, usage_until: dt.datetime | None = None,
          kid: bytes | None = None) -> SignerEntry:
    """A trust list entry for a TEST ONLY signer (defaults: the certificate's validity)."""
    return SignerEntry(
        kid=kid or compute_kid(signer.certificate),
        label=label,
        certificate=signer.certificate,
        usage_from=usage_from or signer.certificate.not_valid_before_utc,
        usage_until=usage_until or signer.certificate.not_valid_after_utc,
        scope=Scope(series, institution_bin),
    )


def trust_list(entries: tuple[SignerEntry, ...], *, root: x509.Certificate = ROOT, environment: str = "test",
               version: int = 1) -> TrustList:
    """An unsigned in-memory trust list over `entries`."""
    return TrustList(version=version, environment=environment, issued_at=T0,
                     expires_at=T0 + dt.timedelta(days=3650), root=root, signers=entries)


def verifier_for_signers(*signers: KeySigner, status_lookup: object = None,
                         accepted_prefixes: tuple[str, ...] | None = None) -> Verifier:
    """A verifier whose in-memory test trust list lists exactly these signers (all series)."""
    entries = tuple(entry(s, label=f"TEST ONLY signer {i}") for i, s in enumerate(signers))
    return Verifier(trust_list(entries), status_lookup=status_lookup,  # type: ignore[arg-type]
                    accepted_prefixes=accepted_prefixes)


def sample_record(**changes: object) -> Record:
    """The base record of the tests and vectors (BD diploma, Kazakh name), with changes."""
    base = Record(doc_type="BD", series="BD", number="0012345",
                  holder=HolderName("Әбдірахманова", "Гүлнұр", "Серікқызы"),
                  institution_bin=INSTITUTION, award_date=dt.date(2026, 6, 30), programme="6B06101")
    return base.with_changes(**changes)
