"""Settings: every `VERIFY_*` environment variable, typed (pydantic-settings).

Only the edges build a `Settings` — `verify.cli.main()` and the web app factory — and hand
plain values to the core (STYLE.md §14). Nothing is read at import time.

| variable               | meaning                                              | default                         |
|------------------------|------------------------------------------------------|---------------------------------|
| VERIFY_KEYS_DIR        | key store directory                                  | keys                            |
| VERIFY_KEY_PASSPHRASE  | passphrase of the private keys (secret)              | none (development: built-in)    |
| VERIFY_BASE_URL        | verification host written into QR links              | http://127.0.0.1:8000           |
| VERIFY_DATABASE_URL    | registry database (SQLAlchemy URL; secret: it may    | sqlite:///data/verify.db        |
|                        | hold the password)                                   |                                 |
| VERIFY_TRUST_LIST      | trust list used to verify                            | <keys dir>/trust-list.json      |
| VERIFY_ROOT_CERT       | root certificate (the trust anchor)                  | <keys dir>/root.crt             |
| VERIFY_DATA_DIR        | data directory (SQLite file, outputs)                | data                            |
| VERIFY_LOG_ORIGIN      | transparency log origin line and its key name        | <base URL host>/log             |
| VERIFY_TOKEN_PIN_FILE  | file holding the PKCS#11 token's user PIN (secret)   | none                            |
| VERIFY_TOKEN_PIN       | the token's user PIN itself (secret)                 | none: a token key needs a PIN   |
| VERIFY_SECRETS_DIR     | directory of secret files, one per setting           | $CREDENTIALS_DIRECTORY if set   |

**Secrets from files.** Every secret setting (the ones typed `SecretStr`, and the URLs that may carry a password,
marked `secret` — `secret_fields` lists them) can be given three ways, tried in this order:

1. the variable itself, `VERIFY_<NAME>`;
2. `VERIFY_<NAME>_FILE=/path`: the file's text, without its final line break (the Docker and systemd
   convention); both given with different values are refused (`verify serve` hands its workers the value it
   read), as is a file that cannot be read or is empty; a secret with a `<name>_file` setting of its own
   (VERIFY_TOKEN_PIN_FILE: `token_pin_bytes` reads it, an unreadable file is an `HsmError` when the PIN is needed)
   is left to that setting;
3. a file named `verify_<name>` (any case) in the secrets directory: `VERIFY_SECRETS_DIR`, else systemd's
   `$CREDENTIALS_DIRECTORY` (the unit's `LoadCredential=verify_key_passphrase:/etc/verify/passphrase`, see
   docs/DEPLOY.md). This is pydantic-settings' `secrets_dir` source.

Sources: pydantic-settings "Secrets" (the `secrets_dir` source); systemd.exec(5) "Credentials"
($CREDENTIALS_DIRECTORY).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

from .errors import SettingsError
from .pkcs11 import read_pin_file

ENV_PREFIX: Final = "VERIFY_"
SECRETS_DIR_VARIABLE: Final = "VERIFY_SECRETS_DIR"
CREDENTIALS_VARIABLE: Final = "CREDENTIALS_DIRECTORY"
"""Set by systemd for a unit with `LoadCredential=` (systemd.exec(5), "Credentials")."""
SECRET: Final[JsonDict] = {"secret": True}
"""`json_schema_extra` of a plain `str` setting that is a secret all the same (a URL with a password)."""


def _is_secret(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and extra.get("secret") is True:
        return True
    annotation = field.annotation
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def secret_fields(settings_cls: type[BaseSettings]) -> tuple[str, ...]:
    """The names of the secret settings of a settings class (each may come from a `_FILE` or the secrets dir)."""
    return tuple(name for name, field in settings_cls.model_fields.items() if _is_secret(field))


def read_secret_file(path: Path, *, variable: str) -> str:
    """A secret file's text without its final line break.

    Raises:
        SettingsError: the file cannot be read, is not UTF-8, or is empty.
    """
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise SettingsError(f"{variable}: cannot read {path} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{variable}: {path} is not UTF-8 text") from None
    value = text.removesuffix("\n").removesuffix("\r")
    if not value:
        raise SettingsError(f"{variable}: {path} is empty")
    return value


class SecretFileVariables(PydanticBaseSettingsSource):
    """The `VERIFY_<NAME>_FILE` variables of the secret settings (see the module docstring).

    Raises (when called):
        SettingsError: `VERIFY_<NAME>` and `VERIFY_<NAME>_FILE` give different values, or the file cannot be used.
    """

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.environ = {key.upper(): value for key, value in environ.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` reads every field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """{field name: the file's text} for every secret whose `_FILE` variable is set."""
        values: dict[str, Any] = {}
        for name in secret_fields(self.settings_cls):
            if f"{name}_file" in self.settings_cls.model_fields:  # its own file setting reads it
                continue
            variable = f"{ENV_PREFIX}{name.upper()}"
            path = self.environ.get(f"{variable}_FILE")
            if not path:
                continue
            value = read_secret_file(Path(path), variable=f"{variable}_FILE")
            if self.environ.get(variable) not in (None, "", value):
                raise SettingsError(f"{variable} and {variable}_FILE differ: give one of them")
            values[name] = value
        return values


def secrets_dir(environ: Mapping[str, str]) -> Path | None:
    """VERIFY_SECRETS_DIR, else $CREDENTIALS_DIRECTORY when it names a directory, else None.

    Raises:
        SettingsError: VERIFY_SECRETS_DIR names no directory.
    """
    given = environ.get(SECRETS_DIR_VARIABLE)
    if given:
        if not Path(given).is_dir():
            raise SettingsError(f"{SECRETS_DIR_VARIABLE}: {given} is not a directory")
        return Path(given)
    credentials = environ.get(CREDENTIALS_VARIABLE)
    if credentials and Path(credentials).is_dir():
        return Path(credentials)
    return None


class Settings(BaseSettings):
    """Typed `VERIFY_*` settings. Build one only in `cli.main()` or the web app factory (`load_settings`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    keys_dir: Path = Path("keys")
    key_passphrase: SecretStr | None = None
    base_url: str = "http://127.0.0.1:8000"
    database_url: str | None = Field(default=None, json_schema_extra=SECRET)
    trust_list: Path | None = None
    root_cert: Path | None = None
    data_dir: Path = Path("data")
    log_origin: str | None = None
    token_pin_file: Path | None = None
    token_pin: SecretStr | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then `VERIFY_*`, then `VERIFY_<NAME>_FILE`, then the secrets directory (module docstring)."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings,
                                                     SecretFileVariables(settings_cls, os.environ)]
        directory = secrets_dir(os.environ)
        if directory is not None:
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=directory))
        return tuple(sources)

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


S = typing.TypeVar("S", bound=Settings)


def load_settings(settings_cls: type[S], **values: Any) -> S:
    """Build settings from the environment (and `values`), every failure as one `SettingsError`.

    Raises:
        SettingsError: a variable fails its check (its name and the reason, never its value), a `_FILE` cannot be
            used, a secret is given twice, VERIFY_SECRETS_DIR is no directory.
    """
    try:
        return settings_cls(**values)
    except ValidationError as exc:
        reasons = "; ".join(f"{ENV_PREFIX}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                            for e in exc.errors(include_input=False))
        raise SettingsError(reasons) from None
