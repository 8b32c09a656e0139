"""The highest versions seen survive a restart: an older trust list is refused after it too (issue 10 item 4).

The issue's case: v4 revoked a signer; after a restart v3 loaded again and a record signed after the compromise
answered NOT_IN_REGISTRY (or VALID offline) instead of SIGNER_REVOKED.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path

import pytest
from support.keys import OTHER_ROOT, OTHER_ROOT_KEY, ROOT, ROOT_KEY, entry, make_signer, sample_record, trust_list

from verify.errors import TrustListError, VersionStateError
from verify.issue import sign_record
from verify.keystore import KeyStore
from verify.verifier import Verifier
from verify.versionstate import (
    FileVersionState,
    MemoryVersionState,
    accept_trust_list,
    state_path_beside,
    status_list_key,
    trust_list_key,
)

T = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


def test_a_revoking_list_is_not_undone_by_a_restart(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", b"correct horse")
    store.init(at=T, environment="test")
    signer = store.signer()
    compromised_at = T + dt.timedelta(days=2)
    forged = sign_record(sample_record(), signer=signer, base_url="https://v.edu.kz", at=compromised_at
                         + dt.timedelta(hours=1))
    v3 = store.export(at=T + dt.timedelta(days=1)).version
    v3_bytes = store.trust_list_path.read_bytes()
    store.revoke(signer.kid, compromised_at=compromised_at, at=T + dt.timedelta(days=3), reason="TEST ONLY leak")
    v4_bytes = store.trust_list_path.read_bytes()
    check_at = T + dt.timedelta(days=4)

    published = tmp_path / "published" / "trust-list.json"
    published.parent.mkdir()
    published.write_bytes(v4_bytes)
    state_path = state_path_beside(published)
    first_run = accept_trust_list(published.read_bytes(), root=store.root_certificate(),
                                  state=FileVersionState(state_path))
    assert first_run.version == v3 + 1
    assert Verifier(first_run).check(forged.qr_text, at=check_at).verdict == "SIGNER_REVOKED"

    published.write_bytes(v3_bytes)  # an attacker (or a stale mirror) puts the older list back; the process restarts
    with pytest.raises(TrustListError, match=f"version {v3} is older than version {v3 + 1} already seen"):
        accept_trust_list(published.read_bytes(), root=store.root_certificate(), state=FileVersionState(state_path))
    assert FileVersionState(state_path).highest(trust_list_key(store.root_certificate())) == v3 + 1
    # what the old code did after a restart: the forged record verifies under v3
    assert Verifier(accept_trust_list(v3_bytes, root=store.root_certificate(), state=MemoryVersionState())) \
        .check(forged.qr_text, at=check_at).verdict == "VALID"


def test_equal_and_newer_versions_load_and_the_state_only_rises(tmp_path: Path) -> None:
    state = FileVersionState(tmp_path / "s" / "verify-state.json")
    signer = make_signer("state tests")
    docs = {v: trust_list((entry(signer, label="TEST ONLY"),), version=v).sign(ROOT_KEY) for v in (1, 2, 5)}
    assert accept_trust_list(docs[2], root=ROOT, state=state).version == 2
    assert accept_trust_list(docs[2], root=ROOT, state=state).version == 2
    with pytest.raises(TrustListError, match="rollback"):
        accept_trust_list(docs[1], root=ROOT, state=state)
    assert accept_trust_list(docs[5], root=ROOT, state=state).version == 5
    state.raise_to(trust_list_key(ROOT), 3)
    assert state.highest(trust_list_key(ROOT)) == 5
    saved = json.loads(state.path.read_text())
    assert saved == {"type": "verify-version-state", "format": 1, "highest": {trust_list_key(ROOT): 5}}


def test_each_root_and_each_series_has_its_own_counter() -> None:
    state = MemoryVersionState()
    other = trust_list((entry(make_signer("o", root_key=OTHER_ROOT_KEY, root=OTHER_ROOT), label="TEST ONLY"),),
                       root=OTHER_ROOT, version=1).sign(OTHER_ROOT_KEY)
    state.raise_to(trust_list_key(ROOT), 9)
    assert accept_trust_list(other, root=OTHER_ROOT, state=state).version == 1
    assert status_list_key(ROOT, "BD") != status_list_key(ROOT, "MD") != status_list_key(OTHER_ROOT, "MD")
    assert trust_list_key(ROOT) != trust_list_key(OTHER_ROOT)


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"type": "verify-version-state", "format": 2, "highest": {}}',
                                     b'{"type": "verify-version-state", "format": 1, "highest": {"k": -1}}',
                                     b'{"type": "verify-version-state", "format": 1, "highest": {"k": "3"}}',
                                     b"\xff\xfe"])
def test_a_broken_state_file_is_a_version_state_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "verify-state.json"
    path.write_bytes(content)
    with pytest.raises(VersionStateError):
        FileVersionState(path).highest("trust-list/x")
    with pytest.raises(VersionStateError):
        FileVersionState(path).raise_to("trust-list/x", 1)
    assert path.read_bytes() == content  # never overwritten


def test_an_unwritable_state_is_a_version_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(VersionStateError):
        FileVersionState(blocker / "verify-state.json").raise_to("k", 1)


def _raise_many(path: str, start: int) -> None:
    state = FileVersionState(Path(path))
    for version in range(start, start + 200, 4):
        state.raise_to("trust-list/race", version)


def test_concurrent_writers_never_lower_the_version(tmp_path: Path) -> None:
    path = tmp_path / "verify-state.json"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_raise_many, args=(str(path), start)) for start in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert FileVersionState(path).highest("trust-list/race") == 198
    assert not path.with_name(path.name + ".tmp").exists()


def test_state_path_beside() -> None:
    assert state_path_beside(Path("/nonexistent/keys/trust-list.json")) == Path("/nonexistent/keys/verify-state.json")
