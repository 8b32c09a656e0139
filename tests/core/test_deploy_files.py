"""The deployment files are the tested ones (issue 14 item 6).

tests/cluster runs deploy/haproxy.cfg and deploy/verify.env with real processes; this checks what can be checked
of the rest without a Docker daemon: the proxy configuration is valid for HAProxy itself, every setting in
verify.env is a setting the service knows, and the compose file and the Dockerfile name files that exist and the
image's lock file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_haproxy_accepts_the_proxy_configuration() -> None:
    if shutil.which("haproxy") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("haproxy is not installed (Debian package haproxy); required when CI=true")
        pytest.skip("haproxy is not installed (Debian package haproxy)")
    env = {**os.environ, "VERIFY_PROXY_BIND": "127.0.0.1:8080", "VERIFY_INSTANCE_A": "127.0.0.1:8001",
           "VERIFY_INSTANCE_B": "127.0.0.1:8002"}
    checked = subprocess.run(["haproxy", "-c", "-f", str(DEPLOY / "haproxy.cfg")], env=env, capture_output=True,
                             text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_setting_of_verify_env_is_a_setting_of_the_service() -> None:
    known = {f"VERIFY_{name.upper()}" for name in WebSettings.model_fields}
    names = [line.split("=", 1)[0] for line in (DEPLOY / "verify.env").read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert names and set(names) <= known, set(names) - known


def test_compose_file_uses_the_tested_files_and_a_read_only_non_root_app() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert {"primary", "replica", "redis", "app-a", "app-b", "proxy"} <= set(services)
    for name in ("app-a", "app-b"):
        app = services[name]
        assert app["env_file"] == ["verify.env"] and app["read_only"] is True and "/tmp" in app["tmpfs"]
        assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).is_file()
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in services["proxy"]["volumes"]
    assert (DEPLOY / "replica-entrypoint.sh").is_file()
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert "--require-hashes -r requirements-web.lock" in dockerfile and "USER 10001" in dockerfile
    assert "HEALTHCHECK" in dockerfile and (ROOT / "requirements-web.lock").is_file()
