"""Status-list and trust-list vectors (docs/FORMAT.md §9.7, §6.6), written by tests/vectors/build.py.

    statuslist/<case>/case.json    a signed status list (hex and `<series>.cose`), the series expected, the
                                   highest version seen before, EXPECTED: accepted or the refusal, and for an
                                   accepted list the status of numbers (LOOKUPS) and the verdict of records
                                   signed by the test document signer (RECORDS)
    trustlist/<case>/case.json     a trust-list file (`trust-list.json`), the highest version seen before,
                                   EXPECTED: accepted (with its version) or refused

Paths in a case (TRUST_LIST, ROOT) are relative to tests/vectors. Deterministic: Ed25519 signatures and
RFC 6979 ECDSA.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2

from verify import codec
from verify.keys import KeySigner, sign_bytes
from verify.record import DuplicateOf, Record
from verify.statuslist import NumberStatus, StatusList, Successor, build_status_list, protected_header
from verify.statuslookup import status_from_list
from verify.trust import TrustList, canonical_json, format_time

UTC = dt.UTC
LIST_ISSUED = dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
DAY = dt.date(2026, 10, 1)


def scenario_rows() -> list[tuple[str, NumberStatus | None]]:
    """BD 0000001-0000020 and 0000100-0000105 with every kind of status (the same as tests/core/test_statuslist.py)."""
    rows: dict[str, NumberStatus | None] = {f"{n:07d}": None for n in [*range(1, 21), *range(100, 106)]}
    rows["0000002"] = NumberStatus(replaced_by=Successor("BD", "0000100", DAY, "lost"))
    rows["0000100"] = NumberStatus(replaced_by=Successor("BD", "0000101", DAY, "damaged"))
    rows["0000003"] = NumberStatus(annulled_on=DAY)
    rows["0000004"] = NumberStatus(current_revision=3, corrected_on=DAY)
    rows["0000005"] = NumberStatus(replaced_by=Successor("ТКБ", "0004567", DAY, "name_changed"))
    rows["0000102"] = NumberStatus(duplicate=DuplicateOf(1, "ТКБ", "0000777"))
    rows["0000103"] = NumberStatus(current_revision=2, corrected_on=DAY, annulled_on=DAY + dt.timedelta(days=3))
    return list(rows.items())


LOOKUPS = [("0000001", 1), ("0000002", 1), ("0000100", 1), ("0000101", 1), ("0000102", 1), ("0000003", 1),
           ("0000004", 1), ("0000004", 3), ("0000004", 4), ("0000005", 1), ("0000103", 2), ("0000021", 1)]


def lookup_json(status_list: StatusList, number: str, revision: int) -> dict[str, Any]:
    """The expected answer for one number: the fields a list can give (docs/FORMAT.md §9.6)."""
    s = status_from_list(status_list, number=number, revision=revision)
    return {
        "number": number, "revision": revision, "status": s.code.value, "current_revision": s.current_revision,
        "duplicate_no": s.duplicate_no,
        "original": None if s.original is None else {"series": s.original.series, "number": s.original.number},
        "replaced_by": None if s.replaced_by is None else {
            "series": s.replaced_by.series, "number": s.replaced_by.number, "duplicate_no": s.replaced_by.duplicate_no,
            "issued_on": None if s.replaced_by.issued_on is None else s.replaced_by.issued_on.isoformat(),
            "reason": s.replaced_by.reason},
        "annulled_on": None if s.annulled_at is None else s.annulled_at.date().isoformat(),
        "corrected_on": None if s.changed_at is None else s.changed_at.date().isoformat(),
    }


def _signed_payload(signer: KeySigner, payload: bytes) -> bytes:
    protected = protected_header(signer.alg, signer.kid)
    return codec.encode_sign1(protected, payload, signer.sign(codec.sig_structure(protected, payload)))


def status_list_cases(*, status: KeySigner, status_bd_only: KeySigner, document: KeySigner,
                      record: Callable[..., Record], qr_text: Callable[[KeySigner, Record], str],
                      clock: dt.datetime) -> list[dict[str, Any]]:
    """Every status-list case as {name, description, data, series, seen, expected, payload, list}."""
    bd = build_status_list("BD", scenario_rows(), version=7, issued_at=LIST_ISSUED)
    good = bd.sign(status)
    payload = bd.encode_payload()
    m = cbor2.loads(payload)
    expired = build_status_list("BD", scenario_rows(), version=6, issued_at=clock - dt.timedelta(days=8))
    md = build_status_list("MD", [("0000001", None)], version=1, issued_at=LIST_ISSUED)
    flipped = bytearray(good)
    flipped[-5] ^= 0x01
    runs = m[7]
    cases: list[dict[str, Any]] = [
        {"name": "valid_bd_list", "description": "VALID: BD list v7: originals, duplicates (derived and across "
         "series), replaced, annulled, corrected, a number not issued", "data": good, "series": "BD", "seen": 6,
         "list": bd, "records": [
             (record(number="0000001"), "VALID"), (record(number="0000002"), "REPLACED"),
             (record(number="0000100", duplicate=DuplicateOf(1, "BD", "0000002")), "REPLACED"),
             (record(number="0000101", duplicate=DuplicateOf(2, "BD", "0000002")), "VALID"),
             (record(number="0000003"), "ANNULLED"), (record(number="0000004", revision=2), "CORRECTED"),
             (record(number="0000004", revision=3), "VALID"), (record(number="0000021"), "NOT_IN_REGISTRY"),
             (record(doc_type="MD", series="MD", programme="7M01501"), "AUTHENTIC_STATUS_UNKNOWN")]},
        {"name": "valid_same_version_again", "description": "VALID: the version already seen is accepted again",
         "data": good, "series": "BD", "seen": 7, "list": bd},
        {"name": "valid_empty_list", "description": "VALID: an MD list with one number: others are not issued",
         "data": md.sign(status), "series": "MD", "seen": 0, "list": md},
        {"name": "document_signer_fail", "description": "INVALID: the list signed by a document signer",
         "data": bd.sign(document), "series": "BD", "seen": 0, "error": "not a status signer"},
        {"name": "bad_signature_fail", "description": "INVALID: one bit of the signature flipped",
         "data": bytes(flipped), "series": "BD", "seen": 0, "error": "does not verify"},
        {"name": "expired_fail", "description": "INVALID: issued 8 days before the clock, expired a day ago",
         "data": expired.sign(status), "series": "BD", "seen": 0, "error": "expired"},
        {"name": "other_series_fail", "description": "INVALID: the MD list served as the list of BD",
         "data": md.sign(status), "series": "BD", "seen": 0, "error": "where BD was expected"},
        {"name": "out_of_scope_fail", "description": "INVALID: an MD list from a status signer scoped to BD",
         "data": md.sign(status_bd_only), "series": "MD", "seen": 0, "error": "outside the status signer's scope"},
        {"name": "rollback_fail", "description": "INVALID: v7 when v8 of BD was seen before",
         "data": good, "series": "BD", "seen": 8, "error": "older than version 8"},
        {"name": "non_minimal_varint_fail", "description": "INVALID: a run's first varint written in two bytes",
         "data": _signed_payload(status, cbor2.dumps({**m, 7: bytes([runs[0] | 0x80, 0]) + runs[1:]},
                                                     canonical=True)),
         "series": "BD", "seen": 0, "error": "shortest form"},
        {"name": "next_update_over_24h_fail", "description": "INVALID: next update 25 hours after the issue time",
         "data": _signed_payload(status, cbor2.dumps({**m, 5: m[4] + 25 * 3600}, canonical=True)),
         "series": "BD", "seen": 0, "error": "24 hours"},
        {"name": "record_profile_header_fail", "description": "INVALID: protected header {1, 4} without the "
         "content type (a record's header)", "series": "BD", "seen": 0, "error": "protected header",
         "data": _record_header(status, payload)},
    ]
    for case in cases:
        case["payload"] = payload if case["name"] in ("valid_bd_list", "valid_same_version_again") else None
        if "records" in case:
            case["records"] = [{"QR_TEXT": qr_text(document, rec), "RECORD": rec.to_json(), "verdict": verdict}
                               for rec, verdict in case["records"]]
    return cases


def _record_header(signer: KeySigner, payload: bytes) -> bytes:
    protected = codec.encode_protected(signer.alg, signer.kid)
    return codec.encode_sign1(protected, payload, signer.sign(codec.sig_structure(protected, payload)))


def write_status_list_cases(out: Path, cases: list[dict[str, Any]], *, clock: dt.datetime) -> list[str]:
    """Write statuslist/<case>/case.json and <series>.cose; return the case names."""
    names = []
    for case in cases:
        folder = out / "statuslist" / case["name"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{case['series']}.cose").write_bytes(case["data"])
        doc: dict[str, Any] = {
            "DESCRIPTION": case["description"], "VALIDATION_CLOCK": format_time(clock),
            "TRUST_LIST": "_trust/test-trust-list.json", "ROOT": "_trust/test-root.crt",
            "SERIES": case["series"], "SEEN_VERSION": case["seen"], "STATUS_LIST_HEX": case["data"].hex(),
            "PAYLOAD_HEX": None if case["payload"] is None else case["payload"].hex(),
        }
        if "list" in case:
            status_list = case["list"]
            doc["EXPECTED"] = {"accepted": True, "version": status_list.version,
                               "issued_at": format_time(status_list.issued_at),
                               "next_update": format_time(status_list.next_update),
                               "expires_at": format_time(status_list.expires_at)}
            numbers = LOOKUPS if status_list.series == "BD" else [("0000001", 1), ("0000002", 1)]
            doc["LOOKUPS"] = [lookup_json(status_list, n, r) for n, r in numbers]
            doc["RECORDS"] = case.get("records", [])
        else:
            doc["EXPECTED"] = {"accepted": False, "error_contains": case["error"]}
        (folder / "case.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
        names.append(case["name"])
    return names


def write_trust_list_cases(out: Path, *, trust_list: TrustList, root_key: Any, clock: dt.datetime) -> list[str]:
    """Write trustlist/<case>/case.json and trust-list.json; return the case names."""
    good = trust_list.sign(root_key)
    tampered = json.loads(json.dumps(good))
    tampered["payload"]["signers"][0]["usage_until"] = "2099-01-01T00:00:00Z"
    unsigned_change = json.loads(json.dumps(good))
    unsigned_change["payload"]["signers"][-1]["usage"] = "document"  # a log signer made a document signer
    text = json.dumps(good, indent=2, ensure_ascii=False)
    duplicate_key = text.replace('"version": 1,', '"version": 1,\n    "version": 9,', 1)
    big = json.loads(json.dumps(good))
    big["payload"]["version"] = 2**53 + 1
    big["signature"]["value"] = base64.urlsafe_b64encode(sign_bytes(root_key, canonical_json(
        {**big["payload"], "version": 1}))).rstrip(b"=").decode()
    cases: list[tuple[str, str, str | bytes, int, dict[str, Any]]] = [
        ("valid_list", "VALID: the test trust list, version 1, none seen before", text, 0,
         {"accepted": True, "version": 1}),
        ("valid_same_version", "VALID: version 1 when version 1 was seen", text, 1, {"accepted": True, "version": 1}),
        ("rollback_fail", "INVALID: version 1 when version 2 was seen (rollback)", text, 2,
         {"accepted": False, "error_contains": "older than version 2"}),
        ("tampered_usage_until_fail", "INVALID: a signer's usage_until changed after signing",
         json.dumps(tampered, indent=2, ensure_ascii=False), 0,
         {"accepted": False, "error_contains": "signature does not verify"}),
        ("tampered_usage_fail", "INVALID: the log signer's usage changed to document after signing",
         json.dumps(unsigned_change, indent=2, ensure_ascii=False), 0,
         {"accepted": False, "error_contains": "signature does not verify"}),
        ("duplicate_key_fail", "INVALID: the payload's version key twice (I-JSON)", duplicate_key, 0,
         {"accepted": False, "error_contains": "duplicate key"}),
        ("unsafe_integer_fail", "INVALID: version 2^53 + 1 (I-JSON, RFC 8785)", json.dumps(big, indent=2), 0,
         {"accepted": False, "error_contains": "2^53"}),
        ("not_utf8_fail", "INVALID: the file in UTF-16", text.encode("utf-16"), 0,
         {"accepted": False, "error_contains": "UTF-8"}),
    ]
    names = []
    for name, description, data, seen, expected in cases:
        folder = out / "trustlist" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "trust-list.json").write_bytes(data if isinstance(data, bytes) else (data + "\n").encode("utf-8"))
        doc = {"DESCRIPTION": description, "VALIDATION_CLOCK": format_time(clock), "ROOT": "_trust/test-root.crt",
               "TRUST_LIST_FILE": "trust-list.json", "SEEN_VERSION": seen, "EXPECTED": expected}
        (folder / "case.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
        names.append(name)
    return names
