"""The core verifier runs without the web stack and the database drivers (issue 14 item 7).

A third party installs `verify` without extras to verify offline. This runs the command line in a fresh
interpreter in which every module of the `web` and `registry` extras fails to import (as if not installed):
keys are made, a record is signed and rendered, and its QR text is checked offline against the trust list.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ABSENT = ("fastapi", "starlette", "uvicorn", "jinja2", "limits", "redis", "prometheus_client", "sqlmodel",
          "sqlalchemy", "alembic", "psycopg", "psycopg_pool", "multipart", "python_multipart", "orjson", "babel",
          "argon2", "openpyxl", "tqdm", "web")

RUNNER = f"""
import importlib.abc, sys
ABSENT = {ABSENT!r}
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
from verify.cli import main
code = main(sys.argv[1:])
assert not [m for m in sys.modules if m.split(".")[0] in ABSENT], "a web or registry module was imported"
sys.exit(code)
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})


def test_keys_issue_and_offline_check_without_the_web_and_registry_extras(tmp_path: Path) -> None:
    assert run("keys", "init", cwd=tmp_path).returncode == 0
    issued = run("issue", str(ROOT / "examples" / "record.json"), "--out", "out", cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    text = next((tmp_path / "out").glob("*.txt")).read_text(encoding="ascii").strip()
    checked = run("check", "--offline", "--json", text, cwd=tmp_path)
    assert checked.returncode != 2, checked.stderr  # 2 would be an error, e.g. a module that is not installed
    report = json.loads(checked.stdout)
    assert report["authentic"] is True and report["record"]["series"] == "BD"
    help_text = run("--help", cwd=tmp_path)
    assert help_text.returncode == 0 and "Not installed: " in help_text.stdout and "verify[web]" in help_text.stdout
