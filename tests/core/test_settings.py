"""Settings (verify/settings.py): every secret from a file, the CLI's one error line, `verify --version`.

Issue 10 item 19 and issue 14 item 3: the key passphrase, the database URL (it holds the password), the Redis URL,
the log hash key — each can come from `VERIFY_<NAME>_FILE` or from a file in the secrets directory
(VERIFY_SECRETS_DIR, else systemd's $CREDENTIALS_DIRECTORY), as docs/DEPLOY.md's systemd credentials suggest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.errors import Error, SettingsError
from verify.settings import Settings, load_settings, secret_fields
from web.settings import WebSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VERIFY_") or name == "CREDENTIALS_DIRECTORY":
            monkeypatch.delenv(name)


def secret(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_every_secret_setting_is_listed() -> None:
    assert set(secret_fields(WebSettings)) >= {"key_passphrase", "token_pin", "database_url", "redis_url",
                                               "log_hash_key", "database_replica_url", "metrics_token"}
    assert "base_url" not in secret_fields(WebSettings) and "port" not in secret_fields(WebSettings)


def test_a_secret_comes_from_its_file_variable_without_the_final_line_break(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFY_KEY_PASSPHRASE_FILE", str(secret(tmp_path, "pass", "  a passphrase with spaces \n")))
    monkeypatch.setenv("VERIFY_DATABASE_URL_FILE", str(secret(tmp_path, "db", "postgresql+psycopg://v:pw@db/v\n")))
    monkeypatch.setenv("VERIFY_REDIS_URL_FILE", str(secret(tmp_path, "redis", "redis://:pw@r:6379/1")))
    monkeypatch.setenv("VERIFY_LOG_HASH_KEY_FILE", str(secret(tmp_path, "log", "log key\r\n")))
    monkeypatch.setenv("VERIFY_TOKEN_PIN_FILE", str(secret(tmp_path, "pin", "123456\n")))
    settings = load_settings(WebSettings)
    assert settings.token_pin_bytes() == b"123456"
    assert settings.passphrase_bytes() == b"  a passphrase with spaces "
    assert settings.database_url == "postgresql+psycopg://v:pw@db/v"
    assert settings.redis_url == "redis://:pw@r:6379/1" and settings.log_key_bytes() == b"log key"


def test_a_secret_comes_from_the_secrets_directory_or_systemd_credentials(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    secret(credentials, "verify_key_passphrase", "from systemd\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    assert load_settings(Settings).passphrase_bytes() == b"from systemd"
    own = tmp_path / "secrets"
    own.mkdir()
    secret(own, "VERIFY_KEY_PASSPHRASE", "from the secrets dir")
    monkeypatch.setenv("VERIFY_SECRETS_DIR", str(own))
    assert load_settings(Settings).passphrase_bytes() == b"from the secrets dir"
    monkeypatch.setenv("VERIFY_KEY_PASSPHRASE_FILE", str(secret(tmp_path, "p", "from the file variable")))
    assert load_settings(Settings).passphrase_bytes() == b"from the file variable"  # _FILE before the directory
    monkeypatch.delenv("VERIFY_KEY_PASSPHRASE_FILE")
    monkeypatch.setenv("VERIFY_KEY_PASSPHRASE", "from the variable")
    assert load_settings(Settings).passphrase_bytes() == b"from the variable"  # the variable first


@pytest.mark.parametrize(("setup", "message"), [
    ({"VERIFY_KEY_PASSPHRASE_FILE": "missing"}, "VERIFY_KEY_PASSPHRASE_FILE: cannot read"),
    ({"VERIFY_KEY_PASSPHRASE_FILE": "empty"}, "VERIFY_KEY_PASSPHRASE_FILE: .* is empty"),
    ({"VERIFY_KEY_PASSPHRASE_FILE": "pass", "VERIFY_KEY_PASSPHRASE": "another"},
     "VERIFY_KEY_PASSPHRASE and VERIFY_KEY_PASSPHRASE_FILE differ"),
    ({"VERIFY_SECRETS_DIR": "missing"}, "VERIFY_SECRETS_DIR: .* is not a directory"),
    ({"VERIFY_PORT": "eighty"}, "VERIFY_PORT: "),
])
def test_a_secret_that_cannot_be_used_is_one_clear_settings_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: dict[str, str], message: str) -> None:
    secret(tmp_path, "pass", "the passphrase\n")
    secret(tmp_path, "empty", "\n")
    for name, value in setup.items():
        monkeypatch.setenv(name, value if name in ("VERIFY_KEY_PASSPHRASE", "VERIFY_PORT") else str(tmp_path / value))
    with pytest.raises(SettingsError, match=message) as raised:
        load_settings(WebSettings)
    assert "the passphrase" not in str(raised.value) and "eighty" not in str(raised.value)  # never the value


def test_the_commands_key_store_gets_the_passphrase_and_the_token_pin_from_their_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.cli.common import key_store

    monkeypatch.setenv("VERIFY_KEY_PASSPHRASE_FILE", str(secret(tmp_path, "pass", "passphrase\n")))
    monkeypatch.setenv("VERIFY_TOKEN_PIN_FILE", str(secret(tmp_path, "pin", "87654321\n")))
    store = key_store(argparse.Namespace(keys_dir=tmp_path / "keys"), load_settings(Settings))
    assert (store.passphrase, store.pin) == (b"passphrase", b"87654321")


def test_the_same_value_in_the_variable_and_its_file_is_accepted(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`verify serve` exports the database URL it read for its workers, whose VERIFY_DATABASE_URL_FILE stays set."""
    monkeypatch.setenv("VERIFY_DATABASE_URL_FILE", str(secret(tmp_path, "db", "sqlite:///x.db\n")))
    monkeypatch.setenv("VERIFY_DATABASE_URL", "sqlite:///x.db")
    assert load_settings(Settings).database_url == "sqlite:///x.db"


# ----------------------------------------------------------------------------- the command line
def run(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "verify.cli", *args], cwd=tmp, env=full_env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_cli_says_error_once_and_names_a_bad_setting(tmp_path: Path) -> None:
    bad = run(tmp_path, "keys", "init", env={"VERIFY_KEY_PASSPHRASE_FILE": str(tmp_path / "nope")})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("error: SETTINGS: VERIFY_KEY_PASSPHRASE_FILE: cannot read"), bad.stderr
    plain = run(tmp_path, "check", "HTTPS://V.EDU.KZ/V/1")  # no key store: a generic error of the command
    assert plain.returncode == 2 and plain.stderr.startswith("error: ") and "ERROR:" not in plain.stderr


def test_the_generic_code_is_not_repeated_in_diagnostics() -> None:
    assert Error("no registry database at x").diagnostics() == "no registry database at x"
    assert SettingsError("VERIFY_PORT: bad").diagnostics() == "SETTINGS: VERIFY_PORT: bad"
    assert Error("bad digits", step=2).diagnostics() == "ERROR (step 2): bad digits"


def test_version(tmp_path: Path) -> None:
    version = run(tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip().startswith("verify ")
    assert version.stdout.split()[1][0].isdigit()
