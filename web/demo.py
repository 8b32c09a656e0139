"""`verify demo`: run the demo (`verify.demo`), print its links and accounts, then serve it.

`add_demo_command(sub, settings)` adds the subcommand to the `verify` parser through the `verify.commands` entry
point (pyproject.toml), as `web.cli` adds `serve`: `verify/` never imports `web/`. `make demo` runs it.

    verify demo [--graduates 2000] [--seed 2026] [--out out/demo] [--no-serve] [--host H] [--port P]

This adapter reads the web settings (the argon2 costs of the accounts, the data directory, where to listen),
names the service's pages to open (`demo_links`), runs `verify.demo.pipeline.run_demo` (the stages, each printing
its time to standard error), prints `print_summary` (the links, the accounts with their passwords, where the files
are) and, unless `--no-serve`, runs the service on the demo registry in this process (`web.cli.cmd_serve`,
uvicorn) until Ctrl+C.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from verify import Error
from verify.demo.pipeline import DEFAULT_GRADUATES, DEFAULT_OUT, DEFAULT_SEED, DemoConfig, print_summary, run_demo
from verify.settings import Settings

from .settings import WebSettings


def add_demo_command(sub: argparse._SubParsersAction[argparse.ArgumentParser], settings: Settings) -> None:
    """Add `demo` to the `verify` parser's subparsers (the `verify.commands` entry point).

    Args:
        sub: the parser's subparsers action.
        settings: the core settings; `--host` and `--port` default to VERIFY_HOST and VERIFY_PORT.
    """
    web = _web_settings(settings)
    demo = sub.add_parser(
        "demo", help="the main job on realistic data: registry, documents, print sheets, inserts; then serve it",
        description="Build a demo registry from seeded sample data (institutions, officers, blanks, thousands of "
                    "graduates), issue every document, a duplicate, a correction and an annulment, write the print "
                    "sheets and pictures of the showcase inserts, print the links, and serve it. The demo registry "
                    "is <VERIFY_DATA_DIR>/demo.db, made again on every run.")
    demo.add_argument("--graduates", type=int, default=DEFAULT_GRADUATES,
                      help="graduates in all, over 10 institutions (default: %(default)s; at least 30)")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the sample data (default: %(default)s)")
    demo.add_argument("--out", type=Path, default=DEFAULT_OUT,
                      help="directory for the export, sheets, inserts and demo.json (default: %(default)s)")
    demo.add_argument("--no-serve", action="store_true", help="stop after printing the links")
    demo.add_argument("--host", default=web.host, help="address to serve on [VERIFY_HOST, default: %(default)s]")
    demo.add_argument("--port", type=int, default=web.port, help="TCP port [VERIFY_PORT, default: %(default)s]")
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """`verify demo`: build the demo (`run_demo`), print the links and accounts, serve unless --no-serve.

    Returns:
        0 when every showcase verdict is the expected one (and after the service stops), 1 otherwise.

    Raises:
        verify.Error: a key store, database or file that cannot be used; the port is taken (checked first).
    """
    web = _web_settings(settings)
    if not args.no_serve:
        _check_port_free(args.host, args.port)
        _warn_on_other_host(args.base_url, args.host, args.port)
    config = DemoConfig(graduates=args.graduates, seed=args.seed, out=args.out, data_dir=web.data_dir,
                        keys_dir=args.keys_dir, passphrase=web.passphrase_bytes(), base_url=args.base_url,
                        password_costs=(web.password_time_cost, web.password_memory_kib, web.password_parallelism),
                        links=demo_links(args.base_url), log_origin=web.resolved_log_origin(args.base_url))
    result = run_demo(config)
    print_summary(result, sys.stdout, serving=not args.no_serve)
    ok = all(item.verdict == item.expected for item in result.showcase)
    if not ok or args.no_serve:
        return 0 if ok else 1
    from .cli import cmd_serve

    serve_args = argparse.Namespace(host=args.host, port=args.port, workers=1, keys_dir=args.keys_dir,
                                    base_url=args.base_url, trust_list=args.trust_list, root_cert=args.root_cert,
                                    database_url=result.database_url)
    return cmd_serve(serve_args, web)


def demo_links(base_url: str) -> dict[str, str]:
    """The service's pages to open: home, scan, the API's sign-in and documents, the officers' console."""
    base = base_url.rstrip("/")
    return {"home": f"{base}/", "scan": f"{base}/scan", "sign_in_api": f"{base}/api/v1/auth/login",
            "api_docs": f"{base}/docs", "console": f"{base}/console/login"}


def _web_settings(settings: Settings) -> WebSettings:
    if isinstance(settings, WebSettings):
        return settings
    return WebSettings(**settings.model_dump(exclude_unset=True))


def _check_port_free(host: str, port: int) -> None:
    """Refuse early (before minutes of work) when the port cannot be bound."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise Error(f"cannot listen on {host}:{port} ({exc.strerror}): stop what uses it, or give --port") from None


def _warn_on_other_host(base_url: str, host: str, port: int) -> None:
    parts = urlsplit(base_url)
    if parts.hostname in ("127.0.0.1", "localhost", "::1") and (parts.port or 80) != port:
        print(f"warning: the QR links name {base_url} (VERIFY_BASE_URL) but the service listens on {host}:{port}; "
              "the links will not reach it", file=sys.stderr)
