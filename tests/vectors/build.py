"""Build the test vectors of docs/FORMAT.md §8 (deterministic; TEST ONLY keys).

    python tests/vectors/build.py [--out tests/vectors]

Each case is a folder with `case.json` shaped like the EU DCC test data: DESCRIPTION
("VALID: ..." / "INVALID: ..."), the inputs, every intermediate form (PAYLOAD_HEX, COSE_HEX,
DIGITS, QR_TEXT), VALIDATION_CLOCK, the trust list to use, and EXPECTED: one result per
stage (absent = the vector claims nothing for that stage). Valid cases also hold `qr.png`,
for the picture stage. Folders of invalid cases end in `_fail`.

Ed25519 and RFC 6979 ECDSA are deterministic, so building twice gives the same bytes;
tests/core/test_vectors.py rebuilds into a temporary folder and compares. The status-list vectors
(`statuslist/`) and trust-list vectors (`trustlist/`) come from tests/vectors/build_lists.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cbor2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from support.keys import (  # noqa: E402
    INSTITUTION,
    OTHER_INSTITUTION,
    OTHER_ROOT,
    OTHER_ROOT_KEY,
    PRODUCTION_ROOT,
    PRODUCTION_ROOT_KEY,
    ROOT,
    ROOT_KEY,
    entry,
    make_signer,
    sample_record,
    trust_list,
)

import build_lists  # noqa: E402

from verify import codec, qr  # noqa: E402
from verify.keys import P256_HALF_ORDER, P256_ORDER, KeySigner, compute_kid  # noqa: E402
from verify.record import DuplicateOf, HolderName, Record  # noqa: E402
from verify.trust import Revocation, format_time  # noqa: E402

UTC = dt.UTC
CLOCK = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SIGNED = dt.datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
BASE_URL = "https://v.edu.kz"
STAGES = ("unprefix", "digits", "cose", "kid", "signature", "chain", "payload", "usage_period", "revocation",
          "scope", "verdict")

# ------------------------------------------------------------------ signers and trust lists
S_EDDSA = make_signer("eddsa")
S_ES256 = make_signer("es256", alg="ES256")
S_SCOPED = make_signer("scoped")
S_REVOKED_EARLY = make_signer("revoked early")
S_REVOKED_LATE = make_signer("revoked late")
S_RETIRED = make_signer("retired")
S_FUTURE = make_signer("future")
S_UNTRUSTED = make_signer("untrusted", root_key=OTHER_ROOT_KEY, root=OTHER_ROOT)
S_SHARED_A = make_signer("shared a")
S_SHARED_B = make_signer("shared b")
S_OUTSIDER = make_signer("outsider")  # not listed anywhere
S_PRODUCTION = make_signer("production", root_key=PRODUCTION_ROOT_KEY, root=PRODUCTION_ROOT)
S_STATUS = make_signer("status")  # usage "status": signs status lists, never records
S_LOG = make_signer("log")  # usage "log": signs checkpoints, never records
S_STATUS_BD = make_signer("status bd")  # usage "status", scoped to the series BD
SHARED_KID = compute_kid(S_SHARED_A.certificate)


def _test_list_entries() -> tuple[Any, ...]:
    return (
        entry(S_EDDSA, label="TEST ONLY EdDSA signer"),
        entry(S_ES256, label="TEST ONLY ES256 signer"),
        entry(S_SCOPED, label="TEST ONLY signer scoped to BD at one institution", series=frozenset({"BD"}),
              institution_bin=INSTITUTION),
        _revoked(entry(S_REVOKED_EARLY, label="TEST ONLY signer revoked before signing"),
                 compromised=SIGNED - dt.timedelta(days=1)),
        _revoked(entry(S_REVOKED_LATE, label="TEST ONLY signer revoked after signing"),
                 compromised=SIGNED + dt.timedelta(days=30)),
        entry(S_RETIRED, label="TEST ONLY signer retired by rotation", usage_until=dt.datetime(2026, 3, 1, tzinfo=UTC)),
        entry(S_FUTURE, label="TEST ONLY signer not yet in use", usage_from=dt.datetime(2026, 10, 1, tzinfo=UTC)),
        entry(S_UNTRUSTED, label="TEST ONLY signer issued by another root"),
        entry(S_SHARED_A, label="TEST ONLY signer A sharing a kid"),
        entry(S_SHARED_B, label="TEST ONLY signer B sharing a kid", kid=SHARED_KID),
        replace(entry(S_STATUS, label="TEST ONLY status signer"), usage="status"),
        replace(entry(S_STATUS_BD, label="TEST ONLY status signer of BD only", series=frozenset({"BD"})),
                usage="status"),
        replace(entry(S_LOG, label="TEST ONLY log signer"), usage="log"),
    )


def _revoked(e: Any, *, compromised: dt.datetime) -> Any:
    return replace(e, revocation=Revocation(revoked_at=compromised + dt.timedelta(hours=1),
                                            compromised_at=compromised, reason="TEST ONLY key compromise"))


TRUST_LISTS = {
    "test": (trust_list(_test_list_entries()), ROOT, ROOT_KEY),
    "production": (trust_list((entry(S_PRODUCTION, label="TEST ONLY production-like signer"),),
                              root=PRODUCTION_ROOT, environment="production"), PRODUCTION_ROOT, PRODUCTION_ROOT_KEY),
}


# ------------------------------------------------------------------ records
record = sample_record


LONGEST = record(
    doc_type="TVE_HONOURS", series="ТКБӘ", number="9999999",
    holder=HolderName("Қ" * 12 + "-" + "Ә" * 7, "Ғ" * 11, "Ұ" * 7 + "қызы"),
    programme="06130100", qualification="4S06130103", honours=True,
    duplicate=DuplicateOf(99, "ТКБӘ", "9999998"), revision=999,
)


# ------------------------------------------------------------------ building bytes
def sign_payload(signer: KeySigner, payload: bytes, *, kid: bytes | None = None, alg: int | None = None,
                 protected: bytes | None = None) -> bytes:
    """A tagged COSE_Sign1 over raw payload bytes (used to sign malformed payloads on purpose)."""
    prot = protected if protected is not None else codec.encode_protected(alg or signer.alg, kid or signer.kid)
    signature = signer.sign(codec.sig_structure(prot, payload))
    return codec.encode_sign1(prot, payload, signature)


def payload_of(rec: Record, signed_at: dt.datetime = SIGNED) -> bytes:
    return codec.encode_payload(rec, signed_at)


def raw_map(rec: Record, signed_at: dt.datetime = SIGNED) -> dict[int, Any]:
    """The payload map as Python values, to tamper with before encoding."""
    return dict(cbor2.loads(payload_of(rec, signed_at)))


def qr_text(cose: bytes, base_url: str = BASE_URL) -> str:
    return codec.to_qr_text(cose, base_url)


@dataclass
class Case:
    """One vector."""

    name: str
    description: str
    text: str
    expected: dict[str, Any]
    trust: str = "test"
    rec: Record | None = None
    signed_at: dt.datetime | None = SIGNED
    payload: bytes | None = None
    cose: bytes | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def passed_until(last: str, verdict: str, *, fail: str | None = None) -> dict[str, Any]:
    """EXPECTED: True for every stage up to and including `last`, False for `fail`."""
    out: dict[str, Any] = {}
    for stage in STAGES[:-1]:
        if fail == stage:
            out[stage] = False
            break
        out[stage] = True
        if stage == last:
            break
    out["verdict"] = verdict
    return out


VALID_ALL = passed_until("scope", "VALID")


def valid_case(name: str, description: str, rec: Record, signer: KeySigner = S_EDDSA, *,
               base_url: str = BASE_URL, text_fn: Callable[[str], str] = lambda t: t,
               signed_at: dt.datetime = SIGNED, kid: bytes | None = None) -> Case:
    payload = payload_of(rec, signed_at)
    cose = sign_payload(signer, payload, kid=kid)
    return Case(name, "VALID: " + description, text_fn(qr_text(cose, base_url)), VALID_ALL, rec=rec,
                signed_at=signed_at, payload=payload, cose=cose)


def fail_case(name: str, description: str, text: str, expected: dict[str, Any], *, trust: str = "test",
              rec: Record | None = None, payload: bytes | None = None, cose: bytes | None = None) -> Case:
    assert name.endswith("_fail")
    return Case(name, "INVALID: " + description, text, expected, trust=trust, rec=rec, payload=payload, cose=cose)


def flip(data: bytes, index: int) -> bytes:
    b = bytearray(data)
    b[index] ^= 0x01
    return bytes(b)


def cases() -> list[Case]:
    """Every vector, valid first."""
    base = record()
    base_payload = payload_of(base)
    base_cose = sign_payload(S_EDDSA, base_payload)
    out = [
        valid_case("valid_eddsa_bachelor", "EdDSA signer, BD diploma, Kazakh name with patronymic", base),
        valid_case("valid_es256_master", "ES256 signer (HSM profile), MD diploma",
                   record(doc_type="MD", series="MD", programme="7M01501"), S_ES256),
        valid_case("valid_tve_honours", "TVE diploma with honours, Cyrillic blank series, qualification code",
                   record(doc_type="TVE_HONOURS", series="ТКБ", number="0000001", programme="06130100",
                          qualification="4S06130103", honours=True)),
        valid_case("valid_post_secondary_honours", "post-secondary diploma with honours, a type of its own "
                   "(seed 000, Rules item 5)",
                   record(doc_type="POST_SEC_HONOURS", series="ТКБ", number="0000002", programme="09130100",
                          qualification="4S09130103", honours=True)),
        valid_case("valid_incomplete_studies", "certificate (анықтама) for one who did not finish, series REG and "
                   "its registration number (seed 000, appendix 37)",
                   record(doc_type="INCOMPLETE", series="REG", number="0000042", programme="06130100",
                          award_date=dt.date(2026, 3, 2))),
        valid_case("valid_duplicate", "duplicate No. 1 issued instead of the original BD 0012345",
                   record(number="0012399", duplicate=DuplicateOf(1, "BD", "0012345"))),
        valid_case("valid_no_patronymic", "holder without a patronymic (seed 000 appendix 1)",
                   record(holder=HolderName("Иванова", "Анна"))),
        valid_case("valid_corrected_revision", "revision 2 after a correction", record(revision=2)),
        valid_case("valid_lowercase_prefix", "the prefix in lower case (FORMAT §5: any case)", base,
                   text_fn=lambda t: t[:19].lower() + t[19:]),
        valid_case("valid_trailing_crlf", "a CR/LF after the text, as some scanners add (FORMAT §5)", base,
                   text_fn=lambda t: t + "\r\n"),
        valid_case("valid_revoked_after_signing", "signer revoked with a compromise time after the signing time",
                   base, S_REVOKED_LATE),
        valid_case("valid_retired_signer", "signed in the usage period of a signer since retired by rotation",
                   record(award_date=dt.date(2026, 1, 20)), S_RETIRED, signed_at=dt.datetime(2026, 2, 1, tzinfo=UTC)),
        valid_case("valid_shared_kid", "two signers share the kid; the second one's key verifies", base,
                   S_SHARED_B, kid=SHARED_KID),
        valid_case("valid_scoped_signer", "signer scoped to BD at one institution, record matches", base, S_SCOPED),
        valid_case("valid_http_port_host", "development host with a port: HTTP://127.0.0.1:8000/V/", base,
                   base_url="http://127.0.0.1:8000"),
        valid_case("valid_longest_record", "the longest record the schema allows (QR version <= 12)", LONGEST),
        valid_case("valid_phd_series_case", "PhD series keeps its printed case",
                   record(doc_type="PHD", series="PhD", programme="8D05302")),
        valid_case("valid_signed_within_clock_skew", "signed 4 minutes after the validation clock: within the "
                   "5-minute clock skew (FORMAT §7.1 step 8)", base, signed_at=CLOCK + dt.timedelta(minutes=4)),
    ]
    t = qr_text(base_cose)
    prefix, digits = codec.split_qr_text(t)
    payload_at = base_cose.index(base_payload)
    m = raw_map(base)
    out += [
        fail_case("flipped_payload_byte_fail", "one bit flipped inside the payload",
                  qr_text(flip(base_cose, payload_at + 20)), passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("flipped_kid_byte_fail", "one bit flipped in the kid of the protected header",
                  qr_text(flip(base_cose, base_cose.index(S_EDDSA.kid))), passed_until("cose", "UNKNOWN_SIGNER",
                                                                                       fail="kid")),
        fail_case("flipped_alg_fail", "protected alg changed from EdDSA to ES256",
                  qr_text(base_cose.replace(codec.encode_protected(-8, S_EDDSA.kid),
                                            codec.encode_protected(-7, S_EDDSA.kid))),
                  passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("flipped_signature_byte_fail", "one bit flipped in the signature",
                  qr_text(flip(base_cose, len(base_cose) - 5)), passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("flipped_digit_fail", "one decimal digit changed in the QR text",
                  prefix + digits[:-7] + str((int(digits[-7]) + 1) % 10) + digits[-6:],
                  passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("wrong_key_fail", "signed by an unlisted key under the kid of a listed signer",
                  qr_text(sign_payload(S_OUTSIDER, base_payload, kid=S_EDDSA.kid)),
                  passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("unknown_kid_fail", "signed by a signer that is not in the trust list",
                  qr_text(sign_payload(S_OUTSIDER, base_payload)), passed_until("cose", "UNKNOWN_SIGNER", fail="kid")),
        fail_case("status_signer_signs_record_fail", "a record signed by a listed signer of usage status",
                  qr_text(sign_payload(S_STATUS, base_payload)), passed_until("cose", "UNKNOWN_SIGNER", fail="kid")),
        fail_case("log_signer_signs_record_fail", "a record signed by a listed signer of usage log",
                  qr_text(sign_payload(S_LOG, base_payload)), passed_until("cose", "UNKNOWN_SIGNER", fail="kid")),
        fail_case("shared_kid_none_verifies_fail", "two signers share the kid and neither key verifies",
                  qr_text(sign_payload(S_OUTSIDER, base_payload, kid=SHARED_KID)),
                  passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("es256_high_s_fail", "a genuine ES256 signature (r, s) rewritten as (r, n - s): high S",
                  qr_text(_high_s(sign_payload(S_ES256, payload_of(record(doc_type="MD", series="MD",
                                                                          programme="7M01501"))))),
                  passed_until("kid", "BAD_SIGNATURE", fail="signature")),
        fail_case("signed_after_check_fail", "signing time 30 days after the validation clock (past the skew)",
                  qr_text(sign_payload(S_EDDSA, payload_of(base, CLOCK + dt.timedelta(days=30)))),
                  passed_until("payload", "SIGNER_OUT_OF_PERIOD", fail="usage_period")),
        fail_case("untrusted_chain_fail", "listed signer whose certificate another root issued",
                  qr_text(sign_payload(S_UNTRUSTED, base_payload)),
                  passed_until("signature", "UNTRUSTED_SIGNER", fail="chain")),
        fail_case("revoked_before_signing_fail", "signer revoked with a compromise time before the signing time",
                  qr_text(sign_payload(S_REVOKED_EARLY, base_payload)),
                  passed_until("usage_period", "SIGNER_REVOKED", fail="revocation")),
        fail_case("signer_not_yet_valid_fail", "signed before the signer's usage period begins",
                  qr_text(sign_payload(S_FUTURE, base_payload)),
                  passed_until("payload", "SIGNER_OUT_OF_PERIOD", fail="usage_period")),
        fail_case("signer_expired_fail", "signed after the signer's usage period ended (retired signer)",
                  qr_text(sign_payload(S_RETIRED, base_payload)),
                  passed_until("payload", "SIGNER_OUT_OF_PERIOD", fail="usage_period")),
        fail_case("series_out_of_scope_fail", "MD record from a signer scoped to BD",
                  qr_text(sign_payload(S_SCOPED, payload_of(record(doc_type="MD", series="MD", programme="7M01501")))),
                  passed_until("revocation", "OUT_OF_SCOPE", fail="scope")),
        fail_case("institution_out_of_scope_fail", "record of another institution from an institution-scoped signer",
                  qr_text(sign_payload(S_SCOPED, payload_of(record(institution_bin=OTHER_INSTITUTION)))),
                  passed_until("revocation", "OUT_OF_SCOPE", fail="scope")),
        fail_case("development_root_on_production_list_fail", "a test-root record against a production list",
                  t, passed_until("cose", "UNKNOWN_SIGNER", fail="kid"), trust="production"),
        fail_case("truncated_fail", "the COSE bytes cut short by 10 bytes", qr_text(base_cose[:-10]),
                  passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("trailing_bytes_fail", "a byte after the COSE_Sign1", qr_text(base_cose + b"\x00"),
                  passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("wrong_tag_fail", "CBOR tag 98 (COSE_Sign) instead of 18",
                  qr_text(b"\xd8\x62" + base_cose[1:]), passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("untagged_fail", "COSE_Sign1 without its tag", qr_text(base_cose[1:]),
                  passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("unsupported_alg_fail", "alg ES384 (-35), not in the profile",
                  qr_text(sign_payload(S_EDDSA, base_payload,
                                       protected=cbor2.dumps({1: -35, 4: S_EDDSA.kid}, canonical=True))),
                  passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("kid_in_unprotected_header_fail", "kid moved to the unprotected header",
                  qr_text(cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -8}), {4: S_EDDSA.kid}, base_payload,
                                                         S_EDDSA.sign(codec.sig_structure(cbor2.dumps({1: -8}),
                                                                                          base_payload))]))),
                  passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("oversize_text_fail", "1,400 digits: over the text length cap, refused before parsing",
                  prefix + "1" * 1400, {"unprefix": False, "verdict": "MALFORMED"}),
        fail_case("oversize_cose_fail", "a 529-byte COSE_Sign1: over the 512-byte cap",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 14: "Z" * 330}, canonical=True))),
                  passed_until("digits", "MALFORMED", fail="cose")),
        fail_case("duplicate_map_key_fail", "signed payload with the number key twice",
                  qr_text(sign_payload(S_EDDSA, base_payload[:1].replace(b"\xa9", b"\xaa") + base_payload[1:]
                                       + b"\x04\x670000001")),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("indefinite_length_fail", "signed payload whose holder array has indefinite length",
                  qr_text(sign_payload(S_EDDSA, _indefinite_holder(base_payload))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("non_shortest_int_fail", "signed payload with a version written in two bytes",
                  qr_text(sign_payload(S_EDDSA, base_payload.replace(b"\x01\x01", b"\x01\x18\x01", 1))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("unknown_payload_key_fail", "signed payload with an IIN under an unknown key 20",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 20: "960314300125"}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("honours_false_fail", "signed payload with honours = false (absent is the only false)",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 10: False}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("float_in_payload_fail", "signed payload with a float award date",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 7: 20634.0}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("signed_before_award_fail", "signing time before the award date",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 13: int(dt.datetime(2026, 6, 1, tzinfo=UTC)
                                                                          .timestamp())}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("number_trailing_newline_fail", "signed payload whose number is \"0012345\\n\" (exactly 7 "
                  "ASCII digits: a pattern's `$` must not let a final newline through)",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 4: "0012345\n"}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("name_trailing_newline_fail", "signed payload whose surname ends in a newline",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 5: [m[5][0] + "\n", *m[5][1:]]}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("wrong_version_fail", "signed payload of format version 2",
                  qr_text(sign_payload(S_EDDSA, cbor2.dumps({**m, 1: 2}, canonical=True))),
                  passed_until("chain", "MALFORMED", fail="payload")),
        fail_case("bad_prefix_fail", "path /X/ instead of /V/", t.replace("/V/", "/X/"),
                  {"unprefix": False, "verdict": "MALFORMED"}),
        fail_case("other_scheme_fail", "scheme FTP://", "FTP://" + t[8:], {"unprefix": False, "verdict": "MALFORMED"}),
        fail_case("whitespace_inside_fail", "a space inside the digits", prefix + digits[:100] + " " + digits[100:],
                  passed_until("unprefix", "MALFORMED", fail="digits")),
        fail_case("leading_zero_fail", "a leading zero before the digits", prefix + "0" + digits,
                  passed_until("unprefix", "MALFORMED", fail="digits")),
        fail_case("missing_marker_fail", "the COSE bytes without the 0x01 marker byte",
                  prefix + str(int.from_bytes(base_cose, "big")), passed_until("unprefix", "MALFORMED", fail="digits")),
        fail_case("garbage_fail", "1 KB of garbage text", "x" * 1024, {"unprefix": False, "verdict": "MALFORMED"}),
    ]
    return out


def _high_s(cose: bytes) -> bytes:
    """The same COSE_Sign1 with its ES256 signature's s replaced by n - s (still a valid ECDSA signature)."""
    tag = cbor2.loads(cose)
    protected, unprotected, payload, signature = tag.value
    s = int.from_bytes(signature[32:], "big")
    assert s <= P256_HALF_ORDER  # the signer writes low-S
    high = signature[:32] + (P256_ORDER - s).to_bytes(32, "big")
    return codec.encode_sign1(protected, payload, high)


def _indefinite_holder(payload: bytes) -> bytes:
    m = cbor2.loads(payload)
    holder = m[5]
    definite = cbor2.dumps(holder)
    indefinite = b"\x9f" + b"".join(cbor2.dumps(p) for p in holder) + b"\xff"
    assert payload.count(definite) == 1
    return payload.replace(definite, indefinite)


# ------------------------------------------------------------------ writing
def write_trust(out: Path) -> None:
    trust_dir = out / "_trust"
    trust_dir.mkdir(parents=True, exist_ok=True)
    for name, (tl, root, root_key) in TRUST_LISTS.items():
        (trust_dir / f"{name}-trust-list.json").write_text(
            json.dumps(tl.sign(root_key), indent=2, ensure_ascii=False) + "\n", "utf-8")
        from cryptography.hazmat.primitives import serialization

        (trust_dir / f"{name}-root.crt").write_bytes(root.public_bytes(serialization.Encoding.PEM))


def case_json(case: Case) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "DESCRIPTION": case.description,
        "VALIDATION_CLOCK": format_time(CLOCK),
        "TRUST_LIST": f"_trust/{case.trust}-trust-list.json",
        "ROOT": f"_trust/{case.trust}-root.crt",
        "RECORD": None if case.rec is None else case.rec.to_json(),
        "SIGNED_AT": None if case.rec is None or case.signed_at is None else format_time(case.signed_at),
        "PAYLOAD_HEX": None if case.payload is None else case.payload.hex(),
        "COSE_HEX": None if case.cose is None else case.cose.hex(),
        "QR_TEXT": case.text,
        "EXPECTED": case.expected,
    }
    if case.cose is not None:
        doc["DIGITS"] = codec.bytes_to_digits(case.cose)
        doc["QR_VERSION"] = qr.qr_version_for(len(codec.qr_prefix(BASE_URL)), len(doc["DIGITS"]))
    return doc


def build(out: Path) -> list[str]:
    """Write every vector under `out`; return the case names."""
    if out.exists():
        for child in out.iterdir():
            if (child.is_dir() and (child / "case.json").exists()) or child.name in ("_trust", "statuslist",
                                                                                       "trustlist"):
                shutil.rmtree(child)
    write_trust(out)
    build_lists.write_status_list_cases(out, build_lists.status_list_cases(
        status=S_STATUS, status_bd_only=S_STATUS_BD, document=S_EDDSA, record=record,
        qr_text=lambda signer, rec: qr_text(sign_payload(signer, payload_of(rec))), clock=CLOCK), clock=CLOCK)
    test_list, _, test_root_key = TRUST_LISTS["test"]
    build_lists.write_trust_list_cases(out, trust_list=test_list, root_key=test_root_key, clock=CLOCK)
    names = []
    for case in cases():
        folder = out / case.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "case.json").write_text(json.dumps(case_json(case), indent=2, ensure_ascii=False) + "\n", "utf-8")
        if case.expected.get("verdict") == "VALID":
            symbol = qr.encode_qr(case.text.strip())
            (folder / "qr.png").write_bytes(qr.render_png(symbol, min_dpi=300))
        names.append(case.name)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    names = build(args.out)
    valid = sum(not n.endswith("_fail") for n in names)
    print(f"{len(names)} vectors ({valid} valid, {len(names) - valid} invalid) written to {args.out}")


if __name__ == "__main__":
    main()
