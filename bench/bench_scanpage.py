"""Benchmark: the scan page on the device (headless Chromium) beside the server's round trip, on the same photos.

1. `support.demosite.build_demo_site`: the demo (30 graduates, its status signer) and a phone photo (1600 x 1200 px,
   JPEG) of each of its six showcase documents; the service runs on the demo registry under uvicorn (one worker).
2. In the browser (Debian's Chromium, headless, driven by Playwright), for each photo:
   - the camera path: Chromium's fake camera (`--use-file-for-fake-video-capture`) films what a phone held over the
     code sees: a 16:9 part of the photo around the code (found by zxing-cpp), the code about 40 % of the frame's
     height, as a 1280 x 720 Y4M; the page draws each frame on a canvas and decodes it with zxing-wasm; the camera
     is started `--rounds` times, each time until the code is read and verified;
   - the photo path: the JPEG is chosen in the upload form and decoded by zxing-wasm from the file.
   The page times itself with the User Timing API (`performance.measure`: `verify-scan:decode-frame`,
   `:decode-photo`, `:verify`; clients/scanpage/src/scan-app.js); the bench reads the measures.
3. The server: `POST /api/v1/scan` of the same JPEG, `--rounds` times per photo, wall time of the whole round trip
   on 127.0.0.1 (upload, the decoder process, verification with the registry, the JSON answer).

It prints a Markdown table of medians (ms) with the CPU model and the load average before and after.

    .venv/bin/python bench/bench_scanpage.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from browser.browsertools import free_port, running_server, write_y4m  # noqa: E402
from machine import cpu_model  # noqa: E402
from support.demosite import Shown, build_demo_site, camera_view  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MEASURES = "performance.getEntriesByType('measure').filter((m) => m.name.startsWith('verify-scan:'))" \
           ".map((m) => [m.name.slice(12), m.duration])"




def _measures(page: Any) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name, duration in page.evaluate(MEASURES):
        out.setdefault(name, []).append(float(duration))
    page.evaluate("performance.clearMeasures()")
    return out


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/scan?lang=en")
    page.wait_for_selector("#scan-app[data-lists-ready='true']", state="attached", timeout=30_000)
    page.evaluate("performance.clearMeasures()")
    return page


def browser_times(playwright: Any, url: str, shown: Shown, rounds: int, work: Path) -> dict[str, list[float]]:
    """The page's measures for one photo: `rounds` camera scans and `rounds` photo checks."""
    film = work / f"{shown.name}.y4m"
    write_y4m(film, camera_view(shown.photo), width=1280, height=720, frames=2)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={film}"])
    times: dict[str, list[float]] = {}
    try:
        context = browser.new_context(locale="en-US")
        page = _open(context, url)
        page.locator("#photo").set_input_files(files=[{"name": "photo.jpg", "mimeType": "image/jpeg",
                                                       "buffer": shown.photo}])
        page.locator("#upload-form button[type=submit]").click()  # warm up: the .wasm compiled, the lists parsed
        page.locator("#device-result article").wait_for(timeout=60_000)
        page.evaluate("performance.clearMeasures()")
        for _ in range(rounds):
            page.locator("#device-result").evaluate("(section) => section.replaceChildren()")
            page.locator("#camera-start").click()
            page.locator("#device-result article").wait_for(timeout=60_000)
            camera = _measures(page)
            times.setdefault("frame", []).extend(camera.get("decode-frame", []))
            times.setdefault("frames per scan", []).append(len(camera.get("decode-frame", [])))
            times.setdefault("verify", []).extend(camera.get("verify", []))
            page.locator("#device-result").evaluate("(section) => section.replaceChildren()")
            page.locator("#upload-form button[type=submit]").click()
            page.locator("#device-result article").wait_for(timeout=60_000)
            photo = _measures(page)
            times.setdefault("photo", []).extend(photo.get("decode-photo", []))
            times.setdefault("verify", []).extend(photo.get("verify", []))
        context.close()
    finally:
        browser.close()
    return times


def server_times(url: str, shown: Shown, rounds: int) -> list[float]:
    """Wall ms of `POST /api/v1/scan` of the photo, `rounds` times (after one warm-up)."""
    out = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for i in range(rounds + 1):
            start = time.perf_counter()
            response = client.post("/api/v1/scan", files={"photo": ("photo.jpg", shown.photo, "image/jpeg")})
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200 and response.json()["results"], response.text[:300]
            if i:
                out.append(elapsed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="scans per photo and path (default 5)")
    args = parser.parse_args(argv)
    import playwright.sync_api as api

    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = build_demo_site(work / "demo")
        with running_server(site.environment, base=work, port=free_port()) as server, \
                api.sync_playwright() as playwright:
            for shown in site.shown:
                page = browser_times(playwright, server.url, shown, args.rounds, work)
                rows.append((shown, page, server_times(server.url, shown, args.rounds)))
    load_after = os.getloadavg()

    def med(values: list[float]) -> str:
        return f"{statistics.median(values):.0f}" if values else "-"

    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; load average (1 min) {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after; Chromium headless; rounds {args.rounds}\n")
    print("| photo | frame decode (camera) | frames per scan | photo decode (file) | verify on the device | "
          "device: frame + verify | server: POST /api/v1/scan |")
    print("|---|---|---|---|---|---|---|")
    all_frame: list[float] = []
    all_verify: list[float] = []
    all_photo: list[float] = []
    all_server: list[float] = []
    for shown, page, server in rows:
        all_frame += page.get("frame", [])
        all_verify += page.get("verify", [])
        all_photo += page.get("photo", [])
        all_server += server
        frame_verify = (statistics.median(page["frame"]) + statistics.median(page["verify"])
                        if page.get("frame") and page.get("verify") else None)
        print(f"| {shown.name} | {med(page.get('frame', []))} | {med(page.get('frames per scan', []))} | "
              f"{med(page.get('photo', []))} | {med(page.get('verify', []))} | "
              f"{'-' if frame_verify is None else f'{frame_verify:.0f}'} | {med(server)} |")
    total = (statistics.median(all_frame) + statistics.median(all_verify)) if all_frame and all_verify else None
    print(f"| **all** | **{med(all_frame)}** | | **{med(all_photo)}** | **{med(all_verify)}** | "
          f"**{'-' if total is None else f'{total:.0f}'}** | **{med(all_server)}** |")
    print("\nmedians in ms; a frame is at most 1280 px wide (the page's canvas); the server's time is the whole round"
          " trip on 127.0.0.1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
