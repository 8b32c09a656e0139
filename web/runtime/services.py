"""What the routes need, built once per process from the settings: trust list, registry, decoders, limits.

`prepare(settings)` runs before the app serves: in development it creates a missing key store
(`KeyStore.init`) and a missing registry database (`verify.registry.db.upgrade_database`); in every environment
it then refuses to start on a database that is not at this code's migration (`require_current_schema`).
Several workers may start at once: the creation runs under an exclusive file lock in the data directory.

`TrustSource` holds the trust list the service verifies with and publishes, as the signed bytes on disk and the
verified `TrustList`. It looks at the file at most every `reload_s` seconds and takes a new publication (rotation,
revocation) without a restart; a list that does not verify, or is older than the one in use, is refused (the
old one stays, a warning is logged).
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
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from verify import Error, KeyStore, TrustList, Verifier
from verify.codec import qr_prefix
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
from verify.scan import ScanLimits
from verify.transparency import TrustListLogCheck

from ..http.logging import get_logger
from ..http.metrics import Metrics
from ..http.ratelimit import RateLimiter
from ..settings import MiB, WebSettings
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


def prepare(settings: WebSettings) -> None:
    """Create what development needs if it is missing; check the registry schema (see the module docstring).

    Raises:
        verify.Error: a half-made key store (KeyStoreError); in production no database; a database that cannot be
            reached (RegistryUnavailableError) or is not at this code's migration (SchemaError).
    """
    url = settings.resolved_database_url()
    if settings.environment == "development":
        store = KeyStore(settings.keys_dir, settings.passphrase_bytes())
        with _exclusive(settings.data_dir / ".bootstrap.lock"):
            if settings.trust_list is None and settings.root_cert is None and not store.exists():
                created = dt.datetime.now(dt.UTC)  # start-up: the key store's creation time
                store.init(at=created)
                store.rotate(at=created, usage="log")  # the transparency log's checkpoints (docs/TRANSPARENCY.md)
                get_logger().info("development key store created", extra={"environment": "development"})
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

    Raises:
        Error: the file cannot be read or does not verify (`TrustListError`).
    """

    def __init__(self, *, path: Path, root: x509.Certificate, reload_s: float) -> None:
        self.path = path
        self.root = root
        self.reload_s = reload_s
        self._lock = threading.Lock()
        self._snapshot = self._load(min_version=0)
        self._checked_at = time.monotonic()

    def _load(self, *, min_version: int) -> TrustSnapshot:
        try:
            mtime_ns = self.path.stat().st_mtime_ns
            document = self.path.read_bytes()
        except OSError as exc:
            raise Error(f"{self.path}: cannot read the trust list ({exc.strerror})") from None
        trust_list = TrustList.from_json(document, root=self.root, min_version=min_version)
        etag = '"' + hashlib.sha256(document).hexdigest()[:32] + '"'
        return TrustSnapshot(trust_list=trust_list, document=document, etag=etag, mtime_ns=mtime_ns)

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
        prefix: the QR prefix of the configured host (`codec.qr_prefix(base_url)`): the only one accepted.
        trust: the trust list in use.
        engine: read-only registry engine; `sessions` opens sessions on it.
        status_engine: read-only, autocommit engine of the status lookups (one SELECT per verification, one round
            trip); `status_lookup` asks it from worker threads, with the facts a verdict page shows (`details`).
        async_status: the status lookup of routes on the event loop (opened and closed by the app's lifespan).
        pool: the decoding processes.
        scan_limits: byte and pixel caps of pictures, checked from the header before decoding.
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
    limiter: RateLimiter
    metrics: Metrics

    def verifier(self) -> Verifier:
        """A verifier on the trust list in use, asking the registry, pinned to the configured host."""
        trust_list = self.trust.current().trust_list
        return Verifier(trust_list, status_lookup=self.status_lookup, accepted_prefixes=(self.prefix,),
                        log_check=TrustListLogCheck(trust_list))

    def database_reachable(self) -> bool:
        """Whether the registry database answers a trivial query (`verify.registry.db.database_answers`)."""
        return database_answers(self.engine)

    def close(self) -> None:
        """End the decoding processes and close the database connections."""
        self.pool.close()
        self.engine.dispose()
        self.status_engine.dispose()


def build_services(settings: WebSettings) -> Services:
    """Build the services of one process from the settings (after `prepare`).

    Raises:
        Error: the root certificate or trust list cannot be loaded; a bad base URL (`RecordError`).
    """
    metrics = Metrics()
    trust_path = settings.trust_list or KeyStore(settings.keys_dir).trust_list_path
    trust = TrustSource(path=trust_path, root=load_root(settings), reload_s=settings.trust_reload_s)
    engine = make_engine(settings.resolved_database_url(), readonly=True, pool_size=settings.db_pool_size)
    status_engine = make_engine(settings.resolved_database_url(), readonly=True, autocommit=True,
                                pool_size=settings.db_pool_size)
    pool = ScanPool(workers=settings.scan_workers, queue=settings.scan_queue, timeout_s=settings.scan_timeout_s,
                    memory_bytes=settings.scan_memory_mib * MiB, max_image_bytes=settings.max_upload_bytes,
                    max_pixels=settings.max_image_pixels, on_change=metrics.set_scan_pool)
    rates = {"verify": settings.rate_verify, "scan": settings.rate_scan, "lookup": settings.rate_lookup,
             "trust_list": settings.rate_trust_list}
    return Services(
        prefix=qr_prefix(settings.base_url),
        trust=trust,
        engine=engine,
        status_engine=status_engine,
        sessions=session_factory(engine),
        status_lookup=RegistryStatusLookup(status_engine, details=True),
        async_status=AsyncRegistryStatusLookup.for_engine(status_engine, pool_size=settings.db_pool_size),
        pool=pool,
        scan_limits=ScanLimits(max_image_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels),
        limiter=RateLimiter(rates, redis_url=settings.redis_url),
        metrics=metrics,
    )
