"""The demo's registry served, and phone photos of its six showcase documents (TEST ONLY; the scan page's browser
test tests/browser/test_scan_offline.py and bench/bench_scanpage.py).

`build_demo_site(root)` runs `verify demo --no-serve` (30 graduates, keys and registry under `root`; the demo's key
store holds the status signer the service signs the status lists with), and photographs each showcase insert as
tests/photos_demo/make.py does (the same scenes: desk, tilt, bent paper, uneven light, blur, noise, JPEG 80). It
returns the photos with the verdicts the demo expects and the environment of a server on the demo registry
(`browser.browsertools.running_server`). `camera_view(photo)` is what a phone held over the code films.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from verify.cli import main
from verify.keystore import KeyStore

DEMO_BASE_URL = "http://127.0.0.1:8000"
GRADUATES = 30
PASSWORD_COSTS = {"VERIFY_PASSWORD_TIME_COST": "1", "VERIFY_PASSWORD_MEMORY_KIB": "1024",
                  "VERIFY_PASSWORD_PARALLELISM": "1"}


@dataclass(frozen=True)
class Shown:
    """One showcase photo: its name (the insert's), the JPEG, the verdict and status the demo expects, and the
    document's "series number"."""

    name: str
    photo: bytes
    verdict: str
    status: str
    series_number: str


@dataclass(frozen=True)
class DemoSite:
    """The photos of the showcase documents and the environment of a server on the demo registry."""

    shown: list[Shown]
    environment: dict[str, str]


def run_demo(root: Path) -> dict[str, object]:
    """`verify demo --no-serve` into `root` (keys/, data/, out/); its demo.json.

    Raises:
        AssertionError: the demo failed (with its output).
    """
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


def build_demo_site(root: Path) -> DemoSite:
    """The demo under `root` and a photo of each showcase insert."""
    from photos_demo.make import SCENES, photograph

    summary = run_demo(root)
    KeyStore(root / "keys").signer("status")  # the demo made the status signer of the lists (KeyStoreError if not)
    shown = []
    showcase = summary["showcase"]
    assert isinstance(showcase, list)
    for item in showcase:
        insert = Path(item["insert"])
        assert item["verdict"] == item["expected"], item  # the demo's own check, against the registry
        photo, _ = photograph(Image.open(insert), SCENES[insert.stem])
        shown.append(Shown(insert.stem, photo, item["expected"], item["status"], f"{item['series']} {item['number']}"))
    environment = {
        **os.environ, "VERIFY_ENVIRONMENT": "development", "VERIFY_KEYS_DIR": str(root / "keys"),
        "VERIFY_BASE_URL": DEMO_BASE_URL, "VERIFY_DATABASE_URL": f"sqlite:///{root / 'data' / 'demo.db'}",
        "VERIFY_DATA_DIR": str(root / "served"), "VERIFY_RATE_TRUST_LIST": "100000/minute",
        "VERIFY_RATE_SCAN": "100000/minute",
    }
    return DemoSite(shown=shown, environment=environment)


def camera_view(photo: bytes, *, code_share: float = 0.4) -> bytes:
    """The 16:9 part of the photo around its QR code, the code `code_share` of its height, as a 1280 x 720 JPEG."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    found = zxingcpp.read_barcodes(image)
    assert found, "the photo's code is not found"
    corners = found[0].position
    xs = [corners.top_left.x, corners.top_right.x, corners.bottom_right.x, corners.bottom_left.x]
    ys = [corners.top_left.y, corners.top_right.y, corners.bottom_right.y, corners.bottom_left.y]
    height = (max(ys) - min(ys)) / code_share
    width = height * 16 / 9
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    box = (round(cx - width / 2), round(cy - height / 2), round(cx + width / 2), round(cy + height / 2))
    out = io.BytesIO()
    image.crop(box).resize((1280, 720), Image.Resampling.BILINEAR).save(out, "JPEG", quality=85)
    return out.getvalue()
