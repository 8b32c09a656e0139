/**
 * The verifier: QR text -> numbered steps -> verdict (docs/FORMAT.md §7), step for step as
 * `verify/verifier.py`:
 *
 *   (1) unprefix  (2) digits  (3) cose  (4) kid (document signers only)  (5) signature (ES256 low-S)
 *   (6) chain  (7) payload  (8) usage_period (and the signing time not later than the check plus
 *   MAX_CLOCK_SKEW_MS)  (9) revocation  (10) scope  (11) registry: through a StatusLookup, the
 *   registry or signed status lists; skipped without one (or AUTHENTIC_STATUS_UNKNOWN when a
 *   status is required); AUTHENTIC_STATUS_UNKNOWN when the source cannot tell  (12) log: when the
 *   source (or, offline, a cached proof given to `check`) says where the record is in the transparency log:
 *   the entry must be this record's and its proof lead to a checkpoint signed by a log key (tlog.ts)
 *
 * `begin(text, at)` runs steps 1-10 (no I/O); `check(text, at)` also asks the status source.
 * Nothing from the payload is used before step 5 passed. The signer is judged at the signing
 * time, the document status at the time of the check.
 */
import { hex } from '@scure/base';

import {
  ALGORITHM_NAMES, decodePayload, digitsToBytes, normalizePrefix, parseSign1, sigStructure, splitQrText,
} from './codec.js';
import { sha256Digest } from './crypto.js';
import {
  BadSignatureError, DocumentStatusError, NotInLogError, PrefixError, SignerPeriodError, StatusUnknownError, UnknownSignerError,
  UntrustedSignerError, VerificationError,
} from './errors.js';
import type { RecordJson } from './record.js';
import type { DocumentRef, DocumentStatus, LogEvidence, StatusCode, StatusLookup, StatusQuery } from './status.js';
import { checkInclusion } from './tlog.js';
import type { SignerEntry, TrustList } from './trust.js';

export const STEP_NAMES: Readonly<Record<number, string>> = {
  1: 'unprefix', 2: 'digits', 3: 'cose', 4: 'kid', 5: 'signature', 6: 'chain', 7: 'payload',
  8: 'usage_period', 9: 'revocation', 10: 'scope', 11: 'registry', 12: 'log',
};
/**
 * How far a record's signing time may lie after the time of the check (clocks of signer and verifier
 * differ): a later signing time fails step 8 (docs/FORMAT.md §7.1). 5 minutes, in milliseconds.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const VALID = 'VALID';
export const NOT_CHECKED = 'NOT_CHECKED';
export const AUTHENTIC_STATUS_UNKNOWN = 'AUTHENTIC_STATUS_UNKNOWN';
/** The report's `status` when a source could not tell (the verdict AUTHENTIC_STATUS_UNKNOWN). */
export const UNKNOWN = 'UNKNOWN';
/** Every verdict code (docs/FORMAT.md §7.2). Only VALID means "this paper is a valid document". */
export const VERDICTS = [VALID, 'CORRECTED', 'REPLACED', 'ANNULLED', 'NOT_IN_REGISTRY', AUTHENTIC_STATUS_UNKNOWN,
  'MALFORMED', 'UNKNOWN_SIGNER', 'BAD_SIGNATURE', 'UNTRUSTED_SIGNER', 'SIGNER_OUT_OF_PERIOD', 'SIGNER_REVOKED',
  'OUT_OF_SCOPE', 'NOT_IN_LOG'] as const;
const STATUS_VERDICT: Readonly<Record<StatusCode, string>> = {
  ORIGINAL_VALID: VALID, DUPLICATE_VALID: VALID, CORRECTED: 'CORRECTED', REPLACED: 'REPLACED',
  ANNULLED: 'ANNULLED', NOT_IN_REGISTRY: 'NOT_IN_REGISTRY',
};

/** The result of one numbered step. */
export interface StepResult {
  readonly step: number;
  readonly name: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly detail: string;
}

/** The Python verifier's `rfc3339()` of a time: RFC 3339 in UTC with `Z`, `2026-11-01T12:00:00Z` (a fraction only
 * when it is not zero). */
export function isoUtc(value: Date): string {
  const ms = value.getUTCMilliseconds();
  return `${value.toISOString().slice(0, 19)}${ms ? `.${String(ms).padStart(3, '0')}000` : ''}Z`;
}

/** Everything a page, the CLI or an API answer needs about one QR text. */
export class VerificationReport {
  steps: StepResult[] = [];
  authentic = false;
  /** The status code, NOT_CHECKED (no source asked), or UNKNOWN (a source could not tell). */
  status: string = NOT_CHECKED;
  record: RecordJson | null = null;
  signedAt: Date | null = null;
  signer: SignerEntry | null = null;
  /** The status source's answer, when one answered (its `source` and `as_of` are `status_source`, `status_as_of`). */
  documentStatus: DocumentStatus | null = null;
  warnings: string[] = [];
  /** The error of the failed step, if any. */
  error: VerificationError | null = null;

  constructor(public verdict: string, readonly checkedAt: Date, readonly trustListVersion: number,
    readonly environment: string) {}

  /** The first failed step, or null. */
  get failedStep(): StepResult | null {
    return this.steps.find((s) => s.outcome === 'failed') ?? null;
  }

  /** One line for a person: the verdict and why. */
  get message(): string {
    if (this.verdict === VALID && this.status === NOT_CHECKED) return 'VALID: authentic; registry status not checked';
    const st = this.documentStatus;
    if (this.verdict === VALID && st !== null && st.source !== 'registry') {
      return `VALID: authentic; status ${this.status} as of ${isoUtc(st.as_of)}, from the ${st.source}`;
    }
    if (this.verdict === VALID) return `VALID: authentic; registry status ${this.status}`;
    const failed = this.failedStep;
    return failed ? `${this.verdict}: step ${failed.step} (${failed.name}) failed: ${failed.detail}` : this.verdict;
  }

  /**
   * The JSON shape of Python's `verify check --json` (docs/FORMAT.md §7.3), plus `failed_step`,
   * `status_source` and `status_as_of` (null when no status source answered).
   */
  toJSON(): Record<string, unknown> {
    const authentic = this.authentic && this.record !== null && this.signedAt !== null && this.signer !== null;
    const failed = this.failedStep;
    const st = this.documentStatus;
    return {
      verdict: this.verdict,
      message: this.message,
      authentic: this.authentic,
      status: this.status,
      status_source: st?.source ?? null,
      status_as_of: st ? isoUtc(st.as_of) : null,
      failed_step: failed ? { step: failed.step, name: failed.name, detail: failed.detail } : null,
      checked_at: isoUtc(this.checkedAt),
      trust_list_version: this.trustListVersion,
      environment: this.environment,
      steps: this.steps.map((s) => ({ ...s })),
      warnings: [...this.warnings],
      record: authentic ? this.record : null,
      signed_at: authentic && this.signedAt ? isoUtc(this.signedAt) : null,
      signer: authentic && this.signer ? {
        kid: hex.encode(this.signer.kid), label: this.signer.label, alg: ALGORITHM_NAMES[this.signer.alg] ?? null,
      } : null,
      registry: st ? statusJson(st) : null,
    };
  }
}

/** Options of {@link Verifier}. */
export interface VerifierOptions {
  /** The status source of step 11 (the registry, or a `StatusListLookup`); none: see `statusRequired`. */
  statusLookup?: StatusLookup | null;
  /**
   * The QR prefixes of the service's verification hosts, current and former (`qrPrefix(baseUrl)`); a
   * text naming another host fails step 1, because its link would lead a phone elsewhere. Compared
   * byte for byte after ASCII upper-casing. None: any host of the grammar (docs/FORMAT.md §5.2).
   */
  acceptedPrefixes?: Iterable<string> | null;
  /**
   * What an authentic record gets when no status source answers: false (the default) VALID with
   * status NOT_CHECKED; true AUTHENTIC_STATUS_UNKNOWN, never VALID (an offline verifier with status
   * lists). A lookup that throws `StatusUnknownError` gives AUTHENTIC_STATUS_UNKNOWN either way.
   */
  statusRequired?: boolean;
}

/** Verifies QR texts against a trust list and, optionally, a status source. */
export class Verifier {
  readonly statusLookup: StatusLookup | null;
  readonly acceptedPrefixes: ReadonlySet<string> | null;
  readonly statusRequired: boolean;

  /** @throws RangeError - an accepted prefix that is not ASCII or not of the grammar of docs/FORMAT.md §5.2. */
  constructor(readonly trustList: TrustList, options: VerifierOptions = {}) {
    this.statusLookup = options.statusLookup ?? null;
    this.statusRequired = options.statusRequired ?? false;
    this.acceptedPrefixes = options.acceptedPrefixes == null ? null
      : new Set([...options.acceptedPrefixes].map(normalizePrefix));
  }

  /**
   * Run every step and return the report; never throws for bad input.
   *
   * @param text - the QR text as decoded (untrusted).
   * @param at - the time of the check.
   * @param options - `log`: offline, the record's log entry and proof with a cached checkpoint (`verify log prove
   *   --json`, the partner API): step 12 runs on it when the status source gives none.
   * @throws what the status lookup throws when it cannot answer, except `StatusUnknownError`
   *   (AUTHENTIC_STATUS_UNKNOWN).
   */
  async check(text: string, at: Date, options: { log?: LogEvidence | null } = {}): Promise<VerificationReport> {
    const log = options.log ?? null;
    const pending = this.begin(text, at);
    if (pending.query === null) return pending.report;
    if (this.statusLookup === null) return pending.finish(null, log);
    let status: DocumentStatus | StatusUnknownError;
    try {
      status = await this.statusLookup.lookup(pending.query);
    } catch (exc) {
      if (!(exc instanceof StatusUnknownError)) throw exc;
      status = exc;
    }
    return pending.finish(status, log);
  }

  /**
   * Steps 1-10 (no I/O): the report so far, and what step 11 must ask.
   *
   * @throws TypeError - `at` is not a valid Date.
   */
  begin(text: string, at: Date): PendingCheck {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('at: must be a valid Date');
    const run = new Run(new VerificationReport(VALID, at, this.trustList.version, this.trustList.environment));
    if (this.trustList.isExpired(at)) run.report.warnings.push('the trust list is past its expiry date; fetch a newer one');
    if (this.trustList.environment !== 'production') {
      run.report.warnings.push(`${this.trustList.environment} trust list: not valid for real documents`);
    }
    try {
      return new PendingCheck(run, this.steps(run, text, at), this.statusRequired, this.trustList);
    } catch (exc) {
      if (!(exc instanceof VerificationError)) throw exc;
      run.fail(exc);
      return new PendingCheck(run, null);
    }
  }

  /** Step 1's host rule, the one place it lives: the prefix must be one of the accepted ones, when any are set. */
  private checkHost(prefix: string): void {
    if (this.acceptedPrefixes !== null && !this.acceptedPrefixes.has(prefix)) {
      throw new PrefixError(`the link names ${prefix}, not a verification host of this service`);
    }
  }

  private steps(run: Run, text: string, at: Date): StatusQuery {
    const { prefix, digits } = splitQrText(text);
    this.checkHost(prefix);
    run.passed(1, `prefix ${prefix}`);
    const coseBytes = digitsToBytes(digits);
    run.cose = coseBytes;
    run.passed(2, `${digits.length} digits, ${coseBytes.length} bytes`);
    const sign1 = parseSign1(coseBytes);
    const kidHex = hex.encode(sign1.kid);
    run.passed(3, `COSE_Sign1, ${ALGORITHM_NAMES[sign1.alg] ?? sign1.alg}, kid ${kidHex}`);
    const candidates = this.trustList.candidates(sign1.kid);
    if (candidates.length === 0) {
      throw new UnknownSignerError(`no document signer with kid ${kidHex} in trust list version ${this.trustList.version}`);
    }
    run.passed(4, `${candidates.length} candidate signer(s) with kid ${kidHex}`);
    const tbs = sigStructure(sign1.protected, sign1.payload);
    const verified = candidates.filter((c) => c.verifies(sign1.alg, sign1.signature, tbs));
    if (verified.length === 0) {
      throw new BadSignatureError(`the signature does not verify under any of the ${candidates.length} candidate signer(s)`);
    }
    run.passed(5, `signature verified by ${verified[0]?.label ?? ''}`);
    const chained = verified.filter((c) => c.chainsToRoot);
    if (chained.length === 0) throw new UntrustedSignerError("the signer's certificate is not issued by the configured root");
    run.passed(6, 'signer certificate issued by the root');
    const { record, signedAt } = decodePayload(sign1.payload);
    run.report.record = record;
    run.report.signedAt = signedAt;
    run.passed(7, `${record.doc_type} ${record.series} ${record.number}, revision ${record.revision}`);
    const period = `signed at ${isoUtc(signedAt)}, within the signer's usage period`;
    if (signedAt.getTime() > at.getTime() + MAX_CLOCK_SKEW_MS) {
      throw new SignerPeriodError(`signed at ${isoUtc(signedAt)}, later than the time of the check ${isoUtc(at)} `
        + `plus the allowed clock skew of ${MAX_CLOCK_SKEW_MS / 60_000} minutes`);
    }
    let signer: SignerEntry;
    try {
      signer = judge(chained, record, signedAt);
    } catch (exc) {
      if (exc instanceof VerificationError && exc.step > 8) run.passed(8, period);
      if (exc instanceof VerificationError && exc.step > 9) run.passed(9, 'not revoked before the signing time');
      throw exc;
    }
    run.report.signer = signer;
    run.passed(8, period);
    run.passed(9, signer.revocation === null ? 'not revoked' : 'revoked only with a compromise time after the signing time');
    run.passed(10, `series ${record.series} in the signer's scope`);
    run.report.authentic = true;
    return {
      series: record.series, number: record.number, revision: record.revision,
      payloadSha256: sha256Digest(sign1.payload), at,
    };
  }
}

/** A check whose steps 1-10 have run; step 11 waits for the status source's answer. */
export class PendingCheck {
  readonly report: VerificationReport;
  private run: Run | null;

  constructor(run: Run, public query: StatusQuery | null, readonly statusRequired = false,
    readonly trustList: TrustList | null = null) {
    this.run = run;
    this.report = run.report;
  }

  /**
   * Step 11 with the status source's answer to `query`.
   *
   * @param status - the status answered; the `StatusUnknownError` the lookup threw (no fresh status list
   *   for the series): AUTHENTIC_STATUS_UNKNOWN; or null when no source was asked: the step is skipped and
   *   the verdict VALID with status NOT_CHECKED, or AUTHENTIC_STATUS_UNKNOWN with `statusRequired`.
   * @throws Error - the check already ended (a step failed, or `finish` was called before).
   * @throws TypeError - a status code that is not one of `STATUS_CODES`.
   */
  finish(status: DocumentStatus | StatusUnknownError | null, log: LogEvidence | null = null): VerificationReport {
    const run = this.run;
    if (this.query === null || run === null) throw new Error('this check has ended; its report is final');
    if (status !== null && !(status instanceof StatusUnknownError) && STATUS_VERDICT[status.code] === undefined) {
      throw new TypeError(`status lookup: unknown status code ${String(status.code)}`);
    }
    this.query = null;
    this.run = null;
    if (status === null && this.statusRequired) {
      status = new StatusUnknownError('no registry and no status list was consulted: status unknown');
    }
    if (status === null) {
      run.skipped(11, 'no registry given: authentic; status not checked');
      this.logStep(run, log, true);
      return this.report;
    }
    if (status instanceof StatusUnknownError) {
      run.report.status = UNKNOWN;
      run.fail(status);
      return this.report;
    }
    const signedAt = run.report.signedAt;
    // A source that knows the registry only up to a time before the record was signed (a status list issued
    // earlier) cannot say it was never issued; the registry answers as of the check itself.
    if (status.code === 'NOT_IN_REGISTRY' && signedAt !== null && status.as_of.getTime() < signedAt.getTime()
      && status.as_of.getTime() < run.report.checkedAt.getTime()) {
      run.report.status = UNKNOWN;
      run.fail(new StatusUnknownError(`the ${status.source} answers as of ${isoUtc(status.as_of)}, before this `
        + `record was signed (${isoUtc(signedAt)}): status unknown`));
      return this.report;
    }
    const verdict = STATUS_VERDICT[status.code];
    run.report.documentStatus = status;
    run.report.status = status.code;
    let sentence = statusSentence(status);
    if (status.source !== 'registry') sentence += ` (status as of ${isoUtc(status.as_of)}, from the ${status.source})`;
    if (verdict !== VALID) {
      run.fail(new DocumentStatusError(sentence, verdict));
      return this.report;
    }
    run.passed(11, sentence);
    this.logStep(run, status.log ?? log, status.log == null);
    return this.report;
  }

  /**
   * Step 12 when there is evidence about the log (Python `PendingCheck._log`): evidence given apart from the
   * status source (offline) proves something only through a signed checkpoint.
   */
  private logStep(run: Run, evidence: LogEvidence | null, given: boolean): void {
    if (evidence === null) return;
    if (this.trustList === null) {
      run.skipped(12, 'a log proof was given, but this verifier has no log check');
      return;
    }
    try {
      if (given && (evidence.checkpoint === null || !evidence.tree_size)) {
        throw new NotInLogError('the log proof has no signed checkpoint: offline it proves nothing');
      }
      run.passed(12, checkInclusion(run.cose, evidence, this.trustList));
    } catch (exc) {
      if (!(exc instanceof NotInLogError)) throw exc;
      run.fail(exc);
    }
  }
}

/** Steps 8-10 for each verifying signer; the first that passes all wins, else the first error. */
function judge(chained: readonly SignerEntry[], record: RecordJson, signedAt: Date): SignerEntry {
  let firstError: VerificationError | null = null;
  for (const entry of chained) {
    try {
      entry.checkAt(signedAt);
      entry.checkScope(record.series, record.institution_bin);
    } catch (exc) {
      if (!(exc instanceof VerificationError)) throw exc;
      firstError ??= exc;
      continue;
    }
    return entry;
  }
  throw firstError ?? new Error('no signer to judge');
}

function statusSentence(status: DocumentStatus): string {
  const r = status.replaced_by;
  switch (status.code) {
    case 'ORIGINAL_VALID':
      return 'the registry holds this original and it is in force';
    case 'DUPLICATE_VALID':
      return status.original
        ? `duplicate No. ${status.duplicate_no}, issued instead of the original ${status.original.series} `
          + `${status.original.number}, in force`
        : status.code;
    case 'REPLACED':
      return r ? `void: replaced by duplicate No. ${r.duplicate_no} ${r.series} ${r.number}`
        + `${r.issued_on ? ` issued on ${r.issued_on}` : ''}${r.reason ? ` (${r.reason})` : ''}` : status.code;
    case 'CORRECTED':
      return `authentic, but corrected since: revision ${status.current_revision} is current; changed: `
        + `${status.changed_fields?.length ? status.changed_fields.join(', ') : 'see registry'}`;
    case 'ANNULLED':
      return `annulled${status.annulled_at ? ` on ${status.annulled_at.toISOString().slice(0, 10)}` : ''}: `
        + `${status.reason || (status.source === 'registry' ? 'no basis given' : 'the basis is in the registry')}`;
    case 'NOT_IN_REGISTRY':
      return 'the signature is good but the registry does not hold this record: report it';
  }
  return status.code;
}

function refJson(ref: DocumentRef | null | undefined): Record<string, unknown> | null {
  return ref ? {
    series: ref.series, number: ref.number, duplicate_no: ref.duplicate_no ?? null, issued_on: ref.issued_on ?? null,
    reason: ref.reason ?? null,
  } : null;
}

function statusJson(s: DocumentStatus): Record<string, unknown> {
  return {
    code: s.code,
    as_of: isoUtc(s.as_of),
    original: refJson(s.original),
    duplicate_no: s.duplicate_no ?? null,
    replaced_by: refJson(s.replaced_by),
    in_force: refJson(s.in_force),
    current_revision: s.current_revision ?? null,
    changed_fields: [...(s.changed_fields ?? [])],
    changed_at: s.changed_at ? isoUtc(s.changed_at) : null,
    reason: s.reason ?? null,
    annulled_at: s.annulled_at ? isoUtc(s.annulled_at) : null,
  };
}

/** Collects step results for one check. */
class Run {
  cose: Uint8Array = new Uint8Array();

  constructor(readonly report: VerificationReport) {}

  passed(step: number, detail: string): void {
    this.report.steps.push({ step, name: STEP_NAMES[step] ?? '', outcome: 'passed', detail });
  }

  skipped(step: number, detail: string): void {
    this.report.steps.push({ step, name: STEP_NAMES[step] ?? '', outcome: 'skipped', detail });
  }

  fail(exc: VerificationError): void {
    const step = exc.step;
    this.report.steps.push({ step, name: STEP_NAMES[step] ?? '', outcome: 'failed', detail: exc.message });
    for (let later = step + 1; later <= 11; later++) {
      this.report.steps.push({ step: later, name: STEP_NAMES[later] ?? '', outcome: 'skipped', detail: 'not run after a failure' });
    }
    this.report.verdict = exc.code;
    this.report.error = exc;
    if (step <= 10) {
      this.report.authentic = false;
      this.report.record = null;
      this.report.signedAt = null;
    }
  }
}
