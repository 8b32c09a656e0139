/**
 * The payload of a signed status list (docs/FORMAT.md §9.2), read exactly as `verify/statuslist.py`
 * reads it: the status of every number of one series as of the list's issue time. Only series,
 * numbers, revisions, days and duplicate reasons: no names, no IIN.
 *
 * Decoding is strict: the payload must be deterministic CBOR, and encoding what was read must give the
 * same bytes again (one content, one encoding), so the encoder here is the decoder's check.
 *
 *   decodeStatusList(payload) -> StatusList       every rule of §9.2, or StatusListError
 *   StatusList.statusOf(number) -> NumberStatus   the status of one seven-digit number, or null (not issued)
 *
 * Days are whole days since 1970-01-01 (UTC dates), as integers.
 */
import { encodeDeterministic, strictDecode } from './cbor.js';
import { StatusListError } from './errors.js';
import { MAX_DUPLICATE_NO, MAX_REVISION, normalizeSeries, RecordError, validateNumber } from './record.js';
import type { DuplicateOf } from './record.js';
import type { SignerEntry } from './trust.js';

export const STATUS_LIST_FORMAT = 1;
/** COSE protected header 3 (content type, RFC 9052 §3.1): what keeps a status list apart from a record. */
export const STATUS_LIST_CONTENT_TYPE = 'application/verify-status-list+cbor';
export const HDR_CONTENT_TYPE = 3;
/** Caps and limits of §9.2: bytes, seconds, numbers. */
export const MAX_STATUS_LIST_BYTES = 8 * 1024 * 1024;
export const MAX_NEXT_UPDATE_SECONDS = 86_400;
export const MAX_VALIDITY_SECONDS = 7 * 86_400;
export const MAX_NUMBER = 9_999_999;
/** Duplicate reasons by code (seed 000 item 21; seed 003 item 9); 0 = not given. */
export const REASONS: readonly (string | null)[] = [null, 'lost', 'damaged', 'name_changed', 'filling_error'];
const FLAG_ANNULLED = 1;
const FLAG_REPLACED = 2;
const FLAG_CORRECTED = 4;
const FLAG_DUPLICATE = 8;
const KEYS = { FORMAT: 1, SERIES: 2, VERSION: 3, ISSUED_AT: 4, NEXT_UPDATE: 5, EXPIRES_AT: 6, ISSUED: 7, ENTRIES: 8, TABLE: 9 };
const REQUIRED = [1, 2, 3, 4, 5, 6, 7, 8];
const SECONDS_LIMIT = 2 ** 34;
const DAY_SECONDS = 86_400;

/** The duplicate that replaced a document (its series may differ: a TVE duplicate is printed on the blank in force). */
export interface Successor {
  readonly series: string;
  readonly number: string;
  /** The day it was issued (days since 1970-01-01). */
  readonly issuedOn: number;
  /** "lost", "damaged", "name_changed", "filling_error", or null. */
  readonly reason: string | null;
}

/** The status of one number's document as of a list's issue time (Python `NumberStatus`). */
export interface NumberStatus {
  /** The day of the annulment, or null. */
  readonly annulledOn: number | null;
  /** The duplicate that replaced it (voiding it), or null. */
  readonly replacedBy: Successor | null;
  /** The revision in force (1 without corrections). */
  readonly currentRevision: number;
  /** The day of the newest correction: set exactly when `currentRevision` >= 2. */
  readonly correctedOn: number | null;
  /** For a duplicate: its N and the original it was issued instead of. */
  readonly duplicate: DuplicateOf | null;
}

/** An original in force at revision 1: every issued number without an entry. */
export const IN_FORCE: NumberStatus = Object.freeze({
  annulledOn: null, replacedBy: null, currentRevision: 1, correctedOn: null, duplicate: null,
});

/** A run of issued numbers: [first, stop), stop exclusive. */
export type Run = readonly [number, number];

/** A decoded status list: one series' numbers as of `issuedAt` (docs/FORMAT.md §9.2). */
export class StatusList {
  private readonly starts: readonly number[];

  /**
   * @param issued - the issued numbers as runs, sorted and separated.
   * @param statuses - number -> status for every issued number that is not {@link IN_FORCE} (duplicates
   *   that a predecessor's entry implies included).
   * @param signer - the status signer that verified it (set by `verifyStatusList`), else null.
   */
  constructor(
    readonly series: string,
    readonly version: number,
    readonly issuedAt: Date,
    readonly nextUpdate: Date,
    readonly expiresAt: Date,
    readonly issued: readonly Run[],
    readonly statuses: ReadonlyMap<number, NumberStatus>,
    readonly signer: SignerEntry | null = null,
  ) {
    this.starts = issued.map(([start]) => start);
  }

  /** Where a status came from, for reports: "signed status list BD v42". */
  get source(): string {
    return `signed status list ${this.series} v${this.version}`;
  }

  /** The same list, verified by `signer`. */
  withSigner(signer: SignerEntry): StatusList {
    return new StatusList(this.series, this.version, this.issuedAt, this.nextUpdate, this.expiresAt, this.issued,
      this.statuses, signer);
  }

  /** Whether `number` (0..9,999,999) is an issued number of the series. */
  isIssued(number: number): boolean {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.starts[middle] as number) <= number) low = middle + 1;
      else high = middle;
    }
    const run = this.issued[low - 1];
    return run !== undefined && number < run[1];
  }

  /** The status of a seven-digit number, or null when the list does not hold it as issued. */
  statusOf(number: string): NumberStatus | null {
    if (!/^[0-9]{7}$/.test(number)) return null;
    const value = Number(number);
    if (!this.isIssued(value)) return null;
    return this.statuses.get(value) ?? IN_FORCE;
  }

  /** How many numbers were issued. */
  get count(): number {
    return this.issued.reduce((sum, [start, stop]) => sum + stop - start, 0);
  }

  /**
   * The deterministic CBOR payload (docs/FORMAT.md §9.2): the one encoding of this content.
   *
   * @throws StatusListError - times out of order or range, a version out of range, inconsistent statuses.
   */
  encodePayload(): Uint8Array {
    const [issuedAt, nextUpdate, expiresAt] = [this.issuedAt, this.nextUpdate, this.expiresAt].map(seconds);
    checkTimes(issuedAt as number, nextUpdate as number, expiresAt as number);
    if (!Number.isSafeInteger(this.version) || this.version < 1) throw new StatusListError('status list: version must be 1..2^53-1');
    const [entries, table] = encodeEntries(this.series, this.statuses, Math.floor((issuedAt as number) / DAY_SECONDS),
      (n) => this.isIssued(n));
    const payload = new Map<number, unknown>([
      [KEYS.FORMAT, STATUS_LIST_FORMAT], [KEYS.SERIES, this.series], [KEYS.VERSION, this.version],
      [KEYS.ISSUED_AT, issuedAt], [KEYS.NEXT_UPDATE, nextUpdate], [KEYS.EXPIRES_AT, expiresAt],
      [KEYS.ISSUED, encodeRuns(this.issued)], [KEYS.ENTRIES, entries],
    ]);
    if (table.length > 0) payload.set(KEYS.TABLE, table);
    return encodeDeterministic(payload);
  }
}

/**
 * Decode a status list payload strictly: it must be exactly what encoding the decoded list gives.
 *
 * @throws StatusListError - not deterministic CBOR, a missing or unknown key, a wrong type, a bad varint
 *   stream, an inconsistent entry, or any other encoding than the canonical one.
 */
export function decodeStatusList(payload: Uint8Array): StatusList {
  const m = strictDecode(payload, MAX_STATUS_LIST_BYTES, (msg) => new StatusListError(msg), 'status list');
  if (!(m instanceof Map) || ![...m.keys()].every((k) => Number.isInteger(k))) {
    throw new StatusListError('status list: must be a CBOR map with integer keys');
  }
  const keys = [...m.keys()] as number[];
  const missing = REQUIRED.filter((k) => !m.has(k));
  if (missing.length) throw new StatusListError(`status list: missing key(s) [${missing.join(', ')}]`);
  const unknown = keys.filter((k) => !REQUIRED.includes(k) && k !== KEYS.TABLE).sort((a, b) => a - b);
  if (unknown.length) throw new StatusListError(`status list: unknown key(s) [${unknown.join(', ')}]`);
  if (m.get(KEYS.FORMAT) !== STATUS_LIST_FORMAT) {
    throw new StatusListError(`status list: format ${String(m.get(KEYS.FORMAT))} is not supported`);
  }
  const series = typed(m, KEYS.SERIES, 'str') as string;
  const times = [KEYS.ISSUED_AT, KEYS.NEXT_UPDATE, KEYS.EXPIRES_AT].map((k) => typed(m, k, 'int') as number);
  if (!times.every((t) => t >= 0 && t < SECONDS_LIMIT)) throw new StatusListError('status list: a time out of range');
  const [issuedAt, nextUpdate, expiresAt] = times.map((t) => new Date(t * 1000)) as [Date, Date, Date];
  const table: unknown = m.has(KEYS.TABLE) ? m.get(KEYS.TABLE) : [];
  if (!Array.isArray(table) || !table.every((s) => typeof s === 'string')) {
    throw new StatusListError('status list: the series table must be an array of text');
  }
  const version = typed(m, KEYS.VERSION, 'int') as number;
  const issued = decodeRuns(typed(m, KEYS.ISSUED, 'bytes') as Uint8Array, MAX_NUMBER);
  const probe = new StatusList(series, version, issuedAt, nextUpdate, expiresAt, issued, new Map());
  let decoded: StatusList;
  let again: Uint8Array;
  try {
    if (normalizeSeries(series) !== series) throw new RecordError('not normalised');
    const entries = decodeEntries(typed(m, KEYS.ENTRIES, 'bytes') as Uint8Array, series, table as string[],
      Math.floor((times[0] as number) / DAY_SECONDS), MAX_NUMBER);
    const [complete] = completeStatuses(series, entries, (n) => probe.isIssued(n));
    decoded = new StatusList(series, version, issuedAt, nextUpdate, expiresAt, issued, complete);
    again = decoded.encodePayload();
  } catch (exc) {
    if (exc instanceof RecordError || exc instanceof StatusListError) throw new StatusListError(`status list: ${exc.message}`);
    throw exc;
  }
  if (!sameBytes(again, payload)) throw new StatusListError('status list: not in its canonical encoding (docs/FORMAT.md §9.2)');
  return decoded;
}

function typed(m: Map<unknown, unknown>, key: number, kind: 'int' | 'str' | 'bytes'): unknown {
  const value = m.get(key);
  const ok = kind === 'int' ? typeof value === 'number' && Number.isInteger(value)
    : kind === 'str' ? typeof value === 'string' : value instanceof Uint8Array;
  if (!ok) throw new StatusListError(`status list: key ${key} must be ${kind}`);
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function seconds(value: Date): number {
  const ms = value.getTime();
  if (!Number.isFinite(ms) || ms % 1000 !== 0) throw new StatusListError('status list: times must be in whole seconds');
  return ms / 1000;
}

function checkTimes(issuedAt: number, nextUpdate: number, expiresAt: number): void {
  if (![issuedAt, nextUpdate, expiresAt].every((t) => t >= 0 && t < SECONDS_LIMIT)) {
    throw new StatusListError('status list: a time out of range');
  }
  if (!(issuedAt < nextUpdate && nextUpdate <= issuedAt + MAX_NEXT_UPDATE_SECONDS)) {
    throw new StatusListError('status list: next update must be after the issue time and at most 24 hours later');
  }
  if (!(nextUpdate <= expiresAt && expiresAt <= issuedAt + MAX_VALIDITY_SECONDS)) {
    throw new StatusListError('status list: expiry must be at or after the next update and at most 7 days after '
      + 'the issue time');
  }
}

// ============================================================================ bytes of keys 7 and 8 (§9.2)
/** Append `value` (0 <= value < 2^28) as an unsigned LEB128 varint: 7 bits a byte, low first. */
function writeUvarint(out: number[], value: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value < 2 ** 28)) {
    throw new StatusListError(`status list: ${value} does not fit a varint of at most 4 bytes`);
  }
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
}

/** Read one unsigned LEB128 varint at `pos`: [value, next position]. At most 4 bytes, shortest form only. */
function readUvarint(data: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let count = 0; count < 4; count++) {
    const byte = data[pos];
    if (byte === undefined) throw new StatusListError('status list: a varint is cut short');
    pos++;
    value += (byte & 0x7f) * 2 ** (7 * count);
    if (!(byte & 0x80)) {
      if (byte === 0 && count > 0) throw new StatusListError('status list: a varint is not in its shortest form');
      return [value, pos];
    }
  }
  throw new StatusListError('status list: a varint longer than 4 bytes');
}

/** Signed -> unsigned: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... (as Protocol Buffers' sint). */
export function zigzag(value: number): number {
  return value >= 0 ? 2 * value : -2 * value - 1;
}

/** The inverse of {@link zigzag}. */
export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function encodeRuns(runs: readonly Run[]): Uint8Array {
  const out: number[] = [];
  let previousStop: number | null = null;
  for (const [start, stop] of runs) {
    const gap: number = previousStop === null ? start : start - previousStop - 1;
    if (gap < 0 || stop <= start || stop - 1 > MAX_NUMBER) {
      throw new StatusListError('status list: runs must be sorted, separated and within 0..9,999,999');
    }
    writeUvarint(out, gap);
    writeUvarint(out, stop - start - 1);
    previousStop = stop;
  }
  return Uint8Array.from(out);
}

function decodeRuns(data: Uint8Array, maxNumber: number): Run[] {
  const runs: Run[] = [];
  let pos = 0;
  let previousStop: number | null = null;
  while (pos < data.length) {
    let gap: number;
    let length: number;
    [gap, pos] = readUvarint(data, pos);
    if (pos >= data.length) throw new StatusListError('status list: a run without its length');
    [length, pos] = readUvarint(data, pos);
    const start: number = previousStop === null ? gap : previousStop + 1 + gap;
    const stop: number = start + length + 1;
    if (stop - 1 > maxNumber) throw new StatusListError('status list: an issued number above 9,999,999');
    runs.push([start, stop]);
    previousStop = stop;
  }
  return runs;
}

function duplicateOf(no: number, originalSeries: string, originalNumber: string): DuplicateOf {
  if (!Number.isInteger(no) || no < 1 || no > MAX_DUPLICATE_NO) {
    throw new RecordError(`duplicate number: must be 1..${MAX_DUPLICATE_NO}`);
  }
  if (normalizeSeries(originalSeries) !== originalSeries) throw new RecordError('original series: must be given in its normalised form');
  validateNumber(originalNumber);
  return { duplicate_no: no, original_series: originalSeries, original_number: originalNumber };
}

function numberStatus(fields: Partial<NumberStatus>): NumberStatus {
  const status = { ...IN_FORCE, ...fields };
  if (!Number.isInteger(status.currentRevision) || status.currentRevision < 1 || status.currentRevision > MAX_REVISION) {
    throw new StatusListError(`status: current revision must be 1..${MAX_REVISION}`);
  }
  if ((status.correctedOn === null) !== (status.currentRevision === 1)) {
    throw new StatusListError('status: a correction day goes with a current revision >= 2, and only with it');
  }
  return status;
}

const pad7 = (value: number): string => String(value).padStart(7, '0');

/**
 * Check the statuses of one list together and add the duplicates their predecessors' entries imply
 * (Python `complete_statuses`): a number that an entry names as its successor in this series is
 * duplicate No. 1 of that entry's number, or one more than its N, of the same original.
 *
 * @returns [every status, duplicates included; successor number -> predecessor number].
 * @throws StatusListError - a status for a number not issued, a successor not issued (or the number
 *   itself), one successor named twice, a chain longer than 99 or a cycle, a stated N or original
 *   that differs from what its predecessor implies.
 */
function completeStatuses(series: string, statuses: ReadonlyMap<number, NumberStatus>,
  isIssued: (n: number) => boolean): [Map<number, NumberStatus>, Map<number, number>] {
  const predecessor = new Map<number, number>();
  for (const [number, status] of statuses) {
    if (!isIssued(number)) throw new StatusListError(`status list ${series}: a status for ${pad7(number)}, which is not issued`);
    const successor = status.replacedBy;
    if (successor !== null && successor.series === series) {
      const following = Number(successor.number);
      if (following === number || !isIssued(following)) {
        throw new StatusListError(`status list ${series}: the successor of ${pad7(number)} is not an issued number`);
      }
      if (predecessor.has(following)) throw new StatusListError(`status list ${series}: ${successor.number} replaces two documents`);
      predecessor.set(following, number);
    }
  }
  const out = new Map(statuses);
  for (const following of [...predecessor.keys()].sort((a, b) => a - b)) {
    const chain = [following];
    while (predecessor.has(chain[chain.length - 1] as number)) {
      chain.push(predecessor.get(chain[chain.length - 1] as number) as number);
      if (chain.length > MAX_DUPLICATE_NO + 1 || chain[chain.length - 1] === following) {
        throw new StatusListError(`status list ${series}: a duplicate chain that is too long or a cycle`);
      }
    }
    let duplicate = (statuses.get(chain[chain.length - 1] as number) ?? IN_FORCE).duplicate;
    for (const number of chain.slice(0, -1).reverse()) {
      try {
        duplicate = duplicate !== null
          ? duplicateOf(duplicate.duplicate_no + 1, duplicate.original_series, duplicate.original_number)
          : duplicateOf(1, series, pad7(predecessor.get(number) as number));
      } catch (exc) {
        if (exc instanceof RecordError) throw new StatusListError(`status list ${series}: ${exc.message}`);
        throw exc;
      }
      const stated = statuses.get(number) ?? IN_FORCE;
      if (stated.duplicate !== null && !sameDuplicate(stated.duplicate, duplicate)) {
        throw new StatusListError(`status list ${series}: ${pad7(number)} is stated as duplicate No. `
          + `${stated.duplicate.duplicate_no} but its predecessor makes it No. ${duplicate.duplicate_no}`);
      }
      out.set(number, { ...stated, duplicate });
    }
  }
  return [out, predecessor];
}

function sameDuplicate(a: DuplicateOf, b: DuplicateOf): boolean {
  return a.duplicate_no === b.duplicate_no && a.original_series === b.original_series
    && a.original_number === b.original_number;
}

/** Compare by UTF-8 bytes, the order of the series table. */
function utf8Order(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** Key 8 and key 9: the entries of the numbers that are not in force at revision 1, and the series they name. */
function encodeEntries(series: string, statuses: ReadonlyMap<number, NumberStatus>, issueDay: number,
  isIssued: (n: number) => boolean): [Uint8Array, string[]] {
  const [complete, predecessor] = completeStatuses(series, statuses, isIssued);
  const named = new Set<string>();
  for (const status of complete.values()) {
    if (status.replacedBy !== null) named.add(status.replacedBy.series);
    if (status.duplicate !== null) named.add(status.duplicate.original_series);
  }
  named.delete(series);
  const others = [...named].sort(utf8Order);
  const index = new Map([series, ...others].map((name, i) => [name, i]));
  const out: number[] = [];
  let previous = -1;
  for (const number of [...complete.keys()].sort((a, b) => a - b)) {
    const status = complete.get(number) as NumberStatus;
    const explicitDuplicate = status.duplicate !== null && !predecessor.has(number);
    const flags = (status.annulledOn !== null ? FLAG_ANNULLED : 0) | (status.replacedBy !== null ? FLAG_REPLACED : 0)
      | (status.currentRevision > 1 ? FLAG_CORRECTED : 0) | (explicitDuplicate ? FLAG_DUPLICATE : 0);
    if (!flags) continue;
    writeUvarint(out, 16 * (number - previous - 1) + flags);
    if (status.annulledOn !== null) writeUvarint(out, daysBefore(issueDay, status.annulledOn));
    if (status.replacedBy !== null) {
      const r = status.replacedBy;
      writeUvarint(out, index.get(r.series) as number);
      writeUvarint(out, zigzag(Number(r.number) - number));
      writeUvarint(out, REASONS.indexOf(r.reason));
      writeUvarint(out, daysBefore(issueDay, r.issuedOn));
    }
    if (status.currentRevision > 1) {
      writeUvarint(out, status.currentRevision - 2);
      writeUvarint(out, daysBefore(issueDay, status.correctedOn as number));
    }
    if (explicitDuplicate && status.duplicate !== null) {
      writeUvarint(out, status.duplicate.duplicate_no - 1);
      writeUvarint(out, index.get(status.duplicate.original_series) as number);
      writeUvarint(out, zigzag(Number(status.duplicate.original_number) - number));
    }
    previous = number;
  }
  return [Uint8Array.from(out), others];
}

/** The inverse of encodeEntries, without the duplicates that predecessors imply (see completeStatuses). */
function decodeEntries(data: Uint8Array, series: string, table: readonly string[], issueDay: number,
  maxNumber: number): Map<number, NumberStatus> {
  const names = [series, ...table];
  const out = new Map<number, NumberStatus>();
  let pos = 0;
  let previous = -1;
  const read = (): number => {
    let value: number;
    [value, pos] = readUvarint(data, pos);
    return value;
  };
  while (pos < data.length) {
    const head = read();
    const number = previous + 1 + Math.floor(head / 16);
    const flags = head % 16;
    if (!flags || number > maxNumber) throw new StatusListError('status list: an entry without flags, or a number above 9,999,999');
    const fields: { -readonly [K in keyof NumberStatus]?: NumberStatus[K] } = {};
    if (flags & FLAG_ANNULLED) fields.annulledOn = dateOf(issueDay - read());
    if (flags & FLAG_REPLACED) {
      const where = read();
      const offset = read();
      const reason = read();
      const days = read();
      if (reason >= REASONS.length) throw new StatusListError(`status list: unknown reason code ${reason}`);
      fields.replacedBy = {
        series: seriesAt(names, where), number: numberText(number + unzigzag(offset)), issuedOn: dateOf(issueDay - days),
        reason: REASONS[reason] as string | null,
      };
    }
    if (flags & FLAG_CORRECTED) {
      fields.currentRevision = read() + 2;
      fields.correctedOn = dateOf(issueDay - read());
    }
    if (flags & FLAG_DUPLICATE) {
      const n = read();
      const where = read();
      const offset = read();
      fields.duplicate = duplicateOf(n + 1, seriesAt(names, where), numberText(number + unzigzag(offset)));
    }
    out.set(number, numberStatus(fields));
    previous = number;
  }
  return out;
}

function daysBefore(issueDay: number, day: number): number {
  const before = issueDay - day;
  if (before < 0) throw new StatusListError(`status list: the day ${isoDate(day)} is after the list's issue day`);
  return before;
}

function dateOf(day: number): number {
  if (day < 0) throw new StatusListError('status list: a day before 1970-01-01');
  return day;
}

function seriesAt(names: readonly string[], index: number): string {
  const name = names[index];
  if (name === undefined) throw new StatusListError(`status list: series index ${index} outside the series table`);
  return name;
}

function numberText(value: number): string {
  if (!(value >= 0 && value <= MAX_NUMBER)) throw new StatusListError('status list: a number outside 0..9,999,999');
  return pad7(value);
}

/** A day count (days since 1970-01-01) as an ISO date, `YYYY-MM-DD`. */
export function isoDate(day: number): string {
  return new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}
