"""The ministry's console pages (web/admin/console.py): an administrator who signs in at /console/login.

The pages list institutions, officer accounts and the trust list's signers, and disable or enable an officer
account (CSRF-checked, audited, the officer's sessions ended at once).

Issue 10 item 18: an administrator who signed in to the console met a 403 whose only button led back to /console,
and so to the same 403. Now /console sends an administrator to /console/ministry (institutions, officer accounts,
the trust list's signers), every ministry page has a sign-out button, an officer who opens a ministry page is sent
to the console, and any page the account may not see offers sign-out: no loop.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.web import ADMIN_PASSWORD, STAFF_SETTINGS, MakeClient, audit_head, give_password, https, make_admin
from support.world import World
from test_console import Html, page, sign_in

LANGS = ("kk", "ru", "en")


def sign_in_admin(client: TestClient) -> Any:
    form = page(client.get("/console/login"))
    answer = client.post("/console/session", data={"username": "ministry.admin", "password": ADMIN_PASSWORD,
                                                   "login_token": form.field("login_token")}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console"
    return answer


@pytest.fixture
def admin_client(make_client: MakeClient, world: World) -> TestClient:
    make_admin(world)
    client = https(make_client(**STAFF_SETTINGS))
    sign_in_admin(client)
    return client


def sign_out_form(html: Html) -> str:
    """The CSRF token of the page's sign-out form (its action is /console/logout)."""
    forms = html.all("form")
    assert any(f.get("action") == "/console/logout" for f in forms), "no sign-out form"
    return html.field("csrf_token")


def test_an_administrator_signing_in_lands_on_the_ministry_pages_not_in_a_loop(admin_client: TestClient,
                                                                                world: World) -> None:
    landed = admin_client.get("/console")  # following every redirect ends on a page, 200
    assert landed.status_code == 200 and str(landed.url).endswith("/console/ministry")
    html = Html(landed.text)
    for institution in (world.uni, world.college, world.other):
        assert institution.bin in html.text
    assert "ministry.admin" in html.text and sign_out_form(html)
    assert all(a.get("href") != "/console" for a in html.all("a") if a.get("class") == "button")


@pytest.mark.parametrize("lang", LANGS)
def test_the_ministry_pages_list_institutions_officers_and_signers_in_every_language(
        admin_client: TestClient, world: World, lang: str) -> None:
    headers = {"Accept-Language": lang}
    home = page(admin_client.get("/console/ministry", headers=headers))
    assert world.uni.bin in home.text and {"kk": world.uni.name_kk, "ru": world.uni.name_ru,
                                           "en": world.uni.name_en}[lang] in home.text
    officers = page(admin_client.get(f"/console/ministry/officers?institution={world.uni.bin}", headers=headers))
    assert world.uni_issuer.username in officers.text and world.col_issuer.username not in officers.text
    every = page(admin_client.get("/console/ministry/officers", headers=headers))
    assert world.uni_issuer.username in every.text and world.col_issuer.username in every.text
    signers = page(admin_client.get("/console/ministry/signers", headers=headers))
    assert world.trust_list.signers[0].kid.hex() in signers.text
    assert {"kk": "белсенді", "ru": "действует", "en": "active"}[lang] in signers.text


def test_a_bad_or_unknown_bin_is_a_console_page(admin_client: TestClient) -> None:
    assert page(admin_client.get("/console/ministry/officers?institution=12"), 422)
    unknown = page(admin_client.get("/console/ministry/officers?institution=000000000000"), 404)
    assert sign_out_form(unknown)


def test_the_administrator_signs_out_from_the_ministry_pages(admin_client: TestClient) -> None:
    csrf = sign_out_form(page(admin_client.get("/console/ministry")))
    assert page(admin_client.post("/console/logout"), 403)  # the CSRF token is needed, as for an officer
    out = admin_client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    again = admin_client.get("/console/ministry", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/console/login"


def test_an_officer_is_sent_from_the_ministry_pages_to_the_console(make_client: MakeClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    client = https(make_client(**STAFF_SETTINGS))
    sign_in(client, world.uni_issuer.username)
    for path in ("/console/ministry", "/console/ministry/officers", "/console/ministry/signers"):
        sent = client.get(path, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/console"


def test_a_page_the_account_may_not_see_offers_sign_out(make_client: MakeClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    client = https(make_client(**STAFF_SETTINGS))
    sign_in(client, world.uni_issuer.username)
    refused = page(client.get("/console/documents/XX/0000000"), 404)
    assert sign_out_form(refused)


def test_the_administrator_disables_and_enables_an_officer_with_the_sessions_csrf_token(
        admin_client: TestClient, make_client: MakeClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    officer = https(make_client(**STAFF_SETTINGS))
    sign_in(officer, world.uni_issuer.username)
    listed = page(admin_client.get(f"/console/ministry/officers?institution={world.uni.bin}"))
    csrf = listed.field("csrf_token")
    action = f"/console/ministry/officers/{world.uni_issuer.username}/disable"
    assert any(f.get("action") == action for f in listed.all("form"))
    before = audit_head(world)
    assert page(admin_client.post(action, data={"reason": "left the college"}), 403)  # no CSRF token: nothing
    assert audit_head(world) == before and officer.get("/console", follow_redirects=False).status_code == 200
    assert page(admin_client.post(action, data={"reason": "x" * 501, "csrf_token": csrf}), 422)
    done = admin_client.post(action, data={"reason": "left the college", "csrf_token": csrf}, follow_redirects=False)
    back = f"/console/ministry/officers?institution={world.uni.bin}"
    assert done.status_code == 303 and done.headers["location"] == back
    assert audit_head(world) > before
    ended = officer.get("/console", follow_redirects=False)  # the officer's session ended at once
    assert ended.status_code == 303 and ended.headers["location"] == "/console/login"
    shown = page(admin_client.get(done.headers["location"]))
    assert "disabled" in shown.text
    again = page(admin_client.post(action, data={"csrf_token": csrf}), 422)  # disabled already: said, not a 500
    assert "disabled already" in again.text
    enable = f"/console/ministry/officers/{world.uni_issuer.username}/enable"
    assert admin_client.post(enable, data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert page(admin_client.post("/console/ministry/officers/nobody/enable", data={"csrf_token": csrf}), 404)
    sign_in(officer, world.uni_issuer.username)  # signs in again
