"""The service signs in a PKCS#11 token (issue 14 item 1; SoftHSM2): the PIN from VERIFY_TOKEN_PIN_FILE.

An officer issues through the API; the document is signed in the token and verifies VALID with the trust list the
service publishes. When the token is gone the same request is a 503 problem and nothing is issued (no document, no
revision, no number taken).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from support.leaks import CORPUS
from support.softhsm import soft_token
from support.web import STAFF_SETTINGS, MakeClient, assert_problem, bearer, count, https, officer_token
from support.world import T0, World, row

from verify.keystore import KeyStore
from verify.pkcs11 import close_all


def test_issuing_through_the_api_signs_in_the_token(make_client: MakeClient, world: World, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with soft_token(tmp_path, monkeypatch) as token:
        store = KeyStore(tmp_path / "token-keys", pin=token.pin)
        store.init(at=T0 - dt.timedelta(days=1), environment="test", token=token.location)
        (entry,) = store.trust_list().signers
        pin_file = tmp_path / "pin"
        pin_file.write_bytes(token.pin + b"\n")
        close_all()
        api = https(make_client(keys_dir=store.path, token_pin_file=pin_file, **STAFF_SETTINGS))
        issuer = bearer(officer_token(world, world.uni_issuer)[0])
        first, second = row(2, group="H1"), row(3, group="H2")
        CORPUS.iins.update((first.iin, second.iin))
        world.import_rows((first, second))
        ids = [world.scalar("SELECT g.id FROM graduates g JOIN holders h ON h.id = g.holder_id WHERE h.iin = :iin",
                            iin=graduate.iin) for graduate in (first, second)]

        issued = api.post("/api/v1/officer/documents", json={"graduate_id": ids[0]}, headers=issuer)
        assert issued.status_code == 201, issued.text
        revision = issued.json()["revisions"][0]
        assert revision["kid"] == entry.kid.hex() and store.token_key(entry.kid) is not None
        published = json.loads(api.get("/api/v1/trust-list").content)
        assert published["payload"]["signers"][0]["kid"] == entry.kid.hex()
        assert api.post("/api/v1/verify", json={"qr_text": revision["qr_text"]}).json()["verdict"] == "VALID"

        for stored in (tmp_path / "softhsm-tokens").iterdir():  # the token is gone
            shutil.rmtree(stored)
        close_all()
        before = (count(world, "documents"), count(world, "document_revisions"),
                  world.scalar("SELECT coalesce(max(last), 0) FROM counters WHERE series = 'BD'"))
        body = assert_problem(api.post("/api/v1/officer/documents", json={"graduate_id": ids[1]}, headers=issuer),
                              503, "unavailable")
        assert "no token labelled 'verify-test'" in body["detail"]
        assert (count(world, "documents"), count(world, "document_revisions"),
                world.scalar("SELECT coalesce(max(last), 0) FROM counters WHERE series = 'BD'")) == before
