"""Document signers in a PKCS#11 token (verify/pkcs11.py), against a SoftHSM2 token of each test's own.

What is checked: keys made in the token are sensitive and never extractable; EdDSA where the token
offers it, ES256 (low-S) when asked or when it does not; a record signed in the token verifies with
the published trust list; the PIN from a file; and each way the token can be unusable (wrong PIN,
missing token, missing module, key gone, key and certificate apart) is a clear `HsmError` with
nothing written and nothing signed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from support.keys import ROOT, ROOT_KEY, p256_key, sample_record
from support.softhsm import SOFTHSM_MODULE, SoftToken, require_softhsm, soft_token

from verify.codec import ALG_EDDSA, ALG_ES256
from verify.errors import HsmError, KeyStoreError
from verify.issue import sign_record
from verify.keys import compute_kid, make_signer_certificate, sign_bytes, verify_bytes
from verify.keystore import KeyStore
from verify.pkcs11 import (
    P256_ORDER,
    Pkcs11Signer,
    TokenKeyRef,
    TokenLocation,
    choose_algorithm,
    close_all,
    destroy_token_key,
    generate_token_key,
    low_s,
    public_key_from_point,
    read_pin_file,
)
from verify.trust import TrustList
from verify.verifier import Verifier

T = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
BASE = "https://v.edu.kz"
PASSPHRASE = b"correct horse"


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftToken]:
    with soft_token(tmp_path, monkeypatch) as made:
        yield made


def token_store(tmp_path: Path, token: SoftToken, *, pin: bytes | None = None) -> KeyStore:
    return KeyStore(tmp_path / "keys", PASSPHRASE, pin=token.pin if pin is None else pin)


def published_verifier(store: KeyStore) -> Verifier:
    """A verifier built only from what is published: root.crt and trust-list.json."""
    return Verifier(TrustList.from_json(store.trust_list_path.read_bytes(), root=store.root_certificate()))


def assert_nothing_written(store: KeyStore) -> None:
    assert not store.path.exists() or not any(store.path.rglob("*")), sorted(store.path.rglob("*"))


# ------------------------------------------------------------------------------ signing
def test_eddsa_signer_in_token_signs_a_record_that_verifies_with_the_public_trust_list(
        tmp_path: Path, token: SoftToken) -> None:
    store = token_store(tmp_path, token)
    trust_list = store.init(at=T, environment="test", token=token.location)
    signer = store.signer().signer
    assert isinstance(signer, Pkcs11Signer)
    assert signer.alg == ALG_EDDSA  # SoftHSM2 2.6 on OpenSSL 3 offers CKM_EDDSA
    assert isinstance(signer.certificate.public_key(), ed25519.Ed25519PublicKey)
    assert [e.kid for e in trust_list.signers] == [signer.kid] == [compute_kid(signer.certificate)]
    signed = sign_record(sample_record(), signer=signer, base_url=BASE, at=T + dt.timedelta(hours=1))
    report = published_verifier(store).check(signed.qr_text, at=T + dt.timedelta(days=1))
    assert report.verdict == "VALID", report.message
    # The store holds no private key file of the signer, and no PIN anywhere.
    files = sorted(p.name for p in (store.path / "signers").iterdir())
    assert files == [f"{signer.kid.hex()}.crt", f"{signer.kid.hex()}.pkcs11.json"]
    assert all(token.pin not in p.read_bytes() for p in store.path.rglob("*") if p.is_file())
    ref = store.token_key(signer.kid)
    assert ref is not None and ref.token_label == token.location.label and ref.module == SOFTHSM_MODULE
    assert len(ref.key_id) == 16


def test_es256_signer_in_token_is_low_s_and_verifies(tmp_path: Path, token: SoftToken) -> None:
    store = token_store(tmp_path, token)
    store.init(at=T, environment="test", token=token.location)
    store.rotate(at=T + dt.timedelta(days=1), alg=ALG_ES256)  # stays in the token: the previous signer was there
    signer = store.signer().signer
    assert isinstance(signer, Pkcs11Signer) and signer.alg == ALG_ES256
    assert isinstance(signer.certificate.public_key(), ec.EllipticCurvePublicKey)
    assert store.token_key(signer.kid) is not None
    # SoftHSM2's ECDSA nonces are random: half its raw signatures are high-S; none of ours may be.
    for i in range(64):
        data = f"Sig_structure {i}".encode()
        signature = signer.sign(data)
        assert int.from_bytes(signature[32:], "big") <= P256_ORDER // 2
        assert verify_bytes(signer.certificate.public_key(), ALG_ES256, signature, data)  # type: ignore[arg-type]
    signed = sign_record(sample_record(), signer=signer, base_url=BASE, at=T + dt.timedelta(days=1, hours=1))
    report = published_verifier(store).check(signed.qr_text, at=T + dt.timedelta(days=2))
    assert report.verdict == "VALID", report.message


def test_private_key_is_sensitive_and_never_extractable(token: SoftToken) -> None:
    import pkcs11
    from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass

    ref, _public = generate_token_key(token.location, pin=token.pin, key_label="extract me")
    close_all()
    session = pkcs11.lib(str(SOFTHSM_MODULE)).get_token(token_label=ref.token_label).open(
        rw=True, user_pin=token.pin.decode())
    try:
        private = session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=ref.key_id, label=ref.key_label)
        assert private[Attribute.SENSITIVE] and private[Attribute.ALWAYS_SENSITIVE]
        assert not private[Attribute.EXTRACTABLE] and private[Attribute.NEVER_EXTRACTABLE]
        assert private[Attribute.TOKEN] and private[Attribute.PRIVATE]
        with pytest.raises(pkcs11.AttributeSensitive):
            private[Attribute.VALUE]
        with pytest.raises(pkcs11.AttributeReadOnly):  # and it cannot be made extractable afterwards
            private[Attribute.EXTRACTABLE] = True
        # Nor wrapped out under a key of our own (PKCS#11 v2.40 §5.18.6: CKR_KEY_UNEXTRACTABLE).
        wrapping = session.generate_key(KeyType.AES, 256, capabilities=MechanismFlag.WRAP | MechanismFlag.UNWRAP)
        with pytest.raises(pkcs11.KeyUnextractable):
            wrapping.wrap_key(private, mechanism=Mechanism.AES_KEY_WRAP_PAD)
    finally:
        session.close()


def test_token_key_that_does_not_match_its_certificate_never_signs(token: SoftToken) -> None:
    ref, public = generate_token_key(token.location, pin=token.pin, key_label="one")
    other_ref, _ = generate_token_key(token.location, pin=token.pin, key_label="two")
    certificate = make_signer_certificate(public, root_key=ROOT_KEY, root_certificate=ROOT, common_name="TEST ONLY",
                                          not_before=T, not_after=T + dt.timedelta(days=1))
    assert Pkcs11Signer.open(ref, pin=token.pin, certificate=certificate).kid == compute_kid(certificate)
    with pytest.raises(HsmError, match="does not match"):
        Pkcs11Signer.open(other_ref, pin=token.pin, certificate=certificate)


# ------------------------------------------------------------------------------ PIN
def test_pin_from_a_file(tmp_path: Path, token: SoftToken) -> None:
    pin_file = tmp_path / "token-pin"
    pin_file.write_bytes(token.pin + b"\n")
    assert read_pin_file(pin_file) == token.pin
    store = KeyStore(tmp_path / "keys", PASSPHRASE, pin=read_pin_file(pin_file))
    store.init(at=T, environment="test", token=token.location)
    close_all()  # a new process: it logs in again with the PIN from the file
    signer = KeyStore(store.path, PASSPHRASE, pin=read_pin_file(pin_file)).signer()
    signed = sign_record(sample_record(), signer=signer, base_url=BASE, at=T + dt.timedelta(hours=1))
    assert published_verifier(store).check(signed.qr_text, at=T + dt.timedelta(days=1)).verdict == "VALID"


@pytest.mark.parametrize(("content", "pin"), [
    (b"1234", b"1234"), (b"1234\n", b"1234"), (b"1234\r\n", b"1234"), (b"1234\n\n", b"1234\n"),
    (b" 12 34 \n", b" 12 34 "),
])
def test_pin_file_strips_one_trailing_newline(tmp_path: Path, content: bytes, pin: bytes) -> None:
    (tmp_path / "pin").write_bytes(content)
    assert read_pin_file(tmp_path / "pin") == pin


@pytest.mark.parametrize("content", [b"", b"\n", None])
def test_pin_file_empty_or_missing_is_an_error(tmp_path: Path, content: bytes | None) -> None:
    if content is not None:
        (tmp_path / "pin").write_bytes(content)
    with pytest.raises(HsmError, match="PIN"):
        read_pin_file(tmp_path / "pin")


def test_wrong_pin_writes_nothing_and_signs_nothing(tmp_path: Path, token: SoftToken) -> None:
    refused = token_store(tmp_path, token, pin=b"0000-wrong")
    with pytest.raises(HsmError, match="wrong PIN") as raised:
        refused.init(at=T, environment="test", token=token.location)
    assert raised.value.code == "HSM" and isinstance(raised.value, KeyStoreError)
    assert_nothing_written(refused)
    store = token_store(tmp_path, token)
    store.init(at=T, environment="test", token=token.location)
    close_all()
    with pytest.raises(HsmError, match="wrong PIN"):
        KeyStore(store.path, PASSPHRASE, pin=b"0000-wrong").signer()
    with pytest.raises(KeyStoreError, match="PIN is needed"):
        KeyStore(store.path, PASSPHRASE).signer()


def test_missing_token_writes_nothing(tmp_path: Path, token: SoftToken) -> None:
    store = token_store(tmp_path, token)
    with pytest.raises(HsmError, match="no token labelled 'no-such-token'"):
        store.init(at=T, environment="test", token=TokenLocation(module=SOFTHSM_MODULE, label="no-such-token"))
    assert_nothing_written(store)


def test_missing_module_writes_nothing(tmp_path: Path) -> None:
    require_softhsm()  # python-pkcs11 is what reports it
    store = KeyStore(tmp_path / "keys", PASSPHRASE, pin=b"1234")
    missing = tmp_path / "no-such-pkcs11.so"
    with pytest.raises(HsmError, match="no such file"):
        store.init(at=T, environment="test", token=TokenLocation(module=missing, label="any"))
    not_a_module = tmp_path / "not-a-module.so"
    not_a_module.write_bytes(b"not an ELF file")
    with pytest.raises(HsmError, match="cannot be loaded"):
        store.init(at=T, environment="test", token=TokenLocation(module=not_a_module, label="any"))
    assert_nothing_written(store)


def test_key_gone_from_the_token_is_a_clear_error(tmp_path: Path, token: SoftToken) -> None:
    store = token_store(tmp_path, token)
    store.init(at=T, environment="test", token=token.location)
    signer = store.signer()
    ref = store.token_key(signer.kid)
    assert ref is not None
    destroy_token_key(ref, pin=token.pin)
    with pytest.raises(HsmError, match="key not found"):
        store.signer()


def test_token_gone_while_signing_is_a_clear_error(tmp_path: Path, token: SoftToken) -> None:
    store = token_store(tmp_path, token)
    store.init(at=T, environment="test", token=token.location)
    signer = store.signer()
    close_all()  # the session ends under the signer (token pulled, module finalised)
    with pytest.raises(HsmError, match="token 'verify-test'"):
        sign_record(sample_record(), signer=signer, base_url=BASE, at=T + dt.timedelta(hours=1))


def test_a_session_the_token_dropped_is_replaced_at_the_next_open(tmp_path: Path, token: SoftToken) -> None:
    store = token_store(tmp_path, token)
    store.init(at=T, environment="test", token=token.location)
    signer = store.signer().signer  # the key, without its trust-list entry
    assert isinstance(signer, Pkcs11Signer)
    signer._connection.session.close()  # the token ends the session (an HSM restart) under the signer
    with pytest.raises(HsmError, match="session ended"):
        signer.sign(b"data")
    again = store.signer()  # e.g. the next issuance: a new session, logged in again
    signed = sign_record(sample_record(), signer=again, base_url=BASE, at=T + dt.timedelta(hours=1))
    assert published_verifier(store).check(signed.qr_text, at=T + dt.timedelta(days=1)).verdict == "VALID"


def test_key_label_is_never_reused(token: SoftToken) -> None:
    generate_token_key(token.location, pin=token.pin, key_label="once")
    with pytest.raises(HsmError, match="label already"):
        generate_token_key(token.location, pin=token.pin, key_label="once")


def test_another_pin_in_the_same_process_is_refused(token: SoftToken) -> None:
    generate_token_key(token.location, pin=token.pin, key_label="first")
    with pytest.raises(HsmError, match="another PIN"):
        generate_token_key(token.location, pin=b"0000-wrong", key_label="second")


# ------------------------------------------------------------------------------ without a token
def test_algorithm_choice() -> None:
    require_softhsm()  # python-pkcs11 names the mechanisms
    from pkcs11 import Mechanism

    both = {Mechanism.EC_EDWARDS_KEY_PAIR_GEN, Mechanism.EDDSA, Mechanism.EC_KEY_PAIR_GEN, Mechanism.ECDSA}
    ecdsa_only = {Mechanism.EC_KEY_PAIR_GEN, Mechanism.ECDSA, Mechanism.ECDSA_SHA256}
    assert choose_algorithm(both) == ALG_EDDSA
    assert choose_algorithm(both, alg=ALG_ES256) == ALG_ES256
    assert choose_algorithm(ecdsa_only) == ALG_ES256
    with pytest.raises(HsmError, match=r"unsupported mechanism.*EdDSA"):
        choose_algorithm(ecdsa_only, alg=ALG_EDDSA)
    with pytest.raises(HsmError, match=r"unsupported mechanism.*neither"):
        choose_algorithm({Mechanism.EDDSA, Mechanism.ECDSA, Mechanism.RSA_PKCS})  # can sign but not make keys


def test_low_s_normalisation() -> None:
    key = p256_key("low-S")
    r, s = 12345, 67890
    high = r.to_bytes(32, "big") + (P256_ORDER - s).to_bytes(32, "big")
    assert low_s(high) == r.to_bytes(32, "big") + s.to_bytes(32, "big")
    low = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert low_s(low) == low
    half = r.to_bytes(32, "big") + (P256_ORDER // 2).to_bytes(32, "big")
    assert low_s(half) == half
    # A real signature and its malleable twin (s -> n - s) normalise to the same low-S signature, which verifies.
    signature = sign_bytes(key, b"data")
    twin = signature[:32] + (P256_ORDER - int.from_bytes(signature[32:], "big")).to_bytes(32, "big")
    assert low_s(signature) == low_s(twin) and int.from_bytes(low_s(twin)[32:], "big") <= P256_ORDER // 2
    assert verify_bytes(key.public_key(), ALG_ES256, low_s(twin), b"data")


def test_public_key_from_point_accepts_der_and_bare_points() -> None:
    raw = bytes(range(32))
    pub = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    for point in (raw, b"\x04\x20" + raw):
        assert public_key_from_point(ALG_EDDSA, point) == pub
    p256 = p256_key("point").public_key()
    bare = p256.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    for point in (bare, b"\x04\x41" + bare):
        assert public_key_from_point(ALG_ES256, point) == p256
    with pytest.raises(HsmError, match="32-byte point"):
        public_key_from_point(ALG_EDDSA, raw[:31])
    with pytest.raises(HsmError, match="not a point on the curve"):
        public_key_from_point(ALG_ES256, b"\x04" + bytes(64))


def test_token_key_record_round_trip_and_refusal() -> None:
    ref = TokenKeyRef(module=SOFTHSM_MODULE, token_label="t", key_label="k", key_id=bytes(range(16)))
    assert TokenKeyRef.from_json(ref.to_json()) == ref
    assert b"pin" not in ref.to_json().lower()
    with pytest.raises(HsmError, match="token key record"):
        TokenKeyRef.from_json(b'{"module": "/x"}')
