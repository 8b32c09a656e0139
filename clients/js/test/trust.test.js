// The trust list (docs/FORMAT.md §6): the root's signature over the RFC 8785 (JCS) form of
// `payload`, the configured root, the schema, and rollback protection through a VersionState.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { base64urlnopad } from '@scure/base';
import canonicalize from 'canonicalize';

import {
  acceptTrustList, MemoryVersionState, parseTime, trustListKey, TrustList, TrustListError, USAGES, Verifier,
} from '../dist/index.js';
import { FileVersionState } from '../dist/node.js';
import { loadCase, rootOf, signAsTestRoot, trustListText } from './helpers.js';

const TEST_LIST = '_trust/test-trust-list.json';
const ROOT = rootOf('_trust/test-root.crt');

/** The test list with `change` applied to its payload, signed again by the TEST ONLY root over the JCS form. */
function resigned(change) {
  const doc = JSON.parse(trustListText(TEST_LIST));
  change(doc.payload);
  const signature = signAsTestRoot(new TextEncoder().encode(canonicalize(doc.payload)));
  doc.signature.value = base64urlnopad.encode(signature);
  return JSON.stringify(doc);
}

const refusedWith = (pattern) => (e) => e instanceof TrustListError && pattern.test(e.message);

test('JCS (RFC 8785): keys sorted by UTF-16 code units, ES6 numbers, minimal string escapes', () => {
  assert.equal(canonicalize({ b: 2, a: 1, c: [true, null, 'x'] }), '{"a":1,"b":2,"c":[true,null,"x"]}');
  // RFC 8785 §3.2.3, the sorting example.
  const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
  assert.equal(canonicalize(Object.fromEntries(keys.map((k, i) => [k, i]))),
    '{"\\r":1,"1":3,"\u0080":5,"\u00f6":6,"\u20ac":0,"\ud83d\ude00":4,"\ufb33":2}');
  // RFC 8785 §3.2.2.3 numbers, and §3.2.2.2 strings.
  assert.equal(canonicalize([1e21, 0.000001, 1e-7, -0, 333333333.3333333]), '[1e+21,0.000001,1e-7,0,333333333.3333333]');
  assert.equal(canonicalize('€\u000f"\\/'), '"€\\u000f\\"\\\\/"');
});

test('the signature covers the JCS form: a re-indented list with reordered keys still verifies', () => {
  const doc = JSON.parse(trustListText(TEST_LIST));
  const reordered = { signature: doc.signature, payload: Object.fromEntries(Object.entries(doc.payload).reverse()) };
  assert.equal(TrustList.fromJson(JSON.stringify(reordered, null, 4), { root: ROOT }).version, doc.payload.version);
});

test('a tampered payload is refused; signed again by the root over its JCS form it verifies', () => {
  const doc = JSON.parse(trustListText(TEST_LIST));
  doc.payload.signers[0].label = 'tampered';
  assert.throws(() => TrustList.fromJson(doc, { root: ROOT }), refusedWith(/root's signature does not verify/));
  const list = TrustList.fromJson(resigned((p) => { p.signers[0].label = 'relabelled'; }), { root: ROOT });
  assert.equal(list.signers[0].label, 'relabelled');
});

test('a list under another root is refused', () => {
  const other = rootOf('_trust/production-root.crt');
  assert.throws(() => TrustList.fromJson(trustListText(TEST_LIST), { root: other }), refusedWith(/another root/));
});

test('schema violations, non-JSON and impossible times are refused', () => {
  const doc = JSON.parse(trustListText(TEST_LIST));
  delete doc.payload.signers;
  assert.throws(() => TrustList.fromJson(doc, { root: ROOT }), refusedWith(/schema violation at payload: .*signers/));
  const badBin = JSON.parse(trustListText(TEST_LIST));
  badBin.payload.signers[1].scope.institution_bin = '12345';
  assert.throws(() => TrustList.fromJson(badBin, { root: ROOT }),
    refusedWith(/schema violation at payload\/signers\/1\/scope\/institution_bin: /));
  assert.throws(() => TrustList.fromJson('{"payload": ', { root: ROOT }), refusedWith(/not valid JSON/));
  assert.throws(() => parseTime('2026-02-30T00:00:00Z'), TrustListError);
  assert.equal(parseTime('2026-02-28T23:59:59Z').toISOString(), '2026-02-28T23:59:59.000Z');
});

test('a signer whose certificate is not base64 DER is refused, even when the root signed the list', () => {
  const text = resigned((p) => { p.signers[0].certificate = 'AAAA'; });
  assert.throws(() => TrustList.fromJson(text, { root: ROOT }), refusedWith(/certificate is not base64 DER/));
});

test('rollback: a version lower than the highest seen under the root is refused; the state keeps the highest', async () => {
  const state = new MemoryVersionState();
  const v1 = trustListText(TEST_LIST);
  assert.equal((await acceptTrustList(v1, ROOT, state)).version, 1);
  assert.equal((await acceptTrustList(v1, ROOT, state)).version, 1, 'the same version again is fine');
  assert.equal((await acceptTrustList(resigned((p) => { p.version = 2; }), ROOT, state)).version, 2);
  assert.equal(trustListKey(ROOT), `trust-list/${JSON.parse(v1).payload.root_kid}`);
  assert.equal(state.highest(trustListKey(ROOT)), 2);
  assert.equal(state.highest(trustListKey(rootOf('_trust/production-root.crt'))), 0, 'one counter per root');
  await assert.rejects(acceptTrustList(v1, ROOT, state), refusedWith(/version 1 is older than version 2 .*rollback/));
  assert.throws(() => TrustList.fromJson(v1, { root: ROOT, minVersion: 2 }), refusedWith(/rollback/));
});

test('FileVersionState keeps the highest version across instances, in the Python state file format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-qr-'));
  try {
    const path = join(dir, 'verify-state.json');
    const key = trustListKey(ROOT);
    assert.equal(new FileVersionState(path).highest(key), 0);
    await acceptTrustList(resigned((p) => { p.version = 7; }), ROOT, new FileVersionState(path));
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')),
      { type: 'verify-version-state', format: 1, highest: { [key]: 7 } });
    new FileVersionState(path).raiseTo(key, 3);
    assert.equal(new FileVersionState(path).highest(key), 7, 'never lowered');
    await assert.rejects(acceptTrustList(trustListText(TEST_LIST), ROOT, new FileVersionState(path)), /rollback/);
    writeFileSync(path, '{"trust-list": 5}');
    assert.throws(() => new FileVersionState(path).highest(key), /not a version state file of format 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an expired list still verifies, with a warning; a non-production list warns', async () => {
  const c = loadCase('valid_eddsa_bachelor');
  const list = TrustList.fromJson(trustListText(TEST_LIST), { root: ROOT });
  const late = new Date(list.expiresAt.getTime() + 1000);
  const report = await new Verifier(list).check(c.QR_TEXT, late);
  assert.equal(report.verdict, 'VALID');
  assert.ok(report.warnings.some((w) => /past its expiry/.test(w)));
  assert.ok(report.warnings.some((w) => /^test trust list/.test(w)));
});

test('steps 8-10 judge the signer at the signing time; usage period ends are included', () => {
  const list = TrustList.fromJson(trustListText(TEST_LIST), { root: ROOT });
  const retired = list.signers.find((s) => /retired/.test(s.label));
  retired.checkAt(retired.usageUntil);
  assert.throws(() => retired.checkAt(new Date(retired.usageUntil.getTime() + 1000)), (e) => e.step === 8);
  const revoked = list.signers.find((s) => /revoked before signing/.test(s.label));
  revoked.checkAt(new Date(revoked.revocation.compromisedAt.getTime() - 1000));
  assert.throws(() => revoked.checkAt(revoked.revocation.compromisedAt), (e) => e.step === 9);
  const scoped = list.signers.find((s) => s.scope.institutionBin !== null);
  assert.throws(() => scoped.checkScope('MD', scoped.scope.institutionBin), (e) => e.step === 10);
  assert.throws(() => scoped.checkScope('BD', '000000000000'), (e) => e.step === 10);
});

test('usages: a signer is a candidate only for its own usage; an entry without usage is a document signer', () => {
  const list = TrustList.fromJson(trustListText(TEST_LIST), { root: ROOT });
  const byUsage = (usage) => list.signers.filter((s) => s.usage === usage);
  assert.deepEqual([byUsage('document').length > 5, byUsage('status').length, byUsage('log').length], [true, 2, 1]);
  for (const signer of list.signers) {
    for (const usage of USAGES) {
      assert.equal(list.candidates(signer.kid, usage).includes(signer), usage === signer.usage, `${signer.label} ${usage}`);
    }
  }
  const withoutUsage = TrustList.fromJson(resigned((p) => { for (const s of p.signers) delete s.usage; }), { root: ROOT });
  assert.ok(withoutUsage.signers.every((s) => s.usage === 'document'));
  assert.throws(() => TrustList.fromJson(resigned((p) => { p.signers[0].usage = 'records'; }), { root: ROOT }),
    refusedWith(/schema violation at payload\/signers\/0\/usage/));
});

test('a log signer must be Ed25519 (C2SP signed notes)', () => {
  const text = resigned((p) => {
    const es256 = p.signers.find((s) => /ES256/.test(s.label));
    Object.assign(p.signers.find((s) => s.usage === 'log'), { certificate: es256.certificate, kid: es256.kid });
  });
  assert.throws(() => TrustList.fromJson(text, { root: ROOT }), refusedWith(/log signer .*must be Ed25519/));
});

test('base64 as the Python verifier reads it: unused low bits of the last character are ignored, padding is required', () => {
  const doc = JSON.parse(trustListText(TEST_LIST));
  const value = doc.signature.value;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(value.at(-1));
  doc.signature.value = value.slice(0, -1) + alphabet[last | 0b11]; // 86 characters carry 512 bits and 4 unused ones
  assert.notEqual(doc.signature.value, value);
  assert.equal(TrustList.fromJson(doc, { root: ROOT }).version, 1);
  const unpadded = resigned((p) => { p.signers[0].certificate = p.signers[0].certificate.replace(/=+$/, ''); });
  assert.ok(JSON.parse(unpadded).payload.signers[0].certificate.endsWith('w8'), 'the padding was removed');
  assert.throws(() => TrustList.fromJson(unpadded, { root: ROOT }), refusedWith(/certificate is not base64 DER/));
});
