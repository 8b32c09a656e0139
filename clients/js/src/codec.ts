/**
 * Bytes of record format version 1: QR text, digits, COSE_Sign1, payload (docs/FORMAT.md §3-§5),
 * as `verify/codec.py` reads them. Every decoder is strict and turns foreign errors into the
 * error of its step (errors.ts).
 *
 *   splitQrText(text) -> {prefix, digits}     step 1, PrefixError
 *   digitsToBytes(digits) -> COSE bytes       step 2, DigitsError
 *   parseSign1(bytes) -> CoseSign1            step 3, CoseStructureError (RFC 9052 §4.2)
 *   sigStructure(protected, payload)          RFC 9052 §4.4
 *   decodePayload(bytes) -> {record, signedAt} step 7, PayloadError
 */
import { encodeDeterministic, strictDecode, Tagged } from './cbor.js';
import { CoseStructureError, DigitsError, PayloadError, PrefixError } from './errors.js';
import { documentTypeById, RecordError, validateRecord } from './record.js';
import type { DuplicateOf, HolderName, RecordJson } from './record.js';

export const FORMAT_VERSION = 1;
export const COSE_SIGN1_TAG = 18; // RFC 9052 §4.2
export const HDR_ALG = 1;
export const HDR_KID = 4; // RFC 9052 §3.1
export const ALG_EDDSA = -8; // RFC 9053 §2.2
export const ALG_ES256 = -7; // RFC 9053 §2.1
export const ALGORITHM_NAMES: Readonly<Record<number, string>> = { [ALG_EDDSA]: 'EdDSA', [ALG_ES256]: 'ES256' };
export const KID_BYTES = 8;
export const SIGNATURE_BYTES = 64;

/** Caps applied before parsing (bytes, characters). */
export const MAX_COSE_BYTES = 512;
export const MAX_PAYLOAD_BYTES = 400;
export const MAX_PREFIX_CHARS = 24;
export const MAX_DIGITS = 1300;

// §5.2: step 1 reads ASCII only. The text's head is upper-cased by mapping a-z to A-Z and nothing else,
// then matched byte for byte (never a Unicode-aware case-insensitive match, which reads U+0131, U+017F or
// U+212A as I, S or K). The host's grammar is checked by checkHost, as codec.py's _check_host does.
const PREFIX_RE = /^(HTTPS?):\/\/([A-Z0-9.-]+)(?::([1-9][0-9]{0,4}))?\/V\//;
const LABEL_RE = /^[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?$/;
const DIGITS_ONLY_RE = /^[0-9]+$/;
const ASCII_RE = /^[\x00-\x7f]*$/;
const BASE_URL_RE = /^(https?):\/\/([^/?#@\s]+)\/?$/i;
/** Development hosts (§5.2): the only hosts an `HTTP://` prefix may name (RFC 6761 §6.3, §6.2). */
export const DEVELOPMENT_SUFFIXES = ['.LOCALHOST', '.TEST'] as const;
// Loopback 127.0.0.0/8 (RFC 1122 §3.2.1.3) and the private networks of RFC 1918 §3, as [first octets, prefix bits].
const DEVELOPMENT_NETWORKS: readonly [number, number, number][] = [[127, 0, 8], [10, 0, 8], [172, 16, 12], [192, 168, 16]];
const EDGE_SPACE_RE = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const DAY_MS = 86_400_000;

// Payload keys (§3).
const K = {
  VERSION: 1, DOC_TYPE: 2, SERIES: 3, NUMBER: 4, HOLDER: 5, BIN: 6, AWARD_DATE: 7,
  PROGRAMME: 8, QUALIFICATION: 9, HONOURS: 10, DUPLICATE: 11, REVISION: 12, SIGNED_AT: 13,
} as const;
const REQUIRED_KEYS = [1, 2, 3, 4, 5, 6, 7, 8, 13];
const OPTIONAL_KEYS = [9, 10, 11, 12];

// ============================================================================ §5 QR text
/**
 * The QR prefix of a verification base URL: `HTTPS://HOST/V/`, upper case (Python `codec.qr_prefix`).
 *
 * @param baseUrl - e.g. "https://v.edu.kz" (http or https, a host of the grammar of docs/FORMAT.md §5.2,
 *   an optional port; no path, query or user info; ASCII only; http only for a development host).
 * @throws RangeError - another shape, or a prefix over 24 characters or outside the prefix grammar.
 */
export function qrPrefix(baseUrl: string): string {
  if (typeof baseUrl !== 'string' || !ASCII_RE.test(baseUrl)) {
    throw new RangeError('base URL: must be ASCII (an internationalised host is written in its xn-- form)');
  }
  const match = BASE_URL_RE.exec(baseUrl.trim());
  if (match === null) throw new RangeError('base URL: must be http(s)://host[:port] without a path, query or user info');
  const prefix = asciiUpper(`${match[1]}://${match[2]}/V/`);
  if (prefix.length > MAX_PREFIX_CHARS) {
    throw new RangeError(`base URL: the QR prefix ${prefix} must be at most ${MAX_PREFIX_CHARS} characters`);
  }
  try {
    splitQrText(`${prefix}1`);
  } catch (exc) {
    if (exc instanceof PrefixError) throw new RangeError(`base URL: ${exc.message}`);
    throw exc;
  }
  return prefix;
}

/**
 * A configured QR prefix (`HTTPS://HOST/V/`, any ASCII case) in its canonical form, ASCII upper case
 * (Python `codec.normalize_prefix`): what {@link Verifier}'s `acceptedPrefixes` compare byte for byte.
 *
 * @throws RangeError - not ASCII, or not a prefix of the grammar of docs/FORMAT.md §5.2.
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !ASCII_RE.test(prefix)) throw new RangeError('QR prefix: must be ASCII');
  let split: { prefix: string; digits: string };
  try {
    split = splitQrText(`${prefix}1`);
  } catch (exc) {
    if (exc instanceof PrefixError) throw new RangeError(`QR prefix ${JSON.stringify(prefix)}: ${exc.message}`);
    throw exc;
  }
  if (split.digits !== '1') throw new RangeError(`QR prefix ${JSON.stringify(prefix)}: must end with /V/`);
  return split.prefix;
}

/** Upper-case the ASCII letters a-z only; every other character is kept as it is (docs/FORMAT.md §5.2). */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/**
 * Whether an upper-case host (no port) is a development host (docs/FORMAT.md §5.2): `LOCALHOST`, a name
 * ending in `.LOCALHOST` or `.TEST`, or an IPv4 address in 127.0.0.0/8 or a private network of RFC 1918.
 */
export function isDevelopmentHost(host: string): boolean {
  if (host === 'LOCALHOST' || DEVELOPMENT_SUFFIXES.some((suffix) => host.endsWith(suffix))) return true;
  const octets = ipv4(host);
  if (octets === null) return false;
  const address = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  return DEVELOPMENT_NETWORKS.some(([a, b, bits]) => {
    const network = ((a << 24) >>> 0) + (b << 16);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((address & mask) >>> 0) === network;
  });
}

function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => DIGITS_ONLY_RE.test(p))) return null;
  if (parts.some((p) => p.length > 1 && p[0] === '0') || parts.some((p) => Number(p) > 255)) return null;
  return parts.map(Number);
}

/** The host grammar of docs/FORMAT.md §5.2 (upper-case ASCII); `HTTP` only for a development host. */
function checkHost(scheme: string, host: string, port: string | undefined): void {
  const labels = host.split('.');
  if (DIGITS_ONLY_RE.test(labels[labels.length - 1] ?? '')) {
    if (ipv4(host) === null) throw new PrefixError('QR text: a host ending in a number must be an IPv4 address a.b.c.d');
  } else if (host.length > 253 || !labels.every((label) => LABEL_RE.test(label))) {
    throw new PrefixError('QR text: the host must be labels of letters, digits and inner hyphens, separated by single dots');
  }
  if (port !== undefined && Number(port) > 65535) throw new PrefixError('QR text: the port must be 1-65535');
  if (scheme === 'HTTP' && !isDevelopmentHost(host)) {
    throw new PrefixError('QR text: HTTP:// is allowed for development hosts only');
  }
}

/**
 * Split a QR text into its prefix (ASCII-upper-cased) and digits (step 1), as `codec.split_qr_text`.
 *
 * Leading and trailing space, tab, CR and LF are removed (some scanners add CR/LF); any other deviation
 * from `HTTP(S)://HOST/V/` (ASCII letters in any case, the host grammar of docs/FORMAT.md §5.2) is
 * refused. Only ASCII is read: a character outside it is never case-folded to an ASCII letter. Lengths
 * count code points.
 *
 * @throws PrefixError - not text, too long, or no valid prefix.
 */
export function splitQrText(text: string): { prefix: string; digits: string } {
  if (typeof text !== 'string') throw new PrefixError('QR text: must be text');
  const trimmed = text.replace(EDGE_SPACE_RE, '');
  const head: string[] = [];
  let length = 0;
  for (const char of trimmed) {
    if (length < MAX_PREFIX_CHARS) head.push(char);
    length++;
  }
  if (length > MAX_PREFIX_CHARS + MAX_DIGITS) throw new PrefixError('QR text: too long for record format version 1');
  const match = PREFIX_RE.exec(asciiUpper(head.join('')));
  if (match === null) throw new PrefixError('QR text: does not start with HTTPS://<host>/V/ in ASCII letters');
  checkHost(match[1] as string, match[2] as string, match[3]);
  // The match is ASCII, so its length is the same in code points and in UTF-16 units.
  return { prefix: match[0], digits: trimmed.slice(match[0].length) };
}

/**
 * Inverse of the §5 digit encoding, strict (step 2): canonical digits of 0x01 || COSE.
 *
 * @returns the COSE bytes (without the 0x01 marker).
 * @throws DigitsError - empty, too long, a non-digit, a leading zero, or no 0x01 marker byte.
 */
export function digitsToBytes(digits: string): Uint8Array {
  if (digits.length === 0 || digits.length > MAX_DIGITS) {
    throw new DigitsError(`digits: must be 1-${MAX_DIGITS} decimal digits`);
  }
  if (!/^[0-9]+$/.test(digits)) throw new DigitsError('digits: only the characters 0-9 may follow the prefix');
  if (digits[0] === '0') throw new DigitsError('digits: a leading zero is not canonical');
  let hex = BigInt(digits).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const raw = new Uint8Array(hex.length / 2);
  for (let i = 0; i < raw.length; i++) raw[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  if (raw[0] !== 0x01) throw new DigitsError('digits: the number must start with the 0x01 marker byte');
  return raw.subarray(1);
}

// ============================================================================ §4 COSE_Sign1
/** A parsed, not yet verified COSE_Sign1 (RFC 9052 §4.2) of the profile. */
export interface CoseSign1 {
  /** The protected header bytes exactly as received. */
  readonly protected: Uint8Array;
  /** -8 (EdDSA) or -7 (ES256). */
  readonly alg: number;
  /** 8-byte key id hint. */
  readonly kid: Uint8Array;
  /** The payload bytes (unverified until step 5 passed). */
  readonly payload: Uint8Array;
  /** 64 bytes: Ed25519, or ES256 r || s. */
  readonly signature: Uint8Array;
}

/** `["Signature1", protected, h'', payload]` as CBOR: the bytes the signature covers (RFC 9052 §4.4). */
export function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeDeterministic(['Signature1', protectedHeader, new Uint8Array(0), payload]);
}

/**
 * Parse the COSE_Sign1 profile of docs/FORMAT.md §4 without verifying anything (step 3).
 *
 * @throws CoseStructureError - not deterministic CBOR, wrong tag, shape, header, algorithm, kid or signature length.
 */
export function parseSign1(data: Uint8Array): CoseSign1 {
  const error = (m: string): Error => new CoseStructureError(m);
  const obj = strictDecode(data, MAX_COSE_BYTES, error, 'COSE_Sign1', [COSE_SIGN1_TAG]);
  if (!(obj instanceof Tagged) || obj.tag !== COSE_SIGN1_TAG) throw error('COSE_Sign1: must carry CBOR tag 18');
  const body: unknown = obj.value;
  if (!Array.isArray(body) || body.length !== 4) throw error('COSE_Sign1: must be an array of four elements');
  const [protectedHeader, unprotected, payload, signature] = body as unknown[];
  if (!(protectedHeader instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw error('COSE_Sign1: protected header, payload and signature must be byte strings');
  }
  if (!(unprotected instanceof Map) || unprotected.size !== 0) {
    throw error('COSE_Sign1: the unprotected header must be empty in this profile');
  }
  const header = strictDecode(protectedHeader, 64, error, 'protected header');
  if (!(header instanceof Map) || header.size !== 2 || !header.has(HDR_ALG) || !header.has(HDR_KID)) {
    throw error('protected header: must hold exactly alg (1) and kid (4)');
  }
  const alg: unknown = header.get(HDR_ALG);
  const kid: unknown = header.get(HDR_KID);
  if (alg !== ALG_EDDSA && alg !== ALG_ES256) {
    throw error(`protected header: algorithm ${String(alg)} is not supported (EdDSA -8, ES256 -7)`);
  }
  if (!(kid instanceof Uint8Array) || kid.length !== KID_BYTES) throw error(`protected header: kid must be ${KID_BYTES} bytes`);
  if (signature.length !== SIGNATURE_BYTES) throw error(`COSE_Sign1: signature must be ${SIGNATURE_BYTES} bytes`);
  return { protected: protectedHeader, alg, kid, payload, signature };
}

// ============================================================================ §3 payload
/**
 * Decode and validate a signed payload (step 7). Only call it after the signature verified.
 *
 * @returns the record (the JSON shape of Python's `Record.to_json`) and the signing time.
 * @throws PayloadError - strict-CBOR violation, a missing or unknown key, a wrong type, or a field value the schema refuses.
 */
export function decodePayload(data: Uint8Array): { record: RecordJson; signedAt: Date } {
  const m = strictDecode(data, MAX_PAYLOAD_BYTES, (msg) => new PayloadError(msg), 'payload');
  if (!(m instanceof Map)) throw new PayloadError('payload: must be a CBOR map');
  const keys = [...m.keys()] as unknown[];
  if (!keys.every(isInt)) throw new PayloadError('payload: keys must be integers');
  const missing = REQUIRED_KEYS.filter((k) => !m.has(k));
  if (missing.length) throw new PayloadError(`payload: missing key(s) [${missing.join(', ')}]`);
  const unknown = (keys as number[]).filter((k) => !REQUIRED_KEYS.includes(k) && !OPTIONAL_KEYS.includes(k));
  if (unknown.length) {
    throw new PayloadError(`payload: unknown key(s) [${unknown.sort((a, b) => a - b).join(', ')}] in format version 1`);
  }
  if (m.get(K.VERSION) !== FORMAT_VERSION) {
    throw new PayloadError(`payload: format version ${String(m.get(K.VERSION))} is not supported`);
  }
  const holder = typed(m, K.HOLDER, 'array', 'holder') as unknown[];
  const docType = documentTypeById(typed(m, K.DOC_TYPE, 'int', 'document type') as number);
  if (docType === undefined) throw new PayloadError(`payload: unknown document type id ${String(m.get(K.DOC_TYPE))}`);
  const bin = typed(m, K.BIN, 'int', 'institution') as number;
  if (bin < 0 || bin > 999_999_999_999) throw new PayloadError('payload: institution BIN out of range');
  if (m.has(K.REVISION) && !(isInt(m.get(K.REVISION)) && (m.get(K.REVISION) as number) >= 2)) {
    throw new PayloadError('payload: revision, when present, must be an integer >= 2 (absent means 1)');
  }
  if (holder.length < 2 || holder.length > 3 || !holder.every((p) => typeof p === 'string')) {
    throw new PayloadError('payload: holder must be 2 or 3 text strings');
  }
  if (m.has(K.HONOURS) && m.get(K.HONOURS) !== true) throw new PayloadError('payload: honours, when present, must be true');
  let duplicate: DuplicateOf | undefined;
  if (m.has(K.DUPLICATE)) {
    const dup = typed(m, K.DUPLICATE, 'array', 'duplicate') as unknown[];
    const [n, series, number] = dup;
    if (dup.length !== 3 || !isInt(n) || typeof series !== 'string' || typeof number !== 'string') {
      throw new PayloadError('payload: duplicate must be [uint, series, number]');
    }
    duplicate = { duplicate_no: n, original_series: series, original_number: number };
  }
  const days = typed(m, K.AWARD_DATE, 'int', 'award date') as number;
  const seconds = typed(m, K.SIGNED_AT, 'int', 'signing time') as number;
  if (days < 0 || days > 100_000 || seconds < 0 || seconds > 2 ** 34) {
    throw new PayloadError('payload: award date or signing time out of range');
  }
  const [surname, name, patronymic] = holder as string[];
  const holderName: HolderName = patronymic === undefined
    ? { surname: surname as string, name: name as string }
    : { surname: surname as string, name: name as string, patronymic };
  const record: RecordJson = {
    doc_type: docType.code,
    series: typed(m, K.SERIES, 'string', 'series') as string,
    number: typed(m, K.NUMBER, 'string', 'number') as string,
    holder: holderName,
    institution_bin: String(bin).padStart(12, '0'),
    award_date: new Date(days * DAY_MS).toISOString().slice(0, 10),
    programme: typed(m, K.PROGRAMME, 'string', 'programme') as string,
    honours: m.has(K.HONOURS),
    revision: m.has(K.REVISION) ? m.get(K.REVISION) as number : 1,
  };
  if (m.has(K.QUALIFICATION)) record.qualification = typed(m, K.QUALIFICATION, 'string', 'qualification') as string;
  if (duplicate !== undefined) record.duplicate = duplicate;
  try {
    validateRecord(record);
  } catch (exc) {
    if (exc instanceof RecordError) throw new PayloadError(`payload: ${exc.message}`);
    throw exc;
  }
  if (Math.floor(seconds / 86_400) < days) throw new PayloadError('payload: award date is later than the signing time');
  return { record, signedAt: new Date(seconds * 1000) };
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function typed(m: Map<unknown, unknown>, key: number, kind: 'int' | 'string' | 'array', label: string): unknown {
  const value = m.get(key);
  const ok = kind === 'int' ? isInt(value) : kind === 'string' ? typeof value === 'string' : Array.isArray(value);
  if (!ok) throw new PayloadError(`payload: ${label} (key ${key}) must be ${kind === 'int' ? 'int' : kind === 'string' ? 'str' : 'list'}`);
  return value;
}

