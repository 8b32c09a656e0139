"""The layout that pyproject's [tool.importlinter] contracts check (`make lint` runs `lint-imports`), and what the
linter cannot check: the public surface of `verify` is exactly the one listed here, every module of verify/ and
web/ is placed in a layer (a new module is placed on purpose, not left out of the rules), no module imports one
that imports it back, and no module is too long to read.
"""

from __future__ import annotations

import sys
import tomllib
import types
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]

EXPORTED = [
    "Appendix",
    "AppendixItem",
    "AppendixReport",
    "AsyncStatusLookup",
    "DiplomaRef",
    "DocumentRef",
    "DuplicateOf",
    "Error",
    "FileVersionState",
    "Grade",
    "HolderName",
    "Issuer",
    "ItemKind",
    "KeySigner",
    "KeyStore",
    "LatinName",
    "MemoryVersionState",
    "NumberStatus",
    "PendingCheck",
    "QrImages",
    "Record",
    "RegistryStatus",
    "Scope",
    "SignedAppendix",
    "SignedRecord",
    "Signer",
    "SignerEntry",
    "StatusCode",
    "StatusList",
    "StatusListLookup",
    "StatusLookup",
    "StatusQuery",
    "Successor",
    "Totals",
    "TrustList",
    "Verdict",
    "VerificationError",
    "VerificationReport",
    "Verifier",
    "VersionState",
    "accept_trust_list",
    "bitstring_status_entry",
    "build_bitstring_status_list",
    "build_diploma_credential",
    "build_edc_credential",
    "build_status_list",
    "check_appendix",
    "latin_name",
    "load_status_lists",
    "render_record",
    "sign_appendix",
    "sign_credential",
    "sign_record",
    "signer_jwk",
    "status_of_entry",
    "verify_appendix",
    "verify_credential_jwt",
    "verify_status_list",
]
"""`verify.__all__`: what the web service, the command line and other programs may rely on. Changing it is an API
change: change this list with it, on purpose."""

MAX_LINES = 600
"""Longest module in verify/ or web/ (code and templates; the message catalogues are data): about 600."""


def test_verify_exports_exactly_its_public_surface() -> None:
    import verify

    assert sorted(verify.__all__) == verify.__all__ == EXPORTED
    for name in verify.__all__:
        assert getattr(verify, name).__module__.startswith("verify."), name
    public = {name for name, value in vars(verify).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(EXPORTED), "a public name of `verify` is not in __all__"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("verify", "web", cache_dir=None)


def _contract(contract_id: str) -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c.get("id") == contract_id]
    return contract


def _layer_modules(contract_id: str) -> list[str]:
    layers = _contract(contract_id)["layers"]
    assert isinstance(layers, list)
    return [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]


def _unplaced(modules: Iterable[str], placed: list[str]) -> list[str]:
    """The modules neither placed nor inside a placed package, nor a package whose modules are placed one by one."""
    return sorted(m for m in modules
                  if not any(m == p or m.startswith(p + ".") or p.startswith(m + ".") for p in placed))


def test_every_module_of_verify_is_in_a_layer(graph: grimp.ImportGraph) -> None:
    placed = _layer_modules("layers")
    verify_modules = {m for m in graph.modules if m.startswith("verify.")}
    assert _unplaced(verify_modules, placed) == [], "place the module in a layer of pyproject's 'layers' contract"


def test_every_module_of_web_is_in_a_layer(graph: grimp.ImportGraph) -> None:
    placed = _layer_modules("web-layers")
    web_modules = {m for m in graph.modules if m.startswith("web.")}
    assert _unplaced(web_modules, placed) == [], "place the module in a layer of pyproject's 'web-layers' contract"


def test_no_import_circle(graph: grimp.ImportGraph) -> None:
    """No strongly connected set of modules (Tarjan's algorithm), `if TYPE_CHECKING:` imports included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == module:
                    break
            if len(members) > 1:
                circles.append(sorted(members))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph.modules)))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    assert circles == []


def test_modules_are_short() -> None:
    long = {}
    for tree in ("verify", "web"):
        for path in (ROOT / tree).rglob("*"):
            if path.suffix in {".py", ".html", ".js", ".css"}:
                lines = path.read_text("utf-8").count("\n")
                if lines > MAX_LINES:
                    long[str(path.relative_to(ROOT))] = lines
    assert long == {}
