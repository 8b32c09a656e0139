"""Fixtures of the registry tests: one database per test on SQLite and on PostgreSQL.

SQLite: a copy of a migrated template file in the test's tmp_path. PostgreSQL (at
VERIFY_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432/test): a fresh schema per test, chosen
with `options=-csearch_path=...`, migrated, and dropped afterwards. When the server cannot be
reached the PostgreSQL cases are skipped with the reason, unless CI=true, where they fail.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.statuslists import status_key_store
from support.world import (
    Keys,
    World,
    build_world,
    drop_postgres_schema,
    new_key_store,
    new_postgres_schema,
    postgres_url_or_skip,
)

from verify.keystore import KeyStore
from verify.registry.db import upgrade_database


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """A TEST ONLY key store made a day before T0 (its signer may sign for a year)."""
    return Keys.of(new_key_store(tmp_path_factory.mktemp("registry-keys") / "keys"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The server URL, or a skip (a failure when CI=true) saying why it cannot be used."""
    return postgres_url_or_skip()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("registry-template") / "verify.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (not migrated) on the engine of `request.param`."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'verify.db'}"
        return
    schema, url = new_postgres_schema(request.getfixturevalue("postgres_url"))
    try:
        yield url
    finally:
        drop_postgres_schema(schema)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated, empty registry on the engine of `request.param`."""
    if request.param == "sqlite":
        path = tmp_path / "verify.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schema, url = new_postgres_schema(request.getfixturevalue("postgres_url"))
    try:
        upgrade_database(url)
        yield url
    finally:
        drop_postgres_schema(schema)


@pytest.fixture
def world(db_url: str, keys: Keys) -> Iterator[World]:
    """Institutions and officers in a fresh registry (see `support.world.World`)."""
    built = build_world(db_url, signer=keys.signer, trust_list=keys.trust_list)
    try:
        yield built
    finally:
        built.dispose()


@pytest.fixture
def sqlite_world(sqlite_template: Path, keys: Keys, tmp_path: Path) -> Iterator[World]:
    """A `World` on SQLite only (for the tests of SQLite's own locking)."""
    path = tmp_path / "verify.db"
    shutil.copyfile(sqlite_template, path)
    built = build_world(f"sqlite:///{path}", signer=keys.signer, trust_list=keys.trust_list)
    try:
        yield built
    finally:
        built.dispose()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses a database on both engines (ids `sqlite`, `postgresql`; marker `postgres`)."""
    for name in ("db_url", "empty_url"):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, [pytest.param("sqlite", id="sqlite"),
                                        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)],
                                 indirect=True)
            return


@pytest.fixture(scope="module")
def status_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    """A TEST ONLY key store with a document signer and a status signer (the status-list tests' own module)."""
    return status_key_store(tmp_path_factory.mktemp("status-keys") / "keys")


@pytest.fixture
def status_world(db_url: str, status_keys: KeyStore) -> Iterator[World]:
    """Institutions and officers in a fresh registry signed with `status_keys`."""
    built = build_world(db_url, signer=status_keys.signer(), trust_list=status_keys.trust_list())
    try:
        yield built
    finally:
        built.dispose()
