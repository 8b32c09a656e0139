"""docs/CLI.md is exactly what `verify --help` (and every subcommand's) prints today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "cli_reference.py"), "--check"],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr


def test_every_command_is_documented() -> None:
    text = (ROOT / "docs" / "CLI.md").read_text("utf-8")
    for command in ("keys init", "keys rotate", "keys revoke", "trust-list export", "issue", "scan", "check",
                    "status-list export", "sync", "db", "import", "duplicate", "correct", "annul", "blanks", "audit",
                    "serve"):
        assert f"## `verify {command}`" in text
