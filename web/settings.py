"""Settings of the HTTP service: the core `VERIFY_*` settings plus the web's own (pydantic-settings).

Built only in `web.app.create_app()` and `web.cli` (STYLE.md §14); the rest of `web/` is handed plain values.
The core variables are documented in `verify/settings.py`; these are added:

| variable                  | meaning                                                        | default               |
|---------------------------|----------------------------------------------------------------|-----------------------|
| VERIFY_ENVIRONMENT        | development: create a missing key store and database at start; | development           |
|                           | production: refuse to start without them                       |                       |
| VERIFY_HOST, VERIFY_PORT  | where `verify serve` listens                                   | 127.0.0.1, 8000       |
| VERIFY_WORKERS            | uvicorn worker processes of `verify serve`                     | 1                     |
| VERIFY_REDIS_URL          | Redis for rate-limit state shared by workers and instances;    | none (memory)         |
|                           | unset: each process counts in its own memory                   |                       |
| VERIFY_TRUSTED_PROXIES    | comma-separated addresses or CIDRs whose X-Forwarded-For is    | none                  |
|                           | believed (the reverse proxies in front of the service)         |                       |
| VERIFY_RATE_VERIFY        | per client: `/V/{digits}` and `POST /api/v1/verify` together   | 120/minute            |
| VERIFY_RATE_SCAN          | per client: `POST /api/v1/scan`                                | 12/minute;120/hour    |
| VERIFY_RATE_LOOKUP        | per client: `POST /api/v1/lookup` (guessing surnames is slow)  | 10/minute;60/hour     |
| VERIFY_RATE_TRUST_LIST    | per client: `GET /api/v1/trust-list`                           | 60/minute             |
| VERIFY_SCAN_WORKERS       | image decoding processes                                       | 2                     |
| VERIFY_SCAN_QUEUE         | uploads that may wait for a decoding process; more: 503        | 8                     |
| VERIFY_SCAN_TIMEOUT_S     | seconds one decoding may take before its process is killed     | 10                    |
| VERIFY_SCAN_MEMORY_MIB    | address-space cap of a decoding process (RLIMIT_AS), MiB       | 768                   |
| VERIFY_MAX_UPLOAD_BYTES   | largest picture accepted, bytes                                | 10485760 (10 MiB)     |
| VERIFY_MAX_IMAGE_PIXELS   | largest picture accepted by its header, pixels                 | 40000000 (40 MP)      |
| VERIFY_MAX_JSON_BYTES     | largest request body of every other endpoint, bytes            | 65536 (64 KiB)        |
| VERIFY_DB_POOL_SIZE       | database connections kept per process (as many again overflow) | 10                    |
| VERIFY_DB_READ_TIMEOUT_MS | statement and lock timeout of the reading connections (public  | 2000                  |
|                           | verification, look-ups, officers' lists, sessions), ms; 503    |                       |
| VERIFY_DB_WRITE_TIMEOUT_MS| statement and lock timeout of the writing connections (officer | 30000                 |
|                           | changes, batches, administration), ms; 503                     |                       |
| VERIFY_SCAN_MAX_CODES     | QR codes verified from one picture; more: 422 too-many-codes   | 8                     |
| VERIFY_API_DOCS           | serve the API reference at /docs (Swagger UI from the package, | true                  |
|                           | no CDN, the pages' CSP); false: /docs answers 404              |                       |
| VERIFY_TRUST_RELOAD_S     | seconds between checks of the trust list file for a new one    | 60                    |
| VERIFY_LOG_HASH_KEY       | key of the HMAC that stands for client addresses in logs       | random per process    |
| VERIFY_DATABASE_REPLICA_URL | a PostgreSQL streaming replica for public verification reads | none                |
|                           | (`web.runtime.replica`)                                        |                       |
| VERIFY_REPLICA_MAX_LAG_S  | the most the replica may be behind before reads go to the      | 1.0                   |
|                           | primary, seconds                                               |                       |
| VERIFY_METRICS_TOKEN      | bearer token of `GET /metrics`; unset: open in development,    | none                  |
|                           | not served (404) in production                                 |                       |
| VERIFY_OTEL_ENDPOINT      | OTLP/HTTP traces URL: traces of FastAPI, SQLAlchemy and Redis  | none (no tracing)     |
|                           | (`web.http.tracing`, the `otel` extra)                         |                       |
| VERIFY_SIGNER_PER_INSTITUTION | the admin's "register an institution" also creates its     | production: on;       |
|                           | document signer (its kind's series, its BIN)                   | development: off      |

Accounts, sessions and tokens (`web.auth`, `verify.registry.accounts`):

| variable                    | meaning                                                  | default               |
|-----------------------------|----------------------------------------------------------|-----------------------|
| VERIFY_SESSION_TTL_S        | seconds a sign-in session lasts (absolute, not renewed)  | 28800 (8 h)           |
| VERIFY_TOKEN_DEFAULT_DAYS   | days an API token lasts when no expiry is asked for      | 90                    |
| VERIFY_TOKEN_MAX_DAYS       | longest life of an API token, days                       | 365                   |
| VERIFY_PASSWORD_TIME_COST   | argon2id iterations of password hashes                   | 3                     |
| VERIFY_PASSWORD_MEMORY_KIB  | argon2id memory of password hashes, KiB                  | 65536 (64 MiB)        |
| VERIFY_PASSWORD_PARALLELISM | argon2id lanes of password hashes                        | 4                     |
| VERIFY_RATE_LOGIN           | per client: `POST /api/v1/auth/login`                    | 10/minute;100/hour    |
| VERIFY_RATE_LOGIN_ACCOUNT   | per account (any address): sign-in attempts              | 10/minute;50/hour     |
| VERIFY_RATE_PARTNER         | per client: `POST /api/v1/partner/documents`, the feed   | 600/minute            |
| VERIFY_CHECKPOINT_MINUTES   | a log checkpoint at least this often while the log moved | 5                     |
| VERIFY_WEBHOOK_DELIVERY     | this process sends the outbox's events to the webhooks   | true                  |
| VERIFY_WEBHOOK_WAKE_S       | seconds between two webhook delivery rounds              | 5                     |

The password defaults are argon2-cffi's `PasswordHasher` defaults (RFC 9106, low-memory option); a stored hash made
with other values is replaced at the next sign-in. The session cookie is `__Host-verify-session` (Secure) in
production and `verify-session` in development (plain http on the developer's machine).

Every secret — VERIFY_KEY_PASSPHRASE, VERIFY_TOKEN_PIN, VERIFY_DATABASE_URL, VERIFY_DATABASE_REPLICA_URL,
VERIFY_REDIS_URL, VERIFY_LOG_HASH_KEY, VERIFY_METRICS_TOKEN, and any setting added later as a `SecretStr` — can also
come from `VERIFY_<NAME>_FILE` or the secrets directory
(`verify.settings`, docs/DEPLOY.md "Secrets from files").

Rate strings follow the `limits` library: "N/second|minute|hour|day", several separated by ";".
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from verify.settings import SECRET, Settings

KiB = 1024
MiB = 1024 * KiB


class WebSettings(Settings):
    """`verify.settings.Settings` plus the `VERIFY_*` settings of the HTTP service (see the module table)."""

    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    redis_url: str | None = Field(default=None, json_schema_extra=SECRET)
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    rate_verify: str = "120/minute"
    rate_scan: str = "12/minute;120/hour"
    rate_lookup: str = "10/minute;60/hour"
    rate_trust_list: str = "60/minute"
    scan_workers: int = Field(default=2, ge=1, le=64)
    scan_queue: int = Field(default=8, ge=0, le=1024)
    scan_timeout_s: float = Field(default=10.0, gt=0, le=300)
    scan_memory_mib: int = Field(default=768, ge=256)
    max_upload_bytes: int = Field(default=10 * MiB, ge=1 * KiB)
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    max_json_bytes: int = Field(default=64 * KiB, ge=1 * KiB)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_read_timeout_ms: int = Field(default=2000, ge=1, le=600_000)
    db_write_timeout_ms: int = Field(default=30_000, ge=1, le=3_600_000)
    scan_max_codes: int = Field(default=8, ge=1, le=200)
    api_docs: bool = True
    trust_reload_s: float = Field(default=60.0, ge=0)
    log_hash_key: SecretStr | None = None
    metrics_token: SecretStr | None = None
    database_replica_url: str | None = Field(default=None, json_schema_extra=SECRET)
    replica_max_lag_s: float = Field(default=1.0, gt=0, le=300)
    otel_endpoint: str | None = None
    session_ttl_s: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    token_default_days: int = Field(default=90, ge=1, le=3650)
    token_max_days: int = Field(default=365, ge=1, le=3650)
    password_time_cost: int = Field(default=3, ge=1, le=20)
    password_memory_kib: int = Field(default=65536, ge=8, le=4 * 1024 * 1024)
    password_parallelism: int = Field(default=4, ge=1, le=64)
    rate_login: str = "10/minute;100/hour"
    rate_login_account: str = "10/minute;50/hour"
    rate_partner: str = "600/minute"
    checkpoint_minutes: float = Field(default=5.0, gt=0, le=24 * 60)
    webhook_delivery: bool = True
    webhook_wake_s: float = Field(default=5.0, gt=0, le=3600)
    signer_per_institution: bool | None = None

    def creates_institution_signers(self) -> bool:
        """VERIFY_SIGNER_PER_INSTITUTION, or by default on in production (one signer per institution at national
        scale, DESIGN.md) and off in development (the development store's one signer signs for every institution)."""
        return self.environment == "production" if self.signer_per_institution is None else self.signer_per_institution

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        """Accept "10.0.0.1, 10.1.0.0/16" from the environment as well as a sequence."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or CIDR: {item!r}") from None
        return value

    @field_validator("rate_verify", "rate_scan", "rate_lookup", "rate_trust_list", "rate_login",
                     "rate_login_account", "rate_partner")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"not a rate such as '10/minute;60/hour': {value!r}") from None
        return value

    def log_key_bytes(self) -> bytes | None:
        """The log hash key as bytes, or None when unset or empty."""
        if self.log_hash_key is None or not self.log_hash_key.get_secret_value():
            return None
        return self.log_hash_key.get_secret_value().encode("utf-8")
