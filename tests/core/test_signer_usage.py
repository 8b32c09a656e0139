"""Signer usages in the trust list: document, status, log (issue 12 item 1; DESIGN.md, Trust beyond the registry).

A signer signs for one usage only: a record signed by a status or log signer is not a record of any document
signer (step 4, UNKNOWN_SIGNER), and a status list signed by a document signer is refused
(tests/core/test_statuslist.py).
The key store creates, rotates and revokes status and log signers under the same root, next to document signers.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from support.keys import ROOT, ROOT_KEY, entry, make_signer, sample_record, trust_list

from verify.errors import KeyStoreError, TrustListError
from verify.issue import sign_record
from verify.keys import ALG_ES256, compute_kid, sign_bytes
from verify.keystore import KeyStore
from verify.trust import TrustList, canonical_json
from verify.verifier import Verifier

T = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
BASE = "https://v.edu.kz"


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    s = KeyStore(tmp_path / "keys", b"correct horse")
    s.init(at=T, environment="test")
    return s


def test_a_list_without_usage_is_a_list_of_document_signers() -> None:
    """Lists published before usages existed: the root signed entries without the key."""
    signer = make_signer("old list")
    stripped = trust_list((entry(signer, label="TEST ONLY"),)).sign(ROOT_KEY)
    del stripped["payload"]["signers"][0]["usage"]
    stripped["signature"]["value"] = base64.urlsafe_b64encode(
        sign_bytes(ROOT_KEY, canonical_json(stripped["payload"]))).rstrip(b"=").decode()
    loaded = TrustList.from_json(json.dumps(stripped), root=ROOT)
    assert loaded.signers[0].usage == "document"
    assert loaded.candidates(compute_kid(signer.certificate)) == loaded.signers
    signed = sign_record(sample_record(), signer=signer, base_url=BASE, at=T)
    assert Verifier(loaded).check(signed.qr_text, at=T).verdict == "VALID"


def test_candidates_are_per_usage() -> None:
    signer = make_signer("two usages")
    kid = compute_kid(signer.certificate)
    tl = trust_list((replace(entry(signer, label="TEST ONLY status"), usage="status"),))
    assert tl.candidates(kid) == ()
    assert tl.candidates(kid, usage="status") == tl.signers
    signed = sign_record(sample_record(), signer=signer, base_url=BASE, at=T)
    report = Verifier(tl).check(signed.qr_text, at=T)
    assert report.verdict == "UNKNOWN_SIGNER" and report.failed_step is not None
    assert report.failed_step.name == "kid"


def test_unknown_usage_and_es256_log_signer_refused_in_a_list() -> None:
    signer = make_signer("bad usage")
    doc = trust_list((replace(entry(signer, label="TEST ONLY"), usage="checkpoint"),)).sign(ROOT_KEY)
    with pytest.raises(TrustListError, match="usage"):
        TrustList.from_json(json.dumps(doc), root=ROOT)
    p256 = make_signer("p256 log", alg="ES256")
    doc = trust_list((replace(entry(p256, label="TEST ONLY"), usage="log"),)).sign(ROOT_KEY)
    with pytest.raises(TrustListError, match="Ed25519"):
        TrustList.from_json(json.dumps(doc), root=ROOT)


def test_key_store_makes_rotates_and_revokes_status_and_log_signers(store: KeyStore) -> None:
    document = store.signer()
    with pytest.raises(KeyStoreError, match="active-status-signer"):
        store.signer("status")
    tl = store.rotate(at=T + dt.timedelta(hours=1), usage="status")
    status = store.signer("status")
    assert [e.usage for e in tl.signers] == ["document", "status"]
    assert status.kid != document.kid and store.signer().kid == document.kid  # the document signer stays active
    tl = store.rotate(at=T + dt.timedelta(hours=2), usage="log")
    log = store.signer("log")
    assert log.alg == -8 and [e.usage for e in tl.signers] == ["document", "status", "log"]
    tl = store.rotate(at=T + dt.timedelta(hours=3), usage="status", alg=ALG_ES256)
    assert store.signer("status").alg == ALG_ES256
    retired = next(e for e in tl.signers if e.kid == status.kid)
    assert retired.usage_until == T + dt.timedelta(hours=3) and retired.usage == "status"
    tl = store.revoke(log.kid, compromised_at=T + dt.timedelta(hours=4), at=T + dt.timedelta(hours=5),
                      reason="TEST ONLY")
    assert next(e for e in tl.signers if e.kid == log.kid).revocation is not None
    with pytest.raises(KeyStoreError, match="revoked"):
        store.signer("log")
    # a record signed with the status key is no record
    forged = sign_record(sample_record(), signer=store.signer("status"), base_url=BASE, at=T + dt.timedelta(hours=6))
    assert Verifier(store.trust_list()).check(forged.qr_text, at=T + dt.timedelta(hours=6)).verdict == "UNKNOWN_SIGNER"
    genuine = sign_record(sample_record(), signer=store.signer(), base_url=BASE, at=T + dt.timedelta(hours=6))
    assert Verifier(store.trust_list()).check(genuine.qr_text, at=T + dt.timedelta(hours=6)).verdict == "VALID"


def test_key_store_refusals(store: KeyStore) -> None:
    with pytest.raises(KeyStoreError, match="Ed25519"):
        store.rotate(at=T, usage="log", alg=ALG_ES256)
    with pytest.raises(KeyStoreError, match="institution"):
        store.rotate(at=T, usage="status", institution_bin="040140001236")
    with pytest.raises(KeyStoreError, match="usage must be"):
        store.rotate(at=T, usage="checkpoint")
    with pytest.raises(KeyStoreError, match="usage must be"):
        store.signer("checkpoint")


def test_root_fingerprint_is_the_sha256_of_the_der() -> None:
    import hashlib

    from cryptography.hazmat.primitives import serialization

    from verify.keys import certificate_fingerprint

    fingerprint = certificate_fingerprint(ROOT)
    assert fingerprint == hashlib.sha256(ROOT.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert len(fingerprint) == 64 and fingerprint == fingerprint.lower()
    assert compute_kid(ROOT).hex() == fingerprint[:16]  # the kid is its first 8 bytes
