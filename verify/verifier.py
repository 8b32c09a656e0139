"""The verifier: QR text -> numbered checks -> verdict (docs/FORMAT.md §7).

Two calls, as python-tuf and cryptography pair them (STYLE.md §1):

* `Verifier.check(text, at=...)` returns a `VerificationReport` with every step's result
  and a verdict; it never raises for a bad input.
* `Verifier.verify(text, at=...)` returns the report of a VALID verdict or raises the failed
  step's `VerificationError` (a `DocumentStatusError` for an authentic record whose registry
  status is not valid).

`check` is `begin` (steps 1-10, no I/O) then, for an authentic record, step 11 through the
`StatusLookup`. A caller on an event loop runs the two halves itself: `pending = begin(...)`,
`await pending.query.ask_async(lookup)`, `pending.finish(status)` — the same steps, the same report.

The steps (docs/FORMAT.md §7; the number is the `step` of the error raised):

    (1) unprefix      the text starts with HTTP(S)://HOST/V/, any case
    (2) digits        the rest is the canonical decimal number of 0x01 || COSE bytes
    (3) cose          a COSE_Sign1 of the profile: tag 18, alg EdDSA/ES256, 8-byte kid
    (4) kid           the trust list has one or more signers with this kid
    (5) signature     one of them verifies the signature over Sig_structure
    (6) chain         that signer's certificate is issued by the configured root
    (7) payload       the payload decodes strictly to a record of the schema
    (8) usage_period  the signing time lies in the signer's usage period, and not later than
                      the time of the check plus `MAX_CLOCK_SKEW`
    (9) revocation    the signer was not revoked with a compromise time <= signing time
    (10) scope        the series (and institution, where scoped) is in the signer's scope
    (11) registry     the status through `StatusLookup`: the registry, or signed status lists
                      (skipped without a source; AUTHENTIC_STATUS_UNKNOWN when it cannot tell)
    (12) log          the record's entry in the transparency log, when the status source gives one
                      (`RegistryStatus.log`): no entry is NOT_IN_LOG; with a `LogCheck`, the entry must be
                      this record's and its inclusion proof lead to a checkpoint signed by the log key

Nothing from the payload is used before step 5 passed. Time is always a parameter: the
signer is judged at the signing time, the document status at the time of the check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection

from . import codec, qrtext, texts
from .errors import (
    BadSignatureError,
    DocumentStatusError,
    NotInLogError,
    PrefixError,
    SignerPeriodError,
    StatusUnknownError,
    UnknownSignerError,
    UntrustedSignerError,
    VerificationError,
)
from .record import Record
from .report import (  # noqa: F401  the report's names, also reached as the verifier's by tests and benchmarks
    NOT_CHECKED,
    STEP_NAMES,
    UNKNOWN,
    VALID,
    CheckFacts,
    StepResult,
    VerificationReport,
)
from .status import (
    DecodedRecord,
    LogCheck,
    LogEvidence,
    RegistryStatus,
    StatusCode,
    StatusLookup,
    StatusQuery,
    Verdict,
    status_sentence,
)
from .texts import Text
from .trust import SignerEntry, TrustList

#: How far a record's signing time may lie after the time of the check (clocks of signer and verifier
#: differ): a later signing time fails step 8 (docs/FORMAT.md §7.1).
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)

_STATUS_VALUE = {code: code.value for code in StatusCode}  # `StatusCode.value` is an enum property: slow to read
_STATUS_VERDICT = {
    StatusCode.ORIGINAL_VALID: Verdict.VALID,
    StatusCode.DUPLICATE_VALID: Verdict.VALID,
    StatusCode.CORRECTED: Verdict.CORRECTED,
    StatusCode.REPLACED: Verdict.REPLACED,
    StatusCode.ANNULLED: Verdict.ANNULLED,
    StatusCode.NOT_IN_REGISTRY: Verdict.NOT_IN_REGISTRY,
}


class Verifier:
    """Verifies QR texts against a trust list and, optionally, a registry.

    Args:
        trust_list: a verified `TrustList` (trust.TrustList.from_json).
        status_lookup: the registry's `StatusLookup`, or None for offline verification.
        accepted_prefixes: the QR prefixes of this service's verification hosts, current and
            former (`qrtext.qr_prefixes(base_urls)`), so that codes printed before a domain move
            still verify; a text naming another host fails step 1, because its link would lead a
            phone elsewhere. Compared byte for byte after ASCII upper-casing. None accepts any
            host of the grammar (docs/FORMAT.md §5.2).
        status_required: what an authentic record gets when no status source answers (`finish(None)`):
            False (today's default) VALID with status NOT_CHECKED; True AUTHENTIC_STATUS_UNKNOWN, never
            VALID (issue 10 item 3: the CLI and the pages switch to True). A lookup that raises
            `StatusUnknownError` gives AUTHENTIC_STATUS_UNKNOWN either way.
        log_check: checks step 12 cryptographically (`verify.transparency.inclusion.TrustListLogCheck`); without
            one, step 12 takes the status source's word (an entry, or none: NOT_IN_LOG).

    Raises:
        RecordError: an accepted prefix that is not ASCII or not of the grammar of §5.2.
    """

    def __init__(self, trust_list: TrustList, *, status_lookup: StatusLookup | None = None,
                 accepted_prefixes: Collection[str] | None = None, status_required: bool = False,
                 log_check: LogCheck | None = None) -> None:
        self.trust_list = trust_list
        self.log_check = log_check
        self.status_lookup = status_lookup
        self.status_required = status_required
        self.accepted_prefixes = None if accepted_prefixes is None else \
            frozenset(qrtext.normalize_prefix(p) for p in accepted_prefixes)

    def verify(self, text: str, *, at: dt.datetime) -> VerificationReport:
        """Verify or raise.

        Returns:
            The report, whose verdict is VALID.

        Raises:
            VerificationError: the subclass of the failed step (`error.step` names it),
                `DocumentStatusError` (step 11) with code CORRECTED, REPLACED, ANNULLED or
                NOT_IN_REGISTRY, or `NotInLogError` (step 12).
        """
        report = self.check(text, at=at)
        if report.error is not None:
            raise report.error
        return report

    def check(self, text: str, *, at: dt.datetime, log: LogEvidence | None = None) -> VerificationReport:
        """Run the steps and return a report; never raises for bad input.

        Args:
            text: the QR text as decoded (untrusted).
            at: the time of the check (aware).
            log: offline, the record's log entry and proof with a cached checkpoint (`verify log prove --json`,
                the partner API): step 12 runs on it when the status source gives none.
        """
        pending = self.begin(text, at=at)
        if pending.query is None:
            return pending.report
        if self.status_lookup is None:
            return pending.finish(None, log=log)
        try:
            status: RegistryStatus | StatusUnknownError = pending.query.ask(self.status_lookup)
        except StatusUnknownError as exc:
            status = exc
        return pending.finish(status, log=log)

    def begin(self, text: str, *, at: dt.datetime) -> PendingCheck:
        """Steps 1-10 (no I/O): the report so far, and what step 11 must ask the registry.

        Args:
            text: the QR text as decoded (untrusted).
            at: the time of the check (aware).

        Returns:
            `PendingCheck`: `query` is None when a step failed (the report is final), else the
            caller finishes with `finish(status)` (`finish(None)` without a registry).

        Raises:
            ValueError: `at` is naive.
        """
        if at.tzinfo is None:
            raise ValueError("at: must be timezone-aware")
        trust_list = self.trust_list
        run = _Run(VerificationReport(verdict=VALID, checked_at=at, trust_list_version=trust_list.version,
                                      environment=trust_list.environment))
        if trust_list.is_expired(at):
            run.report.warnings.append("the trust list is past its expiry date; fetch a newer one")
        if trust_list.environment != "production":
            run.report.warnings.append(f"{trust_list.environment} trust list: not valid for real documents")
        try:
            query = self._steps(run, text, at)
        except VerificationError as exc:
            run.report._entries.extend(_passed_before(exc.step))
            run.fail(exc)
            return PendingCheck(run, None)
        return PendingCheck(run, query, status_required=self.status_required, log_check=self.log_check)

    def _steps(self, run: _Run, text: str, at: dt.datetime) -> StatusQuery:
        # The passed steps are recorded when the check ends (all ten here, or those before the one that failed:
        # `begin`), and their words are written from `facts` only when the report's steps are read (issue 16 item
        # 2: most checks answer a verdict, and words cost more than the checks).
        facts = run.report._facts = CheckFacts()
        prefix, digits = qrtext.split_qr_text(text)
        if self.accepted_prefixes is not None and prefix not in self.accepted_prefixes:
            raise PrefixError(texts.text("v_step_wrong_host", prefix=prefix))
        facts.prefix = prefix
        run.cose = cose_bytes = qrtext.digits_to_bytes(digits)
        facts.digits, facts.cose_bytes = len(digits), len(cose_bytes)
        facts.sign1 = sign1 = codec.parse_sign1(cose_bytes)
        candidates = self.trust_list.candidates(sign1.kid)
        if not candidates:
            raise UnknownSignerError(texts.text("v_step_unknown_kid", kid=sign1.kid.hex(),
                                                version=self.trust_list.version))
        facts.candidates = len(candidates)
        tbs = sign1.to_be_signed()
        verified = [c for c in candidates if c.verifies(sign1.alg, sign1.signature, tbs)]
        if not verified:
            raise BadSignatureError(texts.text("v_step_bad_signature", count=len(candidates)))
        facts.label = verified[0].label
        chained = [c for c in verified if c.chains_to_root]
        if not chained:
            raise UntrustedSignerError(texts.text("v_step_untrusted"))
        record, signed_at = codec.decode_payload(sign1.payload)
        report = run.report
        report.record, report.signed_at = facts.record, facts.signed_at = record, signed_at
        if signed_at > at + MAX_CLOCK_SKEW:
            raise SignerPeriodError(texts.text("v_step_signed_later", signed_at=signed_at, at=at,
                                         minutes=int(MAX_CLOCK_SKEW.total_seconds()) // 60))
        report.signer = signer = _judge(chained, record, signed_at)
        facts.revoked_after = signer.revocation is not None
        report._entries.extend(_STEPS_1_TO_10)
        report.authentic = True
        return StatusQuery(series=record.series, number=record.number, revision=record.revision,
                           payload_sha256=hashlib.sha256(sign1.payload).digest(), at=at)


_STEPS_1_TO_10 = tuple(range(1, 11))


def _passed_before(step: int | None) -> tuple[int | tuple[int, str, str | None, Text | None], ...]:
    """The entries of the steps that passed before `step` (1-10) failed: every step before it, as its number (its
    words from the facts), but step 9 when step 10 failed: the signers were judged one by one (`_judge`), so it
    passed in the words of a signer not revoked before the signing time."""
    if not step:
        return ()
    if step == 10:
        return (*range(1, 9), (9, "passed", None, Text("v_step_not_revoked_before")))
    return _STEPS_1_TO_10[:step - 1]


class PendingCheck:
    """A check whose steps 1-10 have run (`Verifier.begin`); step 11 waits for the registry's answer.

    Attributes:
        report: the report so far (final when `query` is None).
        query: what to ask the registry, or None when a step failed.
    """

    def __init__(self, run: _Run, query: StatusQuery | None, *, status_required: bool = False,
                 log_check: LogCheck | None = None) -> None:
        self._run = run
        self.report = run.report
        self.query = query
        self.status_required = status_required
        self.log_check = log_check

    def finish(self, status: RegistryStatus | StatusUnknownError | None, *,
               log: LogEvidence | None = None) -> VerificationReport:
        """Step 11 with the status source's answer to `query`, then step 12 when it gives the record's log entry.

        Args:
            status: the `RegistryStatus` answered; the `StatusUnknownError` the lookup raised (no fresh
                status list for the series): AUTHENTIC_STATUS_UNKNOWN; or None when no source was asked:
                the step is skipped and the verdict VALID with status NOT_CHECKED, or
                AUTHENTIC_STATUS_UNKNOWN when the verifier was made with `status_required`.
            log: the record's log entry given apart from the status (offline: a cached checkpoint and proof); the
                status source's own `RegistryStatus.log` comes first.

        Returns:
            The final report.

        Raises:
            ValueError: the check already ended (a step failed, or `finish` was called before).
        """
        if self.query is None:
            raise ValueError("this check has ended; its report is final")
        self.query, run = None, self._run
        if status is None and self.status_required:
            status = StatusUnknownError(texts.text("v_status_unknown_none"))
        if status is None:
            run.skipped(11, _NOT_CHECKED)
            self._log(log, given=True)
            return self.report
        if isinstance(status, StatusUnknownError):
            run.report.status = UNKNOWN
            run.fail(status)
            return self.report
        signed_at = run.report.signed_at
        # A source that knows the registry only up to a time before the record was signed (a status list issued
        # earlier) cannot say it was never issued; the registry answers as of the check itself.
        if status.code is StatusCode.NOT_IN_REGISTRY and signed_at is not None \
                and status.as_of < signed_at and status.as_of < run.report.checked_at:
            run.report.status = UNKNOWN
            run.fail(StatusUnknownError(texts.text("v_status_unknown_before", source=status.source, as_of=status.as_of,
                                             signed_at=signed_at)))
            return self.report
        report = run.report
        report.registry, report.status = status, _STATUS_VALUE[status.code]
        report.status_source, report.status_as_of = status.source, status.as_of
        verdict = _STATUS_VERDICT[status.code]
        sentence = status_sentence(status)
        if status.source != "registry":
            sentence = Text("v_status_from", {"sentence": sentence, "as_of": status.as_of, "source": status.source})
        if verdict is not Verdict.VALID:
            run.fail(DocumentStatusError(sentence, code=verdict))
            return self.report
        run.passed(11, sentence)
        self._log(status.log or log, given=status.log is None)
        return self.report

    def _log(self, evidence: LogEvidence | None, *, given: bool = False) -> None:
        """Step 12 when there is evidence about the log; nothing otherwise (the report then has 11 steps).

        Evidence `given` apart from the status source (offline) proves something only through a signed checkpoint
        checked by the `LogCheck`: without one it is refused (NOT_IN_LOG), without a `LogCheck` the step is skipped.
        """
        if evidence is None:
            return
        if given and self.log_check is None:
            self._run.skipped(12, Text("v_step_log_unchecked"))
            return
        try:
            if given and (evidence.checkpoint is None or not evidence.tree_size):
                raise NotInLogError(Text("v_log_no_checkpoint"))
            self._run.passed(12, self._log_step(evidence))
        except NotInLogError as exc:
            self._run.fail(exc)

    def _log_step(self, evidence: LogEvidence) -> Text:
        """Step 12: the record's entry in the transparency log (docs/FORMAT.md §7.1)."""
        if evidence.leaf_index is None:
            raise NotInLogError(Text("v_log_no_entry"))
        if self.log_check is not None:
            report = self.report
            record, signed_at, facts = report.record, report.signed_at, report._facts
            decoded = None if record is None or signed_at is None or facts is None \
                else DecodedRecord(record, signed_at, facts.sign1.kid)
            return self.log_check.check(cose=self._run.cose, evidence=evidence, decoded=decoded)
        return Text("v_step_logged", {"index": evidence.leaf_index})


_NOT_CHECKED = Text("v_step_not_checked")


def _judge(chained: list[SignerEntry], record: Record, signed_at: dt.datetime) -> SignerEntry:
    """Steps 8-10 for each verifying signer; the first that passes all wins, else the first error."""
    first_error: VerificationError | None = None
    for entry in chained:
        try:
            entry.check_at(signed_at)
            entry.check_scope(series=record.series, institution_bin=record.institution_bin)
        except VerificationError as exc:
            first_error = first_error or exc
            continue
        return entry
    assert first_error is not None
    raise first_error


class _Run:
    """Collects step results for one check (into the report's `_entries`: words are written when read)."""

    def __init__(self, report: VerificationReport) -> None:
        self.report = report
        self.cose = b""

    def passed(self, number: int, said: Text) -> None:
        """Step `number` passed; its detail is `said` in English, written when the report's steps are read."""
        self.report._entries.append((number, "passed", None, said))
        self.report._built = None

    def skipped(self, number: int, said: Text) -> None:
        self.report._entries.append((number, "skipped", None, said))
        self.report._built = None

    def fail(self, exc: VerificationError) -> None:
        number = exc.step or 0
        entries = self.report._entries
        if number:
            entries.append((number, "failed", exc.message, exc.text))
        entries.extend((later, "skipped", None, _SKIPPED_AFTER) for later in range(number + 1, 12))
        self.report._built = None
        self.report.verdict = Verdict(exc.code)
        self.report.error = exc
        if number <= 10:
            self.report.authentic = False
            self.report.record = self.report.signed_at = None


_SKIPPED_AFTER = Text("v_step_skipped_after")
