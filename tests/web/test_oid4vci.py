"""OID4VCI 1.0 pre-authorized code flow (web/wallet/, verify/oid4vci.py, verify/registry/credentialoffers.py), issue 17
item 3: an officer's or the partner's offer, a test wallet (tests/support/wallet.py, joserfc: another JOSE library than
the service's PyJWT) that redeems it and receives the diploma's credential, and checks it as a reader abroad would —
the signature with the key the `kid` link serves, its chain to the root, the Open Badges / VCDM JSON Schemas, the
subject bound to the wallet's key, and its Bitstring Status List bit before and after an annulment.

The digital diploma reaches the "digital documents" app (seed 000, items 59-60) through the partner's offer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from support.leaks import CORPUS
from support.statuslists import status_key_store
from support.wallet import GRANT, TestWallet
from support.web import STAFF_SETTINGS, MakeClient, assert_problem, bearer, https, officer_token, partner_token
from support.world import T0, Keys, World, issue_row, row

from verify.registry.credentialoffers import MAX_TX_ATTEMPTS
from verify.registry.lifecycle import annul_document
from web.wallet.service import bitstring_cache

INTEROP = Path(__file__).resolve().parent.parent / "interop"
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """A key store with a status signer (the Bitstring Status Lists are signed by it)."""
    return Keys.of(status_key_store(tmp_path_factory.mktemp("wallet-keys") / "keys"))


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    return https(make_client(**STAFF_SETTINGS))


def _rows(world: World, sql: str) -> list[tuple[Any, ...]]:
    with world.engine.connect() as connection:
        found = [tuple(r) for r in connection.execute(text(sql)).all()]
        connection.rollback()
    return found


def _schema(name: str) -> Any:
    schema = json.loads((INTEROP / name).read_bytes())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _document(world: World) -> tuple[str, str]:
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    document, _ = issue_row(world, graduate)
    return graduate.iin, document.number


def _offer(api: TestClient, world: World, number: str) -> dict[str, Any]:
    token, _ = officer_token(world, world.uni_issuer)
    response = api.post(f"/api/v1/officer/documents/BD/{number}/credential-offer", headers=bearer(token))
    assert response.status_code == 201, response.text
    offer: dict[str, Any] = response.json()
    return offer


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_a_wallet_receives_the_diploma_credential_from_an_officers_offer(api: TestClient, world: World, keys: Keys,
                                                                         alg: str) -> None:
    _, number = _document(world)
    offer = _offer(api, world, number)
    assert offer["offer_link"].startswith("openid-credential-offer://?credential_offer=")
    assert len(offer["tx_code"]) == 6 and offer["tx_code"].isdigit() and offer["revision"] == 1
    wallet = TestWallet(api, alg=alg)
    token = wallet.receive(offer["offer_link"], offer["tx_code"])
    root = keys.store.root_certificate()
    credential = wallet.check(token, root)
    claims = {k: credential.pop(k) for k in ("iss", "jti", "nbf", "iat", "sub")}
    _schema("verifiable-credential-schema.json").validate(credential)
    _schema("ob_v3p0_achievementcredential_schema.json").validate(credential)
    assert claims["jti"] == credential["id"] and credential["issuer"]["otherIdentifier"][0]["identifier"] \
        == world.uni.bin
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Әбдірахманова Гүлнұр Серікқызы"
    assert credential["evidence"][0]["id"].startswith("HTTPS://")
    assert wallet.revoked(credential, root) is False
    # the service's own verifier agrees (verify/vc.py, PyJWT)
    from verify.vc import verify_credential_jwt
    verify_credential_jwt(token, trust_list=keys.store.trust_list(), at=dt.datetime.now(dt.UTC))
    # the audit chain names who offered and the wallet key that received it, never an IIN
    actions = [r[0] for r in _rows(world, "SELECT action FROM audit_events ORDER BY seq")]
    assert actions[-2:] == ["credential.offer", "credential.issue"]
    thumbprint = world.scalar("SELECT after FROM audit_events WHERE action = 'credential.issue'")
    assert "key_thumbprint" in str(thumbprint)


def test_the_credential_is_revoked_in_its_bitstring_list_after_an_annulment(api: TestClient, world: World,
                                                                            keys: Keys) -> None:
    _, number = _document(world)
    offer = _offer(api, world, number)
    wallet = TestWallet(api)
    credential = wallet.check(wallet.receive(offer["offer_link"], offer["tx_code"]), keys.store.root_certificate())
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series="BD", number=number,
                       basis="order No. 17 of the rector", at=T0 + dt.timedelta(minutes=3))
    bitstring_cache(api.app).entries.clear()  # the list is kept 5 minutes; a reader after that sees the bit
    assert wallet.revoked(credential, keys.store.root_certificate()) is True


def test_the_partner_offers_a_holders_document_without_the_iin_in_any_url_or_answer(api: TestClient,
                                                                                    world: World, keys: Keys) -> None:
    iin, number = _document(world)
    headers = bearer(partner_token(world)[0])
    response = api.post("/api/v1/partner/credential-offers", json={"iin": iin, "series": "BD", "number": number},
                        headers=headers)
    assert response.status_code == 201, response.text
    assert iin not in response.text
    wallet = TestWallet(api)
    wallet.check(wallet.receive(response.json()["offer_link"], response.json()["tx_code"]),
                 keys.store.root_certificate())
    other = row(3)
    CORPUS.iins.add(other.iin)
    # another holder's IIN with this number: the same 404 as an unknown number
    missing = api.post("/api/v1/partner/credential-offers", json={"iin": other.iin, "series": "BD", "number": number},
                       headers=headers)
    assert_problem(missing, 404, "not-found")


def test_an_officer_of_another_institution_gets_404(api: TestClient, world: World) -> None:
    _, number = _document(world)
    token, _ = officer_token(world, world.other_issuer)
    response = api.post(f"/api/v1/officer/documents/BD/{number}/credential-offer", headers=bearer(token))
    assert_problem(response, 404, "not-found")


def test_a_replaced_or_annulled_document_gets_no_offer(api: TestClient, world: World) -> None:
    _, number = _document(world)
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series="BD", number=number, basis="order No. 3",
                       at=T0 + dt.timedelta(minutes=1))
    token, _ = officer_token(world, world.uni_issuer)
    response = api.post(f"/api/v1/officer/documents/BD/{number}/credential-offer", headers=bearer(token))
    assert_problem(response, 409, "document-state")


def test_the_code_is_single_use_and_wrong_transaction_codes_void_the_offer(api: TestClient, world: World) -> None:
    _, number = _document(world)
    wallet = TestWallet(api)
    offer = _offer(api, world, number)
    code = wallet.parse_offer(offer["offer_link"])["grants"][GRANT]["pre-authorized_code"]
    _, as_meta = wallet.metadata("https://v.edu.kz")
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    for left in range(MAX_TX_ATTEMPTS - 1, -1, -1):
        refused = wallet.token(as_meta, code, wrong)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
        assert refused.headers["cache-control"] == "no-store"
        assert (f"{left} attempt" in refused.json()["error_description"]) or left == 0
    # now even the right code is refused: the offer is void
    assert wallet.token(as_meta, code, offer["tx_code"]).json()["error"] == "invalid_grant"
    second = _offer(api, world, number)
    code = wallet.parse_offer(second["offer_link"])["grants"][GRANT]["pre-authorized_code"]
    assert wallet.token(as_meta, code, second["tx_code"]).status_code == 200
    assert wallet.token(as_meta, code, second["tx_code"]).json()["error"] == "invalid_grant"
    stored = _rows(world, "SELECT code_sha256, tx_code_sha256 FROM credential_offers")
    assert all(code not in str(r) for r in stored)
    assert any(r[0] == hashlib.sha256(code.encode()).hexdigest() for r in stored)


def test_the_token_endpoint_refuses_other_grants_and_missing_parameters(api: TestClient) -> None:
    wallet = TestWallet(api)
    other = api.post("/oid4vci/token", data={"grant_type": "authorization_code", "code": "x"})
    assert other.status_code == 400 and other.json()["error"] == "unsupported_grant_type"
    missing = api.post("/oid4vci/token", data={"grant_type": GRANT})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    _, as_meta = wallet.metadata("https://v.edu.kz")
    assert wallet.token(as_meta, "not-a-code", "123456").json()["error"] == "invalid_grant"


def _redeemed(api: TestClient, world: World, wallet: TestWallet) -> tuple[str, str]:
    """(access token, nonce) for a fresh document's offer."""
    _, number = _document(world)
    offer = _offer(api, world, number)
    code = wallet.parse_offer(offer["offer_link"])["grants"][GRANT]["pre-authorized_code"]
    _, as_meta = wallet.metadata("https://v.edu.kz")
    access = wallet.token(as_meta, code, offer["tx_code"]).json()["access_token"]
    return access, api.post("/oid4vci/nonce").json()["c_nonce"]


def _ask(api: TestClient, access: str, proof: str, **body: Any) -> Any:
    request = {"credential_configuration_id": "KzEducationDiploma_jwt_vc_json", "proofs": {"jwt": [proof]}, **body}
    return api.post("/oid4vci/credential", json=request, headers={"Authorization": f"Bearer {access}"})


def test_the_credential_endpoint_refuses_bad_proofs_nonces_and_tokens(api: TestClient, world: World) -> None:
    wallet = TestWallet(api)
    issuer = "https://v.edu.kz"
    access, nonce = _redeemed(api, world, wallet)
    for proof, error in [
        (wallet.proof("https://elsewhere.example", nonce), "invalid_proof"),  # another audience
        (wallet.proof(issuer, nonce, iat=int(time.time()) - 3600), "invalid_proof"),  # stale
        (wallet.proof(issuer, "never-issued"), "invalid_nonce"),
        ("not.a.jws", "invalid_proof"),
    ]:
        answer = _ask(api, access, proof)
        assert answer.status_code == 400 and answer.json()["error"] == error, (error, answer.text)
    stranger = TestWallet(api)
    forged = stranger.proof(issuer, nonce)
    _, claims, signature = forged.split(".")
    # a proof whose header names the wallet's key but is signed by another key
    own_header = wallet.proof(issuer, nonce).split(".")[0]
    assert _ask(api, access, f"{own_header}.{claims}.{signature}").json()["error"] == "invalid_proof"
    unknown = _ask(api, access, wallet.proof(issuer, nonce), credential_configuration_id="Other")
    assert unknown.json()["error"] == "unknown_credential_configuration"
    ok = _ask(api, access, wallet.proof(issuer, nonce))
    assert ok.status_code == 200, ok.text
    # the token and the nonce were each good once
    again = _ask(api, access, wallet.proof(issuer, api.post("/oid4vci/nonce").json()["c_nonce"]))
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in again.headers["www-authenticate"]
    access2, _ = _redeemed(api, world, wallet)
    assert _ask(api, access2, wallet.proof(issuer, nonce)).json()["error"] == "invalid_nonce"
    no_token = api.post("/oid4vci/credential", json={})
    assert no_token.status_code == 401


def test_the_public_links_serve_the_profile_key_and_achievement(api: TestClient, world: World, keys: Keys) -> None:
    profile = api.get(f"/api/v1/institutions/{world.uni.bin}")
    assert profile.status_code == 200 and profile.json()["type"] == ["Profile"]
    assert_problem(api.get("/api/v1/institutions/000000000000"), 404, "not-found")
    kid = keys.signer.kid.hex()
    jwk = api.get(f"/api/v1/keys/{kid}").json()
    assert jwk["kid"] == kid and jwk["use"] == "sig" and "d" not in jwk
    assert_problem(api.get("/api/v1/keys/00"), 404, "not-found")
    achievement = api.get("/api/v1/achievements/BD/6B06101").json()
    assert achievement["achievementType"] == "BachelorDegree" and achievement["humanCode"] == "6B06101"
    assert_problem(api.get("/api/v1/achievements/XX/6B06101"), 404, "not-found")


def test_without_a_status_signer_the_bitstring_list_is_503(make_client: MakeClient, world: World,
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    from support.world import new_key_store

    bare = Keys.of(new_key_store(tmp_path_factory.mktemp("bare-wallet") / "keys"))
    client = make_client(keys_dir=bare.store.path)
    response = client.get("/api/v1/status-lists/BD/bitstring/r1")
    assert_problem(response, 503, "unavailable")


def test_the_metadata_names_the_endpoints_of_the_host(api: TestClient) -> None:
    meta = api.get("/.well-known/openid-credential-issuer").json()
    assert meta["credential_issuer"] == "https://v.edu.kz"
    assert meta["credential_endpoint"] == "https://v.edu.kz/oid4vci/credential"
    assert meta["nonce_endpoint"] == "https://v.edu.kz/oid4vci/nonce"
    configuration = meta["credential_configurations_supported"]["KzEducationDiploma_jwt_vc_json"]
    assert configuration["format"] == "jwt_vc_json"
    assert configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == ["EdDSA", "ES256"]
    server = api.get("/.well-known/oauth-authorization-server").json()
    assert server["token_endpoint"] == "https://v.edu.kz/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True

