"""The scan page offline (issue 12 item 6): headless Chromium visits once, the network goes off, and a phone photo of
each showcase document of the demo is decoded and verified on the device in Kazakh, Russian and English.

The demo (`verify demo --no-serve`, 30 graduates) builds its registry and draws the six showcase inserts; each insert
is photographed as tests/photos_demo/make.py does (`support.demosite`: the same scenes: a desk, tilt, bent paper,
uneven light, blur, noise, JPEG) and the service serves the demo registry (the demo's key store signs its status
lists). The page is opened once online; its service worker caches the page in the three languages, the module
(verifier kit and decoder), the .wasm, the trust list and the status lists. Then `context.set_offline(True)`: every
request from then on, of the page or of its worker, is recorded, and each must have been answered by the service
worker's cache. The photo path is taken for every photo in every language; the camera path for the replaced
original, filmed by a fake camera as a phone held over the code sees it (`support.demosite.camera_view`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from support.demosite import Shown, build_demo_site, camera_view

from browser.browsertools import Server, free_port, running_server, write_y4m
from web.ui.i18n import CATALOGUE


@dataclass(frozen=True)
class DemoSite:
    """The demo registry served, and the photos of its showcase documents."""

    server: Server
    shown: list[Shown]


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    root = tmp_path_factory.mktemp("demo")
    site = build_demo_site(root)
    assert len(site.shown) == 6
    with running_server(site.environment, base=root, port=free_port()) as server:
        yield DemoSite(server, site.shown)


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


def test_every_showcase_photo_is_verified_on_the_device_offline_in_kk_ru_en(browser: Any, demo_site: DemoSite,
                                                                           screenshots: Path, sync_api: Any) -> None:
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
        cdp = context.new_cdp_session(page)  # Chromium's own check that it would offer to install the page
        errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
        assert [e for e in errors if e != "in-incognito"] == []  # a Playwright context is incognito; the page is not
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/scan/manifest.webmanifest?lang=kk") and not manifest["errors"]
        cdp.detach()
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
                assert shown.series_number in result.locator("dl.fields").inner_text(), where
                as_of = str(CATALOGUE["device_checked"][lang]).split("{time}")[0]
                assert result.locator("#device-as-of").inner_text().startswith(as_of), where
                assert result.locator("#device-online").get_attribute("href").startswith("/V/"), where
                if lang == "kk" and shown.status == "DUPLICATE_VALID":
                    page.screenshot(path=str(screenshots / "scan-device-kk-360.png"), full_page=False)
        assert page.url == f"{demo_site.server.url}/scan?lang=en"  # the photos never went to /scan/photo
        blank = io.BytesIO()
        Image.new("RGB", (800, 600), (240, 238, 230)).save(blank, "JPEG")
        page.locator("#photo").set_input_files(files=[{"name": "blank.jpg", "mimeType": "image/jpeg",
                                                       "buffer": blank.getvalue()}])
        page.locator("#upload-form button[type=submit]").click()  # no code: offline, it stays on the device
        sync_api.expect(page.locator("#upload-status")).to_have_text(str(CATALOGUE["device_no_code_offline"]["en"]))
        assert page.url == f"{demo_site.server.url}/scan?lang=en"
        assert traffic.requests, "the offline pages made no request at all: nothing was checked"
        assert traffic.left_the_device() == []
        assert problems == []
    finally:
        context.close()


def test_the_camera_path_offline_decodes_frames_of_a_showcase_document(browser: Any, chromium_path: Path,
                                                                      demo_site: DemoSite, tmp_path: Path) -> None:
    """A fake camera films the replaced original as a phone held over it sees it; the network is off."""
    from browser.conftest import CHROMIUM_ARGS

    shown = next(one for one in demo_site.shown if one.verdict == "REPLACED")
    film = tmp_path / "camera.y4m"
    write_y4m(film, camera_view(shown.photo), width=1280, height=720)
    filming = browser.browser_type.launch(executable_path=str(chromium_path), args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={film}"])
    try:
        context = filming.new_context(locale="ru-RU")
        traffic = Traffic(context)
        page = context.new_page()
        page.goto(f"{demo_site.server.url}/scan?lang=ru")
        page.wait_for_selector("#scan-app[data-lists-ready='true']", state="attached", timeout=30_000)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        traffic.start()
        page.goto(f"{demo_site.server.url}/scan?lang=ru")
        page.wait_for_selector("#scan-app[data-lists-ready='true']", state="attached", timeout=30_000)
        page.get_by_role("button", name=str(CATALOGUE["camera_start"]["ru"])).click()
        result = page.locator("#device-result article")
        result.wait_for(timeout=30_000)
        assert result.get_attribute("data-verdict") == "REPLACED"
        assert result.locator("h2").inner_text() == expected_headline(shown, "ru")
        assert traffic.left_the_device() == []
    finally:
        filming.close()
