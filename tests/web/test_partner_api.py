"""The partner's look-up by IIN (web/partner/api.py, verify/registry/partner.py): the "digital documents" app of
eGov Mobile.

The IIN is sent in the POST body only, is never echoed (answers, problems, log lines) and is audited as a keyed
reference. Statuses are what a verifier is told now (seed 000 items 21-25: a duplicate voids the original).
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.web import STAFF_SETTINGS, MakeClient, assert_problem, bearer, https, officer_token, partner_token
from support.world import T0, World, issue_row, row

from verify.registry.accounts import revoke_token
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
from web.partner.schemas import PartnerDocumentsModel

URL = "/api/v1/partner/documents"


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    """A started app with cheap password hashing."""
    return https(make_client(**STAFF_SETTINGS))


@pytest.fixture
def partner(world: World) -> dict[str, str]:
    """The bearer header of a registered partner's partner:read token."""
    return bearer(partner_token(world)[0])


def _graduate(world: World, **fields: object) -> tuple[str, str]:
    """Issue an original for a fresh holder; (IIN, number). The IIN goes into the leak-check corpus."""
    graduate = row(2, **fields)  # type: ignore[arg-type]
    CORPUS.iins.add(graduate.iin)
    document, _ = issue_row(world, graduate)
    return graduate.iin, document.number


def test_the_partner_gets_the_signed_records_qr_texts_and_statuses_without_the_iin(api: TestClient, world: World,
                                                                                   partner: dict[str, str]) -> None:
    iin, number = _graduate(world)
    lines_before = len(CORPUS.lines)
    response = api.post(URL, json={"iin": iin}, headers=partner)
    assert response.status_code == 200, response.text
    assert iin not in response.text and all(iin not in line for line in CORPUS.lines[lines_before:])
    answer = PartnerDocumentsModel.model_validate(response.json())
    (document,) = answer.documents
    assert (document.series, document.number, document.status, document.state) == ("BD", number, "ORIGINAL_VALID",
                                                                                    "valid")
    assert document.institution_bin == world.uni.bin and document.record["holder"]["surname"] == "Әбдірахманова"
    stored = world.scalar("SELECT cose FROM document_revisions WHERE revision = 1")
    assert base64.b64decode(document.cose_base64) == stored
    verdict = api.post("/api/v1/verify", json={"qr_text": document.qr_text}).json()
    assert verdict["verdict"] == "VALID"
    # the record's transparency log entry comes with it (no checkpoint covers it yet in this registry)
    assert document.log is not None and document.log.leaf_index == verdict["registry"]["log"]["leaf_index"]
    assert document.log.leaf_hash == verdict["registry"]["log"]["leaf_hash"] and document.log.checkpoint is None
    event = world.scalar("SELECT object_ref FROM audit_events WHERE action = 'partner.lookup'")
    assert isinstance(event, str) and event.startswith("hr:") and iin not in event
    assert world.scalar("SELECT actor FROM audit_events WHERE action = 'partner.lookup'") == \
        "partner:eGov Mobile digital documents"


def test_the_partner_sees_duplicates_corrections_and_annulments_as_a_verifier_would(
        api: TestClient, world: World, partner: dict[str, str]) -> None:
    iin, number = _graduate(world)
    _, other_number = _graduate(world, iin=iin, doc_type="MD", programme="7M01501")
    at = T0 + dt.timedelta(minutes=5)
    with world.session() as session:
        issue_duplicate(session=session, officer=world.uni_issuer, series="BD", number=number, reason="lost",
                        signer=world.signer, base_url="https://v.edu.kz", at=at)
    with world.session() as session:
        correct_document(session=session, officer=world.uni_issuer, series="MD", number=other_number,
                         changes={"programme": "7M01502"}, reason="application 7", signer=world.signer,
                         base_url="https://v.edu.kz", at=at)
    answer = PartnerDocumentsModel.model_validate(api.post(URL, json={"iin": iin}, headers=partner).json())
    by_number = {(d.series, d.number): d for d in answer.documents}
    assert by_number[("BD", number)].status == "REPLACED"
    duplicate = next(d for d in answer.documents if d.duplicate_no == 1)
    assert duplicate.status == "DUPLICATE_VALID" and duplicate.record["duplicate"]["original_number"] == number
    corrected = by_number[("MD", other_number)]
    assert (corrected.revision, corrected.status, corrected.record["programme"]) == (2, "ORIGINAL_VALID", "7M01502")
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series="MD", number=other_number, basis="order 9",
                       at=at + dt.timedelta(minutes=1))
    answer = PartnerDocumentsModel.model_validate(api.post(URL, json={"iin": iin}, headers=partner).json())
    assert {(d.series, d.status) for d in answer.documents if d.series == "MD"} == {("MD", "ANNULLED")}


def test_an_iin_the_registry_does_not_know_gets_an_empty_answer(api: TestClient, world: World,
                                                                partner: dict[str, str]) -> None:
    iin = row(2).iin
    CORPUS.iins.add(iin)
    response = api.post(URL, json={"iin": iin}, headers=partner)
    assert response.status_code == 200 and response.json()["documents"] == [] and iin not in response.text


def test_a_bad_iin_is_refused_without_echoing_it(api: TestClient, world: World, partner: dict[str, str]) -> None:
    iin = row(2).iin
    wrong = iin[:-1] + str((int(iin[-1]) + 1) % 10)
    events_before = world.scalar("SELECT count(*) FROM audit_events")
    body = assert_problem(api.post(URL, json={"iin": wrong}, headers=partner), 422, "invalid-data")
    assert wrong not in str(body)
    body = assert_problem(api.post(URL, json={"iin": "12345678901x"}, headers=partner), 422, "invalid-request")
    assert "12345678901x" not in str(body) and body["errors"][0]["loc"] == ["body", "iin"]
    assert_problem(api.post(URL, json={"iin": iin, "extra": 1}, headers=partner), 422, "invalid-request")
    assert_problem(api.post(URL, content=f"iin={iin}", headers={**partner, "Content-Type": "text/plain"}),
                   415, "unsupported-media-type")
    assert world.scalar("SELECT count(*) FROM audit_events") == events_before


def test_the_iin_never_travels_in_the_url(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"][URL]["post"]
    assert "parameters" not in operation and operation["security"] == [{"bearer": ["partner:read"]},
                                                                       {"session": ["partner:read"]}]


def test_only_a_partner_token_opens_it_and_a_revoked_one_stops_at_once(api: TestClient, world: World) -> None:
    secret, partner = partner_token(world, "Admission system")
    officer = bearer(officer_token(world, world.uni_issuer)[0])
    iin = row(2).iin
    CORPUS.iins.add(iin)
    assert_problem(api.post(URL, json={"iin": iin}, headers=officer), 403, "forbidden")
    assert_problem(api.post(URL, json={"iin": iin}), 401, "unauthorized")
    assert api.post(URL, json={"iin": iin}, headers=bearer(secret)).status_code == 200
    token_id = world.scalar("SELECT id FROM api_tokens WHERE partner_id = :p", p=partner.id)
    assert isinstance(token_id, int)
    with world.session() as session:
        revoke_token(session=session, token_id=token_id, at=dt.datetime.now(dt.UTC), actor="admin:test")
    assert_problem(api.post(URL, json={"iin": iin}, headers=bearer(secret)), 401, "unauthorized")


def test_partner_look_ups_are_rate_limited(make_client: MakeClient, world: World) -> None:
    client = https(make_client(**{**STAFF_SETTINGS, "rate_partner": "2/minute"}))
    headers = bearer(partner_token(world)[0])
    iin = row(2).iin
    CORPUS.iins.add(iin)
    for _ in range(2):
        assert client.post(URL, json={"iin": iin}, headers=headers).status_code == 200
    assert_problem(client.post(URL, json={"iin": iin}, headers=headers), 429, "rate-limited")
