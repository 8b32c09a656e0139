"""Sign-in, sessions, CSRF, bearer tokens and scopes (web/auth/, verify/registry/accounts.py), on SQLite.

Timeline of the revocation case:

    token made            -> GET /me 200
    DELETE /tokens/{id}   -> 204
    the same token        -> 401 invalid_token (the very next request; nothing is cached)

Seed 001 item 7: accounts for the persons appointed by the head's order; a disabled account stops at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.web import (
    ADMIN_PASSWORD,
    COOKIE,
    FAST_HASHING,
    PASSWORD,
    STAFF_SETTINGS,
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
from support.world import World

from verify.registry.accounts import PasswordHashing, authenticate_password, hash_secret
from verify.registry.models import Account, AuthSession
from web.auth.schemas import MeModel, TokenCreatedModel, TokensModel

PAGE_SCOPES = ["officer:read", "officer:write"]


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    """A started app with cheap password hashing, spoken to over https."""
    return https(make_client(**STAFF_SETTINGS))


def _same_answer(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    body.pop("instance")
    return {"status": response.status_code, "body": body, "challenge": response.headers.get("www-authenticate")}


# ----------------------------------------------------------------------------- sign-in
def test_sign_in_sets_a_secure_host_only_http_only_cookie_and_gives_a_csrf_token(api: TestClient,
                                                                                 world: World) -> None:
    give_password(world, world.uni_issuer)
    response = api.post("/api/v1/auth/login", json={"username": "uni.issuer", "password": PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "Domain" not in cookie
    assert {"Path=/", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=28800"} <= {p.strip() for p in cookie.split(";")}
    me = MeModel.model_validate(response.json())
    assert (me.username, me.kind, me.role, me.via) == ("uni.issuer", "officer", "registrar", "session")
    assert me.institution_bin == world.uni.bin and sorted(me.scopes) == PAGE_SCOPES
    assert me.csrf_token and PASSWORD not in response.text
    secret = cookie.split(";", 1)[0].split("=", 1)[1]
    with world.session() as session:  # the server keeps only the hash of the cookie
        rows = session.exec(select(AuthSession)).all()
        assert [row.secret_hash for row in rows] == [hash_secret(secret)]
        session.commit()
    assert api.get("/api/v1/auth/me").json()["csrf_token"] == me.csrf_token


def test_sign_in_is_json_only_so_a_cross_site_form_cannot_sign_anyone_in(api: TestClient, world: World) -> None:
    # Login CSRF: a page of another site posts a form with the attacker's credentials (issue 10 item 14).
    give_password(world, world.uni_head)
    sessions = count(world, "auth_sessions")
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"):
        response = api.post("/api/v1/auth/login", content=b"username=uni.head&password=x",
                            headers={"Content-Type": content_type, "Origin": "https://evil.example"})
        assert response.status_code in (403, 415) and "set-cookie" not in response.headers
    assert_problem(api.post("/api/v1/auth/login", data={"username": "uni.head", "password": PASSWORD}),
                   415, "unsupported-media-type")
    assert count(world, "auth_sessions") == sessions


def test_sign_in_from_a_foreign_origin_is_refused_and_from_our_own_accepted(api: TestClient, world: World) -> None:
    give_password(world, world.uni_head)
    wanted = {"username": "uni.head", "password": PASSWORD}
    for origin in ("https://evil.example", "null", "https://testserver.evil.example", "http://testserver:1"):
        assert_problem(api.post("/api/v1/auth/login", json=wanted, headers={"Origin": origin}), 403, "forbidden")
    assert count(world, "auth_sessions") == 0
    assert api.post("/api/v1/auth/login", json=wanted, headers={"Origin": "https://testserver"}).status_code == 200
    assert api.post("/api/v1/auth/login", json=wanted, headers={"Origin": "https://v.edu.kz"}).status_code == 200
    assert api.post("/api/v1/auth/login", json=wanted).status_code == 200  # a program sends no Origin


def test_sign_in_attempts_are_limited_per_account_whatever_the_address(make_client: MakeClient,
                                                                      world: World) -> None:
    # Credential stuffing from many addresses: each address is under its own limit, the account is not.
    give_password(world, world.uni_head)
    give_password(world, world.uni_issuer)
    settings = {**STAFF_SETTINGS, "rate_login": "100/minute", "rate_login_account": "3/minute"}
    first = https(make_client(**settings))
    wrong = {"username": "UNI.head ", "password": "guess"}
    answers = [first.post("/api/v1/auth/login", json=wrong).status_code for _ in range(3)]
    assert answers == [401, 401, 401]
    app = first.app
    for n in range(3):
        other = https(TestClient(app, client=(f"192.0.2.{n + 10}", 40000)))
        refused = other.post("/api/v1/auth/login", json={"username": "uni.head", "password": PASSWORD})
        body = assert_problem(refused, 429, "rate-limited")
        assert int(refused.headers["retry-after"]) >= 1 and "account" in body["detail"]
    assert first.post("/api/v1/auth/login", json={"username": "uni.issuer", "password": PASSWORD}).status_code == 200


def test_wrong_password_unknown_user_no_password_and_disabled_get_one_answer(api: TestClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    give_password(world, world.col_issuer)
    officer_token(world, world.uni_viewer, ["officer:read"])  # an account without a password
    api.post("/api/v1/auth/login", json={"username": "uni.issuer", "password": PASSWORD})
    admin = make_admin(world)
    assert admin.username == "ministry.admin"
    csrf = login(api, "ministry.admin", ADMIN_PASSWORD)
    assert api.post("/api/v1/admin/officers/col.issuer/disable", headers={"X-CSRF-Token": csrf}).status_code == 200
    answers = []
    for username, password in (("uni.issuer", "wrong password here"), ("nobody.at.all", PASSWORD),
                               ("uni.viewer", PASSWORD), ("col.issuer", PASSWORD)):
        response = api.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert_problem(response, 401, "login-failed")
        assert "set-cookie" not in response.headers
        answers.append(_same_answer(response))
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["body"]["detail"] == "wrong username or password"


def test_sign_in_refuses_a_body_it_cannot_read(api: TestClient) -> None:
    assert_problem(api.post("/api/v1/auth/login", content=b"username=x", headers={"Content-Type": "text/plain"}),
                   415, "unsupported-media-type")
    body = assert_problem(api.post("/api/v1/auth/login", content=b"{", headers={"Content-Type": "application/json"}),
                          422, "invalid-request")
    assert body["errors"][0]["type"] == "json_invalid"  # as every JSON route of the API answers it
    body = assert_problem(api.post("/api/v1/auth/login", json={"username": "x"}), 422, "invalid-request")
    assert body["errors"][0]["loc"] == ["body", "password"]


def test_sign_in_with_32000_nested_arrays_is_a_400_not_a_recursion_error(api: TestClient) -> None:
    # Issue 10 item 9: the login's own json.loads raised RecursionError (a 500).
    nested = b"[" * 32_000 + b"]" * 32_000
    assert_problem(api.post("/api/v1/auth/login", content=nested, headers={"Content-Type": "application/json"}),
                   400, "bad-request")
    half_open = b'{"username": ' + b"[" * 20_000
    assert_problem(api.post("/api/v1/auth/login", content=half_open, headers={"Content-Type": "application/json"}),
                   400, "bad-request")


def test_sign_in_is_rate_limited_per_client(make_client: MakeClient, world: World) -> None:
    client = https(make_client(**{**STAFF_SETTINGS, "rate_login": "2/minute"}))
    for _ in range(2):
        assert client.post("/api/v1/auth/login", json={"username": "a", "password": "b"}).status_code == 401
    response = client.post("/api/v1/auth/login", json={"username": "a", "password": "b"})
    assert_problem(response, 429, "rate-limited")
    assert int(response.headers["retry-after"]) >= 1


def test_a_hash_made_with_other_parameters_is_replaced_at_sign_in(make_client: MakeClient, world: World) -> None:
    give_password(world, world.uni_issuer)  # t=1, m=8 KiB
    client = https(make_client(**{**STAFF_SETTINGS, "password_time_cost": 2, "password_memory_kib": 16}))
    login(client, "uni.issuer")
    with world.session() as session:
        account = session.exec(select(Account).where(Account.username == "uni.issuer")).one()
        assert "t=2" in (account.password_hash or "") and "m=16" in (account.password_hash or "")
        assert not PasswordHashing(time_cost=2, memory_kib=16, parallelism=1).needs_rehash(account.password_hash or "")
        session.commit()
    login(client, "uni.issuer")  # the new hash still opens the account


def test_a_too_long_password_never_matches_its_prefix(world: World) -> None:
    give_password(world, world.uni_issuer, "p" * 200 + "q-r-s-t")
    with world.session() as session:
        assert authenticate_password(session=session, username="uni.issuer", password="p" * 200 + "q-r-s-t",
                                     hashing=FAST_HASHING, at=dt.datetime.now(dt.UTC)) is not None
        assert authenticate_password(session=session, username="uni.issuer", password="p" * 300,
                                     hashing=FAST_HASHING, at=dt.datetime.now(dt.UTC)) is None


# ----------------------------------------------------------------------------- CSRF and sessions
def test_a_cookie_post_without_the_csrf_token_is_refused_and_writes_nothing(api: TestClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    csrf = login(api, "uni.issuer")
    wanted = {"name": "robot", "scopes": ["officer:read"]}
    tokens_before = count(world, "api_tokens")
    assert_problem(api.post("/api/v1/auth/tokens", json=wanted), 403, "csrf-failed")
    other_last = "B" if csrf.endswith("A") else "A"  # a token one character off, never the token itself
    assert_problem(api.post("/api/v1/auth/tokens", json=wanted, headers={"X-CSRF-Token": csrf[:-1] + other_last}),
                   403, "csrf-failed")
    assert count(world, "api_tokens") == tokens_before
    response = api.post("/api/v1/auth/tokens", json=wanted, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201
    assert api.get("/api/v1/auth/me").status_code == 200  # a safe method needs no CSRF token


def test_the_csrf_token_of_one_session_does_not_work_for_another(api: TestClient, make_client: MakeClient,
                                                                 world: World) -> None:
    give_password(world, world.uni_issuer)
    other = https(make_client(**STAFF_SETTINGS))
    csrf_other = login(other, "uni.issuer")
    login(api, "uni.issuer")
    assert_problem(api.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["officer:read"]},
                            headers={"X-CSRF-Token": csrf_other}), 403, "csrf-failed")


def test_sign_out_ends_the_session_and_the_old_cookie_is_refused(api: TestClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    csrf = login(api, "uni.issuer")
    old_cookie = api.cookies.get(COOKIE)
    assert old_cookie
    assert_problem(api.post("/api/v1/auth/logout"), 403, "csrf-failed")
    response = api.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204 and "Max-Age=0" in response.headers["set-cookie"]
    assert api.cookies.get(COOKIE) is None
    response = api.get("/api/v1/auth/me", headers={"Cookie": f"{COOKIE}={old_cookie}"})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_session_is_refused(api: TestClient, world: World) -> None:
    give_password(world, world.uni_issuer)
    login(api, "uni.issuer")
    with world.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE auth_sessions SET expires_at = '2020-01-01 00:00:00.000000'")
    assert_problem(api.get("/api/v1/auth/me"), 401, "unauthorized")


def test_a_request_without_credentials_gets_a_bearer_challenge(api: TestClient) -> None:
    response = api.get("/api/v1/officer/graduates")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer realm="verify"'


# ----------------------------------------------------------------------------- bearer tokens
def test_a_bearer_token_needs_every_scope_of_the_route_and_no_csrf_token(api: TestClient, world: World) -> None:
    reader, _ = officer_token(world, world.uni_issuer, ["officer:read"])
    assert api.get("/api/v1/officer/graduates", headers=bearer(reader)).status_code == 200
    documents_before = count(world, "documents")
    response = api.post("/api/v1/officer/documents", json={"graduate_id": 1}, headers=bearer(reader))
    assert_problem(response, 403, "forbidden")
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert count(world, "documents") == documents_before
    me = api.get("/api/v1/auth/me", headers=bearer(reader)).json()
    assert me["via"] == "token" and me["scopes"] == ["officer:read"] and me["csrf_token"] is None


def test_an_officer_token_never_opens_the_admin_or_partner_surfaces(api: TestClient, world: World) -> None:
    token, _ = officer_token(world, world.uni_head)
    assert_problem(api.get("/api/v1/admin/institutions", headers=bearer(token)), 403, "forbidden")
    assert_problem(api.post("/api/v1/partner/documents", json={"iin": "000000000000"}, headers=bearer(token)),
                   403, "forbidden")


def test_an_unknown_or_malformed_token_is_refused(api: TestClient) -> None:
    for token in ("vfy_" + "A" * 43, "not-a-token", "vfy_" + "x" * 200):
        response = api.get("/api/v1/auth/me", headers=bearer(token))
        assert_problem(response, 401, "unauthorized")
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_an_expired_token_is_refused(api: TestClient, world: World) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    with world.session() as session:
        from verify.registry.accounts import create_token, ensure_officer_account

        account = ensure_officer_account(session=session, officer=world.uni_issuer, at=past)
        session.commit()
        token, _ = create_token(session=session, owner=account, name="old", scopes=["officer:read"], at=past,
                                expires_at=past + dt.timedelta(days=1), actor="admin", officer=world.uni_issuer)
    assert_problem(api.get("/api/v1/auth/me", headers=bearer(token)), 401, "unauthorized")


def test_a_revoked_token_is_refused_on_the_very_next_request(api: TestClient, world: World) -> None:
    token, row = officer_token(world, world.uni_issuer)
    assert api.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    assert api.delete(f"/api/v1/auth/tokens/{row.id}", headers=bearer(token)).status_code == 204
    assert_problem(api.get("/api/v1/auth/me", headers=bearer(token)), 401, "unauthorized")
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'token.revoke'") == 1


def test_tokens_are_made_with_a_subset_of_the_scopes_shown_once_and_listed_by_hint(api: TestClient,
                                                                                   world: World) -> None:
    give_password(world, world.uni_viewer)
    csrf = login(api, "uni.viewer")
    headers = {"X-CSRF-Token": csrf}
    body = assert_problem(api.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["officer:write"]},
                                   headers=headers), 422, "invalid-data")
    assert "officer:write" in body["detail"]
    assert_problem(api.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["root"]}, headers=headers),
                   422, "invalid-request")
    assert_problem(api.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["officer:read"], "days": 400},
                            headers=headers), 422, "invalid-data")
    response = api.post("/api/v1/auth/tokens", json={"name": "reader", "scopes": ["officer:read"], "days": 7},
                        headers=headers)
    made = TokenCreatedModel.model_validate(response.json())
    assert made.token.startswith("vfy_") and made.hint == made.token[:10] and made.scopes == ["officer:read"]
    assert dt.timedelta(days=6) < made.expires_at - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)
    listed = TokensModel.model_validate(api.get("/api/v1/auth/tokens").json())
    assert [t.id for t in listed.tokens] == [made.id] and made.token not in api.get("/api/v1/auth/tokens").text
    assert world.scalar("SELECT count(*) FROM api_tokens WHERE secret_hash = :h", h=hash_secret(made.token)) == 1


def test_a_token_made_with_a_token_cannot_outlive_it(api: TestClient, world: World) -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    parent, _ = officer_token(world, world.uni_issuer, expires_at=soon)
    response = api.post("/api/v1/auth/tokens", json={"name": "child", "scopes": ["officer:read"], "days": 30},
                        headers=bearer(parent))
    assert response.status_code == 201
    assert dt.datetime.fromisoformat(response.json()["expires_at"]) <= soon


def test_an_account_cannot_revoke_another_accounts_token(api: TestClient, world: World) -> None:
    mine, _ = officer_token(world, world.uni_issuer)
    _, theirs = officer_token(world, world.other_issuer)
    assert_problem(api.delete(f"/api/v1/auth/tokens/{theirs.id}", headers=bearer(mine)), 404, "not-found")
    assert world.scalar("SELECT revoked_at FROM api_tokens WHERE id = :i", i=theirs.id) is None


# ----------------------------------------------------------------------------- disabling
def test_a_disabled_officer_is_refused_at_once_with_its_session_and_its_token(api: TestClient,
                                                                              make_client: MakeClient,
                                                                              world: World) -> None:
    give_password(world, world.uni_issuer)
    token, _ = officer_token(world, world.uni_issuer)
    login(api, "uni.issuer")
    assert api.get("/api/v1/officer/graduates").status_code == 200
    make_admin(world)
    admin = https(make_client(**STAFF_SETTINGS))
    csrf = login(admin, "ministry.admin", ADMIN_PASSWORD)
    disabled = admin.post("/api/v1/admin/officers/uni.issuer/disable", json={"reason": "order No. 12"},
                          headers={"X-CSRF-Token": csrf})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert_problem(api.get("/api/v1/officer/graduates"), 401, "unauthorized")
    assert_problem(api.get("/api/v1/officer/graduates", headers=bearer(token)), 401, "unauthorized")
    assert_problem(api.post("/api/v1/auth/login", json={"username": "uni.issuer", "password": PASSWORD}),
                   401, "login-failed")


# ----------------------------------------------------------------------------- documentation
def _operations(document: dict[str, Any], prefixes: tuple[str, ...]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, operations in document["paths"].items() if path.startswith(prefixes)
            for method, operation in operations.items()]


def _has_example(content: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether a request or response content shows an example: its own, or its schema's (also optional bodies)."""
    for media in content.values():
        if "example" in media or "examples" in media:
            return True
        schema = media.get("schema", {})
        refs = [schema.get("$ref", ""), schema.get("items", {}).get("$ref", ""),
                *(option.get("$ref", "") for option in schema.get("anyOf", []))]
        if any(ref and "examples" in schemas.get(ref.rsplit("/", 1)[-1], {}) for ref in refs):
            return True
    return False


def test_the_openapi_document_declares_both_schemes_scopes_and_examples_of_every_new_endpoint(
        api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "vfy_ + 43 characters",
                                 "description": schemes["bearer"]["description"]}
    assert (schemes["session"]["type"], schemes["session"]["in"], schemes["session"]["name"]) == \
        ("apiKey", "cookie", COOKIE)
    schemas = document["components"]["schemas"]
    operations = _operations(document, ("/api/v1/auth", "/api/v1/officer", "/api/v1/partner", "/api/v1/admin"))
    assert len(operations) >= 40
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        if path != "/api/v1/auth/login":
            assert operation.get("security"), where
        body = operation.get("requestBody")
        if body is not None:
            assert _has_example(body["content"], schemas), where
        success = next(code for code in operation["responses"] if code.startswith("2"))
        content = operation["responses"][success].get("content")
        if success != "204":
            assert content and _has_example(content, schemas), where
        for code, answer in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert "application/problem+json" in answer["content"], where
    admin_scopes = {scope for path, _, operation in operations
                    if path.startswith("/api/v1/admin") for requirement in operation["security"]
                    for scopes in requirement.values() for scope in scopes}
    assert admin_scopes == {"admin"}


def test_the_new_problem_types_are_described(api: TestClient) -> None:
    for slug in ("unauthorized", "login-failed", "forbidden", "csrf-failed", "conflict", "blank-stock",
                 "document-state", "invalid-data", "import-rejected"):
        response = api.get(f"/problems/{slug}")
        assert response.status_code == 200 and response.json()["type"] == f"/problems/{slug}"
