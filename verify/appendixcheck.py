"""Verifying a signed appendix against its diploma (docs/FORMAT.md §10.5).

    check_appendix(cose, diploma_text=, trust_list=, at=) -> AppendixReport    never raises for bad input
    verify_appendix(...) -> AppendixReport                                     raises the failed step's error

The steps (the number is the `step` of the report and of the error):

    (1) cose          a COSE_Sign1 of the appendix profile: tag 18, {1: alg, 3: "application/verify-appendix+cbor",
                      4: kid}, empty unprotected header, 64-byte signature, at most 64 KiB + 256 bytes
    (2) kid           the trust list has one or more document signers with this kid (a status or log signer never)
    (3) signature     one of them verifies the signature over Sig_structure (ES256 low-S only)
    (4) chain         that signer's certificate is issued by the configured root
    (5) payload       the payload decodes strictly to an appendix of §10.3 (every rule of verify.appendix)
    (6) usage_period  the signing time is not later than the check plus the clock skew and lies in the signer's
                      usage period and certificate validity
    (7) revocation    the signer is not revoked with a compromise time at or before the signing time
    (8) scope         the diploma's series, and the institution where the scope names one, are in its scope
    (9) diploma       the diploma presented with it passes record steps 1-10 (verify.verifier.Verifier.begin)
    (10) binding      the appendix names that diploma's series, number and revision, the SHA-256 of its signed
                      payload, and its institution

Steps 2-4 and 6-8 are the record's steps 4-6 and 8-10 under the same trust list, so an appendix is signed "by the
same document signer rules" as its diploma: any document signer whose scope holds the series and institution at
the appendix's signing time, not necessarily the key that signed the diploma (the appendix may be corrected after a
rotation). The appendix's status (the revision in force, duplicates of the appendix) is the registry's: the report
gives its revision and duplicate number for that lookup; the diploma's step 11 is left to the caller
(`report.diploma_check.finish(status)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from .appendix import Appendix
from .appendixcodec import decode_appendix_payload, parse_appendix_cose
from .errors import (
    AppendixBindingError,
    AppendixFormatError,
    BadSignatureError,
    DiplomaNotAuthenticError,
    ScopeError,
    SignerPeriodError,
    SignerRevokedError,
    UnknownSignerError,
    UntrustedSignerError,
    VerificationError,
)
from .keys import ALGORITHM_NAMES
from .report import StepResult
from .texts import rfc3339
from .trust import SignerEntry, TrustList
from .verifier import MAX_CLOCK_SKEW, PendingCheck, Verifier

APPENDIX_STEPS: dict[int, str] = {
    1: "cose", 2: "kid", 3: "signature", 4: "chain", 5: "payload", 6: "usage_period", 7: "revocation",
    8: "scope", 9: "diploma", 10: "binding",
}
#: The appendix step of each error class raised by the shared signer checks.
_STEP_OF: dict[type[VerificationError], int] = {
    UnknownSignerError: 2, BadSignatureError: 3, UntrustedSignerError: 4, SignerPeriodError: 6,
    SignerRevokedError: 7, ScopeError: 8, DiplomaNotAuthenticError: 9, AppendixBindingError: 10,
}
VALID = "VALID"


@dataclass
class AppendixReport:
    """The result of checking one appendix against one diploma.

    Attributes:
        verdict: "VALID" (authentic and bound to the diploma), or the failed step's code: MALFORMED,
            UNKNOWN_SIGNER, BAD_SIGNATURE, UNTRUSTED_SIGNER, SIGNER_OUT_OF_PERIOD, SIGNER_REVOKED, OUT_OF_SCOPE,
            DIPLOMA_NOT_AUTHENTIC, NOT_BOUND.
        checked_at: the time of the check.
        steps: `StepResult`s numbered by `APPENDIX_STEPS`; steps after a failure are "skipped".
        appendix, signed_at: the verified appendix (None unless past step 5; shown only when VALID).
        signer: the document signer that verified it.
        diploma_check: the diploma's `PendingCheck` after record steps 1-10 (finish it with the registry's
            status for step 11), or None when the check stopped before step 9.
        error: the failed step's `VerificationError`, or None.
    """

    verdict: str
    checked_at: dt.datetime
    steps: list[StepResult] = field(default_factory=list)
    appendix: Appendix | None = None
    signed_at: dt.datetime | None = None
    signer: SignerEntry | None = None
    diploma_check: PendingCheck | None = None
    error: VerificationError | None = None

    @property
    def failed_step(self) -> StepResult | None:
        """The first failed step, or None."""
        return next((s for s in self.steps if s.outcome == "failed"), None)

    def to_json(self) -> dict[str, Any]:
        """JSON form: verdict, steps, and, when VALID, the appendix, its signing time and signer."""
        valid = self.verdict == VALID and self.appendix is not None
        return {
            "verdict": self.verdict,
            "checked_at": rfc3339(self.checked_at),
            "steps": [s.to_json() for s in self.steps],
            "appendix": self.appendix.to_json() if valid and self.appendix is not None else None,
            "signed_at": rfc3339(self.signed_at) if valid and self.signed_at is not None else None,
            "signer": None if not valid or self.signer is None else
            {"kid": self.signer.kid.hex(), "label": self.signer.label, "alg": ALGORITHM_NAMES[self.signer.alg]},
        }


def verify_appendix(appendix_cose: bytes, *, diploma_text: str, trust_list: TrustList, at: dt.datetime,
                    accepted_prefixes: Collection[str] | None = None) -> AppendixReport:
    """Check an appendix against its diploma, or raise the failed step's error.

    Returns:
        The `AppendixReport` of a VALID verdict.

    Raises:
        VerificationError: the failed step's error (`AppendixFormatError`, `UnknownSignerError`, ...,
            `DiplomaNotAuthenticError`, `AppendixBindingError`); its `step` is the appendix step.
    """
    report = check_appendix(appendix_cose, diploma_text=diploma_text, trust_list=trust_list, at=at,
                            accepted_prefixes=accepted_prefixes)
    if report.error is not None:
        raise report.error
    return report


def check_appendix(appendix_cose: bytes, *, diploma_text: str, trust_list: TrustList, at: dt.datetime,
                   accepted_prefixes: Collection[str] | None = None) -> AppendixReport:
    """Run the appendix steps 1-10 and return a report naming the failed step; never raises for bad input.

    Args:
        appendix_cose: the signed appendix bytes (untrusted).
        diploma_text: the QR text of the diploma it is presented with (untrusted).
        trust_list: a verified `TrustList`.
        at: the time of the check (aware).
        accepted_prefixes: the QR prefixes a diploma text may carry (`codec.qr_prefixes`), or None for any host.

    Raises:
        ValueError: `at` is naive.
    """
    if at.tzinfo is None:
        raise ValueError("at: must be timezone-aware")
    report = AppendixReport(verdict=VALID, checked_at=at)
    try:
        _steps(report, appendix_cose, diploma_text, trust_list, at, accepted_prefixes)
    except VerificationError as exc:
        _fail(report, exc)
    return report


def _passed(report: AppendixReport, number: int, detail: str) -> None:
    report.steps.append(StepResult(number, APPENDIX_STEPS[number], "passed", detail))


def _fail(report: AppendixReport, exc: VerificationError) -> None:
    number = exc.step if isinstance(exc, AppendixFormatError) else _STEP_OF.get(type(exc), exc.step or 0)
    number = number or 0
    if number:
        report.steps.append(StepResult(number, APPENDIX_STEPS[number], "failed", exc.message))
    for later in range(number + 1, len(APPENDIX_STEPS) + 1):
        report.steps.append(StepResult(later, APPENDIX_STEPS[later], "skipped", "not run after a failure"))
    report.verdict, report.error = exc.code, exc
    if number <= 8:
        report.appendix = report.signed_at = report.signer = None


def _steps(report: AppendixReport, data: bytes, diploma_text: str, trust_list: TrustList, at: dt.datetime,
           accepted_prefixes: Collection[str] | None) -> None:
    try:
        sign1 = parse_appendix_cose(data)
    except AppendixFormatError as exc:
        raise AppendixFormatError(exc.message, step=1) from None
    _passed(report, 1, f"COSE_Sign1 appendix, {ALGORITHM_NAMES[sign1.alg]}, kid {sign1.kid.hex()}")
    candidates = trust_list.candidates(sign1.kid)
    if not candidates:
        raise UnknownSignerError(f"no document signer with kid {sign1.kid.hex()} in trust list "
                                 f"version {trust_list.version}")
    _passed(report, 2, f"{len(candidates)} candidate signer(s)")
    tbs = sign1.to_be_signed()
    verified = [c for c in candidates if c.verifies(sign1.alg, sign1.signature, tbs)]
    if not verified:
        raise BadSignatureError(f"the signature does not verify under any of the {len(candidates)} candidate(s)")
    _passed(report, 3, f"signature verified by {verified[0].label}")
    chained = [c for c in verified if c.chains_to_root]
    if not chained:
        raise UntrustedSignerError("the signer's certificate is not issued by the configured root")
    _passed(report, 4, "signer certificate issued by the root")
    try:
        appendix, signed_at = decode_appendix_payload(sign1.payload)
    except AppendixFormatError as exc:
        raise AppendixFormatError(exc.message, step=5) from None
    report.appendix, report.signed_at = appendix, signed_at
    d = appendix.diploma
    _passed(report, 5, f"appendix revision {appendix.revision} of {d.series} {d.number} revision {d.revision}, "
                       f"{len(appendix.items)} item(s)")
    if signed_at > at + MAX_CLOCK_SKEW:
        raise SignerPeriodError(f"signed at {rfc3339(signed_at)}, later than the time of the check "
                                f"{rfc3339(at)} plus the allowed clock skew")
    report.signer = _judge(chained, appendix, signed_at, report)
    _passed(report, 8, f"series {d.series} in the signer's scope")
    verifier = Verifier(trust_list, accepted_prefixes=accepted_prefixes)
    pending = verifier.begin(diploma_text, at=at)
    if pending.query is None or pending.report.record is None:
        failed = pending.report.failed_step
        raise DiplomaNotAuthenticError(f"the diploma is not authentic: {pending.report.verdict}" +
                                       (f" at step {failed.number} ({failed.name})" if failed else ""))
    report.diploma_check = pending
    record = pending.report.record
    _passed(report, 9, f"diploma {record.series} {record.number} revision {record.revision} authentic")
    if (d.series, d.number, d.revision) != (record.series, record.number, record.revision):
        raise AppendixBindingError(f"the appendix names {d.series} {d.number} revision {d.revision}, not the "
                                   f"diploma presented ({record.series} {record.number} revision {record.revision})")
    if d.payload_sha256 != pending.query.payload_sha256:
        raise AppendixBindingError("the appendix names another signed payload of this diploma revision "
                                   "(SHA-256 differs)")
    if appendix.institution_bin != record.institution_bin:
        raise AppendixBindingError("the appendix names another institution than the diploma")
    _passed(report, 10, "bound to the diploma's series, number, revision, signed payload and institution")


def _judge(chained: list[SignerEntry], appendix: Appendix, signed_at: dt.datetime,
           report: AppendixReport) -> SignerEntry:
    """Appendix steps 6-8 for each verifying signer in list order: the first that passes all three is the signer;
    otherwise the first candidate's first failure (docs/FORMAT.md §7.1, candidates)."""
    first: VerificationError | None = None
    for entry in chained:
        try:
            entry.check_at(signed_at)
            entry.check_scope(series=appendix.diploma.series, institution_bin=appendix.institution_bin)
        except VerificationError as exc:
            first = first or exc
            continue
        _passed(report, 6, f"signed at {rfc3339(signed_at)}, within the signer's usage period")
        _passed(report, 7, "not revoked" if entry.revocation is None else "revoked only after the signing time")
        return entry
    assert first is not None
    step = _STEP_OF[type(first)]
    if step > 6:
        _passed(report, 6, f"signed at {rfc3339(signed_at)}, within the signer's usage period")
    if step > 7:
        _passed(report, 7, "not revoked before the signing time")
    raise first
