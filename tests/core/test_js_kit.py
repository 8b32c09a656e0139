"""The JavaScript verifier kit (clients/js) reports exactly what the Python verifier reports (issue 12 item 5).

tests/vectors' EXPECTED pins the verdict and the stages a case claims; this compares the whole answer of the kit
(printed by clients/js/test/parity.mjs) with the Python verifier's:

* every record vector: the report (`report.toJSON()` against `VerificationReport.to_json()`): verdict, every
  step's number, name and outcome, authenticity, status, status source and time, record, signing time, signer,
  warnings, trust list version and check time;
* every status-list vector (tests/vectors/statuslist): accepted or refused, version, times, signer, the status
  of the numbers it names, the version recorded, and the reports of every status-list record with that list as
  the only status source (status required), the source's answer (`registry`) included;
* every trust-list vector (tests/vectors/trustlist): accepted or refused, version, signers with their usage and
  chain, the version recorded;
* a corpus of status-list payloads (random lists, bit flips of them, hand-made breakages): the same decoded
  content or both refused; and a corpus of trust-list files for the I-JSON rules: the same value or both refused;
* step 1 on thousands of QR texts (every character whose Unicode case maps to an ASCII letter in every letter of
  the prefix, the host grammar, development hosts, ports, white space) and the QR prefix of base URLs;
* `verify-qr --status-lists DIR` on a folder written as docs/FORMAT.md §9.8 specifies it (`<series>.cose`,
  `index.json` valid under verify/schemas/status-list-index.schema.json): the report and the exit status of
  every status-list record equal the Python verifier's with `load_status_lists(DIR)`.

Needs node and the built kit (`make test-js` builds it); without them the test is skipped with the reason,
except when CI=true, where it fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import cbor2
import jsonschema
import pytest

from verify import codec
from verify.errors import PrefixError, RecordError, StatusListError, TrustListError
from verify.keys import load_certificate
from verify.record import DuplicateOf
from verify.status import RegistryStatus
from verify.statuslist import NumberStatus, StatusList, Successor, build_status_list, decode_status_list
from verify.statuslookup import StatusListLookup, load_status_lists, status_from_list, verify_status_list
from verify.trust import TrustList, _parse_document, format_time, parse_time
from verify.verifier import Verifier
from verify.versionstate import MemoryVersionState, accept_trust_list, status_list_key, trust_list_key

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
KIT = ROOT / "clients" / "js"
SAME = ("verdict", "authentic", "status", "status_source", "status_as_of", "record", "signed_at", "signer",
        "warnings", "checked_at", "trust_list_version", "environment", "registry")
EPOCH = dt.date(1970, 1, 1)


def _node_with_kit() -> str:
    """The node executable, once the kit is built; skips (fails when CI=true) otherwise."""
    node = shutil.which("node")
    reason = None if node else "node is not installed"
    if node and not (KIT / "dist" / "index.js").exists():
        reason = "the kit is not built (run `make test-js`)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; the JavaScript kit's parity test is required when CI=true")
        pytest.skip(reason)
    assert node is not None
    return node


def _node(*args: str, stdin: Any = None) -> Any:
    done = subprocess.run([_node_with_kit(), "test/parity.mjs", *args], cwd=KIT, capture_output=True, text=True,
                          timeout=300, check=True, input=None if stdin is None else json.dumps(stdin))
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def kit() -> dict[str, Any]:
    reports: dict[str, Any] = _node("vectors", str(VECTORS))
    return reports


def _cases(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(p.parent.name, json.loads(p.read_text("utf-8"))) for p in sorted(folder.glob("*/case.json"))]


def _trust_list(case: dict[str, Any]) -> TrustList:
    root = load_certificate(VECTORS / case["ROOT"])
    return TrustList.from_json((VECTORS / case["TRUST_LIST"]).read_bytes(), root=root)


def _assert_same_report(js: dict[str, Any], python: dict[str, Any], name: str) -> None:
    for key in SAME:
        assert js[key] == python[key], (name, key)
    assert [(s["step"], s["name"], s["outcome"]) for s in js["steps"]] == \
        [(s["step"], s["name"], s["outcome"]) for s in python["steps"]], name
    failed = next((s for s in python["steps"] if s["outcome"] == "failed"), None)
    assert (js["failed_step"] or {}).get("step") == (failed or {}).get("step"), name


def test_kit_reports_equal_python_reports(kit: dict[str, Any]) -> None:
    cases = _cases(VECTORS)
    assert sorted(kit["records"]) == [name for name, _ in cases]
    for name, case in cases:
        python = Verifier(_trust_list(case)).check(case["QR_TEXT"], at=parse_time(case["VALIDATION_CLOCK"])).to_json()
        _assert_same_report(kit["records"][name], python, name)


def _status_json(s: RegistryStatus) -> dict[str, Any]:
    r = s.replaced_by
    return {"code": s.code.value, "as_of": s.as_of.timestamp(), "source": s.source,
            "current_revision": s.current_revision, "duplicate_no": s.duplicate_no,
            "original": None if s.original is None else [s.original.series, s.original.number],
            "replaced_by": None if r is None else [r.series, r.number, r.duplicate_no,
                                                   None if r.issued_on is None else r.issued_on.isoformat(), r.reason],
            "annulled_on": None if s.annulled_at is None else s.annulled_at.date().isoformat(),
            "changed_on": None if s.changed_at is None else s.changed_at.date().isoformat(), "reason": s.reason}


def test_kit_agrees_on_every_status_list_vector(kit: dict[str, Any]) -> None:
    folder = VECTORS / "statuslist"
    cases = _cases(folder)
    assert sorted(kit["statuslist"]) == [name for name, _ in cases]
    texts = [r["QR_TEXT"] for _, case in cases for r in case.get("RECORDS", [])]
    assert len(texts) >= 9
    for name, case in cases:
        js = kit["statuslist"][name]
        root = load_certificate(VECTORS / case["ROOT"])
        trust_list = _trust_list(case)
        at = parse_time(case["VALIDATION_CLOCK"])
        state = MemoryVersionState({status_list_key(root, case["SERIES"]): case["SEEN_VERSION"]})
        lists: list[StatusList] = []
        hint = case["EXPECTED"].get("error_contains")
        try:
            status_list = verify_status_list(bytes.fromhex(case["STATUS_LIST_HEX"]), trust_list=trust_list, at=at,
                                             series=case["SERIES"], state=state)
        except StatusListError as exc:
            error = exc.message
            assert js["accepted"] is False, name
            assert hint in error and hint in js["error"], (name, error, js["error"])
        else:
            lists.append(status_list)
            assert status_list.signer is not None
            assert {k: js[k] for k in ("accepted", "version", "issued_at", "next_update", "expires_at", "signer")} == {
                "accepted": True, "version": status_list.version, "issued_at": status_list.issued_at.timestamp(),
                "next_update": status_list.next_update.timestamp(), "expires_at": status_list.expires_at.timestamp(),
                "signer": status_list.signer.label}, name
            assert js["lookups"] == [_status_json(status_from_list(status_list, number=lookup["number"],
                                                                   revision=lookup["revision"]))
                                     for lookup in case["LOOKUPS"]], name
        assert js["highest"] == state.highest(status_list_key(root, case["SERIES"])), name
        verifier = Verifier(trust_list, status_lookup=StatusListLookup(lists), status_required=True)
        assert len(js["reports"]) == len(texts)
        for text, report in zip(texts, js["reports"], strict=True):
            _assert_same_report(report, verifier.check(text, at=at).to_json(), name)


def test_kit_agrees_on_every_trust_list_vector(kit: dict[str, Any]) -> None:
    folder = VECTORS / "trustlist"
    cases = _cases(folder)
    assert sorted(kit["trustlist"]) == [name for name, _ in cases]
    for name, case in cases:
        js = kit["trustlist"][name]
        root = load_certificate(VECTORS / case["ROOT"])
        state = MemoryVersionState({trust_list_key(root): case["SEEN_VERSION"]})
        hint = case["EXPECTED"].get("error_contains")
        try:
            trust_list = accept_trust_list((folder / name / case["TRUST_LIST_FILE"]).read_bytes(), root=root,
                                           state=state)
        except TrustListError as exc:
            error = exc.message
            assert js["accepted"] is False, name
            assert hint in error and hint in js["error"], (name, error, js["error"])
        else:
            assert js["accepted"] is True and js["version"] == trust_list.version, name
            assert js["signers"] == [[s.label, s.usage, s.chains_to_root] for s in trust_list.signers], name
        assert js["highest"] == state.highest(trust_list_key(root)), name


# ------------------------------------------------------------------ corpora: decoders side by side
ISSUED = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)


def _random_rows(rng: random.Random) -> list[tuple[int, NumberStatus | None]]:
    """Random statuses of a BD list (the shapes of tests/core/test_statuslist.py's strategy), inconsistent ones too."""
    numbers = sorted(rng.sample(range(0, 10_000_000) if rng.random() < 0.3 else range(0, 60), rng.randint(0, 30)))
    rows: dict[int, NumberStatus | None] = dict.fromkeys(numbers)
    day = lambda: ISSUED.date() - dt.timedelta(days=rng.randint(0, 4000))  # noqa: E731
    for number in numbers:
        kind = rng.choice(["in force", "annulled", "corrected", "replaced", "other", "duplicate"])
        revision = rng.choice([1, 1, 2, 999])
        corrected = day() if revision > 1 else None
        if kind == "annulled":
            rows[number] = NumberStatus(annulled_on=day(), current_revision=revision, corrected_on=corrected)
        elif kind == "corrected" and revision > 1:
            rows[number] = NumberStatus(current_revision=revision, corrected_on=corrected)
        elif kind == "other":
            rows[number] = NumberStatus(replaced_by=Successor(rng.choice(["MD", "ТКБ", "PhD"]),
                                                              f"{rng.randrange(10_000_000):07d}", day(),
                                                              rng.choice([None, "lost", "filling_error"])))
        elif kind == "duplicate":
            rows[number] = NumberStatus(duplicate=DuplicateOf(rng.randint(1, 99), rng.choice(["MD", "BD", "ТКБ"]),
                                                              f"{rng.randrange(10_000_000):07d}"))
        elif kind == "replaced" and len(numbers) > 1:
            successor = rng.choice([n for n in numbers if n != number])
            rows[number] = NumberStatus(replaced_by=Successor("BD", f"{successor:07d}", day(), "lost"))
    return list(rows.items())


def _payload_corpus() -> list[bytes]:
    rng = random.Random(20261101)
    valid: list[bytes] = []
    while len(valid) < 120:
        try:
            valid.append(build_status_list("BD", _random_rows(rng), version=rng.randint(1, 2**53 - 1),
                                           issued_at=ISSUED).encode_payload())
        except StatusListError:
            continue
    flipped = []
    for payload in valid[:60]:
        for _ in range(4):
            data = bytearray(payload)
            bit = rng.randrange(len(data) * 8)
            data[bit // 8] ^= 1 << (bit % 8)
            flipped.append(bytes(data))
    m = cbor2.loads(valid[1])
    made = [cbor2.dumps({**m, **change}, canonical=True) for change in (
        {9: ["ТКБ", "AA"]}, {9: ["BD"]}, {10: 1}, {1: 2}, {3: 0}, {3: 2**53}, {4: 2**34}, {2: "bd"}, {2: "ВD"},
        {5: m[4]}, {6: m[4] + 7 * 86400 + 1}, {7: b"\x80\x00"}, {7: b"\x00"}, {8: b"\x10"},
        {8: b"\x12\x00\x02\x05\x00"}, {8: b"\x18\xc6\x01\x00\x00"}, {8: b"\x19\x00\x00\x00\x00"},
        {8: b"\x04\xe6\x07\x00"}, {8: b"\x01\xff\xff\xff\x7f"})]
    without_entries = cbor2.dumps({k: v for k, v in m.items() if k != 8})
    return [*valid, *flipped, *made, b"", b"\xa0", cbor2.dumps([1]), without_entries]


def _decoded(payload: bytes) -> dict[str, Any]:
    try:
        s = decode_status_list(payload)
    except StatusListError:
        return {"accepted": False}
    days = lambda d: None if d is None else (d - EPOCH).days  # noqa: E731
    statuses = {str(n): [days(v.annulled_on),
                         None if v.replaced_by is None else [v.replaced_by.series, v.replaced_by.number,
                                                             days(v.replaced_by.issued_on), v.replaced_by.reason],
                         v.current_revision, days(v.corrected_on),
                         None if v.duplicate is None else [v.duplicate.duplicate_no, v.duplicate.original_series,
                                                           v.duplicate.original_number]]
                for n, v in sorted(s.statuses.items())}
    return {"accepted": True, "series": s.series, "version": s.version,
            "times": [int(t.timestamp()) for t in (s.issued_at, s.next_update, s.expires_at)],
            "issued": [list(run) for run in s.issued], "statuses": statuses}


def test_kit_decodes_status_list_payloads_as_python() -> None:
    corpus = _payload_corpus()
    js = _node("status-payloads", stdin=[p.hex() for p in corpus])
    python = [_decoded(p) for p in corpus]
    assert sum(p["accepted"] for p in python) >= 120 and sum(not p["accepted"] for p in python) >= 100
    for index, (mine, theirs) in enumerate(zip(python, js, strict=True)):
        theirs = {k: v for k, v in theirs.items() if k != "error"}
        assert theirs == mine, (index, corpus[index].hex())


def _ijson_corpus() -> list[bytes]:
    text = (VECTORS / "_trust" / "test-trust-list.json").read_text("utf-8")
    texts = [
        text, json.dumps(json.loads(text)), '{"a": 1, "a": 1}', '{"a": {"b": 1, "b": 2}}', '{"\\u0061": 1, "a": 2}',
        "[9007199254740991]", "[9007199254740992]", "[-9007199254740992]", "[1.0]", "[1e2]", "[-0]", "[0.5E-3]",
        '["\\ud800"]', '["\\udc00"]', '["\\ud83d\\ude00"]', '{"\\ud800": 1}', '["a\\u0000b"]', '["\\u00e9"]',
        '["a\tb"]', '["\u0001"]', "[1,]", "[NaN]", "[Infinity]", "[01]", "", " ", "\ufeff[]", "[1] [2]", "{'a': 1}",
        "[" * 16 + "]" * 16, "[" * 17 + "]" * 17, "[" * 15 + "1" + "]" * 15, "[" * 16 + "1" + "]" * 16,
        '{"__proto__": {"a": 1}}', '"just text"', "null", "true", "[true, false, null]", " \r\n\t[ ]\r\n",
        '{"a": "\\/\\b\\f\\n\\r\\t\\"\\\\"}', '["\\x41"]', '["\\u12"]', "[-]", "[1.]", "[.5]", "[+1]", '{"a" 1}',
    ]
    raw = [t.encode("utf-8") for t in texts]
    return [*raw, text.encode("utf-16"), b'["\xff"]', b'["\xed\xa0\x80"]', b'["\xc0\xaf"]', b"\xef\xbb\xbf[]"]


def _ijson(data: bytes) -> dict[str, Any]:
    try:
        return {"accepted": True, "value": _parse_document(data)}
    except TrustListError:
        return {"accepted": False}


def test_kit_reads_i_json_as_python() -> None:
    corpus = _ijson_corpus()
    js = _node("ijson", stdin=[d.hex() for d in corpus])
    for data, theirs in zip(corpus, js, strict=True):
        theirs = {k: v for k, v in theirs.items() if k != "error"}
        assert theirs == _ijson(data), data[:80]


# ------------------------------------------------------------------ a folder of lists (docs/FORMAT.md §9.8)
def _write_folder(folder: Path) -> list[str]:
    """A synced folder as docs/FORMAT.md §9.8 specifies it: `<series>.cose` and `index.json` (lists first)."""
    trust_list = _trust_list(_cases(VECTORS / "statuslist")[0][1])
    entries = []
    for case_name, series in (("valid_bd_list", "BD"), ("valid_empty_list", "MD")):
        data = (VECTORS / "statuslist" / case_name / f"{series}.cose").read_bytes()
        (folder / f"{series}.cose").write_bytes(data)
        listed = verify_status_list(data, trust_list=trust_list, at=ISSUED, series=series)
        entries.append({"series": series, "version": listed.version, "issued_at": format_time(listed.issued_at),
                        "next_update": format_time(listed.next_update), "expires_at": format_time(listed.expires_at),
                        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    entries.append({**entries[0], "series": "PhD"})  # promised, but its file is missing
    index = {"type": "verify-status-list-index", "format": 1, "generated_at": format_time(ISSUED),
             "lists": sorted(entries, key=lambda e: e["series"].encode())}
    schema = json.loads(resources.files("verify.schemas").joinpath("status-list-index.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(index)
    (folder / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return [r["QR_TEXT"] for _, case in _cases(VECTORS / "statuslist") for r in case.get("RECORDS", [])]


def test_verify_qr_with_a_folder_of_lists_reports_as_python(tmp_path: Path) -> None:
    node = _node_with_kit()
    texts = _write_folder(tmp_path)
    case = _cases(VECTORS / "statuslist")[0][1]
    at = parse_time(case["VALIDATION_CLOCK"])
    lookup, refused = load_status_lists(tmp_path, trust_list=_trust_list(case), at=at)
    assert sorted(lookup.lists) == ["BD", "MD"] and refused == []
    verifier = Verifier(_trust_list(case), status_lookup=lookup, status_required=True)
    exits = {"VALID": 0, "AUTHENTIC_STATUS_UNKNOWN": 3}
    for text in texts:
        done = subprocess.run([node, "dist/cli.js", "--trust-list", str(VECTORS / case["TRUST_LIST"]),
                               "--root", str(VECTORS / case["ROOT"]), "--status-lists", str(tmp_path),
                               "--at", case["VALIDATION_CLOCK"], "--json", text],
                              cwd=KIT, capture_output=True, text=True, timeout=60, check=False)
        python = verifier.check(text, at=at).to_json()
        assert done.returncode == exits.get(python["verdict"], 1), done.stderr
        assert done.stderr == "verify-qr: status list refused: PhD.cose: listed in index.json (version 7) but missing\n"
        _assert_same_report(json.loads(done.stdout), python, text[-12:])


# ------------------------------------------------------------------ step 1 side by side (docs/FORMAT.md §5.2)
def _prefix_corpus() -> tuple[list[str], list[str]]:
    forms = lambda c: (c.upper(), c.lower(), c.title(), c.casefold())  # noqa: E731
    lookalikes = [chr(cp) for cp in range(0x80, sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF
                  and any(any(c.isascii() and c.isalpha() for c in form) for form in forms(chr(cp)))]
    prefix = "HTTPS://V.EDU.KZ/V/"
    texts = [p[:i] + char + p[i + 1:] + "123" for char in lookalikes for p in (prefix, prefix.lower())
             for i, c in enumerate(p) if c.isalpha()]
    hosts = ["V.EDU.KZ", "LOCALHOST", "A.LOCALHOST", "X.TEST", "TEST", "LOCALHOSTX", "127.0.0.1", "127.255.255.255",
             "10.0.0.1", "172.16.0.1", "172.31.255.255", "172.32.0.1", "172.15.0.1", "192.168.0.1", "192.169.0.1",
             "8.8.8.8", "01.2.3.4", "1.2.3.256", "1.2.3", "1.2.3.4.5", "A..KZ", "-A.KZ", "A-.KZ", "A-B.KZ", "A_B.KZ",
             "V.EDU.KZ.", ".V.KZ", "1.KZ", "KZ.1", "XN--80A.KZ", "A" * 12, "999.1.1.1", "V.EDU.KZ:443",
             "0.0.0.0"]  # noqa: S104 (a host in a QR text, not an address to bind)
    for scheme in ("HTTPS://", "HTTP://", "https://", "Http://", "FTP://", "HTTPS:/", "HTTPSS://"):
        for host in hosts:
            for port in ("", ":1", ":80", ":8000", ":65535", ":65536", ":0", ":080", ":"):
                texts.append(f"{scheme}{host}{port}/V/123")
    text = "HTTPS://V.EDU.KZ/V/123"
    texts += [f"{edge}{text}{edge}" for edge in (" ", "\t", "\r\n", "\n\n", "\x0b", "\x0c", "\xa0", "\u2028", "\ufeff")]
    texts += [text.replace("/V/", "/v/"), text.replace("/V/", "/V//"), text + "\n1", text[:-1] + "\u0661",
              text + "1" * 1300, text + "1" * 1310, "HTTPS://V.EDU.KZ/V/", "HTTPS://V.EDU.KZ/V", ""]
    urls = ["https://v.edu.kz", "https://v.edu.kz/", "HTTPS://V.EDU.KZ", "http://127.0.0.1:8000", "http://v.edu.kz",
            "https://v.edu.kz:443", "https://v.edu.kz/path", "https://user@v.edu.kz", "ftp://v.edu.kz",
            "https://a-very-long-host.edu.kz", "https://v\u0131.kz", "http://localhost", " https://v.edu.kz ",
            "https://v.edu.kz?x", "https://1.2.3.256", "https://v_edu.kz"]
    return texts, urls


def _attempt(function: Any, *args: Any) -> dict[str, Any]:
    try:
        value = function(*args)
    except (PrefixError, RecordError):
        return {"accepted": False}
    return {"accepted": True, "value": list(value) if isinstance(value, tuple) else value}


def test_kit_reads_qr_prefixes_as_python() -> None:
    texts, urls = _prefix_corpus()
    assert len(texts) > 2000
    js = _node("prefixes", stdin={"texts": texts, "urls": urls})
    python_texts = [_attempt(codec.split_qr_text, t) for t in texts]
    assert sum(p["accepted"] for p in python_texts) > 100
    for text, mine, theirs in zip(texts, python_texts, js["texts"], strict=True):
        assert theirs == mine, ascii(text[:40])
    for url, theirs in zip(urls, js["urls"], strict=True):
        assert theirs == _attempt(codec.qr_prefix, url), url
