"""The app factory and the command: development bootstrap, production refusals, trust list reloads, `serve`.

Timeline of the reload case (trust_reload_s = 0: the file is looked at on every request):

    v1 published          -> served and used
    rotate: v2 published  -> served; a record of the new signer verifies
    v1 copied back        -> refused as a rollback; v2 stays
    garbage written       -> refused; v2 stays
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.reports import report_of
from support.web import MakeClient, RecordingClient, web_settings
from support.world import BASE_URL, T0, Keys, World

from verify import Error, KeyStore, Record, sign_record
from verify.errors import KeyStoreError
from verify.keystore import DEVELOPMENT_PASSPHRASE
from verify.settings import Settings
from web.app import create_app
from web.cli import cmd_serve
from web.public.schemas import MALFORMED_EXAMPLE, REPORT_EXAMPLE
from web.public.verdict import render_verdict
from web.runtime.services import development_banner
from web.settings import WebSettings
from web.ui.render import CONTENT_SECURITY_POLICY

RECORD = Record.from_json(json.loads((Path(__file__).resolve().parents[2] / "examples" / "record.json").read_text()))


def test_development_creates_a_missing_key_store_and_database_once(tmp_path: Path) -> None:
    settings = WebSettings(environment="development", keys_dir=tmp_path / "keys", data_dir=tmp_path / "data",
                           base_url=BASE_URL)
    lines_before = len(CORPUS.lines)
    with RecordingClient(create_app(settings)) as client:
        health = client.get("/healthz").json()
        assert health["database"] == "ok" and health["trust_list"]["environment"] == "development"
    assert (tmp_path / "keys" / "trust-list.json").is_file() and (tmp_path / "data" / "verify.db").is_file()
    events = [json.loads(line)["event"] for line in CORPUS.lines[lines_before:]]
    assert {"development key store created", "registry database created"} <= set(events)
    lines_before = len(CORPUS.lines)
    with RecordingClient(create_app(settings)) as client:
        # v1, then its status signer (v2), then the transparency log's signer (v3)
        assert client.get("/healthz").json()["trust_list"]["version"] == 3
        assert client.get("/api/v1/status-lists").json()["lists"] == []  # a status signer, no documents yet
    assert "development key store created" not in "".join(CORPUS.lines[lines_before:])


def test_core_settings_are_extended_with_the_web_defaults(tmp_path: Path) -> None:
    core = Settings(keys_dir=tmp_path / "keys", data_dir=tmp_path / "data", base_url=BASE_URL)
    app = create_app(core)
    assert app.state.services.prefix == "HTTPS://V.EDU.KZ/V/" and app.state.services.pool.workers == 2
    app.state.services.close()


def test_production_creates_nothing_and_says_what_to_run(tmp_path: Path, keys: Keys) -> None:
    no_database = WebSettings(environment="production", keys_dir=keys.store.path, data_dir=tmp_path / "data")
    with pytest.raises(Error, match="verify db init"):
        create_app(no_database)
    assert not (tmp_path / "data" / "verify.db").exists()


def test_production_without_a_key_store_refuses(world: World, tmp_path: Path) -> None:
    settings = WebSettings(environment="production", keys_dir=tmp_path / "no-keys", database_url=world.url)
    with pytest.raises(Error, match="verify keys init") as raised:
        create_app(settings)
    assert raised.value.code == "KEY_STORE" and not (tmp_path / "no-keys").exists()


def test_a_new_trust_list_is_taken_without_a_restart_and_a_rollback_is_not(world: World, keys: Keys,
                                                                           tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    shutil.copytree(keys.store.path, store.path)
    version_1 = store.trust_list_path.read_bytes()
    with RecordingClient(create_app(web_settings(world, keys, tmp_path, keys_dir=store.path))) as client:
        assert client.get("/healthz").json()["trust_list"]["version"] == 1
        store.rotate(at=T0 + dt.timedelta(days=1))
        served = json.loads(client.get("/api/v1/trust-list").content)
        assert served["payload"]["version"] == 2
        signed = sign_record(RECORD, signer=store.signer(), base_url=BASE_URL, at=T0 + dt.timedelta(days=2))
        report = client.post("/api/v1/verify", json={"qr_text": signed.qr_text}).json()
        assert report["authentic"] and report["verdict"] == "NOT_IN_REGISTRY"  # signed, but never issued
        store.trust_list_path.write_bytes(version_1)
        assert client.get("/healthz").json()["trust_list"]["version"] == 2
        store.trust_list_path.write_bytes(b"{not json")
        assert json.loads(client.get("/api/v1/trust-list").content)["payload"]["version"] == 2
    warnings = [json.loads(line) for line in CORPUS.lines if "trust list not reloaded" in line]
    assert {w["reason"] for w in warnings[-2:]} == {"TRUST_LIST"}


def test_the_verification_host_is_the_configured_one(make_client: MakeClient) -> None:
    client = make_client(base_url="https://qr.e.kz")
    link = client.get("/V/1", headers={"Accept": "application/json"}).json()
    assert link["steps"][0]["detail"] == "prefix HTTPS://QR.E.KZ/V/"


# ----------------------------------------------------------------------------- the command
def test_serve_is_added_to_the_verify_parser_with_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.cli import build_parser

    monkeypatch.setenv("VERIFY_PORT", "8123")
    settings = Settings()
    parser = build_parser(settings)  # `serve` comes in through the verify.commands entry point
    args = parser.parse_args(["--base-url", "https://v.edu.kz", "serve", "--workers", "3"])
    assert (args.handler, args.host, args.port, args.workers) == (cmd_serve, "127.0.0.1", 8123, 3)
    with pytest.raises(Error, match="--workers"):
        cmd_serve(argparse.Namespace(host="127.0.0.1", port=0, workers=0), settings)


# ----------------------------------------------------------------------------- the page
@pytest.mark.parametrize(("verdict", "headline"), [
    ("VALID", "Valid document"), ("REPLACED", "Void: a duplicate replaced this document"),
    ("CORRECTED", "Authentic, but the registry has corrected it since"), ("ANNULLED", "Annulled"),
    ("NOT_IN_REGISTRY", "Not in the registry"), ("BAD_SIGNATURE", "Not a valid document"),
])
def test_the_page_leads_with_the_verdict(verdict: str, headline: str) -> None:
    page = render_verdict(report_of({**REPORT_EXAMPLE, "verdict": verdict}))
    assert page.index(headline) < page.index("Compare with the paper")


def test_the_page_shows_a_duplicate_and_a_qualification_and_escapes_everything() -> None:
    record = {**REPORT_EXAMPLE["record"], "qualification": "4S06130103",
              "duplicate": {"duplicate_no": 2, "original_series": "BD", "original_number": "0000041"},
              "holder": {"surname": "<b>Ли</b>", "name": "Айым"}}
    page = render_verdict(report_of({**REPORT_EXAMPLE, "record": record, "warnings": ["<i>test list</i>"]}))
    assert "No. 2, instead of BD 0000041" in page and "4S06130103" in page
    assert "&lt;b&gt;Ли&lt;/b&gt; Айым</dd>" in page and "&lt;i&gt;test list&lt;/i&gt;" in page
    malformed = render_verdict(report_of(MALFORMED_EXAMPLE))
    assert "Not a valid document" in malformed and "Compare with the paper" not in malformed


def test_the_client_fixture_is_a_recording_client(client: TestClient) -> None:
    before = len(CORPUS.bodies)
    client.get("/healthz")
    assert len(CORPUS.bodies) == before + 1


# ----------------------------------------------------------------------------- production refusals, the banner
def _production(world: World, tmp_path: Path, keys_dir: Path, **overrides: object) -> WebSettings:
    return WebSettings(environment="production", keys_dir=keys_dir, database_url=world.url,
                       data_dir=tmp_path / "data", base_url=BASE_URL, **overrides)  # type: ignore[arg-type]


def test_production_refuses_a_development_root_and_says_which(world: World, tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "dev-keys")
    store.init(at=T0)  # development: its keys are under the built-in passphrase
    with pytest.raises(KeyStoreError, match=r"development root: the trust list at .* development key store") as raised:
        create_app(_production(world, tmp_path, store.path))
    assert raised.value.code == "KEY_STORE"


def test_production_refuses_the_built_in_passphrase_and_missing_keys_naming_each(world: World,
                                                                                 tmp_path: Path) -> None:
    settings = _production(world, tmp_path, tmp_path / "empty",
                           key_passphrase=DEVELOPMENT_PASSPHRASE.decode())
    with pytest.raises(KeyStoreError) as raised:
        create_app(settings)
    message = str(raised.value)
    assert "no root certificate at" in message and "no trust list at" in message
    assert "built-in passphrase" in message and DEVELOPMENT_PASSPHRASE.decode() not in message


def test_production_refuses_private_keys_without_their_passphrase(world: World, tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "prod-keys", b"a production passphrase")
    store.init(at=T0, environment="production")
    with pytest.raises(KeyStoreError, match=r"missing passphrase: .* holds private keys"):
        create_app(_production(world, tmp_path, store.path))
    app = create_app(_production(world, tmp_path, store.path, key_passphrase="a production passphrase"))
    app.state.services.close()


def test_serve_prints_a_banner_on_every_start_with_development_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import uvicorn

    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: started.append(app))
    monkeypatch.delenv("VERIFY_KEY_PASSPHRASE", raising=False)
    for name in ("KEYS_DIR", "BASE_URL"):  # the command exports these for its workers: undone after the test
        monkeypatch.setenv(f"VERIFY_{name}", "set by the test")
    settings = WebSettings(environment="development", keys_dir=tmp_path / "keys", data_dir=tmp_path / "data")
    args = argparse.Namespace(host="127.0.0.1", port=0, workers=1, keys_dir=tmp_path / "keys")
    for _ in range(2):  # the first start creates the keys, the second finds them: both warn
        assert cmd_serve(args, settings) == 0
        assert "DEVELOPMENT KEYS: NOT FOR REAL DOCUMENTS" in capsys.readouterr().err
    assert started == ["web.app:create_app"] * 2
    quiet = WebSettings(environment="development", keys_dir=tmp_path / "keys", data_dir=tmp_path / "data",
                        key_passphrase="an own passphrase")
    assert development_banner(quiet) is None


@pytest.mark.parametrize(("lang", "programme", "qualification"), [
    ("kk", "Ақпараттық жүйелер", "Бағдарламалық қамтамасыз етуді әзірлеуші"),
    ("ru", "Информационные системы", "Разработчик программного обеспечения"),
    ("en", "Information systems", "Software developer"),
])
def test_the_page_names_the_programme_and_qualification_beside_their_codes(lang: str, programme: str,
                                                                           qualification: str) -> None:
    """Issue 10 item 20: bare codes told an employer nothing; the insert prints the classifier's name, so does the
    page (an unknown code stays a bare code)."""
    record = {**REPORT_EXAMPLE["record"], "programme": "6B06101", "qualification": "4S06130103"}
    page = render_verdict(report_of({**REPORT_EXAMPLE, "record": record}), lang=lang)
    assert programme in page and "6B06101" in page
    assert qualification in page and "4S06130103" in page
    unknown = render_verdict(report_of({**REPORT_EXAMPLE, "record": {**record, "programme": "6B09999"}}), lang=lang)
    assert "6B09999" in unknown and programme not in unknown


def test_serve_in_production_with_development_keys_exits_2_and_says_why(world: World, tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.init(at=T0)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
    environment.update({"VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(store.path),
                        "VERIFY_DATABASE_URL": world.url, "VERIFY_DATA_DIR": str(tmp_path / "data")})
    result = subprocess.run([sys.executable, "-m", "web", "serve", "--port", "0"], env=environment,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: KEY_STORE: production refuses to start: development root" in result.stderr
def test_the_api_reference_is_local_and_can_be_switched_off(make_client: MakeClient) -> None:
    # Issue 10 item 13: /docs and /redoc loaded Swagger UI and ReDoc from a CDN, with no CSP.
    client = make_client()
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts and all('src="/' in tag for tag in scripts)  # no inline script, nothing from elsewhere
    assert "<style" not in page.text and "cdn" not in page.text and "http" not in page.text.replace("http-equiv", "")
    for url in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page.text):
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000 and "max-age" in asset.headers["cache-control"]
        assert client.get(url, headers={"If-None-Match": asset.headers["etag"]}).status_code == 304
    assert client.get("/docs/assets/../../setup.py").status_code == 404
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
    switched_off = make_client(api_docs=False)
    assert switched_off.get("/docs").status_code == 404 and switched_off.get("/openapi.json").status_code == 200
