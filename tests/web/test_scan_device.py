"""The scan page's parts for checking on the device (issue 12 item 6): what the page hands its module, the service
worker, the web app manifest, the decoder's WebAssembly, and the built files matching their sources.

The browser itself (decoding photos, verifying, offline) is tests/browser/test_scan_offline.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from support.world import Keys

from web.public.pages import SCAN_ASSETS, SCAN_SCOPE, STATUS_LISTS_URL, TRUST_LIST_URL
from web.ui.i18n import CATALOGUE
from web.ui.render import STATIC_DIR, static_url

ROOT_DIR = Path(__file__).resolve().parents[2]
SCANPAGE = ROOT_DIR / "clients" / "scanpage"
DATA_S = re.compile(r'data-s-([a-z_]+)="')


def _scan_app(html: str) -> str:
    start = html.index('<div id="scan-app"')
    return html[start:html.index(">", html.index("data-s-device_checked", start))]


def test_the_page_hands_its_module_the_root_the_lists_the_decoder_and_its_texts(client: TestClient,
                                                                                  keys: Keys) -> None:
    for lang in ("kk", "ru", "en"):
        html = client.get(f"/scan?lang={lang}").text
        app = _scan_app(html)
        root_pem = re.search(r'data-root="([^"]+)"', app)
        assert root_pem is not None
        # the server's own trust anchor
        assert x509.load_pem_x509_certificate(root_pem.group(1).encode()) == keys.store.root_certificate()
        assert f'data-trust="{TRUST_LIST_URL}"' in app and f'data-lists="{STATUS_LISTS_URL}"' in app
        assert f'data-wasm="{static_url("zxing_reader.wasm")}"' in app and 'data-sw="/scan-sw.js"' in app
        names = DATA_S.findall(app)
        assert len(names) == len(set(names)) >= 20
        for name in names:  # every text the module shows comes from the catalogue, in the page's language
            assert name in CATALOGUE
            if "{" not in str(CATALOGUE[name][lang]):
                value = re.search(rf'data-s-{name}="([^"]*)"', app)
                assert value is not None and value.group(1) == str(CATALOGUE[name][lang]).replace("'", "&#39;")
        assert f'<link rel="manifest" href="/scan/manifest.webmanifest?lang={lang}">' in html


def test_the_service_worker_is_served_at_the_root_with_what_it_caches(client: TestClient) -> None:
    response = client.get("/scan-sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    first, rest = response.text.split("\n", 1)
    assert rest.encode() == (STATIC_DIR / "scan-sw.js").read_bytes()
    config = json.loads(first.removeprefix("self.SCAN_CONFIG = ").removesuffix(";"))
    assert config["pages"] == [f"{SCAN_SCOPE}?lang={lang}" for lang in ("kk", "ru", "en")]
    assert {static_url(name) for name in SCAN_ASSETS} <= set(config["assets"])
    assert config["lists"] == [TRUST_LIST_URL] and config["index"] == STATUS_LISTS_URL
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    for url in [*config["pages"], *config["assets"], *config["lists"]]:  # what it precaches is there
        assert client.get(url).status_code == 200, url


def test_the_manifest_makes_the_scan_page_installable_in_each_language(client: TestClient) -> None:
    for lang in ("kk", "ru", "en"):
        response = client.get(f"/scan/manifest.webmanifest?lang={lang}")
        assert response.status_code == 200 and response.headers["content-type"] == "application/manifest+json"
        manifest = response.json()
        assert manifest["name"] == CATALOGUE["site_name"][lang] and manifest["lang"] == lang
        assert manifest["short_name"] == CATALOGUE["pwa_short_name"][lang]
        assert manifest["start_url"] == f"/scan?lang={lang}" and manifest["scope"] == "/scan"
        assert manifest["display"] == "standalone"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes  # what browsers require to offer installing
        for icon in manifest["icons"]:
            got = client.get(icon["src"])
            assert got.status_code == 200 and got.headers["content-type"] == "image/png"
            width, height = int.from_bytes(got.content[16:20], "big"), int.from_bytes(got.content[20:24], "big")
            assert f"{width}x{height}" == icon["sizes"]


def test_the_decoder_is_webassembly_from_this_origin(client: TestClient) -> None:
    wasm = client.get(static_url("zxing_reader.wasm"))
    assert wasm.headers["content-type"] == "application/wasm" and wasm.content[:4] == b"\0asm"
    module = client.get(static_url("scan-app.js")).text
    # The package's default location of its .wasm is a CDN; the page overrides it with data-wasm (no request to
    # another origin could pass the page's connect-src 'self' anyway; tests/browser checks none is made).
    assert "locateFile" in module


def test_the_icons_match_their_drawing() -> None:
    result = subprocess.run([sys.executable, str(ROOT_DIR / "tools" / "scan_icons.py"), "--check"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("node") is None or not (SCANPAGE / "node_modules").exists()
                    or not (ROOT_DIR / "clients" / "js" / "node_modules").exists(),
                    reason="node, or `npm ci` in clients/scanpage and clients/js, is missing (make test-js runs it)")
def test_the_committed_browser_files_are_built_from_their_sources() -> None:
    result = subprocess.run(["node", "build.mjs", "--check"], cwd=SCANPAGE, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
