"""No IIN typed into free text reaches an answer (issue 10, item 7), through the API, the console and the admin API.

On main a correction reason or an annulment basis holding a checksum-valid IIN was stored and shown on the public
`/V/` page and in `POST /api/v1/verify`. Now the registry refuses it where it takes the text: 422 `invalid-data`
with the stable `code` IIN_IN_TEXT, the `field`, and the message in the reader's language (kk/ru/en); nothing is
written; no answer repeats the digits (the console does not put them back into the refused form either).
"""

from __future__ import annotations

import datetime as dt
import re
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
    audit_head,
    bearer,
    count,
    digits,
    give_password,
    https,
    login,
    make_admin,
    officer_token,
)
from support.world import World, make_iin

from web.ui.i18n import Translator

IIN = make_iin(dt.date(1991, 3, 8), serial=777)
CORPUS.iins.add(IIN)
MESSAGES = {lang: Translator(lang)("e_iin_in_text") for lang in ("kk", "ru", "en")}


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    """A started app with cheap password hashing."""
    return https(make_client(**STAFF_SETTINGS))


def refused(response: Any, field: str, lang: str = "en") -> None:
    body = assert_problem(response, 422, "invalid-data")
    assert (body["code"], body["field"], body["detail"]) == ("IIN_IN_TEXT", field, MESSAGES[lang])
    assert IIN not in response.text and IIN[:6] not in response.text


def test_the_message_differs_in_each_language() -> None:
    assert len(set(MESSAGES.values())) == 3 and all("IIN" in m or "ИИН" in m or "ЖСН" in m for m in MESSAGES.values())


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_correction_reason_or_annulment_basis_with_an_iin_is_refused_and_the_public_page_stays_clean(
        api: TestClient, world: World, issued: Issued, lang: str) -> None:
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    issuer = {**bearer(officer_token(world, world.uni_issuer)[0]), "Accept-Language": lang}
    head = {**bearer(officer_token(world, world.uni_head)[0]), "Accept-Language": lang}
    before = (count(world, "document_revisions"), audit_head(world))
    refused(api.post(f"{path}/corrections", json={"changes": {"programme": "6B06102"},
                                                  "reason": f"application of {IIN[:6]} {IIN[6:]}"}, headers=issuer),
            "reason", lang)
    refused(api.post(f"{path}/annulment", json={"basis": f"order 41 ({IIN})"}, headers=head), "basis", lang)
    registered = {"kind": "annulment", "series": issued.document.series, "number": issued.document.number,
                  "received_on": dt.date.today().isoformat(), "channel": "in_person", "presented": ["application"],
                  "explanation": f"order 41 ({IIN})"}
    refused(api.post("/api/v1/officer/applications", json=registered, headers=issuer), "explanation", lang)
    assert (count(world, "document_revisions"), audit_head(world)) == before
    public = api.get(f"/V/{digits(issued)}")
    assert public.status_code == 200 and IIN not in public.text


def test_the_other_free_text_fields_of_officers_refuse_an_iin(api: TestClient, world: World,
                                                              issued: Issued) -> None:
    issuer = bearer(officer_token(world, world.uni_issuer)[0])
    refused(api.post("/api/v1/officer/batches", json={"group": f"ИС {IIN}"},
                     headers={**issuer, "Idempotency-Key": "k-1"}), "group")
    refused(api.post("/api/v1/officer/batches", json={"group": "G1"},
                     headers={**issuer, "Idempotency-Key": f"k-{IIN}"}), "idempotency_key")
    college = bearer(officer_token(world, world.col_issuer)[0])
    assert api.post("/api/v1/officer/blanks/ranges", json={"series": "ТКБ", "first": "0000001", "last": "0000009"},
                    headers=college).status_code == 201
    refused(api.post("/api/v1/officer/blanks/write-offs", json={"series": "ТКБ", "number": "0000001",
                                                                "reason": f"torn {IIN}"}, headers=college), "reason")
    give_password(world, world.uni_issuer)
    csrf = login(api, world.uni_issuer.username, PASSWORD)
    refused(api.post("/api/v1/auth/tokens", json={"name": f"robot {IIN}", "scopes": ["officer:read"], "days": 1},
                     headers={"X-CSRF-Token": csrf}), "name")


def test_the_admin_api_refuses_an_iin_in_names_and_reasons(api: TestClient, world: World) -> None:
    make_admin(world)
    admin = {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD), "Accept-Language": "ru"}
    institution = {"bin": "040140001236", "name_kk": "Жаңа колледж", "name_ru": f"Новый колледж {IIN}",
                   "name_en": "New College", "kind": "college", "region": "Алматы"}
    refused(api.post("/api/v1/admin/institutions", json=institution, headers=admin), "name_ru", "ru")
    refused(api.post("/api/v1/admin/partners", json={"name": f"app {IIN}"}, headers=admin), "name", "ru")
    refused(api.post(f"/api/v1/admin/officers/{world.uni_viewer.username}/disable",
                     json={"reason": f"order on {IIN}"}, headers=admin), "reason", "ru")
    assert count(world, "institutions") == 3 and count(world, "partners") == 0


def test_the_console_shows_the_message_in_the_pages_language_and_does_not_echo_the_iin(
        make_client: MakeClient, world: World, issued: Issued) -> None:
    give_password(world, world.uni_head)
    client = https(make_client(**STAFF_SETTINGS))
    login_token = re.search(r'name="login_token" value="([^"]+)"', client.get("/console/login").text)
    assert login_token is not None
    client.post("/console/session", data={"username": world.uni_head.username, "password": PASSWORD,
                                          "login_token": login_token.group(1)}, follow_redirects=False)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console").text)
    assert csrf is not None
    path = f"/console/documents/{issued.document.series}/{issued.document.number}/annulment"
    before = audit_head(world)
    answer = client.post(path, params={"lang": "kk"}, data={"csrf_token": csrf.group(1), "confirm": "yes",
                                                            "basis": f"бұйрық {IIN}"})
    assert answer.status_code == 422
    assert MESSAGES["kk"] in answer.text and IIN not in answer.text
    assert audit_head(world) == before
