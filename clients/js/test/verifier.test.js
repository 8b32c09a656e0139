// The verifier around the vectors: step 11 through a StatusLookup (the role of Python's
// verify/status.py), the accepted hosts of step 1, and the ES256 signature rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { p256 } from '@noble/curves/nist.js';
import { encode, Tagged } from 'cborg';

import { digitsToBytes, ES256_REQUIRE_LOW_S, parseSign1, qrPrefix, splitQrText, STATUS_CODES } from '../dist/index.js';
import { loadCase, verifierFor } from './helpers.js';

const AS_OF = new Date('2026-12-07T10:00:00Z');
const EXPECTED_VERDICT = {
  ORIGINAL_VALID: 'VALID', DUPLICATE_VALID: 'VALID', CORRECTED: 'CORRECTED', REPLACED: 'REPLACED',
  ANNULLED: 'ANNULLED', NOT_IN_REGISTRY: 'NOT_IN_REGISTRY',
};

/** A status source that answers `code` for every query and keeps the queries it was asked. */
function fakeLookup(code, { async = false } = {}) {
  const queries = [];
  const answer = {
    code, as_of: AS_OF, source: 'test status source v42', current_revision: 3, changed_fields: ['holder'],
    replaced_by: { series: 'BD', number: '0000099', duplicate_no: 1, issued_on: '2026-10-01', reason: 'lost' },
    original: { series: 'BD', number: '0000001' }, duplicate_no: 1, reason: 'court decision', annulled_at: AS_OF,
  };
  return {
    queries,
    lookup(query) {
      queries.push(query);
      return async ? Promise.resolve(answer) : answer;
    },
  };
}

for (const code of STATUS_CODES) {
  test(`step 11: the status ${code} gives the verdict ${EXPECTED_VERDICT[code]}, with its source and time`, async () => {
    const c = loadCase('valid_eddsa_bachelor');
    const lookup = fakeLookup(code, { async: code.length % 2 === 0 });
    const report = await verifierFor(c, { statusLookup: lookup }).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK));
    assert.equal(report.verdict, EXPECTED_VERDICT[code]);
    const json = report.toJSON();
    assert.equal(json.status, code);
    assert.equal(json.status_source, 'test status source v42');
    assert.equal(json.status_as_of, '2026-12-07T10:00:00+00:00');
    assert.equal(json.authentic, true);
    assert.deepEqual(json.record, c.RECORD);
    const step11 = report.steps.find((s) => s.step === 11);
    assert.equal(step11.outcome, EXPECTED_VERDICT[code] === 'VALID' ? 'passed' : 'failed');
    assert.equal(json.failed_step?.step ?? null, EXPECTED_VERDICT[code] === 'VALID' ? null : 11);
    const [query] = lookup.queries;
    assert.deepEqual([query.series, query.number, query.revision], [c.RECORD.series, c.RECORD.number, 1]);
    assert.equal(query.payloadSha256.length, 32);
    assert.equal(query.at.toISOString(), new Date(c.VALIDATION_CLOCK).toISOString());
  });
}

test('no status source: VALID with status NOT_CHECKED, step 11 skipped, no source or time', async () => {
  const c = loadCase('valid_duplicate');
  const json = (await verifierFor(c).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK))).toJSON();
  assert.equal(json.verdict, 'VALID');
  assert.equal(json.status, 'NOT_CHECKED');
  assert.equal(json.steps.find((s) => s.step === 11).outcome, 'skipped');
  assert.equal(json.status_source, null);
  assert.equal(json.status_as_of, null);
  assert.deepEqual(json.record.duplicate, c.RECORD.duplicate);
});

test('a status code the kit does not know is an error of the status source, not a verdict', async () => {
  const c = loadCase('valid_eddsa_bachelor');
  const verifier = verifierFor(c, { statusLookup: { lookup: () => ({ code: 'MAYBE', as_of: AS_OF, source: 'x' }) } });
  await assert.rejects(verifier.check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK)), /unknown status code MAYBE/);
});

test('a record that fails a step is never asked about, and its record is not shown', async () => {
  const c = loadCase('flipped_payload_byte_fail');
  const lookup = fakeLookup('ORIGINAL_VALID');
  const json = (await verifierFor(c, { statusLookup: lookup }).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK))).toJSON();
  assert.equal(lookup.queries.length, 0);
  assert.equal(json.record, null);
  assert.equal(json.authentic, false);
});

test('accepted hosts: the configured prefix in any case passes step 1, another host fails it', async () => {
  const c = loadCase('valid_lowercase_prefix');
  const at = new Date(c.VALIDATION_CLOCK);
  const ours = verifierFor(c, { acceptedPrefixes: [qrPrefix('https://v.edu.kz')] });
  assert.equal((await ours.check(c.QR_TEXT, at)).verdict, 'VALID');
  const theirs = verifierFor(c, { acceptedPrefixes: [qrPrefix('https://other.example')] });
  const report = await theirs.check(c.QR_TEXT, at);
  assert.equal(report.verdict, 'MALFORMED');
  assert.equal(report.failedStep.step, 1);
  assert.match(report.failedStep.detail, /not a verification host/);
});

test('qrPrefix: http(s)://host[:port] only, at most 24 characters', () => {
  assert.equal(qrPrefix('https://v.edu.kz'), 'HTTPS://V.EDU.KZ/V/');
  assert.equal(qrPrefix('http://127.0.0.1:8000/'), 'HTTP://127.0.0.1:8000/V/');
  for (const bad of ['ftp://v.edu.kz', 'https://v.edu.kz/path', 'https://user@v.edu.kz', 'https://a-very-long-host.edu.kz']) {
    assert.throws(() => qrPrefix(bad), RangeError, bad);
  }
});

test('step 1 reads the prefix with ASCII letters only and trims only space, tab, CR and LF', () => {
  const c = loadCase('valid_eddsa_bachelor');
  assert.equal(splitQrText(`\r\n${c.QR_TEXT}\r\n`).digits, c.DIGITS);
  assert.throws(() => splitQrText(`\u00a0${c.QR_TEXT}`), (e) => e.step === 1);
  assert.throws(() => splitQrText(c.QR_TEXT.replace('HTTPS', 'HTTPſ')), (e) => e.step === 1); // long s folds to S in Unicode
});

test(`ES256: a high-S signature is ${ES256_REQUIRE_LOW_S ? 'refused' : 'accepted, as the Python verifier (OpenSSL) accepts it'}`, async () => {
  const c = loadCase('valid_es256_master');
  const { prefix, digits } = splitQrText(c.QR_TEXT);
  const sign1 = parseSign1(digitsToBytes(digits));
  const sig = p256.Signature.fromBytes(sign1.signature, 'compact');
  const flipped = new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('compact');
  assert.notDeepEqual(flipped, sign1.signature);
  const cose = encode(new Tagged(18, [sign1.protected, new Map(), sign1.payload, flipped]));
  const text = prefix + BigInt(`0x01${Buffer.from(cose).toString('hex')}`).toString(10);
  const report = await verifierFor(c).check(text, new Date(c.VALIDATION_CLOCK));
  assert.equal(report.verdict, ES256_REQUIRE_LOW_S ? 'BAD_SIGNATURE' : 'VALID', report.message);
});
