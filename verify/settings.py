"""Settings: every `VERIFY_*` environment variable, typed (pydantic-settings).

Only the edges build a `Settings` — `verify.cli.main()` and the web app factory — and hand
plain values to the core (STYLE.md §14). Nothing is read at import time.

| variable               | meaning                                              | default                         |
|------------------------|------------------------------------------------------|---------------------------------|
| VERIFY_KEYS_DIR        | key store directory                                  | keys                            |
| VERIFY_KEY_PASSPHRASE  | passphrase of the private keys (secret; env only)    | none (development: built-in)    |
| VERIFY_BASE_URL        | verification host written into QR links              | http://127.0.0.1:8000           |
| VERIFY_DATABASE_URL    | registry database (SQLAlchemy URL)                   | sqlite:///data/verify.db        |
| VERIFY_TRUST_LIST      | trust list used to verify                            | <keys dir>/trust-list.json      |
| VERIFY_ROOT_CERT       | root certificate (the trust anchor)                  | <keys dir>/root.crt             |
| VERIFY_DATA_DIR        | data directory (SQLite file, outputs)                | data                            |
| VERIFY_LOG_ORIGIN      | transparency log origin line and its key name        | <base URL host>/log             |
| VERIFY_TOKEN_PIN_FILE  | file holding the PKCS#11 token's user PIN (secret)   | none                            |
| VERIFY_TOKEN_PIN       | the token's user PIN itself (secret; env only)       | none: a token key needs a PIN   |
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .pkcs11 import read_pin_file


class Settings(BaseSettings):
    """Typed `VERIFY_*` settings. Build one only in `cli.main()` or the web app factory."""

    model_config = SettingsConfigDict(env_prefix="VERIFY_", extra="ignore")

    keys_dir: Path = Path("keys")
    key_passphrase: SecretStr | None = None
    base_url: str = "http://127.0.0.1:8000"
    database_url: str | None = None
    trust_list: Path | None = None
    root_cert: Path | None = None
    data_dir: Path = Path("data")
    log_origin: str | None = None
    token_pin_file: Path | None = None
    token_pin: SecretStr | None = None

    def passphrase_bytes(self) -> bytes | None:
        """The key passphrase as bytes, or None when unset or empty."""
        if self.key_passphrase is None or not self.key_passphrase.get_secret_value():
            return None
        return self.key_passphrase.get_secret_value().encode("utf-8")

    def resolved_log_origin(self, base_url: str | None = None) -> str:
        """VERIFY_LOG_ORIGIN, or the host (and port) of `base_url` (default VERIFY_BASE_URL) followed by "/log":
        the transparency log's origin line and its key name (c2sp.org/tlog-checkpoint; docs/TRANSPARENCY.md §5)."""
        if self.log_origin:
            return self.log_origin
        host = urlsplit(base_url or self.base_url).netloc.lower() or "localhost"
        return f"{host}/log"
    def token_pin_bytes(self) -> bytes | None:
        """The user PIN of the PKCS#11 token holding document signer keys: VERIFY_TOKEN_PIN_FILE's content
        (one trailing newline dropped, `verify.pkcs11.read_pin_file`) first, else VERIFY_TOKEN_PIN; None when
        neither is set (a PIN never has a default).

        Raises:
            HsmError: the PIN file cannot be read or is empty.
        """
        if self.token_pin_file is not None:
            return read_pin_file(self.token_pin_file)
        if self.token_pin is None or not self.token_pin.get_secret_value():
            return None
        return self.token_pin.get_secret_value().encode("utf-8")

    def resolved_database_url(self) -> str:
        """VERIFY_DATABASE_URL, or a SQLite file under the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'verify.db'}"
