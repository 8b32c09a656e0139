"""requirements.lock pins, with hashes, a version of every requirement pyproject.toml states (issue 14 item 7).

`make install`, .ci/run and the Dockerfile install the lock with `pip install --require-hashes` and the project
with `--no-deps`, so a requirement added to pyproject.toml without `make lock` would be missing at run time: this
test says which. Offline: it reads the two files only.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
WEB_STACK = {"fastapi", "starlette", "uvicorn", "jinja2", "limits", "redis", "prometheus-client", "sqlmodel",
             "sqlalchemy", "alembic", "psycopg", "python-multipart"}
"""What a third party's offline verifier must not pull: the web framework and the database drivers."""


def pins(lock: str = "requirements.lock") -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a lock file."""
    out: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text(encoding="utf-8")):
        head = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s\\;]+)", block)
        if head:
            out[canonicalize_name(head.group(1))] = (head.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return out


def project() -> dict[str, list[Requirement]]:
    """"core" and each extra -> its requirements (self-references `verify[...]` left in)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"core": data["dependencies"], **data["optional-dependencies"]}
    return {name: [Requirement(text) for text in texts] for name, texts in groups.items()}


def test_every_requirement_is_pinned_with_hashes_at_a_version_it_allows() -> None:
    locked = pins()
    problems = []
    for group, requirements in project().items():
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            if name == "verify":
                continue
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": group}):
                continue
            if name not in locked:
                problems.append(f"{group}: {requirement} is not in requirements.lock (run make lock)")
                continue
            version, hashes = locked[name]
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{group}: {requirement} but the lock pins {version} (run make lock)")
            if not hashes:
                problems.append(f"{name}=={version} has no hash")
    assert problems == []


def test_the_core_install_pulls_no_web_framework_and_no_database_driver() -> None:
    """`pip install verify` is the offline verifier alone; `verify[web]` adds the service (issue 14 item 7)."""
    groups = project()
    core = {canonicalize_name(r.name) for r in groups["core"]}
    assert core.isdisjoint(WEB_STACK), core & WEB_STACK
    assert {canonicalize_name(r.name) for r in groups["web"]} >= {"fastapi", "uvicorn", "verify"}
    assert any(canonicalize_name(r.name) == "verify" and r.extras >= {"web", "hsm"} for r in groups["dev"])


def test_the_images_lock_pins_the_service_and_no_development_tool() -> None:
    """requirements-web.lock (the Dockerfile's) holds core, registry, web, hsm and otel, and no test tool."""
    locked = pins("requirements-web.lock")
    groups = project()
    for group in ("core", "registry", "web", "hsm", "otel"):
        for requirement in groups[group]:
            name = canonicalize_name(requirement.name)
            if name != "verify":
                assert name in locked and requirement.specifier.contains(locked[name][0], prereleases=True), \
                    f"{group}: {requirement} (run make lock)"
    assert not {"pytest", "hypothesis", "playwright", "schemathesis", "mypy"} & set(locked)
    for lock in ("requirements.lock", "requirements-web.lock"):
        shared = set(pins(lock)) & set(locked)
        assert all(pins(lock)[name][0] == locked[name][0] for name in shared), "the two locks disagree"
