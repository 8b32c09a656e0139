// The verifier around the vectors: step 11 through a StatusLookup (the role of Python's
// verify/status.py) and AUTHENTIC_STATUS_UNKNOWN, the prefix grammar and accepted hosts of step 1, the clock
// skew of step 8, and the ES256 low-S rule of step 5.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { p256 } from '@noble/curves/nist.js';
import { encode, Tagged } from 'cborg';

import {
  AUTHENTIC_STATUS_UNKNOWN, digitsToBytes, ES256_REQUIRE_LOW_S, MAX_CLOCK_SKEW_MS, normalizePrefix, parseSign1, qrPrefix,
  splitQrText, STATUS_CODES, StatusUnknownError, VERDICTS,
} from '../dist/index.js';
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
    assert.equal(json.status_as_of, '2026-12-07T10:00:00Z');
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

test('ES256: a high-S signature (r, n - s) of a genuine one fails step 5, as in Python (docs/FORMAT.md §4)', async () => {
  assert.equal(ES256_REQUIRE_LOW_S, true);
  const c = loadCase('valid_es256_master');
  const { prefix, digits } = splitQrText(c.QR_TEXT);
  const sign1 = parseSign1(digitsToBytes(digits));
  const sig = p256.Signature.fromBytes(sign1.signature, 'compact');
  const flipped = new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('compact');
  assert.notDeepEqual(flipped, sign1.signature);
  const cose = encode(new Tagged(18, [sign1.protected, new Map(), sign1.payload, flipped]));
  const text = prefix + BigInt(`0x01${Buffer.from(cose).toString('hex')}`).toString(10);
  const report = await verifierFor(c).check(text, new Date(c.VALIDATION_CLOCK));
  assert.equal(report.verdict, 'BAD_SIGNATURE', report.message);
  assert.equal(report.failedStep.step, 5);
});

test('the prefix grammar: development hosts only after HTTP://, IPv4 without leading zeros, ports 1-65535', () => {
  const digits = loadCase('valid_eddsa_bachelor').DIGITS;
  for (const prefix of ['https://v.edu.kz/v/', 'HTTP://LOCALHOST/V/', 'http://a.localhost:80/V/', 'HTTP://X.TEST/V/',
    'HTTP://127.0.0.1:8000/V/', 'HTTP://10.1.2.3/V/', 'HTTP://172.31.0.1/V/', 'HTTP://192.168.1.1/V/',
    'HTTPS://8.8.8.8/V/', 'HTTPS://A-B.KZ:65535/V/', 'HTTPS://XN--80A.KZ/V/']) {
    assert.equal(splitQrText(prefix + digits).digits, digits, prefix);
  }
  for (const prefix of ['HTTP://V.EDU.KZ/V/', 'HTTP://172.32.0.1/V/', 'HTTP://8.8.8.8/V/', 'HTTPS://01.2.3.4/V/',
    'HTTPS://1.2.3.256/V/', 'HTTPS://1.2.3/V/', 'HTTPS://-A.KZ/V/', 'HTTPS://A-.KZ/V/', 'HTTPS://A..KZ/V/',
    'HTTPS://V.EDU.KZ:0/V/', 'HTTPS://V.EDU.KZ:65536/V/', 'HTTPS://V.EDU.KZ:080/V/', 'HTTPS://A_B.KZ/V/',
    'HTTPS://V.EDU.KZ/V', 'HTTPS://V.EDU.KZ./V/']) {
    assert.throws(() => splitQrText(prefix + digits), (e) => e.step === 1 && e.code === 'MALFORMED', prefix);
  }
});

test('step 1 upper-cases ASCII only: a character whose Unicode case maps to an ASCII letter never matches', () => {
  const digits = loadCase('valid_eddsa_bachelor').DIGITS;
  assert.equal(splitQrText(`https://vi.kz/v/${digits}`).prefix, 'HTTPS://VI.KZ/V/');
  // dotless i, dotted capital I, long s, Kelvin sign, fullwidth t, the ligature st.
  for (const text of ['https://vı.kz/v/', 'https://vİ.kz/v/', 'httpſ://vi.kz/v/', 'https://\u212a.kz/v/',
    'hｔtps://vi.kz/v/', 'https://\ufb06.kz/v/']) {
    assert.throws(() => splitQrText(text + digits), (e) => e.step === 1, text);
  }
});

test('accepted prefixes are compared byte for byte after ASCII upper-casing; a port is part of the prefix', async () => {
  const c = loadCase('valid_eddsa_bachelor');
  const at = new Date(c.VALIDATION_CLOCK);
  assert.equal((await verifierFor(c, { acceptedPrefixes: ['https://v.edu.kz/v/'] }).check(c.QR_TEXT, at)).verdict, 'VALID');
  const withPort = await verifierFor(c, { acceptedPrefixes: [qrPrefix('https://v.edu.kz:443')] }).check(c.QR_TEXT, at);
  assert.equal(withPort.failedStep.step, 1);
  assert.equal(normalizePrefix('https://v.edu.kz/v/'), 'HTTPS://V.EDU.KZ/V/');
  for (const bad of ['https://v.edu.kz', 'HTTPS://V.EDU.KZ/V/X', 'https://vı.kz/V/', 'http://v.edu.kz/V/']) {
    assert.throws(() => normalizePrefix(bad), RangeError, bad);
    assert.throws(() => verifierFor(c, { acceptedPrefixes: [bad] }), RangeError, bad);
  }
  assert.throws(() => qrPrefix('http://v.edu.kz'), /development hosts only/);
  assert.throws(() => qrPrefix('https://vı.kz'), /ASCII/);
});

test('clock skew: signed up to 5 minutes after the check passes; later fails step 8 whatever the signer', async () => {
  const c = loadCase('valid_signed_within_clock_skew');
  const signed = new Date(c.SIGNED_AT);
  const verifier = verifierFor(c);
  assert.equal((await verifier.check(c.QR_TEXT, new Date(signed.getTime() - MAX_CLOCK_SKEW_MS))).verdict, 'VALID');
  const early = await verifier.check(c.QR_TEXT, new Date(signed.getTime() - MAX_CLOCK_SKEW_MS - 1000));
  assert.equal(early.verdict, 'SIGNER_OUT_OF_PERIOD');
  assert.equal(early.failedStep.step, 8);
  assert.match(early.failedStep.detail, /plus the allowed clock skew of 5 minutes/);
  assert.equal(early.toJSON().record, null);
});

test('statusRequired: an authentic record without a status source is AUTHENTIC_STATUS_UNKNOWN, never VALID', async () => {
  const c = loadCase('valid_eddsa_bachelor');
  const report = await verifierFor(c, { statusRequired: true }).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK));
  assert.equal(report.verdict, AUTHENTIC_STATUS_UNKNOWN);
  const json = report.toJSON();
  assert.deepEqual([json.status, json.authentic, json.failed_step.step, json.status_source], ['UNKNOWN', true, 11, null]);
  assert.deepEqual(json.record, c.RECORD);
  assert.ok(VERDICTS.includes(AUTHENTIC_STATUS_UNKNOWN));
});

test('a lookup that cannot tell throws StatusUnknownError: AUTHENTIC_STATUS_UNKNOWN; any other error propagates', async () => {
  const c = loadCase('valid_eddsa_bachelor');
  const at = new Date(c.VALIDATION_CLOCK);
  const unknown = { lookup: () => { throw new StatusUnknownError('no status list for series BD: status unknown'); } };
  const report = await verifierFor(c, { statusLookup: unknown }).check(c.QR_TEXT, at);
  assert.equal(report.verdict, AUTHENTIC_STATUS_UNKNOWN);
  assert.equal(report.failedStep.detail, 'no status list for series BD: status unknown');
  const broken = { lookup: async () => { throw new Error('network down'); } };
  await assert.rejects(verifierFor(c, { statusLookup: broken }).check(c.QR_TEXT, at), /network down/);
});

test('NOT_IN_REGISTRY from a source as of a time before the signing is AUTHENTIC_STATUS_UNKNOWN; a list says where from', async () => {
  const c = loadCase('valid_eddsa_bachelor');
  const at = new Date(c.VALIDATION_CLOCK);
  const signed = new Date(c.SIGNED_AT);
  const answer = (code, asOf, source) => ({ lookup: () => ({ code, as_of: asOf, source }) });
  const before = new Date(signed.getTime() - 1000);
  const stale = await verifierFor(c, { statusLookup: answer('NOT_IN_REGISTRY', before, 'signed status list BD v1') })
    .check(c.QR_TEXT, at);
  assert.equal(stale.verdict, AUTHENTIC_STATUS_UNKNOWN);
  assert.match(stale.failedStep.detail, /before this record was signed/);
  const fresh = await verifierFor(c, { statusLookup: answer('NOT_IN_REGISTRY', signed, 'signed status list BD v1') })
    .check(c.QR_TEXT, at);
  assert.equal(fresh.verdict, 'NOT_IN_REGISTRY');
  const valid = await verifierFor(c, { statusLookup: answer('ORIGINAL_VALID', AS_OF, 'signed status list BD v42') })
    .check(c.QR_TEXT, at);
  assert.equal(valid.message,
    'VALID: authentic; status ORIGINAL_VALID as of 2026-12-07T10:00:00Z, from the signed status list BD v42');
  assert.match(valid.steps[10].detail, /\(status as of 2026-12-07T10:00:00Z, from the signed status list BD v42\)$/);
});
