"""The verifier's report: every numbered step's result and the verdict, for a page, the CLI or a JSON answer.

`VerificationReport` is what `verify.verifier.Verifier.check` returns (docs/FORMAT.md §7.3 gives its JSON). A check
records which steps passed and the facts they found (`CheckFacts`); the words of the steps (a `Text` for a page in
its reader's language, the English `detail` of the JSON answer) are written only when the report's steps are read
(issue 16 item 2: most checks answer a verdict, and words cost more than the checks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import VerificationError
from .keys import ALGORITHM_NAMES
from .record import Record
from .status import RegistryStatus, Verdict
from .texts import Text, rfc3339
from .trust import SignerEntry

STEP_NAMES: dict[int, str] = {
    1: "unprefix", 2: "digits", 3: "cose", 4: "kid", 5: "signature", 6: "chain", 7: "payload",
    8: "usage_period", 9: "revocation", 10: "scope", 11: "registry", 12: "log",
}

VALID = Verdict.VALID
#: The report's `status` when no source was asked (offline, or a step failed before step 11).
NOT_CHECKED = "NOT_CHECKED"
#: The report's `status` when a source could not tell (the verdict AUTHENTIC_STATUS_UNKNOWN).
UNKNOWN = "UNKNOWN"

@dataclass(frozen=True, slots=True)
class StepResult:
    """The result of one numbered step.

    Attributes:
        number: 1..12.
        name: `STEP_NAMES[number]`.
        outcome: "passed", "failed" or "skipped".
        detail: a sentence for a person (English).
        text: the same as a `verify.texts.Text`, which a page renders in its reader's language; None where the
            step failed with an error raised in plain English.
    """

    number: int
    name: str
    outcome: str
    detail: str
    text: Text | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"step": self.number, "name": self.name, "outcome": self.outcome, "detail": self.detail}


@dataclass
class VerificationReport:
    """Everything a page, the CLI or an API answer needs about one QR text.

    Attributes:
        verdict: the `Verdict`.
        authentic: steps 1-10 passed.
        status: the `StatusCode` value of the registry's or a status list's answer, "NOT_CHECKED" (no
            source asked), or "UNKNOWN" (a source could not tell: AUTHENTIC_STATUS_UNKNOWN).
        status_source, status_as_of: where the status came from ("registry", "signed status list BD v42")
            and as of when (the registry: the time of the check; a list: its issue time); None when no
            source answered.
        steps: the `StepResult`s in order; steps after a failure are "skipped". Built when first read (a check
            records which steps passed and the facts they name; the words are written only for a report that is
            shown or answered: issue 16 item 2); assigning a list sets them.
        checked_at: the time of the check.
        record, signed_at: the verified record and its signing time (None unless authentic
            or at least past step 7; never shown unless authentic).
        signer: the trust list entry that verified the signature.
        registry: the `RegistryStatus`, when a lookup answered.
        trust_list_version, environment: of the trust list used.
        warnings: e.g. the trust list is past its expiry, a development root.
        error: the `VerificationError` of the failed step, if any.
    """

    verdict: Verdict
    checked_at: dt.datetime
    authentic: bool = False
    status: str = NOT_CHECKED
    record: Record | None = None
    signed_at: dt.datetime | None = None
    signer: SignerEntry | None = None
    registry: RegistryStatus | None = None
    status_source: str | None = None
    status_as_of: dt.datetime | None = None
    trust_list_version: int | None = None
    environment: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: VerificationError | None = None
    #: The steps as recorded: a number for a step of steps 1-10 that passed (its words come from `_facts`), else
    #: (number, outcome, detail or None for the text's English, text).
    _entries: list[int | tuple[int, str, str | None, Text | None]] = field(default_factory=list, repr=False)
    _facts: CheckFacts | None = field(default=None, repr=False, compare=False)
    _built: list[StepResult] | None = field(default=None, repr=False, compare=False)

    @property
    def steps(self) -> list[StepResult]:
        """The `StepResult`s in order (see the class's attributes)."""
        if self._built is None:
            self._built = [_step_of(e, self._facts) for e in self._entries]
        return self._built

    @steps.setter
    def steps(self, value: list[StepResult]) -> None:
        self._entries = [(s.number, s.outcome, s.detail, s.text) for s in value]
        self._built = None

    @property
    def failed_step(self) -> StepResult | None:
        """The first failed step, or None."""
        return next((s for s in self.steps if s.outcome == "failed"), None)

    @property
    def message(self) -> str:
        """One line for a person: the verdict and why."""
        if self.verdict == VALID and self.status == NOT_CHECKED:
            return "VALID: authentic; registry status not checked"
        if self.verdict == VALID and self.status_source not in (None, "registry") and self.status_as_of:
            return (f"VALID: authentic; status {self.status} as of {rfc3339(self.status_as_of)}, "
                    f"from the {self.status_source}")
        if self.verdict == VALID:
            return f"VALID: authentic; registry status {self.status}"
        failed = self.failed_step
        return f"{self.verdict}: step {failed.number} ({failed.name}) failed: {failed.detail}" if failed \
            else self.verdict

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `verify check --json` and the HTTP API (docs/FORMAT.md §7.3)."""
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "message": self.message,
            "authentic": self.authentic,
            "status": self.status,
            "status_source": self.status_source,
            "status_as_of": None if self.status_as_of is None else rfc3339(self.status_as_of),
            "checked_at": rfc3339(self.checked_at),
            "trust_list_version": self.trust_list_version,
            "environment": self.environment,
            "steps": [s.to_json() for s in self._built] if self._built is not None else
                     _steps_json(self._entries, self._facts),
            "warnings": list(self.warnings),
            "record": None,
            "signed_at": None,
            "signer": None,
            "registry": None if self.registry is None else self.registry.to_json(),
        }
        if self.authentic and self.record is not None and self.signed_at is not None and self.signer is not None:
            out["record"] = self.record.to_json()
            out["signed_at"] = rfc3339(self.signed_at)
            out["signer"] = {"kid": self.signer.kid.hex(), "label": self.signer.label,
                             "alg": ALGORITHM_NAMES[self.signer.alg]}
        return out


class CheckFacts:
    """What the passed steps 1-10 of one check name (`_PASSED` writes their words from it). Each is set by the step
    that finds it, before the step is recorded as passed, and read only for a passed step (no defaults to write on
    every check)."""

    __slots__ = ("candidates", "cose_bytes", "digits", "label", "prefix", "record", "revoked_after", "sign1",
                 "signed_at")
    prefix: str
    label: str
    revoked_after: bool
    digits: int
    cose_bytes: int
    candidates: int
    sign1: Any  # codec.CoseSign1
    record: Record
    signed_at: dt.datetime


#: The words of each passed step 1-10 (docs/FORMAT.md §7) from what the check recorded.
_PASSED: dict[int, Callable[[CheckFacts], Text]] = {
    1: lambda f: Text("v_step_prefix", {"prefix": f.prefix}),
    2: lambda f: Text("v_step_digits", {"digits": f.digits, "bytes": f.cose_bytes}),
    3: lambda f: Text("v_step_cose", {"alg": ALGORITHM_NAMES[f.sign1.alg], "kid": f.sign1.kid.hex()}),
    4: lambda f: Text("v_step_candidates", {"count": f.candidates, "kid": f.sign1.kid.hex()}),
    5: lambda f: Text("v_step_signature", {"label": f.label}),
    6: lambda f: Text("v_step_chain"),
    7: lambda f: Text("v_step_payload", {"doc_type": f.record.doc_type, "series": f.record.series,
                                         "number": f.record.number, "revision": f.record.revision}),
    8: lambda f: Text("v_step_period", {"signed_at": f.signed_at}),
    9: lambda f: Text("v_step_revoked_after" if f.revoked_after else "v_step_not_revoked"),
    10: lambda f: Text("v_step_scope", {"series": f.record.series}),
}


#: The same words in English, written out (the JSON answer needs only these: formatting each template would cost
#: more; tests/core/test_texts.py checks that the two agree).
_DETAIL: dict[int, Callable[[CheckFacts], str]] = {
    1: lambda f: f"prefix {f.prefix}",
    2: lambda f: f"{f.digits} digits, {f.cose_bytes} bytes",
    3: lambda f: f"COSE_Sign1, {ALGORITHM_NAMES[f.sign1.alg]}, kid {f.sign1.kid.hex()}",
    4: lambda f: f"{f.candidates} candidate signer(s) with kid {f.sign1.kid.hex()}",
    5: lambda f: f"signature verified by {f.label}",
    6: lambda f: "signer certificate issued by the root",
    7: lambda f: f"{f.record.doc_type} {f.record.series} {f.record.number}, revision {f.record.revision}",
    8: lambda f: f"signed at {rfc3339(f.signed_at)}, within the signer's usage period",
    9: lambda f: "revoked only with a compromise time after the signing time" if f.revoked_after else "not revoked",
    10: lambda f: f"series {f.record.series} in the signer's scope",
}


_DETAIL_1_TO_10 = tuple((n, STEP_NAMES[n], _DETAIL[n]) for n in range(1, 11))


def _steps_json(entries: list[int | tuple[int, str, str | None, Text | None]],
                facts: CheckFacts | None) -> list[dict[str, Any]]:
    """`[_step_json(e, facts) for e in entries]`, the ten passed steps of an authentic record in one pass."""
    if len(entries) >= 10 and entries[9] == 10:  # steps 1-10 passed, recorded as their numbers (`Verifier._steps`)
        assert facts is not None
        steps = [{"step": n, "name": name, "outcome": "passed", "detail": detail(facts)}
                 for n, name, detail in _DETAIL_1_TO_10]
        steps.extend(_step_json(e, facts) for e in entries[10:])
        return steps
    return [_step_json(e, facts) for e in entries]


def _step_json(entry: int | tuple[int, str, str | None, Text | None], facts: CheckFacts | None) -> dict[str, Any]:
    """`_step_of(entry, facts).to_json()` without making the step's `Text`."""
    number, outcome, detail = _written(entry, facts)
    return {"step": number, "name": STEP_NAMES[number], "outcome": outcome, "detail": detail}


def _step_of(entry: int | tuple[int, str, str | None, Text | None], facts: CheckFacts | None) -> StepResult:
    """One recorded step as a `StepResult`: a passed step 1-10 from the facts, another with its detail written
    out from its text when the check left it to be written."""
    number, outcome, detail = _written(entry, facts)
    if isinstance(entry, int):
        assert facts is not None  # as `_written` asserted
        said: Text | None = _PASSED[entry](facts)
    else:
        said = entry[3]
    return StepResult(number, STEP_NAMES[number], outcome, detail, said)


def _written(entry: int | tuple[int, str, str | None, Text | None], facts: CheckFacts | None) -> tuple[int, str, str]:
    """(number, outcome, detail in English) of one recorded step: a passed step 1-10's words from the facts."""
    if isinstance(entry, int):
        assert facts is not None
        return entry, "passed", _DETAIL[entry](facts)
    number, outcome, detail, said = entry
    return number, outcome, detail if detail is not None else "" if said is None else said.english()
