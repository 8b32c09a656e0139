"""Blank kinds and reprints through the officers' API (issue 13 item 5; seed 000, Rules items 8, 17-18).

A college records ranges with their kind and reads its stock per kind; a document whose blank was spoiled while
printing is reprinted on a new blank (201, a new number) and the spoiled code verifies ANNULLED with the reprint
named; an original annulled as issued in error is issued again to the same graduate; bad input is a 4xx.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from support.caseflow import apply_for, approve
from support.leaks import CORPUS
from support.web import STAFF_SETTINGS, MakeClient, assert_problem, bearer, give_password, https, officer_token
from support.world import World, graduate_id_of, issue_row, row
from test_console import page, sign_in

from verify.codec import split_qr_text
from verify.registry.documents import get_revision

SERIES = "ТКБ"


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    return https(make_client(**STAFF_SETTINGS))


def test_kinds_reprint_and_a_new_original_after_an_annulment_in_error(api: TestClient, world: World) -> None:
    issuer = bearer(officer_token(world, world.col_issuer)[0])
    head = bearer(officer_token(world, world.col_head)[0])
    ranges = "/api/v1/officer/blanks/ranges"
    assert_problem(api.post(ranges, json={"series": SERIES, "first": "0000001", "last": "0000005", "kind": "green"},
                            headers=issuer), 422, "invalid-request")
    for first, last, kind in (("0000001", "0000005", "ordinary"), ("0000006", "0000008", "honours")):
        made = api.post(ranges, json={"series": SERIES, "first": first, "last": last, "kind": kind}, headers=issuer)
        assert made.status_code == 201 and made.json()["kind"] == kind, made.text
    stock = {line["kind"]: line for line in api.get("/api/v1/officer/blanks", headers=issuer).json()["series"]}
    assert (stock["ordinary"]["free"], stock["honours"]["next_free"]) == (5, "0000006")

    graduate = row(2, doc_type="TVE", programme="06130100", group="ПО-21")
    CORPUS.iins.add(graduate.iin)
    document, revision = issue_row(world, graduate, officer=world.col_issuer, institution=world.college)
    path = f"/api/v1/officer/documents/{SERIES}/{document.number}"
    assert_problem(api.post(f"{path}/reprint", json={"reason": ""}, headers=issuer), 422, "invalid-request")
    assert_problem(api.post(f"{path}/reprint", json={"reason": "paper jam", "blank_number": "0000006"},
                            headers=issuer), 409, "blank-stock")
    reprinted = api.post(f"{path}/reprint", json={"reason": "paper jam"}, headers=issuer)
    assert reprinted.status_code == 201, reprinted.text
    new_number = reprinted.json()["number"]
    assert new_number == "0000002"
    spoiled = api.post("/api/v1/verify", json={"qr_text": revision.qr_text}).json()
    assert spoiled["verdict"] == "ANNULLED" and f"reprinted as {SERIES} {new_number}" in spoiled["registry"]["reason"]
    shown = api.get(f"/V/{split_qr_text(revision.qr_text)[1]}", headers={"Accept-Language": "en"})
    assert "Annulled" in shown.text and f"{SERIES} {new_number}" in shown.text

    # the annulment is an application: the registrar applies with its kind, the head approves (issue 13 item 3)
    application = apply_for(api, f"/api/v1/officer/documents/{SERIES}/{new_number}", "/annulment",
                            {"basis": "order 5: the wrong specialty", "kind": "issued_in_error"}, issuer)
    assert application["reason"] == "issued_in_error"
    assert approve(api, application["number"], head)["state"] == "granted"
    again = api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id_of(world, graduate, world.college)},
                     headers=issuer)
    assert again.status_code == 201 and again.json()["number"] == "0000003", again.text
    with world.session() as session:
        assert get_revision(session=session, document=document).revision == 1


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_console_receives_kinds_and_reprints_a_spoiled_blank(make_client: MakeClient, world: World,
                                                                  lang: str) -> None:
    give_password(world, world.col_issuer)
    client = https(make_client(**STAFF_SETTINGS))
    csrf = sign_in(client, world.col_issuer.username)
    headers = {"Accept-Language": lang}
    blanks = page(client.get("/console/blanks", headers=headers))
    assert {"kk": "Бланк түрі", "ru": "Вид бланка", "en": "Blank kind"}[lang] in blanks.text
    form = {"series": SERIES, "first": "0000001", "last": "0000004", "kind": "honours", "confirm": "yes",
            "csrf_token": csrf}
    assert page(client.post("/console/blanks/ranges", data={**form, "kind": "green"}, headers=headers), 422)
    assert client.post("/console/blanks/ranges", data=form, follow_redirects=False).status_code == 303
    assert client.post("/console/blanks/ranges", data={**form, "first": "0000005", "last": "0000009",
                                                       "kind": "ordinary"}, follow_redirects=False).status_code == 303
    stock = page(client.get("/console/blanks", headers=headers)).text
    assert {"kk": "Үздік (қызыл)", "ru": "С отличием (красный)", "en": "Honours (red)"}[lang] in stock
    graduate = row(2, doc_type="TVE_HONOURS", programme="06130100", group="ПО-21")
    CORPUS.iins.add(graduate.iin)
    document, _ = issue_row(world, graduate, officer=world.col_issuer, institution=world.college)
    assert document.number == "0000001"  # an honours diploma on a red blank
    reprint = {"series": SERIES, "number": "0000001", "reason": "paper jam", "csrf_token": csrf}
    assert page(client.post("/console/blanks/reprints", data=reprint, headers=headers), 422)  # not confirmed
    done = client.post("/console/blanks/reprints", data={**reprint, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(
        f"/console/documents/{quote(SERIES)}/0000002"), done.headers["location"]
