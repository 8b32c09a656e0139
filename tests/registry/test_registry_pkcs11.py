"""Issuing through the registry with a document signer whose key is in a PKCS#11 token (SoftHSM2).

The registry signs in the token and the document verifies through the registry's status lookup;
a token that is gone when the officer issues is a clear `HsmError` and nothing is issued: no
document, no revision, no audit event, no number taken. Both engines run each test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.softhsm import soft_token
from support.world import BASE_URL, T0, World, build_world, graduate_id_of, issue_row, later, row

from verify.errors import HsmError
from verify.keystore import KeyStore
from verify.pkcs11 import Pkcs11Signer, close_all
from verify.registry.documents import issue_document
from verify.status import StatusCode
from verify.verifier import VALID


@pytest.fixture
def token_world(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A fresh registry whose signer's key is in a fresh SoftHSM2 token (made a day before T0)."""
    with soft_token(tmp_path, monkeypatch) as token:
        store = KeyStore(tmp_path / "keys", b"correct horse", pin=token.pin)
        store.init(at=T0 - dt.timedelta(days=1), environment="test", token=token.location)
        world = build_world(db_url, signer=store.signer(), trust_list=store.trust_list())
        try:
            yield world
        finally:
            world.dispose()


def test_issuing_signs_in_the_token(token_world: World) -> None:
    assert isinstance(token_world.signer.signer, Pkcs11Signer)  # type: ignore[attr-defined]
    _document, revision = issue_row(token_world, row(2))
    assert revision.kid == token_world.signer.kid.hex()
    report = token_world.verifier().check(revision.qr_text, at=later(1))
    assert report.verdict == VALID, report.message
    assert report.registry.code is StatusCode.ORIGINAL_VALID  # type: ignore[union-attr]


def test_token_gone_nothing_issued(token_world: World) -> None:
    graduate = row(2)
    token_world.import_rows((graduate,))
    close_all()  # the token is gone (module finalised): every session of the signer ended
    with token_world.session() as session, pytest.raises(HsmError, match="token 'verify-test'"):
        issue_document(session=session, officer=token_world.uni_issuer,
                       graduate_id=graduate_id_of(token_world, graduate), signer=token_world.signer,
                       base_url=BASE_URL, at=T0)
    assert token_world.scalar("SELECT count(*) FROM documents") == 0
    assert token_world.scalar("SELECT count(*) FROM document_revisions") == 0
    assert token_world.scalar("SELECT count(*) FROM audit_events WHERE action = 'document.issue'") == 0
    assert token_world.scalar("SELECT coalesce(max(last), 0) FROM counters WHERE series = 'BD'") == 0
