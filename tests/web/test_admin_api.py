"""The administrators' API (web/admin/api.py) and the account commands (verify/cli/accounts.py).

Institutions, officer accounts (seed 001 item 7), partners and tokens; document signers and the trust list
(DESIGN.md, Trust model). Timeline of the signer case (the key store is a copy for this test only):

    T0          BD document signed by signer 1
    now         rotate: signer 2 active, signer 1 retired but listed; served at once (reload interval 1 h)
    now         a document issued through the API is signed by signer 2 and verifies
    revoke 1    compromised at T0 + 1 day: the T0 document still verifies; one signed by signer 1 at T0 + 2 days
                does not (SIGNER_REVOKED)
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.web import (
    ADMIN_PASSWORD,
    PASSWORD,
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    assert_problem,
    bearer,
    count,
    give_password,
    https,
    login,
    make_admin,
    officer_token,
)
from support.world import BASE_URL, T0, Keys, World, issue_row, make_bin, row

from verify.cli import main
from web.admin.schemas import OfficerModel, TrustListModel
from web.auth.schemas import TokenCreatedModel, TokensModel

NEW_PASSWORD = "a brand new pass phrase"


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    """A started app with cheap password hashing, spoken to over https."""
    return https(make_client(**STAFF_SETTINGS))


@pytest.fixture
def admin(api: TestClient, world: World) -> dict[str, str]:
    """Signs the client in as an administrator; the CSRF header of the session."""
    make_admin(world)
    return {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD)}


def _institution(bin_: str) -> dict[str, Any]:
    return {"bin": bin_, "name_kk": "Жаңа колледж", "name_ru": "Новый колледж", "name_en": "New College",
            "kind": "college", "region": "Алматы"}


# ----------------------------------------------------------------------------- institutions and officers
def test_institutions_are_registered_once_and_listed(api: TestClient, world: World, admin: dict[str, str]) -> None:
    bin_ = make_bin(40)
    created = api.post("/api/v1/admin/institutions", json=_institution(bin_), headers=admin)
    assert created.status_code == 201 and created.json()["bin"] == bin_
    assert_problem(api.post("/api/v1/admin/institutions", json=_institution(bin_), headers=admin), 409, "conflict")
    wrong = bin_[:-1] + str((int(bin_[-1]) + 1) % 10)
    body = assert_problem(api.post("/api/v1/admin/institutions", json=_institution(wrong), headers=admin),
                          422, "invalid-data")
    assert "check digit" in body["detail"]
    assert_problem(api.post("/api/v1/admin/institutions", json={**_institution(make_bin(41)), "kind": "school"},
                            headers=admin), 422, "invalid-request")
    assert count(world, "institutions") == 4
    listed = api.get("/api/v1/admin/institutions").json()["institutions"]
    assert bin_ in [i["bin"] for i in listed] and len(listed) == 4


def test_officer_accounts_open_list_reset_disable_and_enable(api: TestClient, make_client: MakeClient,
                                                             world: World, admin: dict[str, str]) -> None:
    wanted = {"institution_bin": world.college.bin, "username": "new.issuer", "full_name": "Жаңа Қызметкер",
              "role": "issuer", "password": PASSWORD}
    created = api.post("/api/v1/admin/officers", json=wanted, headers=admin)
    assert created.status_code == 201, created.text
    assert OfficerModel.model_validate(created.json()).can_sign_in
    listed = api.get("/api/v1/admin/officers", params={"institution_bin": world.college.bin}).json()["officers"]
    assert [o["username"] for o in listed] == ["col.head", "col.issuer", "new.issuer"]

    officer = https(make_client(**STAFF_SETTINGS))
    login(officer, "new.issuer")
    assert officer.get("/api/v1/auth/me").json()["institution_bin"] == world.college.bin

    reset = api.post("/api/v1/admin/officers/new.issuer/password", json={"password": NEW_PASSWORD}, headers=admin)
    assert reset.status_code == 204
    assert_problem(officer.get("/api/v1/auth/me"), 401, "unauthorized")  # its session ended
    assert_problem(officer.post("/api/v1/auth/login", json={"username": "new.issuer", "password": PASSWORD}),
                   401, "login-failed")
    login(officer, "new.issuer", NEW_PASSWORD)

    assert api.post("/api/v1/admin/officers/new.issuer/disable", headers=admin).json()["active"] is False
    assert_problem(api.post("/api/v1/admin/officers/new.issuer/disable", headers=admin), 422, "invalid-data")
    assert_problem(officer.get("/api/v1/auth/me"), 401, "unauthorized")
    assert api.post("/api/v1/admin/officers/new.issuer/enable", headers=admin).json()["active"] is True
    login(officer, "new.issuer", NEW_PASSWORD)
    actions = {str(a) for a in (world.scalar("SELECT group_concat(action) FROM audit_events") or "").split(",")}
    assert {"officer.create", "account.password", "officer.disable", "officer.enable"} <= actions


def test_officer_account_refusals_write_nothing(api: TestClient, world: World, admin: dict[str, str]) -> None:
    wanted = {"institution_bin": world.college.bin, "username": "new.issuer", "full_name": "Жаңа Қызметкер",
              "role": "issuer", "password": PASSWORD}
    before = (count(world, "officers"), count(world, "accounts"))
    body = assert_problem(api.post("/api/v1/admin/officers", json={**wanted, "password": "short"}, headers=admin),
                          422, "invalid-data")
    assert "short" not in body["detail"]
    assert_problem(api.post("/api/v1/admin/officers", json={**wanted, "institution_bin": make_bin(99)},
                            headers=admin), 404, "not-found")
    assert_problem(api.post("/api/v1/admin/officers", json={**wanted, "username": "uni.issuer"}, headers=admin),
                   409, "conflict")
    assert_problem(api.post("/api/v1/admin/officers", json={**wanted, "username": "ministry.admin"}, headers=admin),
                   409, "conflict")
    assert_problem(api.post("/api/v1/admin/officers", json={**wanted, "username": "bad name!"}, headers=admin),
                   422, "invalid-request")
    assert_problem(api.post("/api/v1/admin/officers/nobody/disable", headers=admin), 404, "not-found")
    assert_problem(api.post("/api/v1/admin/officers/uni.issuer/password", json={"password": "aaaaaaaaaaaaaa"},
                            headers=admin), 422, "invalid-data")
    assert (count(world, "officers"), count(world, "accounts")) == before


def test_an_admin_token_opens_the_admin_api_and_officer_sessions_do_not(api: TestClient, make_client: MakeClient,
                                                                        world: World, admin: dict[str, str]) -> None:
    made = api.post("/api/v1/auth/tokens", json={"name": "ops", "scopes": ["admin"]}, headers=admin)
    token = TokenCreatedModel.model_validate(made.json()).token
    client = https(make_client(**STAFF_SETTINGS))
    assert client.get("/api/v1/admin/institutions", headers=bearer(token)).status_code == 200
    assert_problem(api.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["officer:read"]}, headers=admin),
                   422, "invalid-data")
    give_password(world, world.uni_head)
    head_csrf = login(client, "uni.head")
    assert_problem(client.get("/api/v1/admin/institutions"), 403, "forbidden")
    assert_problem(client.post("/api/v1/admin/institutions", json=_institution(make_bin(42)),
                               headers={"X-CSRF-Token": head_csrf}), 403, "forbidden")
    assert count(world, "institutions") == 3


# ----------------------------------------------------------------------------- partners and tokens
def test_partners_get_tokens_that_admins_list_and_revoke(api: TestClient, make_client: MakeClient, world: World,
                                                         admin: dict[str, str]) -> None:
    partner = api.post("/api/v1/admin/partners", json={"name": "eGov Mobile"}, headers=admin)
    assert partner.status_code == 201
    assert_problem(api.post("/api/v1/admin/partners", json={"name": "eGov  Mobile"}, headers=admin), 409, "conflict")
    assert [p["name"] for p in api.get("/api/v1/admin/partners").json()] == ["eGov Mobile"]
    partner_id = partner.json()["id"]
    made = api.post(f"/api/v1/admin/partners/{partner_id}/tokens", json={"name": "production", "days": 30},
                    headers=admin)
    assert made.status_code == 201
    token = TokenCreatedModel.model_validate(made.json())
    assert (token.scopes, token.owner) == (["partner:read"], "partner:eGov Mobile")
    assert_problem(api.post("/api/v1/admin/partners/999/tokens", json={"name": "x"}, headers=admin), 404, "not-found")
    officer_token(world, world.uni_issuer)

    reader = https(make_client(**STAFF_SETTINGS))
    iin = row(2).iin
    CORPUS.iins.add(iin)
    lookup = {"iin": iin}
    assert reader.post("/api/v1/partner/documents", json=lookup, headers=bearer(token.token)).status_code == 200
    listed = TokensModel.model_validate(api.get("/api/v1/admin/tokens").json())
    assert {t.owner for t in listed.tokens} == {"partner:eGov Mobile", "uni.issuer"}
    assert token.token not in api.get("/api/v1/admin/tokens").text
    assert api.delete(f"/api/v1/admin/tokens/{token.id}", headers=admin).status_code == 204
    assert_problem(api.delete(f"/api/v1/admin/tokens/{token.id}", headers=admin), 422, "invalid-data")
    assert_problem(reader.post("/api/v1/partner/documents", json=lookup, headers=bearer(token.token)),
                   401, "unauthorized")
    active = TokensModel.model_validate(api.get("/api/v1/admin/tokens", params={"active": True}).json())
    assert [t.owner for t in active.tokens] == ["uni.issuer"]


# ----------------------------------------------------------------------------- signers and trust list
@pytest.fixture
def own_keys(keys: Keys, tmp_path: Path) -> Path:
    """A copy of the session's TEST ONLY key store that this test may rotate and revoke."""
    target = tmp_path / "own-keys"
    shutil.copytree(keys.store.path, target)
    return target


def test_rotation_and_revocation_are_served_at_once_and_judged_at_signing_time(
        make_client: MakeClient, world: World, issued: Issued, own_keys: Path) -> None:
    api = https(make_client(**{**STAFF_SETTINGS, "keys_dir": own_keys, "trust_reload_s": 3600}))
    make_admin(world)
    admin = {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD)}
    before = TrustListModel.model_validate(api.get("/api/v1/admin/signers").json())
    (old,) = before.signers
    assert old.state == "active" and old.kid == issued.revision.kid

    rotated = TrustListModel.model_validate(api.post("/api/v1/admin/signers/rotate", json={"alg": "ES256"},
                                                     headers=admin).json())
    assert rotated.version == before.version + 1
    assert [s.state for s in rotated.signers] == ["retired", "active"] and rotated.signers[1].alg == "ES256"
    served = json.loads(api.get("/api/v1/trust-list").content)
    assert served["payload"]["version"] == rotated.version  # served now, not after the reload interval

    officer = bearer(officer_token(world, world.uni_issuer)[0])
    graduate = row(2, group="G9")
    CORPUS.iins.add(graduate.iin)
    issue_row(world, graduate, at=T0 + dt.timedelta(days=2))  # signed by the old signer after its compromise
    late_qr = world.scalar("SELECT qr_text FROM document_revisions ORDER BY id DESC LIMIT 1")
    fresh = row(3, group="G10")
    CORPUS.iins.add(fresh.iin)
    world.import_rows((fresh,))
    graduate_id = world.scalar("SELECT max(id) FROM graduates")
    new = api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id}, headers=officer).json()
    assert new["revisions"][0]["kid"] == rotated.signers[1].kid

    assert_problem(api.post("/api/v1/admin/signers/zzzzzzzzzzzzzzzz/revoke", json={
        "compromised_at": "2026-07-02T09:00:00Z", "reason": "r"}, headers=admin), 422, "invalid-data")
    assert_problem(api.post("/api/v1/admin/signers/0000000000000000/revoke", json={
        "compromised_at": "2026-07-02T09:00:00Z", "reason": "r"}, headers=admin), 404, "not-found")
    revoked = TrustListModel.model_validate(api.post(f"/api/v1/admin/signers/{old.kid}/revoke", json={
        "compromised_at": "2026-07-02T09:00:00Z", "reason": "key file found on a laptop"}, headers=admin).json())
    assert revoked.signers[0].state == "revoked" and revoked.signers[0].revocation is not None
    assert_problem(api.post(f"/api/v1/admin/signers/{old.kid}/revoke", json={
        "compromised_at": "2026-07-02T09:00:00Z", "reason": "again"}, headers=admin), 409, "conflict")

    verdict = {text: api.post("/api/v1/verify", json={"qr_text": text}).json()["verdict"]
               for text in (issued.revision.qr_text, late_qr, new["revisions"][0]["qr_text"])}
    assert list(verdict.values()) == ["VALID", "SIGNER_REVOKED", "VALID"]
    actions = world.scalar("SELECT group_concat(action) FROM audit_events WHERE object_type = 'trust_list'")
    assert actions == "signer.rotate,signer.revoke"
    assert world.scalar("SELECT actor FROM audit_events WHERE action = 'signer.revoke'") == "admin:ministry.admin"


def test_publishing_signs_a_new_version_and_writes_the_served_file(make_client: MakeClient, world: World,
                                                                   own_keys: Path, tmp_path: Path) -> None:
    served = tmp_path / "public" / "trust-list.json"
    served.parent.mkdir()
    shutil.copyfile(own_keys / "trust-list.json", served)
    api = https(make_client(**{**STAFF_SETTINGS, "keys_dir": own_keys, "trust_list": served,
                               "trust_reload_s": 3600}))
    make_admin(world)
    admin = {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD)}
    version = json.loads(served.read_bytes())["payload"]["version"]
    published = TrustListModel.model_validate(api.post("/api/v1/admin/trust-list/publish", json={"ttl_days": 10},
                                                       headers=admin).json())
    assert published.version == version + 1
    assert dt.timedelta(days=9) < published.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=10)
    assert served.read_bytes() == (own_keys / "trust-list.json").read_bytes()
    assert json.loads(api.get("/api/v1/trust-list").content)["payload"]["version"] == version + 1
    assert_problem(api.post("/api/v1/admin/trust-list/publish", json={"ttl_days": 0}, headers=admin),
                   422, "invalid-request")


def test_signer_operations_without_a_key_store_are_unavailable(make_client: MakeClient, world: World,
                                                               keys: Keys, tmp_path: Path) -> None:
    api = https(make_client(**{**STAFF_SETTINGS, "keys_dir": tmp_path / "no-keys",
                               "root_cert": keys.store.root_cert_path, "trust_list": keys.store.trust_list_path}))
    make_admin(world)
    admin = {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD)}
    assert_problem(api.get("/api/v1/admin/signers"), 503, "unavailable")
    assert_problem(api.post("/api/v1/admin/signers/rotate", headers=admin), 503, "unavailable")


# ----------------------------------------------------------------------------- the command line
class Cli:
    """`verify ...` in process on the test's database and keys; returns (stdout, stderr)."""

    def __init__(self, world: World, keys: Keys, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--database-url", world.url, "--keys-dir", str(keys.store.path), "--base-url", BASE_URL]
        self.capsys = capsys

    def __call__(self, *args: str, code: int = 0) -> tuple[str, str]:
        returned = main([*self.base, *args])
        out, err = self.capsys.readouterr()
        assert returned == code, f"verify {' '.join(args)} -> {returned}\n{out}\n{err}"
        return out, err


def test_the_account_commands_set_passwords_and_make_tokens(api: TestClient, world: World, keys: Keys,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(world, keys, capsys)
    monkeypatch.setenv("OFFICER_PASSWORD", PASSWORD)
    monkeypatch.setenv("WEAK_PASSWORD", "short")
    _, err = cli("officers", "add", "--institution", world.uni.bin, "--username", "cli.officer", "--full-name",
                 "Officer", "--password-env", "WEAK_PASSWORD", code=2)
    assert "password" in err and count(world, "officers") == 6
    cli("officers", "add", "--institution", world.uni.bin, "--username", "cli.officer", "--full-name", "Officer",
        "--password-env", "OFFICER_PASSWORD")
    login(api, "cli.officer")
    _, err = cli("officers", "password", "cli.officer", "--password-env", "UNSET_VARIABLE", code=2)
    assert "unset or empty" in err
    monkeypatch.setenv("ADMIN_PASSWORD", ADMIN_PASSWORD)
    cli("admins", "add", "--username", "cli.admin", "--full-name", "Administrator", "--password-env",
        "ADMIN_PASSWORD")
    login(api, "cli.admin", ADMIN_PASSWORD)

    cli("partners", "add", "Digital documents")
    assert "Digital documents" in cli("partners", "list")[0]
    out, err = cli("tokens", "create", "--partner", "Digital documents", "--scopes", "partner:read", "--days", "30")
    partner = out.strip()
    assert partner.startswith("vfy_") and "shown only now" in err
    iin = row(2).iin
    CORPUS.iins.add(iin)
    assert api.post("/api/v1/partner/documents", json={"iin": iin}, headers=bearer(partner)).status_code == 200
    officer = cli("tokens", "create", "--officer", "uni.viewer", "--scopes", "officer:read")[0].strip()
    assert api.get("/api/v1/officer/graduates", headers=bearer(officer)).status_code == 200
    _, err = cli("tokens", "create", "--officer", "uni.viewer", "--scopes", "officer:write", code=2)
    assert "not allowed" in err
    assert len(cli("tokens", "list")[0].splitlines()) == 2
    token_id = world.scalar("SELECT id FROM api_tokens WHERE partner_id IS NOT NULL")
    cli("tokens", "revoke", str(token_id))
    assert_problem(api.post("/api/v1/partner/documents", json={"iin": iin}, headers=bearer(partner)),
                   401, "unauthorized")
    cli("officers", "disable", "cli.officer", "--reason", "left")
    assert_problem(api.post("/api/v1/auth/login", json={"username": "cli.officer", "password": PASSWORD}),
                   401, "login-failed")
    cli("officers", "enable", "cli.officer")
    monkeypatch.setenv("NEW_PASSWORD", NEW_PASSWORD)
    cli("officers", "password", "cli.officer", "--password-env", "NEW_PASSWORD")
    login(api, "cli.officer", NEW_PASSWORD)
