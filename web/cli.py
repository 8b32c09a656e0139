"""`verify serve [--host --port --workers]`: run the HTTP service with uvicorn.

`add_serve_command(sub, settings)` adds the subcommand to the `verify` parser (the core's `build_parser` calls
it through the `verify.commands` entry point, so that `verify/` does not import `web/`); `python -m web serve`
runs the same command without the core parser.

Before uvicorn starts, the command exports the effective core options (`--keys-dir`, `--base-url`,
`--trust-list`, `--root-cert`, `--database-url`) as `VERIFY_*` variables, because every uvicorn worker builds
its own settings in `web.app.create_app()`; then it runs `web.runtime.services.prepare` once (a development key store
and database are created if missing; a wrong database schema stops here with the command to run; production refuses
development keys, the built-in passphrase and missing keys, naming each). When the key store is a development one
under the built-in passphrase, a loud banner goes to stderr on every start (`development_banner`).

Uvicorn is started with its access log off (it prints paths and query strings; `web.http.observe` writes the access
line), its own forwarded-header handling off (`web.http.guards.ClientAddress` believes X-Forwarded-For only from
VERIFY_TRUSTED_PROXIES) and JSON log lines. With several workers PROMETHEUS_MULTIPROC_DIR is set to a fresh
directory (unless given) so that `/metrics` adds up every worker.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

from verify import Error
from verify.settings import Settings, load_settings

from .settings import WebSettings

#: Core options of the `verify` parser that the workers must see: argparse dest -> WebSettings field.
_CORE_OPTIONS = ("keys_dir", "base_url", "trust_list", "root_cert", "database_url")


def _web_settings(settings: Settings, **overrides: Any) -> WebSettings:
    values = settings.model_dump(exclude_unset=True) if not isinstance(settings, WebSettings) else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(settings, WebSettings):
        return settings.model_copy(update=values)
    return WebSettings(**values)


def add_serve_command(sub: argparse._SubParsersAction[argparse.ArgumentParser], settings: Settings) -> None:
    """Add `serve` to a subparsers action; its defaults come from VERIFY_HOST, VERIFY_PORT, VERIFY_WORKERS.

    Args:
        sub: the `verify` parser's subparsers (`parser.add_subparsers(...)`).
        settings: the core settings the command line built.
    """
    defaults = _web_settings(settings)
    serve = sub.add_parser("serve", help="run the HTTP service (uvicorn)",
                           description="Run the verification service: the QR link page, the JSON API, the trust "
                                       "list. Settings: VERIFY_* variables (docs/DEPLOY.md).")
    serve.add_argument("--host", default=defaults.host, help="address to listen on [VERIFY_HOST, default: %(default)s]")
    serve.add_argument("--port", type=int, default=defaults.port, help="TCP port [VERIFY_PORT, default: %(default)s]")
    serve.add_argument("--workers", type=int, default=defaults.workers,
                       help="uvicorn worker processes [VERIFY_WORKERS, default: %(default)s]")
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """`verify serve`: prepare once, then run uvicorn until it is stopped.

    Returns:
        0 after a clean shutdown.

    Raises:
        verify.Error: the key store, trust list or database cannot be used (before anything listens).
    """
    import uvicorn

    from .http.logging import configure_logging, uvicorn_log_config
    from .runtime.services import development_banner, prepare

    core = {name: getattr(args, name, None) for name in _CORE_OPTIONS}
    if args.workers < 1:
        raise Error("--workers: give at least 1")
    web_settings = _web_settings(settings, host=args.host, port=args.port, workers=args.workers, **core)
    for name in _CORE_OPTIONS:
        value = getattr(web_settings, name)
        if value is not None:
            os.environ[f"VERIFY_{name.upper()}"] = str(value)
    configure_logging()
    prepare(web_settings)
    banner = development_banner(web_settings)
    if banner is not None:
        print(banner, file=sys.stderr, flush=True)
    metrics_dir: str | None = None
    if web_settings.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="verify-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run("web.app:create_app", factory=True, host=web_settings.host, port=web_settings.port,
                    workers=web_settings.workers, log_config=uvicorn_log_config(), access_log=False,
                    proxy_headers=False, server_header=False)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m web serve [--host --port --workers]`: the serve command without the core parser."""
    parser = argparse.ArgumentParser(prog="python -m web", description="The verify HTTP service.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    try:
        settings = load_settings(WebSettings)
        add_serve_command(sub, settings)
        args = parser.parse_args(argv)
        return int(args.handler(args, settings))
    except Error as exc:
        print(f"error: {exc.diagnostics()}", file=sys.stderr)
        return 2
