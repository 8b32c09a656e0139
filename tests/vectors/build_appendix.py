"""Appendix vectors (docs/FORMAT.md §10.7): `tests/vectors/appendix/<case>/case.json` and `appendix.cose`.

Each case: the diploma's QR text, the signed appendix (hex and `appendix.cose`), its content as JSON when the
payload is one, the validation clock, the trust list and root (paths relative to tests/vectors, the test list
of build.py), and EXPECTED: the outcome of each appendix step (`cose` ... `binding`, true = passed, false =
failed, a step not named is not claimed) and the verdict. Folders of an invalid verdict end in `_fail`.
Deterministic: the TEST ONLY keys of tests/support/keys.py, Ed25519 and RFC 6979 ECDSA.

    .venv/bin/python tests/vectors/build_appendix.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import build  # noqa: E402
from support.appendixdata import typical_appendix, typical_items  # noqa: E402
from support.keys import OTHER_INSTITUTION  # noqa: E402

from verify import codec  # noqa: E402
from verify.appendix import Appendix, DiplomaRef, StudiesEnded  # noqa: E402
from verify.appendixcheck import APPENDIX_STEPS  # noqa: E402
from verify.appendixcodec import encode_appendix_payload, protected_header  # noqa: E402
from verify.issue import SignedRecord  # noqa: E402
from verify.keys import KeySigner  # noqa: E402
from verify.record import Record  # noqa: E402
from verify.trust import format_time  # noqa: E402

FOLDER = "appendix"
SIGNED = build.SIGNED + dt.timedelta(hours=1)


@dataclass(frozen=True)
class Case:
    """One appendix vector."""

    name: str
    description: str
    diploma_text: str
    cose: bytes
    appendix: dict[str, Any] | None
    expected: dict[str, Any]


def diploma(rec: Record, signer: KeySigner = build.S_EDDSA, signed_at: dt.datetime = build.SIGNED) -> SignedRecord:
    """A diploma signed deterministically, as the record vectors are."""
    payload = build.payload_of(rec, signed_at)
    cose = build.sign_payload(signer, payload)
    return SignedRecord(record=rec, signed_at=signed_at, kid=signer.kid, alg=signer.alg, payload=payload,
                        cose=cose, qr_text=build.qr_text(cose), qr_version=0)


def sign(appendix: Any, signer: KeySigner, signed_at: dt.datetime = SIGNED, *, header: bytes | None = None) -> bytes:
    payload = encode_appendix_payload(appendix, signed_at)
    protected = header if header is not None else protected_header(signer.alg, signer.kid)
    return codec.encode_sign1(protected, payload, signer.sign(codec.sig_structure(protected, payload)))


def expected(last: str, verdict: str, *, fail: str | None = None) -> dict[str, Any]:
    """Every step up to `last` passed, then `fail` failed (when given), and the verdict."""
    out: dict[str, Any] = {}
    for name in APPENDIX_STEPS.values():
        out[name] = True
        if name == last:
            break
    if fail is not None:
        out[fail] = False
    out["verdict"] = verdict
    return out


VALID = expected("binding", "VALID")


def _grade_changed(cose: bytes) -> bytes:
    tag = cbor2.loads(cose)
    protected, _, payload, signature = tag.value
    body = cbor2.loads(payload)
    body[5][0][3][1] = "B"  # the first row's letter A written as B; the signature is kept
    return codec.encode_sign1(protected, cbor2.dumps(body, canonical=True), signature)


def cases() -> list[Case]:
    dip = diploma(build.record())
    base = typical_appendix(dip)
    good = sign(base, build.S_EDDSA)
    certificate = diploma(build.record(doc_type="INCOMPLETE", series="REG", number="0000042", programme="06130100",
                                       award_date=dt.date(2026, 3, 2)))
    annex = Appendix(DiplomaRef.of(certificate), certificate.record.institution_bin, typical_items()[:12],
                     studies_ended=StudiesEnded(reason="өз қалауы бойынша / по собственному желанию",
                                                order_number="45-к", order_date=dt.date(2026, 2, 27),
                                                studied_from=dt.date(2024, 9, 1),
                                                studied_until=dt.date(2026, 2, 27)))
    out = [
        Case("valid_typical_eddsa", "VALID: a bachelor's appendix of 42 rows (subjects, modules, two practices, the "
             "final attestation, the thesis) signed by the diploma's EdDSA document signer", dip.qr_text, good,
             base.to_json(), VALID),
        Case("valid_es256_corrected_appendix", "VALID: revision 2 of the appendix alone (a correction), signed by "
             "the ES256 document signer", dip.qr_text, sign(typical_appendix(dip, revision=2), build.S_ES256),
             typical_appendix(dip, revision=2).to_json(), VALID),
        Case("valid_duplicate_of_appendix_alone", "VALID: duplicate No. 1 of the appendix alone (seed 000, Rules "
             "appendix 5)", dip.qr_text, sign(typical_appendix(dip, duplicate_no=1), build.S_EDDSA),
             typical_appendix(dip, duplicate_no=1).to_json(), VALID),
        Case("valid_other_document_signer", "VALID: another document signer in scope signs the appendix (not the "
             "key that signed the diploma)", dip.qr_text, sign(base, build.S_SHARED_A), base.to_json(), VALID),
        Case("valid_incomplete_studies_annex", "VALID: the annex of an анықтама (series REG, seed 000 appendix 37): "
             "its grade table and why studies ended (key 10)", certificate.qr_text, sign(annex, build.S_EDDSA),
             annex.to_json(), VALID),
        Case("grade_changed_fail", "INVALID: one grade changed (A to B) in the signed payload", dip.qr_text,
             _grade_changed(good), None, expected("kid", "BAD_SIGNATURE", fail="signature")),
        Case("other_diploma_fail", "INVALID: presented with another diploma number", diploma(build.record(
            number="0012346")).qr_text, good, base.to_json(), expected("diploma", "NOT_BOUND", fail="binding")),
        Case("corrected_diploma_fail", "INVALID: the appendix names revision 1; the diploma presented is revision 2",
             diploma(build.record(revision=2)).qr_text, good, base.to_json(),
             expected("diploma", "NOT_BOUND", fail="binding")),
        Case("resigned_diploma_fail", "INVALID: same series, number and revision, but another signed payload "
             "(signed a second later): the digest differs", diploma(build.record(), signed_at=build.SIGNED +
                                                                     dt.timedelta(seconds=1)).qr_text, good,
             base.to_json(), expected("diploma", "NOT_BOUND", fail="binding")),
        Case("forged_diploma_fail", "INVALID: the diploma presented is signed by a signer not in the trust list",
             diploma(build.record(), build.S_OUTSIDER).qr_text, good, base.to_json(),
             expected("scope", "DIPLOMA_NOT_AUTHENTIC", fail="diploma")),
        Case("status_signer_fail", "INVALID: signed by a status signer (usage status signs no appendix)",
             dip.qr_text, sign(base, build.S_STATUS), None, expected("cose", "UNKNOWN_SIGNER", fail="kid")),
        Case("untrusted_chain_fail", "INVALID: signed by a listed signer whose certificate another root issued",
             dip.qr_text, sign(base, build.S_UNTRUSTED), None, expected("signature", "UNTRUSTED_SIGNER",
                                                                        fail="chain")),
        Case("revoked_before_signing_fail", "INVALID: signed by a signer revoked with a compromise before the "
             "signing time", dip.qr_text, sign(base, build.S_REVOKED_EARLY), None,
             expected("usage_period", "SIGNER_REVOKED", fail="revocation")),
        Case("institution_out_of_scope_fail", "INVALID: the signer scoped to one institution signs an appendix "
             "naming another", dip.qr_text, sign(typical_appendix(dip, institution_bin=OTHER_INSTITUTION),
                                                 build.S_SCOPED), None,
             expected("revocation", "OUT_OF_SCOPE", fail="scope")),
        Case("record_header_fail", "INVALID: an appendix payload under a record's protected header {1, 4}",
             dip.qr_text, sign(base, build.S_EDDSA, header=codec.encode_protected(build.S_EDDSA.alg,
                                                                                  build.S_EDDSA.kid)),
             None, {"cose": False, "verdict": "MALFORMED"}),
    ]
    return out


def case_json(case: Case) -> dict[str, Any]:
    return {
        "DESCRIPTION": case.description,
        "VALIDATION_CLOCK": format_time(build.CLOCK),
        "TRUST_LIST": "_trust/test-trust-list.json",
        "ROOT": "_trust/test-root.crt",
        "DIPLOMA_QR_TEXT": case.diploma_text,
        "APPENDIX": case.appendix,
        "APPENDIX_COSE_HEX": case.cose.hex(),
        "EXPECTED": case.expected,
    }


def build_cases(out: Path) -> list[str]:
    """Write every appendix vector under `out`/appendix (the trust files are build.py's); return the names."""
    folder = out / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    names = []
    for case in cases():
        target = folder / case.name
        target.mkdir(parents=True)
        (target / "case.json").write_text(json.dumps(case_json(case), indent=2, ensure_ascii=False) + "\n", "utf-8")
        (target / "appendix.cose").write_bytes(case.cose)
        names.append(case.name)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    names = build_cases(args.out)
    valid = sum(not n.endswith("_fail") for n in names)
    print(f"{len(names)} appendix vectors ({valid} valid, {len(names) - valid} invalid) written to {args.out}")


if __name__ == "__main__":
    main()
