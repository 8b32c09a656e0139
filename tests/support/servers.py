"""Starting and stopping a real server process in tests (shared by tests/web and tests/browser)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, *, timeout_s: float = 120.0) -> None:
    """Poll `url`/healthz until it answers 200.

    The bound is generous: on a shared 2-core machine two uvicorn workers took over 30 s to start, and a bound
    that a loaded machine can reach is a timed assertion, not a test of the service.

    Raises:
        AssertionError: the process exited or `timeout_s` seconds passed (the message holds its log).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the process; kill it if it has not exited within 15 s."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
