"""Key store and trust list: init, rotation, revocation, publication, and refusals (DESIGN.md, Trust model)."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from support.keys import OTHER_ROOT, ROOT, ROOT_KEY, entry, make_signer, sample_record, trust_list

from verify.errors import KeyStoreError, TrustListError
from verify.issue import sign_record
from verify.keys import ALG_ES256, compute_kid, load_private_key
from verify.keystore import KeyStore
from verify.trust import TrustList
from verify.verifier import Verifier

T = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
BASE = "https://v.edu.kz"


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    s = KeyStore(tmp_path / "keys", b"correct horse")
    s.init(at=T, environment="test")
    return s


def test_init_writes_private_keys_0600_and_a_verifying_list(store: KeyStore) -> None:
    for key in [store.root_key_path, *store.path.glob("signers/*.key")]:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    tl = store.trust_list()
    assert tl.version == 1 and tl.environment == "test"
    assert len(tl.signers) == 1 and tl.signers[0].chains_to_root
    assert (store.path / "trust-list.schema.json").exists()
    assert "TEST ONLY" in store.root_certificate().subject.rfc4514_string()


def test_init_refuses_to_replace_a_root(store: KeyStore) -> None:
    with pytest.raises(KeyStoreError, match="refusing"):
        store.init(at=T, environment="test")


def test_wrong_passphrase_and_open_mode_refused(store: KeyStore, tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="passphrase"):
        KeyStore(store.path, b"wrong").signer()
    store.root_key_path.chmod(0o644)
    with pytest.raises(KeyStoreError, match="too open"):
        load_private_key(store.root_key_path, b"correct horse")


def test_production_store_needs_a_passphrase(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="VERIFY_KEY_PASSPHRASE"):
        KeyStore(tmp_path / "prod").init(at=T, environment="production")


def test_development_store_works_without_passphrase(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "dev")
    store.init(at=T)
    assert store.signer().alg == -8


def test_rotation_keeps_old_records_valid(store: KeyStore) -> None:
    old = sign_record(sample_record(), signer=store.signer(), base_url=BASE, at=T)
    later = T + dt.timedelta(days=10)
    tl = store.rotate(at=later, alg=ALG_ES256)
    assert tl.version == 2 and len(tl.signers) == 2
    new_signer = store.signer()
    assert new_signer.kid != old.kid and new_signer.alg == ALG_ES256
    new = sign_record(sample_record(), signer=new_signer, base_url=BASE, at=later + dt.timedelta(hours=1))
    verifier = Verifier(store.trust_list())
    assert verifier.check(old.qr_text, at=later).verdict == "VALID"
    assert verifier.check(new.qr_text, at=later + dt.timedelta(hours=1)).verdict == "VALID"
    # the old signer can no longer sign: a record it signs after rotation is out of its period
    old_key = KeyStore(store.path, b"correct horse")
    retired = next(e for e in tl.signers if e.kid == old.kid)
    assert retired.usage_until == later
    assert old_key.trust_list().version == 2


def test_revocation_judged_at_signing_time(store: KeyStore) -> None:
    before = sign_record(sample_record(), signer=store.signer(), base_url=BASE, at=T)
    after = sign_record(sample_record(), signer=store.signer(), base_url=BASE, at=T + dt.timedelta(days=3))
    store.revoke(before.kid, compromised_at=T + dt.timedelta(days=1), at=T + dt.timedelta(days=4), reason="stolen")
    verifier = Verifier(store.trust_list())
    assert verifier.check(before.qr_text, at=T + dt.timedelta(days=5)).verdict == "VALID"
    report = verifier.check(after.qr_text, at=T + dt.timedelta(days=5))
    assert report.verdict == "SIGNER_REVOKED" and report.failed_step and report.failed_step.number == 9
    with pytest.raises(KeyStoreError, match="revoked"):
        store.signer()
    with pytest.raises(KeyStoreError, match="already"):
        store.revoke(before.kid, compromised_at=T, at=T, reason="again")


def test_export_raises_version_and_refuses_rollback(store: KeyStore) -> None:
    v1 = store.trust_list_path.read_bytes()
    tl2 = store.export(at=T + dt.timedelta(days=1), ttl_days=7)
    assert tl2.version == 2 and tl2.expires_at == T + dt.timedelta(days=8)
    with pytest.raises(TrustListError, match="rollback"):
        TrustList.from_json(v1, root=store.root_certificate(), min_version=2)


def test_expired_list_still_verifies_with_a_warning(store: KeyStore) -> None:
    signed = sign_record(sample_record(), signer=store.signer(), base_url=BASE, at=T)
    report = Verifier(store.trust_list()).check(signed.qr_text, at=T + dt.timedelta(days=400))
    assert report.verdict == "VALID"
    assert any("expiry" in w for w in report.warnings)


def test_list_under_another_root_refused(store: KeyStore) -> None:
    with pytest.raises(TrustListError, match="another root"):
        TrustList.from_json(store.trust_list_path.read_bytes(), root=OTHER_ROOT)


def test_tampered_list_refused(store: KeyStore) -> None:
    doc = json.loads(store.trust_list_path.read_text())
    doc["payload"]["signers"][0]["scope"]["series"].append("XX")
    with pytest.raises(TrustListError, match="does not verify"):
        TrustList.from_json(json.dumps(doc), root=store.root_certificate())


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("signature"),
    lambda d: d["payload"].update(version=0),
    lambda d: d["payload"].update(extra=1),
    lambda d: d["payload"]["signers"][0].update(kid="XYZ"),
    lambda d: d["payload"].update(environment="staging"),
])
def test_schema_violations_refused(store: KeyStore, mutate) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(store.trust_list_path.read_text())
    mutate(doc)
    with pytest.raises(TrustListError, match="schema"):
        TrustList.from_json(json.dumps(doc), root=store.root_certificate())


@pytest.mark.parametrize("data", [b"", b"not json", b"[]", b"{" * 100000, b"x" * (5 * 1024 * 1024)])
def test_garbage_lists_refused(data: bytes) -> None:
    with pytest.raises(TrustListError):
        TrustList.from_json(data, root=ROOT)


def test_in_memory_list_signs_and_loads() -> None:
    signer = make_signer("trust round trip")
    tl = trust_list((entry(signer, label="TEST ONLY"),))
    loaded = TrustList.from_json(json.dumps(tl.sign(ROOT_KEY)), root=ROOT)
    assert loaded.candidates(compute_kid(signer.certificate))[0].certificate == signer.certificate


def test_sign_refuses_a_key_of_another_root() -> None:
    tl = trust_list(())
    with pytest.raises(TrustListError, match="does not match"):
        tl.sign(make_signer("not a root").private_key)  # type: ignore[arg-type]
