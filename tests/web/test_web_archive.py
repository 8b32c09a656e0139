"""Closed institutions on the web (issue 13 item 4; seed 000, Rules item 23).

* the ministry closes an institution through the administrators' API and the ministry console, naming the archive;
  bad requests are 4xx and write nothing;
* the archive's officer issues a duplicate of the closed university's document through the officers' API; the closed
  university's own officer reads it but is refused (403, the message names the day and the archive);
* the original's verification page (kk/ru/en), its JSON and POST /api/v1/verify say the organisation closed on the
  day and who keeps its records (name and BIN).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from support.caseflow import apply_for, approve
from support.web import (
    STAFF_SETTINGS,
    MakeClient,
    assert_problem,
    bearer,
    digits,
    https,
    issue,
    make_admin,
    officer_token,
)
from support.world import World, make_bin
from test_console import page
from test_ministry_console import sign_in_admin

from verify.registry.accounts import create_token
from verify.registry.institutions import close_institution, create_officer
from verify.registry.models import OfficerCreate

LANGS = ("kk", "ru", "en")
TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    return https(make_client(**STAFF_SETTINGS))


def admin_header(world: World) -> dict[str, str]:
    admin = make_admin(world)
    now = dt.datetime.now(dt.UTC)
    with world.session() as session:
        token, _ = create_token(session=session, owner=admin, name="archive", scopes=["admin"], at=now,
                                expires_at=now + dt.timedelta(days=1), actor="admin")
    return bearer(token)


def test_the_ministry_closes_an_institution_through_the_api(api: TestClient, world: World) -> None:
    admin = admin_header(world)
    path = f"/api/v1/admin/institutions/{world.college.bin}/close"
    assert_problem(api.post(path, json={"archive_bin": world.college.bin, "closed_on": TODAY.isoformat()},
                            headers=admin), 422, "invalid-data")
    assert_problem(api.post(path, json={"archive_bin": world.other.bin,
                                        "closed_on": (TODAY + dt.timedelta(days=2)).isoformat()}, headers=admin),
                   422, "invalid-data")
    assert_problem(api.post(path, json={"archive_bin": world.other.bin, "closed_on": "yesterday"}, headers=admin),
                   422, "invalid-request")
    assert_problem(api.post(f"/api/v1/admin/institutions/{make_bin(999)}/close",
                            json={"archive_bin": world.other.bin, "closed_on": TODAY.isoformat()}, headers=admin),
                   404, "not-found")
    officer = bearer(officer_token(world, world.col_head)[0])
    assert_problem(api.post(path, json={"archive_bin": world.other.bin, "closed_on": TODAY.isoformat()},
                            headers=officer), 403, "forbidden")
    closed = api.post(path, json={"archive_bin": world.other.bin, "closed_on": TODAY.isoformat()}, headers=admin)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["closed_on"], closed.json()["archive_bin"]) == (TODAY.isoformat(), world.other.bin)
    assert_problem(api.post(path, json={"archive_bin": world.other.bin, "closed_on": TODAY.isoformat()},
                            headers=admin), 409, "conflict")
    listed = {i["bin"]: i for i in api.get("/api/v1/admin/institutions", headers=admin).json()["institutions"]}
    assert listed[world.college.bin]["archive_bin"] == world.other.bin
    assert listed[world.uni.bin]["closed_on"] is None and listed[world.uni.bin]["archive_bin"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_ministry_closes_an_institution_in_the_console(make_client: MakeClient, world: World, lang: str) -> None:
    make_admin(world)
    client = https(make_client(**STAFF_SETTINGS))
    sign_in_admin(client)
    headers = {"Accept-Language": lang}
    home = page(client.get("/console/ministry", headers=headers))
    action = f"/console/ministry/institutions/{world.college.bin}/close"
    assert any(f.get("action") == action for f in home.all("form"))
    csrf = home.field("csrf_token")
    form = {"archive_bin": world.other.bin, "closed_on": TODAY.isoformat()}
    assert page(client.post(action, data=form, headers=headers), 403)  # no CSRF token: nothing
    assert page(client.post(action, data={**form, "archive_bin": "12", "csrf_token": csrf}, headers=headers), 422)
    done = client.post(action, data={**form, "csrf_token": csrf}, headers=headers, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/ministry"
    after = page(client.get("/console/ministry", headers=headers))
    assert {"kk": "жабылды", "ru": "закрыта", "en": "closed on"}[lang] in after.text and world.other.bin in after.text
    assert not any(f.get("action") == action for f in after.all("form"))
    assert page(client.post(action, data={**form, "csrf_token": csrf}, headers=headers), 409)


def test_the_archive_issues_the_duplicate_and_the_originals_page_names_the_archive(api: TestClient,
                                                                                   world: World) -> None:
    original = issue(world)
    with world.session() as session:
        close_institution(session=session, bin=world.uni.bin, archive_bin=world.other.bin, closed_on=TODAY,
                          at=dt.datetime.now(dt.UTC))
    path = f"/api/v1/officer/documents/{original.document.series}/{original.document.number}"
    own = bearer(officer_token(world, world.uni_issuer)[0])
    archive = bearer(officer_token(world, world.other_issuer)[0])
    assert api.get(path, headers=own).status_code == 200  # the closed university's officer reads it
    refused = assert_problem(api.post(f"{path}/duplicates", json={"reason": "lost"}, headers=own), 403, "forbidden")
    assert world.other.bin in refused["detail"] and "closed on" in refused["detail"]
    assert api.get(path, headers=archive).status_code == 200
    # the duplicate is an application the archive handles (seed 000 item 23): its registrar applies, its head
    # approves (issue 13 item 3)
    with world.session() as session:
        archive_head = create_officer(session=session, officer_create=OfficerCreate(
            username="other.head", full_name="Archive Head", role="head"), institution=world.other,
            at=dt.datetime.now(dt.UTC))
    application = apply_for(api, path, "/duplicates", {"reason": "lost"}, archive)
    assert application["number"].startswith(world.other.bin + "-")
    assert approve(api, application["number"], bearer(officer_token(world, archive_head)[0]))["state"] == "granted"

    names = {"kk": world.other.name_kk, "ru": world.other.name_ru, "en": world.other.name_en}
    words = {"kk": "жабылды", "ru": "Закрыта", "en": "Closed on"}
    for lang in LANGS:
        shown = api.get(f"/V/{digits(original)}", headers={"Accept-Language": lang})
        assert shown.status_code == 200
        assert words[lang] in shown.text and names[lang] in shown.text and world.other.bin in shown.text
    as_json = api.get(f"/V/{digits(original)}", headers={"Accept": "application/json"}).json()
    checked = api.post("/api/v1/verify", json={"qr_text": original.revision.qr_text}).json()
    for report in (as_json, checked):
        assert report["verdict"] == "REPLACED"
        assert report["registry"]["institution_closure"] == {
            "closed_on": TODAY.isoformat(),
            "archive": {"bin": world.other.bin, "name_kk": world.other.name_kk, "name_ru": world.other.name_ru,
                        "name_en": world.other.name_en}}
