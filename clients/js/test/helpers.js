// Shared helpers of the tests: the vectors of docs/FORMAT.md §8 and the TEST ONLY root key.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encode, rfc8949EncodeOptions, Tagged } from 'cborg';

import { parseCertificate, TrustList, Verifier } from '../dist/index.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const VECTORS = join(REPO, 'tests', 'vectors');
export const CASES = readdirSync(VECTORS).filter((n) => existsSync(join(VECTORS, n, 'case.json'))).sort();

/** The case.json of a vector folder. */
export function loadCase(name) {
  return JSON.parse(readFileSync(join(VECTORS, name, 'case.json'), 'utf8'));
}

/** The root certificate named by a case (or a path under tests/vectors). */
export function rootOf(relative) {
  return parseCertificate(readFileSync(join(VECTORS, relative), 'utf8'));
}

/** The trust list text named by a case. */
export function trustListText(relative) {
  return readFileSync(join(VECTORS, relative), 'utf8');
}

/** A verifier for a case: its trust list under its root, no status source. */
export function verifierFor(c, options = {}) {
  return new Verifier(TrustList.fromJson(trustListText(c.TRUST_LIST), { root: rootOf(c.ROOT) }), options);
}

/** The TEST ONLY Ed25519 root key of tests/support/keys.py: sha256("TEST ONLY root") as the seed. */
export const TEST_ROOT_SEED = sha256(new TextEncoder().encode('TEST ONLY root'));

/** Sign a trust-list payload with the TEST ONLY root (the bytes are the JCS form; see jcs.test.js). */
export function signAsTestRoot(bytes) {
  return ed25519.sign(bytes, TEST_ROOT_SEED);
}

export function fromHex(text) {
  return Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const STATUS_VECTORS = join(VECTORS, 'statuslist');
export const TRUST_VECTORS = join(VECTORS, 'trustlist');
export const STATUS_CASES = readdirSync(STATUS_VECTORS).filter((n) => existsSync(join(STATUS_VECTORS, n, 'case.json'))).sort();
export const TRUST_CASES = readdirSync(TRUST_VECTORS).filter((n) => existsSync(join(TRUST_VECTORS, n, 'case.json'))).sort();

/** The case.json of a status-list or trust-list vector folder. */
export function loadListCase(kind, name) {
  return JSON.parse(readFileSync(join(kind === 'status' ? STATUS_VECTORS : TRUST_VECTORS, name, 'case.json'), 'utf8'));
}

/** The test trust list (tests/vectors/_trust) under the test root. */
export function testTrustList() {
  return TrustList.fromJson(trustListText('_trust/test-trust-list.json'), { root: rootOf('_trust/test-root.crt') });
}

/**
 * Sign a status-list payload as a TEST ONLY Ed25519 signer of tests/support/keys.py (the seed "status" is the
 * test list's status signer, "eddsa" a document signer): the key is sha256("TEST ONLY <seed>").
 */
export function signStatusList(payload, { seed = 'status', kid, header } = {}) {
  const key = sha256(new TextEncoder().encode(`TEST ONLY ${seed}`));
  const signerKid = kid ?? testTrustList().signers.find((s) => toHex(s.certificate.publicKey.raw)
    === toHex(ed25519.getPublicKey(key))).kid;
  const protectedHeader = cbor(header ?? new Map([[1, -8], [3, 'application/verify-status-list+cbor'], [4, signerKid]]));
  const signature = ed25519.sign(cbor(['Signature1', protectedHeader, new Uint8Array(0), payload]), key);
  return cbor(new Tagged(18, [protectedHeader, new Map(), payload, signature]));
}

/** Deterministic CBOR (RFC 8949 §4.2.1), as the kit writes it. */
export function cbor(value) {
  return encode(value, rfc8949EncodeOptions);
}
