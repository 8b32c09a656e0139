"""The scan page offline (issue 12 item 6): headless Chromium visits once, the network goes off, and a phone photo of
each showcase document of the demo is decoded and verified on the device in Kazakh, Russian and English.

The demo (`verify demo --no-serve`, 30 graduates) builds its registry and draws the six showcase inserts; each insert
is photographed as tests/photos_demo/make.py does (the same scenes: a desk, tilt, bent paper, uneven light, blur,
noise, JPEG) and the service serves the demo registry with a status signer added to the demo's key store. The page
is opened once online; its service worker caches the page in the three languages, the module (verifier kit and
decoder), the .wasm, the trust list and the status lists. Then `context.set_offline(True)`: every request from then
on, of the page or of its worker, is recorded, and each must have been answered by the service worker's cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from photos_demo.make import SCENES, photograph
from PIL import Image

from browser.browsertools import Server, free_port, running_server
from verify.cli import main
from verify.keystore import KeyStore
from web.ui.i18n import CATALOGUE

DEMO_BASE_URL = "http://127.0.0.1:8000"
GRADUATES = 30
PASSWORD_COSTS = {"VERIFY_PASSWORD_TIME_COST": "1", "VERIFY_PASSWORD_MEMORY_KIB": "1024",
                  "VERIFY_PASSWORD_PARALLELISM": "1"}


@dataclass(frozen=True)
class Shown:
    """One showcase photo: its name (the insert's), the JPEG, and the verdict and status the demo expects."""

    name: str
    photo: bytes
    verdict: str
    status: str
    holder_number: str


@dataclass(frozen=True)
class DemoSite:
    """The demo's registry and keys, served; the photos of its showcase documents."""

    server: Server
    shown: list[Shown]


def _run_demo(root: Path) -> dict[str, Any]:
    """`verify demo --no-serve` into `root` (keys/, data/, out/); its demo.json."""
    log = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"VERIFY_DATA_DIR": str(root / "data"), **PASSWORD_COSTS}.items():
            patch.setenv(name, value)
        patch.delenv("VERIFY_DATABASE_URL", raising=False)
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            code = main(["--keys-dir", str(root / "keys"), "--base-url", DEMO_BASE_URL, "demo", "--no-serve",
                         "--out", str(root / "out"), "--graduates", str(GRADUATES)])
    assert code == 0, log.getvalue()
    return dict(json.loads((root / "out" / "demo.json").read_text("utf-8")))


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    root = tmp_path_factory.mktemp("demo")
    summary = _run_demo(root)
    KeyStore(root / "keys").rotate(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), usage="status")
    shown = []
    for item in summary["showcase"]:
        insert = Path(item["insert"])
        assert item["verdict"] == item["expected"], item  # the demo's own check, against the registry
        photo, _ = photograph(Image.open(insert), SCENES[insert.stem])
        shown.append(Shown(insert.stem, photo, item["expected"], item["status"], f"{item['series']} {item['number']}"))
    assert len(shown) == 6
    environment = {
        **os.environ, "VERIFY_ENVIRONMENT": "development", "VERIFY_KEYS_DIR": str(root / "keys"),
        "VERIFY_BASE_URL": DEMO_BASE_URL, "VERIFY_DATABASE_URL": f"sqlite:///{root / 'data' / 'demo.db'}",
        "VERIFY_DATA_DIR": str(root / "served"), "VERIFY_RATE_TRUST_LIST": "100000/minute",
    }
    with running_server(environment, base=root, port=free_port()) as server:
        yield DemoSite(server, shown)


def expected_headline(shown: Shown, lang: str) -> str:
    """The headline the page must show: the verdict page's own words (web/public/verdict.py `HEADLINES`)."""
    if shown.status == "DUPLICATE_VALID":
        return str(CATALOGUE["valid_duplicate_h"][lang]).format(n=1)
    name = {"VALID": "valid_original_h", "REPLACED": "replaced_h", "CORRECTED": "corrected_h",
            "ANNULLED": "annulled_h"}[shown.verdict]
    return str(CATALOGUE[name][lang])


class Traffic:
    """Every request of a browser context (its pages and its service worker) after `start()`."""

    def __init__(self, context: Any) -> None:
        self.recording = False
        self.requests: list[Any] = []
        self.failed: list[str] = []
        context.on("request", lambda request: self.requests.append(request) if self.recording else None)
        context.on("requestfailed", lambda request: self.failed.append(request.url) if self.recording else None)

    def start(self) -> None:
        self.recording = True

    def left_the_device(self) -> list[str]:
        """The requests not answered by the service worker: each one would have gone to the network."""
        out = []
        for request in self.requests:
            if request.url.startswith(("data:", "blob:")):
                continue
            response = request.response()
            if request.service_worker is not None or response is None or not response.from_service_worker:
                out.append(f"{request.method} {request.url}")
        return out + [f"failed: {url}" for url in self.failed]


def test_every_showcase_photo_is_verified_on_the_device_offline_in_kk_ru_en(browser: Any, demo_site: DemoSite) -> None:
    context = browser.new_context(locale="kk-KZ", viewport={"width": 360, "height": 740})
    problems: list[str] = []
    traffic = Traffic(context)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(f"{demo_site.server.url}/scan?lang=kk")  # the first visit, online
        page.wait_for_selector("#scan-app[data-lists-ready='true']", state="attached", timeout=30_000)
        assert page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)") \
            == f"{demo_site.server.url}/scan"
        context.set_offline(True)
        traffic.start()
        for lang in ("kk", "ru", "en"):
            page.goto(f"{demo_site.server.url}/scan?lang={lang}")  # from the worker's cache
            page.wait_for_selector("#scan-app[data-lists-ready='true']", state="attached", timeout=30_000)
            assert page.locator("html").get_attribute("lang") == lang
            for shown in demo_site.shown:
                page.locator("#device-result").evaluate("(section) => section.replaceChildren()")
                page.locator("#photo").set_input_files(files=[{"name": f"{shown.name}.jpg", "mimeType": "image/jpeg",
                                                               "buffer": shown.photo}])
                page.locator("#upload-form button[type=submit]").click()
                result = page.locator("#device-result article")
                result.wait_for(timeout=30_000)
                where = f"{shown.name} ({lang})"
                assert result.get_attribute("data-verdict") == shown.verdict, where
                assert result.get_attribute("data-status") == shown.status, where
                assert result.locator("h2").inner_text() == expected_headline(shown, lang), where
                assert shown.holder_number in result.locator("dl.fields").inner_text(), where
                as_of = str(CATALOGUE["device_checked"][lang]).split("{time}")[0]
                assert result.locator("#device-as-of").inner_text().startswith(as_of), where
                assert result.locator("#device-online").get_attribute("href").startswith("/V/"), where
        assert page.url == f"{demo_site.server.url}/scan?lang=en"  # the photos never went to /scan/photo
        assert traffic.requests, "the offline pages made no request at all: nothing was checked"
        assert traffic.left_the_device() == []
        assert problems == []
    finally:
        context.close()
