/**
 * Step 12 of verification (docs/FORMAT.md §7.1; docs/TRANSPARENCY.md), as `verify/transparency/inclusion.py`:
 * the record's entry in the transparency log, its inclusion proof and the signed checkpoint.
 *
 * - The revision entry is rebuilt from the COSE_Sign1 bytes alone (docs/TRANSPARENCY.md §3): the deterministic
 *   CBOR map {1: 1, 2: 1, 3: signing time (Unix seconds), 4: series, 5: number, 6: BIN (integer), 7: revision,
 *   8: SHA-256 of the COSE bytes, 9: kid}; its leaf hash is SHA-256(0x00 || entry) (RFC 9162 §2.1.1).
 * - The inclusion proof is checked by RFC 9162 §2.1.3.2 against the checkpoint's root.
 * - The checkpoint is a C2SP tlog-checkpoint (origin, tree size, base64 root) in a C2SP signed note, signed by
 *   an Ed25519 signer of usage `log` of the trust list; the key name is the origin; the key ID is the first four
 *   bytes of SHA-256(name || 0x0A || 0x01 || public key). Signatures of unknown keys are ignored; a known key's
 *   signature must verify.
 */
import { base64 } from '@scure/base';
import { encode, rfc8949EncodeOptions } from 'cborg';

import { ALG_EDDSA, decodePayload, parseSign1 } from './codec.js';
import { sha256Digest, verifySignature } from './crypto.js';
import { NotInLogError, VerifyError } from './errors.js';
import type { LogEvidence } from './status.js';
import type { TrustList } from './trust.js';

const MAX_NOTE_BYTES = 1 << 20;
const SIGNATURE_PREFIX = '\u2014 ';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The revision entry's bytes (docs/TRANSPARENCY.md §3) from the COSE_Sign1 bytes; parses, does not verify. */
export function revisionEntry(cose: Uint8Array): Uint8Array {
  const sign1 = parseSign1(cose);
  const { record, signedAt } = decodePayload(sign1.payload);
  const entry = new Map<number, unknown>([
    [1, 1], [2, 1], [3, Math.floor(signedAt.getTime() / 1000)], [4, record.series], [5, record.number],
    [6, Number(record.institution_bin)], [7, record.revision], [8, sha256Digest(cose)], [9, sign1.kid],
  ]);
  return encode(entry, rfc8949EncodeOptions);
}

/** SHA-256(0x00 || entry) (RFC 9162 §2.1.1). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256Digest(concat(new Uint8Array([0]), entry));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Digest(concat(new Uint8Array([1]), left, right));
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2).
 *
 * @throws Error - the index is not below the size, a hash is not 32 bytes, or the proof has the wrong length.
 */
export function rootFromInclusionProof(leaf: Uint8Array, index: number, treeSize: number,
  proof: readonly Uint8Array[]): Uint8Array {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) {
    throw new Error(`leaf index ${index} is not in a tree of ${treeSize} leaves`);
  }
  if (leaf.length !== 32 || proof.some((h) => h.length !== 32)) throw new Error('a hash is not 32 bytes');
  let fn = BigInt(index);
  let sn = BigInt(treeSize - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new Error('the proof is longer than the path');
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('the proof is shorter than the path');
  return r;
}

/** A checkpoint opened with a log key: its origin, size and root. */
export interface OpenedCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
}

function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256Digest(concat(new TextEncoder().encode(`${name}\n`), new Uint8Array([1]), publicKey)).slice(0, 4);
}

/**
 * Open a signed checkpoint note with the trust list's log keys (usage `log`, Ed25519; key name = origin).
 *
 * @throws Error - a malformed note or checkpoint, no log key, a bad signature by a log key, or none at all.
 */
export function openLogCheckpoint(note: string, trustList: TrustList): OpenedCheckpoint {
  const bytes = new TextEncoder().encode(note);
  if (bytes.length > MAX_NOTE_BYTES || !note.endsWith('\n')) throw new Error('checkpoint: not a signed note');
  if (/[\x00-\x09\x0b-\x1f]/.test(note)) throw new Error('checkpoint: control characters in the note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('checkpoint: no signature block');
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((l) => l === '')) throw new Error('checkpoint: needs origin, size and root lines');
  const [origin = '', size = '', root = ''] = lines;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new Error('checkpoint: tree size must be decimal without leading zeros');
  }
  let rootHash: Uint8Array;
  try {
    rootHash = base64.decode(root);
  } catch {
    throw new Error('checkpoint: root hash is not base64');
  }
  if (rootHash.length !== 32 || base64.encode(rootHash) !== root) throw new Error('checkpoint: root hash must be 32 bytes');
  const keys = trustList.signers
    .filter((e) => e.usage === 'log' && e.certificate.publicKey?.alg === ALG_EDDSA)
    .map((e) => e.certificate.publicKey!.raw);
  if (keys.length === 0 || /[\s+]/u.test(origin)) throw new Error('checkpoint: the trust list has no log key for its origin');
  let verified = 0;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new Error('checkpoint: a malformed signature line');
    const [name, sig] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name !== origin || sig === undefined) continue;
    let raw: Uint8Array;
    try {
      raw = base64.decode(sig);
    } catch {
      throw new Error('checkpoint: a signature is not base64');
    }
    for (const key of keys) {
      if (raw.length < 4 || !equal(raw.slice(0, 4), keyId(name, key))) continue;
      if (raw.length !== 68 || !verifySignature({ alg: ALG_EDDSA, raw: key }, ALG_EDDSA, raw.slice(4),
        new TextEncoder().encode(text))) {
        throw new Error(`note signature by ${name} does not verify`);
      }
      verified += 1;
    }
  }
  if (verified === 0) throw new Error('checkpoint: not signed by a log key of the trust list');
  return { origin, treeSize: Number(size), rootHash };
}

/**
 * Step 12 on the presented COSE bytes and a source's `LogEvidence` (Python `check_inclusion`).
 *
 * @returns a sentence for the passed step.
 * @throws NotInLogError - no entry; an entry of another record; a proof or checkpoint that does not verify.
 */
export function checkInclusion(cose: Uint8Array, evidence: LogEvidence, trustList: TrustList): string {
  if (evidence.leaf_index === null) throw new NotInLogError('the transparency log has no entry for this record');
  let leaf: Uint8Array;
  try {
    leaf = leafHash(revisionEntry(cose));
  } catch (exc) {
    if (!(exc instanceof VerifyError)) throw exc;
    throw new NotInLogError(`the record's log entry cannot be built: ${exc.message}`);
  }
  if (evidence.leaf_hash != null && !equal(evidence.leaf_hash, leaf)) {
    throw new NotInLogError(`log entry ${evidence.leaf_index} is not this record's: its leaf hash differs`);
  }
  if (evidence.checkpoint === null || !evidence.tree_size) {
    // The registry's online answer names the entry without a proof: the entry is there and is this record's.
    return `logged as entry ${evidence.leaf_index} of the transparency log`;
  }
  let checkpoint: OpenedCheckpoint;
  try {
    checkpoint = openLogCheckpoint(evidence.checkpoint, trustList);
    if (checkpoint.treeSize !== evidence.tree_size) {
      throw new Error(`the proof is for ${evidence.tree_size} entries, the checkpoint for ${checkpoint.treeSize}`);
    }
    const root = rootFromInclusionProof(leaf, evidence.leaf_index, evidence.tree_size, evidence.proof);
    if (!equal(root, checkpoint.rootHash)) throw new Error('the proof does not lead to the root of the checkpoint');
  } catch (exc) {
    if (exc instanceof NotInLogError) throw exc;
    throw new NotInLogError(`log entry ${evidence.leaf_index}: ${(exc as Error).message}`);
  }
  return `entry ${evidence.leaf_index} proven in the signed checkpoint of ${checkpoint.treeSize} entries `
    + `(${checkpoint.origin})`;
}

/**
 * Read the JSON of `verify log prove --json` (or the partner API's `log`) into `LogEvidence`.
 *
 * @throws RangeError - not an object of that shape.
 */
export function logEvidenceFromJson(value: unknown): LogEvidence {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError('log proof: must be a JSON object');
  const v = value as Record<string, unknown>;
  const index = v.leaf_index ?? null;
  const size = v.tree_size ?? 0;
  const proof = v.proof ?? [];
  const checkpoint = v.checkpoint ?? null;
  const leaf = v.leaf_hash ?? null;
  const isHex = (h: unknown): h is string => typeof h === 'string' && /^([0-9a-fA-F]{2})*$/.test(h);
  if (index !== null && (!Number.isSafeInteger(index) || (index as number) < 0)) throw new RangeError('log proof: leaf_index');
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw new RangeError('log proof: tree_size');
  if (checkpoint !== null && typeof checkpoint !== 'string') throw new RangeError('log proof: checkpoint');
  if (!Array.isArray(proof) || !proof.every(isHex) || (leaf !== null && !isHex(leaf))) {
    throw new RangeError('log proof: hashes must be hex');
  }
  const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
  return {
    leaf_index: index as number | null, leaf_hash: leaf === null ? null : fromHex(leaf as string),
    tree_size: size as number, proof: proof.map(fromHex), checkpoint: checkpoint as string | null,
  };
}
