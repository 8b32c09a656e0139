/**
 * The record of format version 1 (docs/FORMAT.md §3) and its field rules, as `verify/record.py`,
 * `verify/identifiers.py` and `verify/doctypes.py` check them. Pure functions, no I/O.
 *
 * Sources: series, seed 000 Rules item 17 and seed 001 item 7; seven-digit numbers, the blank rule of seed 000
 * Rules item 17, kept for the higher-education series, for which seed 001 item 7 sets no width; the BIN
 * check digit, the published algorithm of the national registers of IIN and BIN; names, seed 000
 * appendix 1.
 */

/** A document type: its payload id (§3 key 2), code, and fixed series (null: the blank carries it, TVE; 'REG': the
 * registration number of the certificate of incomplete studies, seed 000 appendix 37). */
export interface DocumentType {
  readonly id: number;
  readonly code: string;
  readonly series: string | null;
}

/** Every document type of `verify/doctypes.py`; ids are never reused. */
export const DOCUMENT_TYPES: readonly DocumentType[] = [
  { id: 1, code: 'TVE', series: null },
  { id: 2, code: 'TVE_HONOURS', series: null },
  { id: 3, code: 'POST_SECONDARY', series: null },
  { id: 4, code: 'POST_SEC_HONOURS', series: null },
  { id: 5, code: 'INCOMPLETE', series: 'REG' },
  { id: 10, code: 'BD', series: 'BD' },
  { id: 11, code: 'BQ', series: 'BQ' },
  { id: 12, code: 'MD', series: 'MD' },
  { id: 13, code: 'MBA', series: 'MBA' },
  { id: 14, code: 'DBA', series: 'DBA' },
  { id: 15, code: 'CMD', series: 'CMD' },
  { id: 16, code: 'CPR', series: 'CPR' },
  { id: 17, code: 'PHD', series: 'PhD' },
  { id: 18, code: 'PD', series: 'PD' },
];

/** The document type with this payload id, or undefined. */
export function documentTypeById(id: number): DocumentType | undefined {
  return DOCUMENT_TYPES.find((t) => t.id === id);
}

/** Higher-education own-format series exactly as printed (seed 001, item 7). */
export const HIGHER_EDUCATION_SERIES: readonly string[] = ['BD', 'BQ', 'MD', 'MBA', 'DBA', 'CMD', 'CPR', 'PhD', 'PD'];

export const MAX_SURNAME_CHARS = 32;
export const MAX_GIVEN_NAME_CHARS = 24;
export const MAX_PATRONYMIC_CHARS = 24;
export const MAX_FULL_NAME_CHARS = 44;
export const MAX_PROGRAMME_CHARS = 8;
export const MAX_QUALIFICATION_CHARS = 10;
export const MAX_DUPLICATE_NO = 99;
export const MAX_REVISION = 999;

/** A record that breaks the schema; the message names the field (`RecordError` in Python). */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/** The holder's name as printed: surname, name, patronymic if any. */
export interface HolderName {
  readonly surname: string;
  readonly name: string;
  readonly patronymic?: string;
}

/** "Duplicate No. N issued instead of the original series/number" (seed 000, items 21-25). */
export interface DuplicateOf {
  readonly duplicate_no: number;
  readonly original_series: string;
  readonly original_number: string;
}

/** A verified record in the JSON shape of Python's `Record.to_json` (examples/record.json). */
export interface RecordJson {
  doc_type: string;
  series: string;
  number: string;
  holder: HolderName;
  institution_bin: string;
  award_date: string;
  programme: string;
  honours: boolean;
  revision: number;
  qualification?: string;
  duplicate?: DuplicateOf;
}

// Letters of the Kazakh and Russian Cyrillic alphabets and of the Kazakh Latin alphabet (2021).
const LETTER = "A-Za-zÄäĞğÑñÖöŞşŪūÜüĪıİА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі";
const NAME_PART_RE = new RegExp(`^[${LETTER}](?:[${LETTER}]|[-' ](?=[${LETTER}]))*$`, 'u');
const CODE_RE = /^[0-9A-Z]+$/;
const SERIES_RE = /^(?:[A-Za-z]{1,4}|[А-ЯЁӘҒҚҢӨҰҮҺІ]{1,4})$/u;
const NUMBER_RE = /^[0-9]{7}$/;
const TWELVE_DIGITS_RE = /^[0-9]{12}$/;

// Cyrillic letters that look like Latin ones, typed by mistake into a Latin series.
const CYRILLIC_LOOKALIKES: Readonly<Record<string, string>> = {
  А: 'A', В: 'B', С: 'C', Е: 'E', Н: 'H', К: 'K', М: 'M', О: 'O', Р: 'P', Т: 'T', Х: 'X',
  а: 'a', с: 'c', е: 'e', о: 'o', р: 'p', х: 'x', һ: 'h',
};

/** Length in Unicode code points, as Python's `len` counts. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The IIN/BIN check digit of the first 11 digits: sum(d_i * w_i) mod 11 with weights 1..11, else
 * weights 3..11, 1, 2; undefined where both give 10 (such a number is never issued).
 */
export function checkDigit(digits: string): number | undefined {
  const values = [...digits.slice(0, 11)].map(Number);
  for (const weights of [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]]) {
    const rest = values.reduce((sum, v, i) => sum + v * (weights[i] ?? 0), 0) % 11;
    if (rest !== 10) return rest;
  }
  return undefined;
}

/**
 * Validate a 12-digit BIN (its check digit); return it unchanged.
 *
 * @throws RecordError - not 12 ASCII digits, or a wrong check digit.
 */
export function validateBin(value: string): string {
  if (!TWELVE_DIGITS_RE.test(value)) throw new RecordError('bin: must be exactly 12 digits');
  const expected = checkDigit(value);
  if (expected === undefined || expected !== Number(value[11])) {
    throw new RecordError('bin: check digit does not match (not a valid BIN)');
  }
  return value;
}

/**
 * Normalise a typed series: trim, map Cyrillic look-alikes in a Latin series, give a known
 * higher-education series its printed case ("phd" -> "PhD"), upper-case the rest.
 *
 * @throws RecordError - the result is not 1-4 letters of one alphabet.
 */
export function normalizeSeries(value: string): string {
  let text = value.trim();
  const latinised = [...text].map((c) => CYRILLIC_LOOKALIKES[c] ?? c).join('');
  if (/^[\x00-\x7f]*$/.test(latinised)) {
    const known = HIGHER_EDUCATION_SERIES.find((s) => s.toUpperCase() === latinised.toUpperCase());
    if (known !== undefined) return known;
    text = latinised.toUpperCase();
  } else {
    text = text.toUpperCase();
  }
  if (!SERIES_RE.test(text)) throw new RecordError('series: must be 1-4 letters, all Latin or all Cyrillic');
  return text;
}

/**
 * A document number: exactly seven ASCII digits, leading zeros kept (the blank rule of seed 000, Rules item 17;
 * seed 001 item 7 sets no width for the higher-education series, which keep seven digits by choice).
 *
 * @throws RecordError - anything else.
 */
export function validateNumber(value: string): string {
  if (!NUMBER_RE.test(value)) throw new RecordError('number: must be exactly seven digits (leading zeros count)');
  return value;
}

function checkNamePart(value: string, label: string, limit: number): void {
  if (value !== value.normalize('NFC')) throw new RecordError(`${label}: must be in Unicode NFC form`);
  const length = codePoints(value);
  if (length === 0 || length > limit) throw new RecordError(`${label}: must be 1-${limit} characters`);
  if (!NAME_PART_RE.test(value)) {
    throw new RecordError(`${label}: only letters of the Kazakh and Russian alphabets, with single hyphens, `
      + 'apostrophes or spaces between letters');
  }
}

function checkCode(value: string, label: string, limit: number): void {
  if (codePoints(value) < 1 || codePoints(value) > limit || !CODE_RE.test(value)) {
    throw new RecordError(`${label}: must be 1-${limit} characters of 0-9 and A-Z`);
  }
}

/**
 * Check a decoded record against the schema of docs/FORMAT.md §3, as Python's `Record` does.
 *
 * @param record - the record (types already checked by the payload decoder).
 * @throws RecordError - the first field that breaks a rule.
 */
export function validateRecord(record: RecordJson): void {
  const { holder } = record;
  checkNamePart(holder.surname, 'surname', MAX_SURNAME_CHARS);
  checkNamePart(holder.name, 'name', MAX_GIVEN_NAME_CHARS);
  if (holder.patronymic !== undefined) checkNamePart(holder.patronymic, 'patronymic', MAX_PATRONYMIC_CHARS);
  const full = [holder.surname, holder.name, holder.patronymic].filter((p) => p).join(' ');
  if (codePoints(full) > MAX_FULL_NAME_CHARS) {
    throw new RecordError(`full name: at most ${MAX_FULL_NAME_CHARS} characters in all`);
  }
  if (record.duplicate !== undefined) {
    const d = record.duplicate;
    if (!Number.isInteger(d.duplicate_no) || d.duplicate_no < 1 || d.duplicate_no > MAX_DUPLICATE_NO) {
      throw new RecordError(`duplicate number: must be 1..${MAX_DUPLICATE_NO}`);
    }
    if (normalizeSeries(d.original_series) !== d.original_series) {
      throw new RecordError('original series: must be given in its normalised form');
    }
    validateNumber(d.original_number);
  }
  const docType = DOCUMENT_TYPES.find((t) => t.code === record.doc_type);
  if (docType === undefined) throw new RecordError('doc_type: unknown document type code');
  if (normalizeSeries(record.series) !== record.series) {
    throw new RecordError('series: must be given in its normalised form');
  }
  if (docType.series !== null && record.series !== docType.series) {
    throw new RecordError(`series: document type ${docType.code} is printed with series ${docType.series}`);
  }
  validateNumber(record.number);
  validateBin(record.institution_bin);
  checkCode(record.programme, 'programme', MAX_PROGRAMME_CHARS);
  if (record.qualification !== undefined) checkCode(record.qualification, 'qualification', MAX_QUALIFICATION_CHARS);
  if (!Number.isInteger(record.revision) || record.revision < 1 || record.revision > MAX_REVISION) {
    throw new RecordError(`revision: must be 1..${MAX_REVISION}`);
  }
}
