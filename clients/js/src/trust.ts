/**
 * The trust list: which signers a verifier trusts, for what and when (docs/FORMAT.md §6), as
 * `verify/trust.py` reads it. Every signer has one usage (§6.3): `document` signers sign records,
 * `status` signers status lists, `log` signers transparency-log checkpoints; a signer of one usage is
 * never a candidate for another. The file is read as I-JSON (§6.6, ijson.ts).
 *
 * Rules: the list verifies only under the root certificate given out of band (the root's
 * signature over the RFC 8785 canonical JSON of `payload`); a list older than one already seen
 * is refused; a list past its expiry still verifies, with a warning; a signer's certificate must
 * be issued by that root (checked once, at load time; step 6 uses the answer); a record verifies
 * only if its signing time lies in the signer's usage period and certificate validity (ends
 * included), the signer was not revoked with a compromise time at or before it, and the series
 * (and institution, where scoped) is in the signer's scope.
 */
import { Validator } from '@cfworker/json-schema';
import type { Schema } from '@cfworker/json-schema';
import { hex } from '@scure/base';
import canonicalize from 'canonicalize';

import { ALG_EDDSA, ALG_ES256 } from './codec.js';
import { verifySignature } from './crypto.js';
import { ScopeError, SignerPeriodError, SignerRevokedError, TrustListError } from './errors.js';
import { checkIJson, parseIJson } from './ijson.js';
import { TRUST_LIST_SCHEMA } from './trust-list-schema.js';
import { trustListKey } from './versionstate.js';
import type { VersionState } from './versionstate.js';
import { isIssuedBy, parseCertificate } from './x509.js';
import type { Certificate } from './x509.js';

export const ENVIRONMENTS = ['production', 'development', 'test'] as const;
/**
 * What a signer may sign (docs/FORMAT.md §6.3): records, status lists, transparency-log checkpoints.
 * An entry without `usage` (lists written before usages existed) is a document signer.
 */
export const USAGES = ['document', 'status', 'log'] as const;
export type Usage = (typeof USAGES)[number];
export const MAX_TRUST_LIST_BYTES = 4 * 1024 * 1024;
const ALGORITHMS: Readonly<Record<string, number>> = { EdDSA: ALG_EDDSA, ES256: ALG_ES256 };
// Python's base64.b64decode(validate=True): the standard alphabet, padding to a multiple of 4 characters.
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const TIME_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;

let validator: Validator | undefined;

/** `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), the trust list's time format. */
export function formatTime(value: Date): string {
  return `${value.toISOString().slice(0, 19)}Z`;
}

/**
 * Parse a trust-list time `YYYY-MM-DDTHH:MM:SSZ` (a real calendar time).
 *
 * @throws TrustListError - another shape or an impossible date.
 */
export function parseTime(text: string): Date {
  const m = TIME_RE.exec(text);
  const date = m === null ? null : new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  if (date === null || Number.isNaN(date.getTime()) || formatTime(date) !== text) {
    throw new TrustListError(`trust list: bad time ${JSON.stringify(text)}`);
  }
  return date;
}

/**
 * What a signer may sign: series, and the one institution (BIN) or any (null). For a status signer,
 * the series whose status lists it may sign.
 */
export interface Scope {
  readonly series: ReadonlySet<string>;
  readonly institutionBin: string | null;
}

/** A revocation; `compromisedAt` is the earliest time the key may have been misused. */
export interface Revocation {
  readonly revokedAt: Date;
  readonly compromisedAt: Date;
  readonly reason: string;
}

/** One signer of the trust list. */
export class SignerEntry {
  /**
   * @param kid - 8 bytes as listed (the list is authoritative; two entries may share a kid).
   * @param chainsToRoot - the certificate is issued by the configured root (set by {@link TrustList}).
   * @param usage - what it may sign: "document", "status" or "log".
   */
  constructor(
    readonly kid: Uint8Array,
    readonly label: string,
    readonly certificate: Certificate,
    readonly usageFrom: Date,
    readonly usageUntil: Date,
    readonly scope: Scope,
    readonly revocation: Revocation | null,
    readonly chainsToRoot: boolean,
    readonly usage: Usage = 'document',
  ) {}

  /** The COSE algorithm of the signer's key (-8 or -7). */
  get alg(): number {
    return this.certificate.publicKey?.alg ?? 0;
  }

  /** Whether the signer's key verifies `signature` over `data` with COSE `alg`. */
  verifies(alg: number, signature: Uint8Array, data: Uint8Array): boolean {
    return this.certificate.publicKey !== null && verifySignature(this.certificate.publicKey, alg, signature, data);
  }

  /**
   * Judge the signer at the record's signing time (steps 8 and 9), or a status list's issue time.
   *
   * @throws SignerPeriodError - `signedAt` outside the usage period or the certificate validity (both ends included).
   * @throws SignerRevokedError - revoked with `compromisedAt <= signedAt`.
   */
  checkAt(signedAt: Date): void {
    const from = Math.max(this.usageFrom.getTime(), this.certificate.notBefore.getTime());
    const until = Math.min(this.usageUntil.getTime(), this.certificate.notAfter.getTime());
    const t = signedAt.getTime();
    if (!(from <= t && t <= until)) {
      throw new SignerPeriodError(`signed at ${formatTime(signedAt)}, outside the signer's usage period `
        + `${formatTime(new Date(from))} to ${formatTime(new Date(until))}`);
    }
    if (this.revocation !== null && this.revocation.compromisedAt.getTime() <= t) {
      throw new SignerRevokedError(`the signer was revoked; compromised since ${formatTime(this.revocation.compromisedAt)}, `
        + `which is not after the signing time ${formatTime(signedAt)}`);
    }
  }

  /**
   * Whether this signer may sign the series (and institution, where scoped): step 10.
   *
   * @throws ScopeError - the series or institution is outside the scope.
   */
  checkScope(series: string, institutionBin: string): void {
    if (!this.scope.series.has(series)) {
      throw new ScopeError(`series ${series} is outside the signer's scope (${[...this.scope.series].sort().join(', ')})`);
    }
    if (this.scope.institutionBin !== null && institutionBin !== this.scope.institutionBin) {
      throw new ScopeError("the institution is outside the signer's scope");
    }
  }
}

/** Options of {@link TrustList.fromJson}. */
export interface TrustListOptions {
  /** The configured root certificate: the trust anchor, obtained out of band. */
  root: Certificate;
  /** The highest version already seen; an older list is refused (default 0). */
  minVersion?: number;
}

/** A verified trust list. */
export class TrustList {
  /** Signers by usage and kid: `${usage}/${kid hex}`. */
  private readonly byKid = new Map<string, SignerEntry[]>();

  private constructor(
    readonly version: number,
    readonly environment: string,
    readonly issuedAt: Date,
    readonly expiresAt: Date,
    readonly root: Certificate,
    readonly signers: readonly SignerEntry[],
  ) {
    for (const entry of signers) {
      const key = `${entry.usage}/${hex.encode(entry.kid)}`;
      this.byKid.set(key, [...(this.byKid.get(key) ?? []), entry]);
    }
  }

  /**
   * Every signer of this usage listed with this kid, in list order (a kid is only a hint: the verifier
   * tries them all). Records are judged only against document signers, status lists only against
   * status signers: a signer of another usage is not a candidate at all.
   */
  candidates(kid: Uint8Array, usage: Usage = 'document'): readonly SignerEntry[] {
    return this.byKid.get(`${usage}/${hex.encode(kid)}`) ?? [];
  }

  /** Whether `at` is past the list's expiry. */
  isExpired(at: Date): boolean {
    return at.getTime() > this.expiresAt.getTime();
  }

  /**
   * Load and verify a signed trust list.
   *
   * @param document - the file's bytes (UTF-8) or text (<= 4 MiB), or the parsed object; read as I-JSON.
   * @throws TrustListError - not I-JSON (duplicate keys, unsafe integers, lone surrogates, floats...),
   *   schema violation, another root, bad signature, rollback, a certificate that is not base64 DER of
   *   an Ed25519 or P-256 key, or a log signer that is not Ed25519.
   */
  static fromJson(document: string | Uint8Array | object, options: TrustListOptions): TrustList {
    const { root } = options;
    const doc = parseDocument(document);
    validator ??= new Validator(TRUST_LIST_SCHEMA as Schema, '2020-12', true);
    const result = validator.validate(doc);
    if (!result.valid) {
      // The first error that is not only "a property/item below did not match": where the violation is.
      const error = result.errors.find((e) => e.keyword !== 'properties' && e.keyword !== 'items') ?? result.errors[0];
      const where = (error?.instanceLocation ?? '#').replace(/^#\/?/, '') || '(top)';
      throw new TrustListError(`trust list: schema violation at ${where}: ${(error?.error ?? '').slice(0, 200)}`);
    }
    const { payload, signature } = doc as TrustListDocument;
    const rootKid = hex.encode(root.kid);
    if (payload.root_kid !== rootKid || signature.kid !== rootKid) {
      throw new TrustListError('trust list: signed by another root than the one configured');
    }
    if (root.publicKey === null || ALGORITHMS[signature.alg] !== root.publicKey.alg) {
      throw new TrustListError('trust list: signature algorithm does not match the root key');
    }
    const value = decodeBase64(`${signature.value.replace(/-/g, '+').replace(/_/g, '/')}==`);
    const signed = new TextEncoder().encode(canonicalize(payload) ?? '');
    if (!verifySignature(root.publicKey, root.publicKey.alg, value, signed)) {
      throw new TrustListError("trust list: the root's signature does not verify");
    }
    const minVersion = options.minVersion ?? 0;
    if (payload.version < minVersion) {
      throw new TrustListError(`trust list: version ${payload.version} is older than version ${minVersion} `
        + 'already seen (rollback refused)');
    }
    return new TrustList(payload.version, payload.environment, parseTime(payload.issued_at),
      parseTime(payload.expires_at), root, payload.signers.map((e) => entryFromJson(e, root)));
  }
}

/**
 * Load a trust list with rollback protection (Python `versionstate.accept_trust_list`): refuse a
 * version lower than the highest seen under this root, then record this one.
 *
 * @throws TrustListError - as {@link TrustList.fromJson}, including a rollback; the state is then unchanged.
 */
export async function acceptTrustList(document: string | Uint8Array | object, root: Certificate,
  state: VersionState): Promise<TrustList> {
  const key = trustListKey(root);
  const trustList = TrustList.fromJson(document, { root, minVersion: await state.highest(key) });
  await state.raiseTo(key, trustList.version);
  return trustList;
}

interface SignerJson {
  kid: string;
  usage?: Usage;
  label: string;
  certificate: string;
  usage_from: string;
  usage_until: string;
  scope: { series: string[]; institution_bin: string | null };
  revocation: { revoked_at: string; compromised_at: string; reason: string } | null;
}

interface TrustListDocument {
  payload: {
    version: number;
    environment: string;
    issued_at: string;
    expires_at: string;
    root_kid: string;
    signers: SignerJson[];
  };
  signature: { alg: string; kid: string; value: string };
}

function parseDocument(document: string | Uint8Array | object): unknown {
  const error = (message: string): Error => new TrustListError(message);
  if (!(typeof document === 'string' || document instanceof Uint8Array)) {
    checkIJson(document, 'trust list', error);
    return document;
  }
  if (document.length > MAX_TRUST_LIST_BYTES) throw new TrustListError('trust list: over the 4 MiB cap');
  return parseIJson(document, 'trust list', error);
}

function entryFromJson(e: SignerJson, root: Certificate): SignerEntry {
  let certificate: Certificate;
  try {
    certificate = parseCertificate(decodeBase64(e.certificate));
  } catch {
    throw new TrustListError(`trust list: signer ${e.kid}: certificate is not base64 DER`);
  }
  if (certificate.publicKey === null) {
    throw new TrustListError(`trust list: signer ${e.kid}: unsupported key type (Ed25519 or P-256 only)`);
  }
  const usage = e.usage ?? 'document';
  if (usage === 'log' && certificate.publicKey.alg !== ALG_EDDSA) {
    throw new TrustListError(`trust list: log signer ${e.kid}: must be Ed25519 (C2SP signed-note)`);
  }
  const rev = e.revocation;
  return new SignerEntry(
    hex.decode(e.kid),
    e.label,
    certificate,
    parseTime(e.usage_from),
    parseTime(e.usage_until),
    { series: new Set(e.scope.series), institutionBin: e.scope.institution_bin },
    rev === null ? null : {
      revokedAt: parseTime(rev.revoked_at), compromisedAt: parseTime(rev.compromised_at), reason: rev.reason,
    },
    isIssuedBy(certificate, root),
    usage,
  );
}


/**
 * Standard base64 as the Python verifier reads it (`base64.b64decode(text, validate=True)`): only the
 * alphabet, padded to a multiple of 4; the unused low bits of the last character are ignored, as RFC 4648
 * §3.5 lets a decoder do (so both verifiers accept the same files). The platform's forgiving decoder (`atob`).
 *
 * @throws RangeError - another alphabet or length.
 */
function decodeBase64(text: string): Uint8Array {
  if (!BASE64_RE.test(text) || text.length % 4 !== 0) throw new RangeError('base64: not standard padded base64');
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
