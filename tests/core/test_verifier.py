"""The verifier's report, its raising twin, and the registry step through a fake `StatusLookup`.

The threat-model table of STYLE.md §7 lives in the vectors (tests/vectors); here are the cases
that need a registry: original presented after a duplicate replaced it, a pre-correction
revision, an annulled document, a good signature the registry does not know.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import pytest
from support.coroutines import run_async
from support.keys import make_signer, sample_record, verifier_for_signers

from verify.errors import DocumentStatusError, PrefixError
from verify.issue import sign_record
from verify.status import DocumentRef, RegistryStatus, StatusCode

T = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SIGNER = make_signer("verifier tests")
SIGNED = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=T)


@dataclass
class FakeLookup:
    """An in-memory `StatusLookup` answering one fixed status and recording the questions."""

    status: RegistryStatus
    asked: list[dict[str, object]] = field(default_factory=list)

    def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
               at: dt.datetime) -> RegistryStatus:
        self.asked.append({"series": series, "number": number, "revision": revision,
                           "payload_sha256": payload_sha256, "at": at})
        return self.status


STATUSES = [
    (RegistryStatus(StatusCode.ORIGINAL_VALID, T), "VALID", "in force"),
    (RegistryStatus(StatusCode.DUPLICATE_VALID, T, original=DocumentRef("BD", "0000001"), duplicate_no=2),
     "VALID", "duplicate No. 2, issued instead of the original BD 0000001"),
    (RegistryStatus(StatusCode.REPLACED, T, replaced_by=DocumentRef("BD", "0000777", 1, dt.date(2026, 10, 1), "lost")),
     "REPLACED", "replaced by duplicate No. 1 BD 0000777 issued on 2026-10-01 (lost)"),
    (RegistryStatus(StatusCode.CORRECTED, T, current_revision=2, changed_fields=("holder",)),
     "CORRECTED", "revision 2 is current; changed: holder"),
    (RegistryStatus(StatusCode.ANNULLED, T, annulled_at=T, reason="court decision No. 5"),
     "ANNULLED", "court decision No. 5"),
    (RegistryStatus(StatusCode.NOT_IN_REGISTRY, T), "NOT_IN_REGISTRY", "report it"),
]


@pytest.mark.parametrize(("status", "verdict", "words"), STATUSES, ids=[s[0].code.value for s in STATUSES])
def test_registry_status_gives_the_verdict(status: RegistryStatus, verdict: str, words: str) -> None:
    lookup = FakeLookup(status)
    report = verifier_for_signers(SIGNER, status_lookup=lookup).check(SIGNED.qr_text, at=T)
    assert report.verdict == verdict
    assert report.authentic
    assert report.status == status.code.value
    step11 = report.steps[-1]
    assert step11.number == 11 and words in step11.detail
    assert step11.outcome == ("passed" if verdict == "VALID" else "failed")
    assert lookup.asked == [{"series": "BD", "number": "0012345", "revision": 1,
                             "payload_sha256": hashlib.sha256(SIGNED.payload).digest(), "at": T}]
    json_out = report.to_json()
    assert json_out["record"]["number"] == "0012345"
    assert json_out["registry"]["code"] == status.code.value


@dataclass
class FakeAsyncLookup:
    """The `AsyncStatusLookup` twin of `FakeLookup`."""

    status: RegistryStatus
    asked: list[dict[str, object]] = field(default_factory=list)

    async def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
                     at: dt.datetime) -> RegistryStatus:
        self.asked.append({"series": series, "number": number, "revision": revision,
                           "payload_sha256": payload_sha256, "at": at})
        return self.status


@pytest.mark.parametrize(("status", "verdict", "words"), STATUSES, ids=[s[0].code.value for s in STATUSES])
def test_begin_then_finish_gives_the_report_of_check(status: RegistryStatus, verdict: str, words: str) -> None:
    """The halves an event loop runs (`begin`, an awaited lookup, `finish`) answer exactly as `check`."""
    checked = verifier_for_signers(SIGNER, status_lookup=FakeLookup(status)).check(SIGNED.qr_text, at=T)
    pending = verifier_for_signers(SIGNER).begin(SIGNED.qr_text, at=T)
    assert pending.query is not None and pending.report.steps[-1].number == 10  # no I/O yet: 10 steps
    lookup = FakeAsyncLookup(status)
    finished = pending.finish(run_async(pending.query.ask_async(lookup)))
    assert finished.to_json() == checked.to_json() and finished.verdict == verdict
    assert lookup.asked == [{"series": "BD", "number": "0012345", "revision": 1,
                             "payload_sha256": hashlib.sha256(SIGNED.payload).digest(), "at": T}]
    with pytest.raises(ValueError, match="final"):
        pending.finish(status)


def test_begin_of_a_failing_text_is_final_and_asks_nothing() -> None:
    pending = verifier_for_signers(SIGNER).begin("HTTPS://V.EDU.KZ/V/12", at=T)
    assert pending.query is None and pending.report.verdict == "MALFORMED"
    assert len(pending.report.steps) == 11 and pending.report.steps[-1].outcome == "skipped"
    with pytest.raises(ValueError, match="final"):
        pending.finish(None)


def test_finish_without_a_registry_is_check_offline() -> None:
    pending = verifier_for_signers(SIGNER).begin(SIGNED.qr_text, at=T)
    offline = verifier_for_signers(SIGNER).check(SIGNED.qr_text, at=T)
    assert pending.finish(None).to_json() == offline.to_json() and offline.status == "NOT_CHECKED"


def test_verify_raises_document_status_error() -> None:
    lookup = FakeLookup(RegistryStatus(StatusCode.ANNULLED, T, reason="forged application"))
    with pytest.raises(DocumentStatusError) as info:
        verifier_for_signers(SIGNER, status_lookup=lookup).verify(SIGNED.qr_text, at=T)
    assert info.value.code == "ANNULLED" and info.value.step == 11


def test_offline_verdict_is_authentic_status_not_checked() -> None:
    report = verifier_for_signers(SIGNER).verify(SIGNED.qr_text, at=T)
    assert report.verdict == "VALID" and report.status == "NOT_CHECKED"
    assert report.message == "VALID: authentic; registry status not checked"
    assert [s.outcome for s in report.steps] == ["passed"] * 10 + ["skipped"]
    assert report.to_json()["signer"]["alg"] == "EdDSA"


def test_failed_report_hides_the_record_and_names_the_step() -> None:
    report = verifier_for_signers(make_signer("someone else")).check(SIGNED.qr_text, at=T)
    assert report.verdict == "UNKNOWN_SIGNER"
    assert report.record is None and report.to_json()["record"] is None
    assert report.failed_step is not None and report.failed_step.name == "kid"
    assert all(s.outcome == "skipped" for s in report.steps[4:])


def test_registry_not_asked_for_a_forgery() -> None:
    lookup = FakeLookup(RegistryStatus(StatusCode.ORIGINAL_VALID, T))
    text = SIGNED.qr_text[:-3] + ("000" if SIGNED.qr_text[-3:] != "000" else "111")
    report = verifier_for_signers(SIGNER, status_lookup=lookup).check(text, at=T)
    assert report.verdict != "VALID" and lookup.asked == []


def test_verify_raises_the_step_error() -> None:
    with pytest.raises(PrefixError) as info:
        verifier_for_signers(SIGNER).verify("https://example.com/", at=T)
    assert info.value.step == 1 and info.value.code == "MALFORMED"


@pytest.mark.parametrize("position", range(len(SIGNED.qr_text)))
def test_changing_any_character_fails_a_named_step(position: int) -> None:
    """Done-when of issue 2: any changed character of the QR text gives a failed, named step.

    A letter becomes another letter (so the host changes), a digit another digit, and the
    punctuation of the prefix another character.
    """
    text = SIGNED.qr_text
    old = text[position]
    new = str((int(old) + 3) % 10) if old.isdigit() else ("Q" if old.isalpha() and old != "Q" else
                                                          "R" if old.isalpha() else "-")
    verifier = verifier_for_signers(SIGNER, accepted_prefixes=("HTTPS://V.EDU.KZ/V/",))
    report = verifier.check(text[:position] + new + text[position + 1:], at=T)
    assert report.verdict != "VALID"
    assert report.failed_step is not None and report.failed_step.name in {
        "unprefix", "digits", "cose", "kid", "signature", "payload"}


def test_prefix_case_is_not_a_change() -> None:
    verifier = verifier_for_signers(SIGNER, accepted_prefixes=("HTTPS://V.EDU.KZ/V/",))
    assert verifier.check(SIGNED.qr_text.lower(), at=T).verdict == "VALID"


# ------------------------------------------------------------------ issue 10 item 2: malleability and clock
def test_es256_signer_writes_low_s_and_step_5_refuses_high_s() -> None:
    """(r, n - s) of a genuine ES256 signature verified too: two texts for one record (issue 10 item 2)."""
    from verify import codec
    from verify.keys import P256_HALF_ORDER, P256_ORDER, signature_check

    signer = make_signer("low-s tests", alg="ES256")
    check = signature_check(signer.certificate.public_key())  # type: ignore[arg-type]
    for i in range(40):
        signed = sign_record(sample_record(number=f"{i:07d}"), signer=signer, base_url="https://v.edu.kz", at=T)
        sign1 = codec.parse_sign1(signed.cose)
        r, s = sign1.signature[:32], int.from_bytes(sign1.signature[32:], "big")
        assert s <= P256_HALF_ORDER
        assert check(-7, sign1.signature, sign1.to_be_signed())
        high = r + (P256_ORDER - s).to_bytes(32, "big")
        assert not check(-7, high, sign1.to_be_signed())
        report = verifier_for_signers(signer).check(
            codec.to_qr_text(codec.encode_sign1(sign1.protected, sign1.payload, high), "https://v.edu.kz"), at=T)
        assert report.verdict == "BAD_SIGNATURE" and report.failed_step is not None
        assert report.failed_step.number == 5


@pytest.mark.parametrize(("after", "verdict"), [
    (dt.timedelta(0), "VALID"), (dt.timedelta(minutes=5), "VALID"),
    (dt.timedelta(minutes=5, seconds=1), "SIGNER_OUT_OF_PERIOD"), (dt.timedelta(days=30), "SIGNER_OUT_OF_PERIOD"),
])
def test_signing_time_after_the_check_plus_clock_skew_fails_step_8(after: dt.timedelta, verdict: str) -> None:
    from verify.verifier import MAX_CLOCK_SKEW

    assert dt.timedelta(minutes=5) == MAX_CLOCK_SKEW
    signed = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=T + after)
    report = verifier_for_signers(SIGNER).check(signed.qr_text, at=T)
    assert report.verdict == verdict
    if verdict != "VALID":
        assert report.failed_step is not None and report.failed_step.name == "usage_period"
        assert "clock skew" in report.failed_step.detail and report.record is None
