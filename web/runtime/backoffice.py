"""What the signed-in surfaces need, built once per process: a writing engine, password hashing, keys, limits.

The public surface reads the registry through a read-only engine (`web.runtime.services.Services`); officers,
partners and administrators change it, so `BackOffice` holds a second, writing engine (SQLite: `BEGIN IMMEDIATE`
per transaction; PostgreSQL: a pool of `db_pool_size`). It also holds:

* the password hashing of the settings (`verify.registry.accounts.PasswordHashing`);
* the key store (`VERIFY_KEYS_DIR`, passphrase from `VERIFY_KEY_PASSPHRASE`, the PIN of a PKCS#11 token from
  `VERIFY_TOKEN_PIN_FILE` or `VERIFY_TOKEN_PIN`): the active document signers for issuing, chosen per document
  by scope (one per institution at national scale), rotation, revocation and publication of the trust list.
  The signers are read from the store at every operation (a batch: once), so a rotation takes effect at once in
  every worker;
* the session cookie's policy, the token lifetimes, and the rate limits of sign-in and partner look-ups
  (`VERIFY_RATE_LOGIN`, `VERIFY_RATE_PARTNER`, counted like the public limits, in Redis when configured).

`publish_trust_list` copies a new publication to the file the service serves (VERIFY_TRUST_LIST, when it is not
the store's own file) and makes this process's `TrustSource` read it now; other workers and instances read it
within VERIFY_TRUST_RELOAD_S seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fastapi import Request
from sqlalchemy import Engine

from verify import Error, KeyStore, TrustList
from verify.registry.accounts import PasswordHashing
from verify.registry.db import SessionFactory, make_engine, session_factory
from verify.signerset import SignerSet
from verify.texts import Text

from ..http.ratelimit import RateLimiter
from ..problems.handlers import ProblemError
from ..settings import WebSettings
from .checkpoints import Checkpointer
from .services import Services, TrustSource
from .webhooks import WebhookDeliverer, WebhookGauges

PRODUCTION_COOKIE: Final = "__Host-verify-session"
"""The session cookie in production: `__Host-` binds it to this host, path /, Secure (RFC 6265bis §4.1.3.2)."""
DEVELOPMENT_COOKIE: Final = "verify-session"
"""The session cookie in development (plain http on localhost cannot carry a Secure cookie everywhere)."""
RATE_BUCKETS: Final = {"/api/v1/auth/login": "login", "/api/v1/partner/documents": "partner",
                       "/api/v1/partner/events": "partner"}
"""Route template -> rate-limit bucket of the signed-in surfaces."""


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """How the session cookie is written.

    Attributes:
        name: `__Host-verify-session` in production, `verify-session` in development.
        secure: the Secure attribute (production).
        max_age_s: seconds, the session's lifetime.
    """

    name: str
    secure: bool
    max_age_s: int

    def set_cookie(self, value: str) -> str:
        """The Set-Cookie header value: HttpOnly, SameSite=Lax, Path=/, Max-Age; Secure in production."""
        secure = "; Secure" if self.secure else ""
        return f"{self.name}={value}; Path=/; Max-Age={self.max_age_s}; HttpOnly; SameSite=Lax{secure}"

    def clear_cookie(self) -> str:
        """A Set-Cookie header value that removes the cookie."""
        secure = "; Secure" if self.secure else ""
        return f"{self.name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"


@dataclass
class BackOffice:
    """The signed-in surfaces' services of one process (see the module docstring).

    Attributes:
        engine: the writing registry engine; `sessions` opens sessions on it (SQLite: each takes the write lock).
            Its statements and lock waits are bounded by VERIFY_DB_WRITE_TIMEOUT_MS (officers' changes, batches).
        readers: sessions on the public surface's read-only engine, for answers that only read (and for
            resolving every request's session or token) so that reads never queue for the write lock.
        hashing: password hashing.
        keys: the key store.
        trust: the public surface's trust source (reloaded after a publication).
        served_trust_list: VERIFY_TRUST_LIST when set (the file the service serves), else None.
        base_url: the verification host written into QR links.
        cookie: the session cookie's policy.
        session_ttl: how long a sign-in lasts.
        token_default_days, token_max_days: API token lifetimes.
        limiter: rate limits of sign-in and partner look-ups.
        checkpointer: signs the transparency log's checkpoints (`web.runtime.checkpoints`).
        webhooks: sends the outbox's events to the partners' webhooks (`web.runtime.webhooks`).
        signer_per_institution: registering an institution also creates its document signer
            (VERIFY_SIGNER_PER_INSTITUTION).
    """

    engine: Engine
    sessions: SessionFactory
    readers: SessionFactory
    hashing: PasswordHashing
    keys: KeyStore
    trust: TrustSource
    served_trust_list: Path | None
    base_url: str
    cookie: CookiePolicy
    session_ttl: dt.timedelta
    token_default_days: int
    token_max_days: int
    limiter: RateLimiter
    checkpointer: Checkpointer
    webhooks: WebhookDeliverer
    signer_per_institution: bool = False

    def signer(self) -> SignerSet:
        """The active document signers of the key store; the registry chooses one per document by scope.

        Raises:
            KeyStoreError: no key store here, or no active signer.
        """
        return self.keys.document_signers()

    def publish_trust_list(self, trust_list: TrustList) -> TrustList:
        """Serve the store's new publication: copy it to VERIFY_TRUST_LIST if that is another file; reload now.

        Returns:
            `trust_list`, unchanged.

        Raises:
            ProblemError: unavailable: the served file cannot be written.
        """
        served = self.served_trust_list
        if served is not None and served.resolve() != self.keys.trust_list_path.resolve():
            try:
                data = self.keys.trust_list_path.read_bytes()
                tmp = served.with_suffix(served.suffix + ".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, served)
            except OSError as exc:
                raise ProblemError("unavailable", f"cannot write the served trust list ({exc.strerror})",
                                   text=Text("e_trust_list_unwritable", {"cause": str(exc.strerror)})) from None
        with contextlib.suppress(Error):  # a list that does not load stays refused by the source; the old one stays
            self.trust.look_now()
        return trust_list

    def close(self) -> None:
        """Close the writing engine's connections."""
        self.engine.dispose()


def build_backoffice(settings: WebSettings, *, services: Services) -> BackOffice:
    """Build the signed-in surfaces' services (after `web.runtime.services.prepare`).

    Args:
        settings: the web settings.
        services: the public surface's services (their read-only sessions and trust source are shared).
    """
    production = settings.environment == "production"
    cookie = CookiePolicy(name=PRODUCTION_COOKIE if production else DEVELOPMENT_COOKIE, secure=production,
                          max_age_s=settings.session_ttl_s)
    engine = make_engine(settings.resolved_database_url(), pool_size=settings.db_pool_size,
                         timeout_ms=settings.db_write_timeout_ms)
    keys = KeyStore(settings.keys_dir, settings.passphrase_bytes(), pin=settings.token_pin_bytes())
    services.metrics.add_collector(WebhookGauges(services.sessions))
    checkpointer = Checkpointer(sessions=session_factory(engine), keys=keys, origin=settings.resolved_log_origin(),
                                period=dt.timedelta(minutes=settings.checkpoint_minutes))
    return BackOffice(
        engine=engine,
        sessions=session_factory(engine),
        readers=services.sessions,
        hashing=PasswordHashing(time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib,
                                parallelism=settings.password_parallelism),
        keys=keys,
        trust=services.trust,
        served_trust_list=settings.trust_list,
        base_url=settings.base_url,
        cookie=cookie,
        session_ttl=dt.timedelta(seconds=settings.session_ttl_s),
        token_default_days=settings.token_default_days,
        token_max_days=settings.token_max_days,
        limiter=RateLimiter({"login": settings.rate_login, "login_account": settings.rate_login_account,
                             "partner": settings.rate_partner},
                            redis_url=settings.redis_url),
        checkpointer=checkpointer,
        webhooks=WebhookDeliverer(sessions=session_factory(engine), readers=services.sessions,
                                  wake_s=settings.webhook_wake_s),
        signer_per_institution=settings.creates_institution_signers(),
    )


def backoffice_of(request: Request) -> BackOffice:
    """The process's `BackOffice` (set by `web.app.create_app`; `web.deps.BackOfficeDep` is the dependency)."""
    office: BackOffice = request.app.state.backoffice
    return office


__all__ = ["DEVELOPMENT_COOKIE", "PRODUCTION_COOKIE", "RATE_BUCKETS", "BackOffice", "CookiePolicy", "backoffice_of",
           "build_backoffice"]
