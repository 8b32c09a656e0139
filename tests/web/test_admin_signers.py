"""One document signer per institution through the administrators' API (issue 14 item 2).

The key store is a copy of the session's for each test. Timeline:

    register a university   its signer is made with it (VERIFY_SIGNER_PER_INSTITUTION on): BD..PD, its BIN
    issue for it            signed by its own signer; verifies VALID with the served trust list
    its signer again        rotated: the old one retired but listed, the general signer still active
    rotate by scope         `institution_bin` names which signer is replaced; the others stay active
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.web import (
    ADMIN_PASSWORD,
    STAFF_SETTINGS,
    MakeClient,
    assert_problem,
    bearer,
    https,
    login,
    make_admin,
    officer_token,
)
from support.world import Keys, World, make_bin, row

from verify.registry.institutions import create_officer, get_institution_by_bin_or_raise
from verify.registry.models import OfficerCreate
from web.admin.schemas import TrustListModel


@pytest.fixture
def own_keys(keys: Keys, tmp_path: Path) -> Path:
    """A copy of the session's TEST ONLY key store that this test may change."""
    target = tmp_path / "own-keys"
    shutil.copytree(keys.store.path, target)
    return target


def _admin_api(make_client: MakeClient, world: World, own_keys: Path, **settings: Any) -> tuple[TestClient,
                                                                                                dict[str, str]]:
    api = https(make_client(**{**STAFF_SETTINGS, "keys_dir": own_keys, "trust_reload_s": 3600, **settings}))
    make_admin(world)
    return api, {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD)}


def _university(bin_: str) -> dict[str, Any]:
    return {"bin": bin_, "name_kk": "Жаңа университет", "name_ru": "Новый университет", "name_en": "New University",
            "kind": "university", "region": "Астана"}


def _active(trust_list: TrustListModel) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for signer in trust_list.signers:
        if signer.state == "active":
            out.setdefault(signer.institution_bin, []).append(signer.kid)
    return out


def test_registering_an_institution_makes_its_signer_which_signs_its_documents(
        make_client: MakeClient, world: World, own_keys: Path) -> None:
    api, admin = _admin_api(make_client, world, own_keys, signer_per_institution=True)
    bin_ = make_bin(50)
    created = api.post("/api/v1/admin/institutions", json=_university(bin_), headers=admin)
    assert created.status_code == 201, created.text
    kid = created.json()["signer_kid"]
    listed = TrustListModel.model_validate(api.get("/api/v1/admin/signers").json())
    own = next(s for s in listed.signers if s.kid == kid)
    assert own.institution_bin == bin_ and own.state == "active" and {"BD", "MD", "PhD"} <= set(own.series)
    assert len(_active(listed)[None]) == 1  # the signer of any institution stays active
    served = json.loads(api.get("/api/v1/trust-list").content)["payload"]
    assert kid in [s["kid"] for s in served["signers"]]  # published at once

    with world.session() as session:  # an officer of the new university issues through the API
        institution = get_institution_by_bin_or_raise(session=session, bin=bin_)
        officer = create_officer(session=session, officer_create=OfficerCreate(
            username="new.issuer", full_name="Officer new.issuer", role="issuer"), institution=institution,
            at=listed.issued_at)
    header = bearer(officer_token(world, officer)[0])
    graduate = row(2, group="N1")
    CORPUS.iins.add(graduate.iin)
    world.import_rows((graduate,), officer=officer, institution=institution)
    graduate_id = world.scalar("SELECT max(id) FROM graduates")
    issued = api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id}, headers=header)
    assert issued.status_code == 201, issued.text
    revision = issued.json()["revisions"][0]
    assert revision["kid"] == kid
    assert api.post("/api/v1/verify", json={"qr_text": revision["qr_text"]}).json()["verdict"] == "VALID"

    again = TrustListModel.model_validate(api.post(f"/api/v1/admin/institutions/{bin_}/signer",
                                                   headers=admin).json())
    states = {s.kid: s.state for s in again.signers}
    assert states[kid] == "retired" and _active(again)[bin_] != [kid] and len(_active(again)[None]) == 1
    actions = world.scalar("SELECT group_concat(action) FROM audit_events WHERE object_type = 'trust_list'")
    assert actions == "signer.create,signer.create"
    assert api.post("/api/v1/verify", json={"qr_text": revision["qr_text"]}).json()["verdict"] == "VALID"


def test_without_the_setting_no_signer_is_made_and_refusals_write_nothing(
        make_client: MakeClient, world: World, own_keys: Path) -> None:
    api, admin = _admin_api(make_client, world, own_keys)
    version = json.loads((own_keys / "trust-list.json").read_bytes())["payload"]["version"]
    created = api.post("/api/v1/admin/institutions", json=_university(make_bin(51)), headers=admin)
    assert created.status_code == 201 and created.json()["signer_kid"] is None
    assert_problem(api.post(f"/api/v1/admin/institutions/{make_bin(52)}/signer", headers=admin), 404, "not-found")
    assert_problem(api.post(f"/api/v1/admin/institutions/{world.uni.bin}/signer", json={"series": ["B-D"]},
                            headers=admin), 422, "invalid-data")
    assert json.loads((own_keys / "trust-list.json").read_bytes())["payload"]["version"] == version


def test_rotation_by_scope_leaves_the_other_signers_active(make_client: MakeClient, world: World,
                                                            own_keys: Path) -> None:
    api, admin = _admin_api(make_client, world, own_keys)
    first = TrustListModel.model_validate(api.post(f"/api/v1/admin/institutions/{world.uni.bin}/signer",
                                                   headers=admin).json())
    general = _active(first)[None]
    second = TrustListModel.model_validate(api.post("/api/v1/admin/signers/rotate", json={
        "institution_bin": world.uni.bin, "alg": "ES256"}, headers=admin).json())
    assert _active(second)[None] == general and _active(second)[world.uni.bin] != _active(first)[world.uni.bin]
    assert second.signers[-1].alg == "ES256" and second.signers[-1].institution_bin == world.uni.bin
    body = assert_problem(api.post("/api/v1/admin/signers/rotate", json={}, headers=admin), 422, "invalid-data")
    assert "2 document signers are active" in body["detail"]
