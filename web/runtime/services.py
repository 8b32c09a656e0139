"""What the routes need, built once per process from the settings: trust list, registry, decoders, limits.

`prepare(settings)` runs before the app serves: in development it creates a missing key store
(`KeyStore.init`) and a missing registry database (`verify.registry.db.upgrade_database`); in every environment
it then refuses to start on a database that is not at this code's migration (`require_current_schema`).
Several workers may start at once: the creation runs under an exclusive file lock in the data directory.

`TrustSource` holds the trust list the service verifies with and publishes, as the signed bytes on disk and the
verified `TrustList`. It looks at the file at most every `reload_s` seconds and takes a new publication (rotation,
revocation) without a restart; a list that does not verify, or is older than the one in use, is refused (the
old one stays, a warning is logged). With a `state` (the registry's `version_states` table, shared by every
instance) the highest version seen and its document outlive a restart (issue 10 item 4, docs/FORMAT.md §6.4): a
file older than that version is refused at start too, and the kept document of the highest version is served and
verified with instead, so `GET /api/v1/trust-list` never goes back to an older list.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from verify import Error, KeyStore, TrustList, Verifier
from verify.errors import KeyStoreError
from verify.keystore import DEVELOPMENT_PASSPHRASE
from verify.qrtext import qr_prefix
from verify.registry.async_lookup import AsyncRegistryStatusLookup
from verify.registry.db import (
    SessionFactory,
    database_answers,
    database_exists,
    make_engine,
    require_current_schema,
    session_factory,
    upgrade_database,
)
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.statuslists import RegistryVersionState, published_lists
from verify.scan import ScanLimits
from verify.status import AsyncStatusLookup, StatusLookup
from verify.transparency import TrustListLogCheck
from verify.versionstate import trust_list_key

from ..http.logging import get_logger
from ..http.metrics import Metrics, MetricsAccess, gauge_family
from ..http.ratelimit import RateLimiter
from ..settings import MiB, WebSettings
from .casegauges import CaseDueGauges
from .replica import ReplicaReads, build_replica_reads
from .scanpool import ScanPool


def services_of(request: Request) -> Services:
    """The process's `Services` (set by `web.app.create_app`; `web.deps.ServicesDep` is the dependency)."""
    services: Services = request.app.state.services
    return services


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _trust_paths(settings: WebSettings) -> tuple[Path, Path]:
    store = KeyStore(settings.keys_dir)
    return settings.root_cert or store.root_cert_path, settings.trust_list or store.trust_list_path


def _private_key_files(keys_dir: Path) -> list[Path]:
    return sorted([keys_dir / "root.key", *(keys_dir / "signers").glob("*.key")]) if keys_dir.is_dir() else []


def production_refusals(settings: WebSettings) -> list[str]:
    """Why production must not start with these keys: each reason names what is wrong (empty: it may start).

    * missing keys: no root certificate, or no trust list (nothing to verify with, nothing to publish);
    * a development root: the trust list is of a `development` key store, whose keys sit under the built-in
      passphrase in a folder anyone may have copied (TEST ONLY stores, environment `test`, are the test suite's);
    * the built-in passphrase given as VERIFY_KEY_PASSPHRASE;
    * private key files in the key store but no passphrase to open them.

    Raises:
        TrustListError: the trust list does not verify under the root (`TrustList.from_json`).
    """
    root_path, trust_path = _trust_paths(settings)
    reasons: list[str] = []
    if not root_path.is_file():
        reasons.append(f"missing keys: no root certificate at {root_path} (run `verify keys init --environment "
                       f"production`, or set VERIFY_ROOT_CERT)")
    if not trust_path.is_file():
        reasons.append(f"missing keys: no trust list at {trust_path} (run `verify keys init --environment "
                       f"production`, or set VERIFY_TRUST_LIST)")
    if settings.passphrase_bytes() == DEVELOPMENT_PASSPHRASE:
        reasons.append("built-in passphrase: VERIFY_KEY_PASSPHRASE is the development passphrase; give the key "
                       "store's own")
    if reasons:
        return reasons
    trust_list = TrustList.from_json(trust_path.read_bytes(), root=x509.load_pem_x509_certificate(
        root_path.read_bytes()))
    if trust_list.environment == "development":
        reasons.append(f"development root: the trust list at {trust_path} is of a development key store; production "
                       f"needs its own (`verify keys init --environment production`)")
    elif settings.passphrase_bytes() is None and trust_list.environment == "production" \
            and _private_key_files(settings.keys_dir):
        reasons.append(f"missing passphrase: {settings.keys_dir} holds private keys and VERIFY_KEY_PASSPHRASE (or "
                       f"VERIFY_KEY_PASSPHRASE_FILE) is not set")
    return reasons


def development_banner(settings: WebSettings) -> str | None:
    """The warning `verify serve` prints on every start with keys under the built-in development passphrase.

    None in production, with a passphrase of its own, or when the key store is not a development one.
    """
    if settings.environment != "development" or settings.passphrase_bytes() not in (None, DEVELOPMENT_PASSPHRASE):
        return None
    store = KeyStore(settings.keys_dir)
    if settings.trust_list is not None or not store.exists():
        return None
    try:
        environment = store.trust_list().environment
    except Error:
        return None
    if environment != "development":
        return None
    rule = "!" * 78
    return "\n".join((
        rule,
        "!!  DEVELOPMENT KEYS: NOT FOR REAL DOCUMENTS",
        f"!!  The key store {store.path.resolve()} is a development store whose private keys are",
        "!!  encrypted under the built-in passphrase, which is printed in the source code. Anything it",
        "!!  signs can be forged by anyone. For a service: VERIFY_ENVIRONMENT=production with a key store",
        "!!  of its own (`verify keys init --environment production`) and VERIFY_KEY_PASSPHRASE_FILE",
        "!!  (docs/DEPLOY.md, \"Secrets from files\").",
        rule,
    ))


def prepare(settings: WebSettings) -> None:
    """Create what development needs if it is missing; check the registry schema (see the module docstring).

    Raises:
        verify.Error: a half-made key store (KeyStoreError); in production keys that must not serve
            (KeyStoreError naming each reason of `production_refusals`) or no database; a database that cannot be
            reached (RegistryUnavailableError) or is not at this code's migration (SchemaError).
    """
    url = settings.resolved_database_url()
    if settings.environment == "production":
        reasons = production_refusals(settings)
        if reasons:
            raise KeyStoreError("production refuses to start: " + "; ".join(reasons))
    if settings.environment == "development":
        store = KeyStore(settings.keys_dir, settings.passphrase_bytes())
        with _exclusive(settings.data_dir / ".bootstrap.lock"):
            if settings.trust_list is None and settings.root_cert is None and not store.exists():
                created = dt.datetime.now(dt.UTC)  # start-up: the key store's creation time
                store.init(at=created)
                store.rotate(at=created, usage="status")  # it signs the status lists (GET /api/v1/status-lists)
                store.rotate(at=created, usage="log")  # the transparency log's checkpoints (docs/TRANSPARENCY.md)
                get_logger().info("development key store created", extra={"environment": "development"})
        if development_banner(settings) is not None:
            get_logger().warning("development keys under the built-in passphrase: not for real documents",
                                 extra={"environment": "development"})
            if not database_exists(url):
                upgrade_database(url)
                get_logger().info("registry database created", extra={"environment": "development"})
    elif not database_exists(url):
        shown = make_url(url).render_as_string(hide_password=True)
        raise Error(f"no registry database at {shown}: run `verify db init`")
    engine = make_engine(url, readonly=True, pooled=False)
    try:
        require_current_schema(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class TrustSnapshot:
    """One loaded publication of the trust list.

    Attributes:
        trust_list: the verified list.
        document: the signed JSON bytes exactly as stored (what `GET /api/v1/trust-list` serves).
        etag: a strong entity tag of `document` (RFC 9110 §8.8.3), quoted.
        mtime_ns: the file's modification time when it was read.
    """

    trust_list: TrustList
    document: bytes
    etag: str
    mtime_ns: int


class TrustSource:
    """The trust list in use, reloaded when its file changes (see the module docstring).

    Args:
        path: the signed trust list file.
        root: the root certificate it must be signed by (the trust anchor).
        reload_s: seconds between looks at the file; 0 looks at every call.
        state: where the highest version seen and its document are kept across restarts (the registry), or None.

    Raises:
        Error: the file cannot be read or does not verify (`TrustListError`), and no kept document of a higher
            version can be served instead.
    """

    def __init__(self, *, path: Path, root: x509.Certificate, reload_s: float,
                 state: RegistryVersionState | None = None) -> None:
        self.path = path
        self.root = root
        self.reload_s = reload_s
        self.state = state
        self._key = trust_list_key(root)
        self._lock = threading.Lock()
        try:
            self._snapshot = self._load(min_version=0)
        except Error as exc:
            kept = None if state is None else state.kept(self._key)
            if kept is None or kept[1] is None:
                raise
            self._snapshot = self._snapshot_of(kept[1], min_version=kept[0], mtime_ns=-1)
            get_logger().error("trust list file refused; the newest list seen is served",
                               extra={"version": kept[0], "reason": exc.code})
        self._checked_at = time.monotonic()

    def _snapshot_of(self, document: bytes, *, min_version: int, mtime_ns: int) -> TrustSnapshot:
        trust_list = TrustList.from_json(document, root=self.root, min_version=min_version)
        etag = '"' + hashlib.sha256(document).hexdigest()[:32] + '"'
        return TrustSnapshot(trust_list=trust_list, document=document, etag=etag, mtime_ns=mtime_ns)

    def _load(self, *, min_version: int) -> TrustSnapshot:
        try:
            mtime_ns = self.path.stat().st_mtime_ns
            document = self.path.read_bytes()
        except OSError as exc:
            raise Error(f"{self.path}: cannot read the trust list ({exc.strerror})") from None
        if self.state is not None:
            min_version = max(min_version, self.state.highest(self._key))
        snapshot = self._snapshot_of(document, min_version=min_version, mtime_ns=mtime_ns)
        if self.state is not None:
            try:
                self.state.keep(self._key, snapshot.trust_list.version, document)
            except Error as exc:  # a role that may only read: the instances that write record it
                get_logger().warning("trust list version not recorded in the registry",
                                     extra={"version": snapshot.trust_list.version, "reason": exc.code})
        return snapshot

    def current(self) -> TrustSnapshot:
        """The publication in use (looking for a newer one first when `reload_s` has passed)."""
        if time.monotonic() - self._checked_at >= self.reload_s:
            self._reload_if_changed()
        return self._snapshot

    def look_now(self) -> TrustSnapshot:
        """The publication in use after looking at the file now, whatever `reload_s` says (after a publication)."""
        self._checked_at = -math.inf
        return self.current()

    def _reload_if_changed(self) -> None:
        with self._lock:
            if time.monotonic() - self._checked_at < self.reload_s:
                return
            self._checked_at = time.monotonic()
            current = self._snapshot
            try:
                if self.path.stat().st_mtime_ns == current.mtime_ns:
                    return
                fresh = self._load(min_version=current.trust_list.version)
            except (Error, OSError) as exc:
                get_logger().warning("trust list not reloaded; the one in use stays",
                                     extra={"version": current.trust_list.version,
                                            "reason": getattr(exc, "code", type(exc).__name__)})
                return
            if fresh.document != current.document:
                get_logger().info("trust list reloaded", extra={"version": fresh.trust_list.version})
            self._snapshot = fresh


class TrustListGauges:
    """A metrics collector: the version and expiry (Unix seconds) of the trust list in use, read at each scrape
    (`verify_trust_list_version`, `verify_trust_list_expiry_timestamp_seconds`), so an alert can fire days before
    the published list expires."""

    def __init__(self, trust: TrustSource) -> None:
        self.trust = trust

    def collect(self) -> Iterator[Any]:
        """The two gauges (prometheus-client's custom collector protocol)."""
        trust_list = self.trust.current().trust_list
        yield from gauge_family("verify_trust_list_version", "Version of the trust list in use.",
                                trust_list.version)
        yield from gauge_family("verify_trust_list_expiry_timestamp_seconds",
                                "Expiry of the trust list in use, Unix seconds.", trust_list.expires_at.timestamp())


class StatusListGauges:
    """A metrics collector: per series, the version and expiry (Unix seconds) of the newest signed status list
    (`verify_status_list_version{series}`, `verify_status_list_expiry_timestamp_seconds{series}`), read from the
    registry at each scrape; nothing when the registry cannot be read (the health check says so)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Any]:
        """The two labelled gauges (prometheus-client's custom collector protocol)."""
        from prometheus_client.core import GaugeMetricFamily

        try:
            with self.sessions() as session:
                rows = published_lists(session)
        except Error:
            return
        version = GaugeMetricFamily("verify_status_list_version", "Version of the newest signed status list.",
                                    labels=["series"])
        expiry = GaugeMetricFamily("verify_status_list_expiry_timestamp_seconds",
                                   "Expiry of the newest signed status list, Unix seconds.", labels=["series"])
        for row in rows:
            version.add_metric([row.series], row.version)
            if row.expires_at is not None:
                expiry.add_metric([row.series], row.expires_at.timestamp())
        yield version
        yield expiry


def load_root(settings: WebSettings) -> x509.Certificate:
    """The root certificate: VERIFY_ROOT_CERT (PEM), or the key store's `root.crt`.

    Raises:
        Error: missing or not a PEM certificate.
    """
    if settings.root_cert is None:
        return KeyStore(settings.keys_dir).root_certificate()
    try:
        return x509.load_pem_x509_certificate(settings.root_cert.read_bytes())
    except OSError as exc:
        raise Error(f"{settings.root_cert}: cannot read the root certificate ({exc.strerror})") from None
    except ValueError:
        raise Error(f"{settings.root_cert}: not a PEM certificate") from None


@dataclass
class Services:
    """Everything the routes use, for one process.

    Attributes:
        prefix: the QR prefix of the configured host (`qrtext.qr_prefix(base_url)`): the only one accepted.
        trust: the trust list in use.
        engine: read-only registry engine; `sessions` opens sessions on it. Like every connection of the public
            surface (`status_engine`, `async_status`) its statements and lock waits are bounded by
            VERIFY_DB_READ_TIMEOUT_MS; running over it is answered 503 with Retry-After.
        status_engine: read-only, autocommit engine of the status lookups (one SELECT per verification, one round
            trip); `status_lookup` asks it from worker threads, with the facts a verdict page shows (`details`).
        async_status: the status lookup of routes on the event loop (opened and closed by the app's lifespan).
        replica: the reads of a streaming replica (VERIFY_DATABASE_REPLICA_URL), or None
            (`web.runtime.replica`).
        pool: the decoding processes.
        scan_limits: byte and pixel caps of pictures, checked from the header before decoding.
        scan_max_codes: the most QR codes verified from one picture (VERIFY_SCAN_MAX_CODES).
        limiter: the rate limits.
        metrics: the Prometheus metrics.
    """

    prefix: str
    trust: TrustSource
    engine: Engine
    status_engine: Engine
    sessions: SessionFactory
    status_lookup: RegistryStatusLookup
    async_status: AsyncRegistryStatusLookup
    pool: ScanPool
    scan_limits: ScanLimits
    scan_max_codes: int
    limiter: RateLimiter
    metrics: Metrics
    replica: ReplicaReads | None = None
    _verifier: Verifier | None = field(default=None, init=False, repr=False)

    @property
    def public_status(self) -> StatusLookup:
        """The status lookup of public verification: the replica while it may answer, else the primary."""
        return self.status_lookup if self.replica is None else self.replica.status_lookup

    @property
    def public_async(self) -> AsyncStatusLookup:
        """`public_status`, awaited (the event-loop routes)."""
        return self.async_status if self.replica is None else self.replica.async_status

    def public_sessions(self) -> Session:
        """A session for a public read: on the replica while it may answer, else the read-only primary engine."""
        return self.sessions() if self.replica is None else self.replica.session(self.engine)

    async def open(self) -> None:
        """Open the awaited lookups' connection pools and start watching the replica (the app's lifespan)."""
        await self.async_status.open()
        if self.replica is not None:
            await self.replica.replica_async.open()
            self.replica.start()

    async def aclose(self) -> None:
        """Close what `open` opened."""
        if self.replica is not None:
            await self.replica.replica_async.close()
        await self.async_status.close()

    def verifier(self) -> Verifier:
        """A verifier on the trust list in use, asking the registry (its replica where allowed), pinned to the
        configured host; step 12 checked against the trust list's log keys. Made again only when the trust list or
        the status lookup in use changes (a verifier holds no state of a check: issue 16 item 2)."""
        trust_list, lookup, held = self.trust.current().trust_list, self.public_status, self._verifier
        if held is None or held.trust_list is not trust_list or held.status_lookup is not lookup:
            held = self._verifier = Verifier(trust_list, status_lookup=lookup, accepted_prefixes=(self.prefix,),
                                             log_check=TrustListLogCheck(trust_list))
        return held

    def database_reachable(self) -> bool:
        """Whether the registry database answers a trivial query (`verify.registry.db.database_answers`)."""
        return database_answers(self.engine)

    def close(self) -> None:
        """End the decoding processes and close the database connections."""
        self.pool.close()
        self.engine.dispose()
        self.status_engine.dispose()
        if self.replica is not None:
            self.replica.close()


def build_services(settings: WebSettings) -> Services:
    """Build the services of one process from the settings (after `prepare`).

    Raises:
        Error: the root certificate or trust list cannot be loaded; a bad base URL (`RecordError`).
    """
    token = settings.metrics_token.get_secret_value() if settings.metrics_token is not None else None
    metrics = Metrics(MetricsAccess.from_token(token, production=settings.environment == "production"))
    trust_path = settings.trust_list or KeyStore(settings.keys_dir).trust_list_path
    state = RegistryVersionState(make_engine(settings.resolved_database_url(), pooled=False))
    trust = TrustSource(path=trust_path, root=load_root(settings), reload_s=settings.trust_reload_s,
                        state=state)
    metrics.add_collector(TrustListGauges(trust))
    read_timeout_ms = settings.db_read_timeout_ms  # every reading connection: public routes, lists, sessions
    engine = make_engine(settings.resolved_database_url(), readonly=True, pool_size=settings.db_pool_size,
                         timeout_ms=read_timeout_ms)
    status_engine = make_engine(settings.resolved_database_url(), readonly=True, autocommit=True,
                                pool_size=settings.db_pool_size, timeout_ms=read_timeout_ms)
    metrics.add_collector(StatusListGauges(session_factory(engine)))
    metrics.add_collector(CaseDueGauges(session_factory(engine)))
    pool = ScanPool(workers=settings.scan_workers, queue=settings.scan_queue, timeout_s=settings.scan_timeout_s,
                    memory_bytes=settings.scan_memory_mib * MiB, max_image_bytes=settings.max_upload_bytes,
                    max_pixels=settings.max_image_pixels, on_change=metrics.set_scan_pool)
    rates = {"verify": settings.rate_verify, "scan": settings.rate_scan, "lookup": settings.rate_lookup,
             "trust_list": settings.rate_trust_list, "status_lists": settings.rate_trust_list}
    status_lookup = RegistryStatusLookup(status_engine, details=True)
    async_status = AsyncRegistryStatusLookup.for_engine(status_engine, pool_size=settings.db_pool_size,
                                                        statement_timeout_ms=read_timeout_ms)
    replica = None
    if settings.database_replica_url:
        replica = build_replica_reads(replica_url=settings.database_replica_url,
                                      primary_url=settings.resolved_database_url(), primary_status=status_lookup,
                                      primary_async=async_status, max_lag_s=settings.replica_max_lag_s,
                                      pool_size=settings.db_pool_size, metrics=metrics,
                                      timeout_ms=read_timeout_ms)
    return Services(
        prefix=qr_prefix(settings.base_url),
        trust=trust,
        engine=engine,
        status_engine=status_engine,
        sessions=session_factory(engine),
        status_lookup=status_lookup,
        async_status=async_status,
        pool=pool,
        scan_limits=ScanLimits(max_image_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels),
        scan_max_codes=settings.scan_max_codes,
        limiter=RateLimiter(rates, redis_url=settings.redis_url),
        metrics=metrics,
        replica=replica,
    )
