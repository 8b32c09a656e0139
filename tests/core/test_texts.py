"""Every message a person reads is in kk, ru and en (issue 10 item 15; verify/texts.py, web/ui/i18n.py).

* every message id of `verify.texts.ENGLISH` (errors, import reasons and warnings, registry refusals, verification
  step details) has a kk, ru and en text in the catalogues, the en text is the library's English, and the kk and
  ru texts differ from it (except the `STRUCTURAL` templates, which hold no words); each renders in each language
  with its placeholders filled, nested texts and dates in that language;
* the modules that speak to officers and employers raise every `verify` error with a `Text`, never a bare English
  string, and build every import problem from one (an AST walk of their source), so a new message cannot skip the
  catalogues;
* a `Text` keeps the English the command line prints ("field: reason").
"""

from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest

from verify import errors
from verify.errors import LifecycleError, RecordError
from verify.identifiers import validate_iin
from verify.texts import ENGLISH, STRUCTURAL, Text, text
from web.ui.i18n import CATALOGUE, LANGUAGES, Translator

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "verify" / "registry"
SPOKEN = [*sorted(REGISTRY.glob("*.py")), *sorted((REGISTRY / "imports").glob("*.py")),
          *(ROOT / "verify" / name for name in ("record.py", "identifiers.py", "matching.py", "verifier.py",
                                                "codec.py", "trust.py", "issue.py", "signerset.py",
                                                "keystore.py", "transparency/store.py"))]
"""The modules whose errors reach officers, employers, administrators and the log API's readers."""
NOT_YET = {"async_lookup.py"}
"""The async lookup's programming errors: English."""
OPERATORS_ENGLISH = {"statuslists.py": {"StatusListError", "VersionStateError"},
                     "identifiers.py": {"IinInTextError"}, "tlog.py": {"LogStoreError"},
                     "store.py": {"LogStoreError"}}
"""Errors a module may raise in English: the status lists' errors are the operator's (printed by the command line);
`IinInTextError` is answered in the reader's language by the web layer's own message
(`web.problems.errors.IIN_IN_TEXT_MESSAGE`); a `LogStoreError` is a damaged log (the operator's `verify audit
verify`, a monitor). The log's range refusals (`TransparencyError`), the trust list's, the audit chain's and the
codec's issue-time and host errors are `Text`s."""
ERROR_NAMES = {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, Exception)}


def sample(template: str) -> dict[str, object]:
    return {name: 7 for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_every_message_id_has_kk_ru_en_and_the_en_text_is_the_librarys(key: str) -> None:
    texts = CATALOGUE[key]
    assert set(texts) == set(LANGUAGES)
    assert texts["en"] == ENGLISH[key]
    if key not in STRUCTURAL:
        assert (texts["kk"] != texts["en"] and texts["ru"] != texts["en"] and texts["kk"] != texts["ru"]) or \
            (texts["kk"] != texts["en"] and texts["ru"] != texts["en"])
    message = Text(key, sample(ENGLISH[key]))
    rendered = {lang: Translator(lang).text(message) for lang in LANGUAGES}
    assert rendered["en"] == message.english()
    if key not in STRUCTURAL:
        assert rendered["kk"] != rendered["en"] and rendered["ru"] != rendered["en"]


def test_nested_texts_dates_and_fields_render_in_the_readers_language() -> None:
    refusal = text("v_life_annulled", document="ТКБ 0100255", date=dt.date(2026, 7, 3),
                   action=text("v_action_duplicate"))
    assert refusal.english() == ("document ТКБ 0100255 was annulled on 2026-07-03: an annulment is final, "
                                 "no duplicate is possible")
    assert Translator("ru").text(refusal) == ("документ ТКБ 0100255 аннулирован 3 июля 2026 г.: аннулирование "
                                              "окончательно, оформление дубликата невозможно")
    assert "2026 ж. 3 шілде" in Translator("kk").text(refusal) and "телнұсқа беру" in Translator("kk").text(refusal)
    with pytest.raises(RecordError) as caught:
        validate_iin("040512600027")
    assert caught.value.message == "iin: check digit does not match (not a valid IIN)"  # the CLI's English
    assert Translator("ru").error(caught.value) == "iin: контрольная цифра не совпадает (это не действительный IIN)"
    assert Translator("kk").text(caught.value.text.without_field()) == "бақылау цифры сәйкес емес (жарамды IIN емес)"  # type: ignore[union-attr]
    assert Translator("en").error(LifecycleError("plain English")) == "plain English"
    with pytest.raises(KeyError):
        text("v_life_annulled", document="x")  # placeholders checked when a Text is made


def _text_makers(tree: ast.Module) -> frozenset[str]:
    """The module's own functions that return a `Text` (annotated `-> Text` or `-> texts.Text`)."""
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef) and node.returns is not None
                     and ast.unparse(node.returns).split(".")[-1] == "Text")


def _is_a_text(value: ast.expr | None, makers: frozenset[str] = frozenset()) -> bool:
    if isinstance(value, ast.Name) or (isinstance(value, ast.Attribute) and value.attr == "text"):
        return True  # a Text made above (a variable, an error's `.text`), or a re-raise of what a check returned
    return isinstance(value, ast.Call) and (
        (isinstance(value.func, ast.Name) and value.func.id in {"text", "Text", *makers}) or
        (isinstance(value.func, ast.Attribute) and value.func.attr in {"text", "Text"}))


def _first_argument_is_a_text(call: ast.Call, makers: frozenset[str] = frozenset()) -> bool:
    return bool(call.args) and _is_a_text(call.args[0], makers)


def _calls(tree: ast.Module) -> list[tuple[ast.Call, str]]:
    """Every call of the module with the name of the function (or method) it is in ("" at module level)."""
    found: list[tuple[ast.Call, str]] = []

    def walk(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                walk(child, child.name)
                continue
            if isinstance(child, ast.Call):
                found.append((child, where))
            walk(child, where)

    walk(tree, "")
    return found


OPERATORS_IN = {("store.py", "append_leaf_hashes"): {"TransparencyError"},
                **{("keystore.py", name): {"KeyStoreError"} for name in (
                    "_passphrase_for", "_token_pin", "root_certificate", "trust_list", "active_kids",
                    "_active_entries", "init")}}
"""(module, function) -> errors it may raise in English: appending to the log is the registry's own act (a hash of
the wrong size is a programming error, a full log the operator's); the key store's files, passphrase, PIN and
`verify keys init` are the operator's (the command line, a start-up refusal)."""


@pytest.mark.parametrize("path", [p for p in SPOKEN if p.name not in NOT_YET], ids=lambda p: p.name)
def test_every_error_and_import_problem_for_people_is_raised_with_a_text(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    makers = _text_makers(tree)
    bare = []
    for node, where in _calls(tree):
        if isinstance(node.func, ast.Name) and node.func.id in ERROR_NAMES \
                and node.func.id not in {"ValueError", "RuntimeError", "KeyError"} \
                and node.func.id not in OPERATORS_ENGLISH.get(path.name, set()) \
                and node.func.id not in OPERATORS_IN.get((path.name, where), set()) \
                and not _first_argument_is_a_text(node, makers):
            bare.append(f"{path.name}:{node.lineno} {node.func.id}")
        if isinstance(node.func, ast.Name) and node.func.id == "RowError":
            bare.append(f"{path.name}:{node.lineno} RowError(...) without a Text: use RowError.of")
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"error", "warn"} \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "c" \
                and not (len(node.args) == 2 and (isinstance(node.args[1], ast.Call | ast.Name))):
            bare.append(f"{path.name}:{node.lineno} c.{node.func.attr} without a Text")
    assert bare == []


WEB = ROOT / "web"
WEB_OPERATORS_ENGLISH = {
    ("cli.py", "cmd_serve"): {"Error"},
    ("demo.py", "_check_port_free"): {"Error"},
    ("runtime/replica.py", ""): {"Error"},
    ("runtime/services.py", ""): {"Error", "KeyStoreError"},
}
"""(module under web/, function) -> errors it may raise with an English literal: the server's start-up refusals,
which the operator reads on the console before any request is answered (settings, database, root certificate)."""


def _literal(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant | ast.JoinedStr) or (
        isinstance(value, ast.BinOp) and (_literal(value.left) or _literal(value.right)))


def test_every_problem_and_error_the_web_layer_answers_people_with_is_a_text() -> None:
    """Issue 10 item 15: a `ProblemError` of web/ carries `text=` (or `message_key=`), so its `detail` is in the
    reader's language, and no error of the tree is raised there with an English literal (except the start-up
    refusals of `WEB_OPERATORS_ENGLISH`)."""
    bare = []
    for path in sorted(WEB.rglob("*.py")):
        name = path.relative_to(WEB).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, where in _calls(tree):
            if not isinstance(node.func, ast.Name):
                continue
            keywords = {k.arg for k in node.keywords}
            if node.func.id == "ProblemError" and not keywords & {"text", "message_key"}:
                bare.append(f"{name}:{node.lineno} ProblemError without text=")
            allowed = set().union(*(errors_ for (module, function), errors_ in WEB_OPERATORS_ENGLISH.items()
                                    if module == name and function in {where, ""}))
            if node.func.id in ERROR_NAMES and node.func.id not in allowed and node.args and _literal(node.args[0]):
                bare.append(f"{name}:{node.lineno} {node.func.id} with an English literal")
    assert bare == []


def test_the_verifiers_english_step_details_are_their_texts_in_english() -> None:
    """The verifier writes its passed steps' English out (a hot path); it must be the `Text`'s own English."""
    from test_vectors import load, verifier_for  # the vectors' own loader (tests/core/test_vectors.py)

    vectors = sorted(p.name for p in (ROOT / "tests" / "vectors").iterdir() if (p / "case.json").exists())
    seen = set()
    for name in vectors:
        case = load(name)
        report = verifier_for(case).check(case["QR_TEXT"], at=dt.datetime.fromisoformat(
            case["VALIDATION_CLOCK"].replace("Z", "+00:00"))) if "QR_TEXT" in case else None
        for step in report.steps if report is not None else ():
            if step.text is not None:
                assert set(step.text.params) == {n for _, n, _, _ in string.Formatter().parse(ENGLISH[step.text.key])
                                                 if n}, (name, step)
                assert step.detail == step.text.english(), (name, step)
                seen.add(step.text.key)
    assert {"v_step_prefix", "v_step_signature", "v_step_period", "v_step_scope", "v_step_not_checked"} <= seen


def test_every_text_the_web_layer_makes_is_in_the_catalogues() -> None:
    """The web layer's own `Text("c_...")` details (never put into English by the library) must be catalogued."""
    keys = set()
    for path in (ROOT / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"Text", "say"} \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                keys.add(node.args[0].value)
    assert len(keys) >= 8 and sorted(keys - set(CATALOGUE)) == []
