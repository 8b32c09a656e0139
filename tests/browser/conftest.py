"""Fixtures of the browser tests: the real app under uvicorn, a registry with every verdict, Debian's Chromium.

* `cases`: a SQLite registry made through the registry services (`support.pagestates.build_cases`) with a TEST ONLY key
  store, once per session;
* `server`: `uvicorn --factory web.app:create_app` on a free port of 127.0.0.1, on that registry;
* `browser`: Chromium (`/usr/bin/chromium`, Debian's package) driven by Playwright, headless, with a fake camera
  that films `camera.y4m` (a QR code on a sheet), so the scan page's camera path runs end to end.

Playwright's own browser download (`playwright install`) is never used. Without /usr/bin/chromium or the
`playwright` package the tests are skipped with the reason, except when CI=true: then they fail.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.pagestates import Cases, build_cases
from support.world import BASE_URL, T0, build_world

from browser.browsertools import Server, diploma_photo, free_port, qr_png, running_server, write_y4m
from verify.keystore import KeyStore
from verify.registry.db import upgrade_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true: install the Debian package chromium and `pip install "
                    "playwright`)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sync_api() -> Any:
    """The `playwright.sync_api` module (skip or, in CI, fail without it)."""
    try:
        import playwright.sync_api as api
    except ImportError:
        _unavailable("the Python package playwright is not installed")
    return api


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium (skip or, in CI, fail without it)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent: install the Debian package chromium to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cases, str, Path]:
    """(the cases, the registry URL, the key store directory) of the session."""
    base = tmp_path_factory.mktemp("browser")
    store = KeyStore(base / "keys")
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    store.rotate(at=T0 - dt.timedelta(days=1), usage="status")  # the scan page verifies on the device with lists
    url = f"sqlite:///{base / 'verify.db'}"
    upgrade_database(url)
    world = build_world(url, signer=store.signer(), trust_list=store.trust_list())
    try:
        built = build_cases(world)
    finally:
        world.dispose()
    return built, url, store.path


@pytest.fixture(scope="session")
def server(cases: tuple[Cases, str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real app under uvicorn on a free port of 127.0.0.1, started and healthy; stopped afterwards."""
    _, url, keys_dir = cases
    base = tmp_path_factory.mktemp("server")
    port = free_port()
    environment = {
        **os.environ, "VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(keys_dir),
        "VERIFY_BASE_URL": BASE_URL, "VERIFY_DATABASE_URL": url, "VERIFY_DATA_DIR": str(base / "data"),
        "VERIFY_RATE_VERIFY": "100000/minute", "VERIFY_RATE_SCAN": "100000/minute",
        "VERIFY_RATE_LOOKUP": "100000/minute", "VERIFY_SCAN_WORKERS": "1",
    }
    with running_server(environment, base=base, port=port) as started:
        yield started


@pytest.fixture(scope="session")
def camera_video(cases: tuple[Cases, str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake camera's film: the annulled document's diploma, held up to the camera."""
    built, url, _ = cases
    annulled = built["annulled"]
    path = tmp_path_factory.mktemp("camera") / "camera.y4m"
    write_y4m(path, diploma_photo(qr_png(url, annulled.series, annulled.number), angle=1.0, width=1240))
    return path


@pytest.fixture(scope="session")
def browser(sync_api: Any, chromium_path: Path, camera_video: Path) -> Iterator[Any]:
    """Headless Chromium with a fake camera filming `camera_video`."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path), args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_video}"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests leave a picture of each verdict.

    docs/screenshots/ when VERIFY_UPDATE_SCREENSHOTS=1 (the README shows those), else a temporary
    folder: the time of the check is on every page, so each run would otherwise rewrite the docs.
    """
    if os.environ.get("VERIFY_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")
