// Shared helpers of the tests: the vectors of docs/FORMAT.md §8 and the TEST ONLY root key.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

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

/** The TEST ONLY Ed25519 root key of tests/testkeys.py: sha256("TEST ONLY root") as the seed. */
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
