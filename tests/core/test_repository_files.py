"""What a new user meets in the repository: `make demo` leaves nothing untracked, the README says how tests point
at another database (issue 10 item 20)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from verify import KeyStore

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs a git checkout")
def test_a_key_store_in_keys_leaves_nothing_untracked(tmp_path: Path) -> None:
    """`make demo` creates the development key store in keys/: every file it writes there is ignored."""
    store = KeyStore(tmp_path / "keys")
    store.init(at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    written = sorted(p.relative_to(tmp_path).as_posix() for p in store.path.rglob("*") if p.is_file())
    assert "keys/trust-list.schema.json" in written and "keys/trust-list.json" in written
    checked = subprocess.run(["git", "check-ignore", "--no-index", *written], cwd=REPO, capture_output=True,
                             text=True, check=False)
    ignored = set(checked.stdout.splitlines())
    assert ignored == set(written), checked.stdout


def test_the_readme_says_how_tests_use_another_database_and_redis_db() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "VERIFY_TEST_POSTGRES_URL=" in readme and "VERIFY_TEST_REDIS_URL=" in readme
