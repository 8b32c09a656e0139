"""Fixtures of the web tests: a registry with an issued document, and started apps on it.

* `keys`: a TEST ONLY key store (session); `world`: a fresh SQLite registry (a copy of a migrated template)
  with institutions and officers, built with the tests' registry world (`support.world`);
* `issued`: BD 0000001 issued in it, holder "Әбдірахманова Гүлнұр Серікқызы";
* `make_client(client=(address, port), **settings)`: a started `TestClient` on `create_app(...)` for that
  registry; `client`: one with the default (generous) test limits.
Every response body and log line goes into `support.leaks.CORPUS` for the leak check.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.leaks import CorpusHandler
from support.web import Issued, MakeClient, RecordingClient, issue, web_settings
from support.world import Keys, World, build_world, new_key_store

from verify.registry.db import upgrade_database
from web.app import create_app
from web.http.logging import LOGGER_NAME


@pytest.fixture(scope="session", autouse=True)
def _collect_log_lines() -> Iterator[None]:
    logger = logging.getLogger(LOGGER_NAME)
    handler = CorpusHandler()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """The TEST ONLY key store of the session."""
    return Keys.of(new_key_store(tmp_path_factory.mktemp("web-keys") / "keys"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite registry, copied for each test."""
    path = tmp_path_factory.mktemp("web-template") / "verify.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path, keys: Keys) -> Iterator[World]:
    """Institutions and officers in a fresh SQLite registry (tmp_path/data/verify.db)."""
    path = tmp_path / "data" / "verify.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    built = build_world(f"sqlite:///{path}", signer=keys.store.signer(), trust_list=keys.store.trust_list())
    try:
        yield built
    finally:
        built.dispose()


@pytest.fixture
def issued(world: World) -> Issued:
    """BD 0000001 for Әбдірахманова Гүлнұр Серікқызы, signed at T0 for https://v.edu.kz."""
    return issue(world)


@pytest.fixture
def make_client(world: World, keys: Keys, tmp_path: Path) -> Iterator[MakeClient]:
    """`make_client(client=("1.2.3.4", 5000), **settings)`: a started TestClient; all are closed afterwards."""
    clients: list[TestClient] = []

    def make(client: tuple[str, int] = ("203.0.113.7", 50000), **overrides: Any) -> TestClient:
        app = create_app(web_settings(world, keys, tmp_path, **overrides))
        test_client = RecordingClient(app, client=client)
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    try:
        yield make
    finally:
        for test_client in clients:
            test_client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A started TestClient with the default (generous) test limits."""
    return make_client()
