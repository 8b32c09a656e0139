// Status lists (docs/FORMAT.md §9): the strict payload decoder, the signature and usage checks of §9.5, and
// the lookup of §9.6, as verify/statuslist.py and verify/statuslookup.py (tests/core/test_statuslist.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decode } from 'cborg';

import {
  decodeStatusList, IN_FORCE, MemoryVersionState, parseStatusListCose, StatusList, StatusListError, StatusListLookup,
  statusListKey, verifyStatusList,
} from '../dist/index.js';
import { cbor, fromHex, loadListCase, signStatusList, testTrustList } from './helpers.js';

const CASE = loadListCase('status', 'valid_bd_list');
const PAYLOAD = fromHex(CASE.PAYLOAD_HEX);
const SIGNED = fromHex(CASE.STATUS_LIST_HEX);
const AT = new Date(CASE.VALIDATION_CLOCK);
const ISSUED = new Date('2026-11-01T06:00:00Z');
const DAY = 20727; // 2026-10-01
const HOUR = 3_600_000;

/** The vector's payload map with `changes` (null removes a key), as deterministic CBOR. */
function tampered(changes) {
  const m = decode(PAYLOAD, { useMaps: true });
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) m.delete(Number(key));
    else m.set(Number(key), value);
  }
  return cbor(m);
}

/** A list of BD built here: runs [first, stop) and statuses by number. */
function built(runs, statuses = new Map(), { series = 'BD', issuedAt = ISSUED, nextUpdate, expiresAt } = {}) {
  return new StatusList(series, 3, issuedAt, nextUpdate ?? new Date(issuedAt.getTime() + 24 * HOUR),
    expiresAt ?? new Date(issuedAt.getTime() + 7 * 24 * HOUR), runs, statuses);
}

test('the vector payload decodes and encodes to the same bytes; its numbers have their statuses', () => {
  const list = decodeStatusList(PAYLOAD);
  assert.deepEqual(list.encodePayload(), PAYLOAD);
  assert.equal(list.count, 26);
  assert.deepEqual(list.issued, [[1, 21], [100, 106]]);
  assert.equal(list.statusOf('0000001'), IN_FORCE);
  assert.equal(list.statusOf('0000021'), null);
  assert.equal(list.statusOf('000001'), null);
  assert.equal(list.statusOf('0000101').duplicate.duplicate_no, 2, 'derived from its predecessors');
  assert.equal(list.source, 'signed status list BD v7');
});

test('lists built here encode and decode to the same content (duplicates across series, corrections, annulments)', () => {
  const statuses = new Map([
    [1, { ...IN_FORCE, replacedBy: { series: 'BD', number: '0000002', issuedOn: DAY, reason: 'lost' } }],
    [2, { ...IN_FORCE, replacedBy: { series: 'ТКБ', number: '0000009', issuedOn: DAY, reason: null } }],
    [5, { ...IN_FORCE, currentRevision: 999, correctedOn: DAY, annulledOn: DAY + 1 }],
    [7, { ...IN_FORCE, duplicate: { duplicate_no: 99, original_series: 'PhD', original_number: '9999999' } }],
  ]);
  const list = built([[1, 3], [5, 6], [7, 8], [9_999_999, 10_000_000]], statuses);
  const again = decodeStatusList(list.encodePayload());
  assert.deepEqual(again.encodePayload(), list.encodePayload());
  assert.deepEqual(again.statusOf('0000002').duplicate, { duplicate_no: 1, original_series: 'BD', original_number: '0000001' });
  assert.deepEqual(again.statusOf('0000007').duplicate.original_series, 'PhD');
  assert.equal(again.statusOf('9999999'), IN_FORCE);
  assert.deepEqual(decode(list.encodePayload(), { useMaps: true }).get(9), ['PhD', 'ТКБ'], 'the series table by UTF-8 bytes');
});

test('inconsistent content is refused when encoding, as the Python builder refuses it', () => {
  const replaced = (number) => ({ ...IN_FORCE, replacedBy: { series: 'BD', number, issuedOn: DAY, reason: 'lost' } });
  for (const [runs, statuses, pattern] of [
    [[[1, 2]], new Map([[1, replaced('0000009')]]), /not an issued number/],
    [[[1, 2]], new Map([[1, replaced('0000001')]]), /not an issued number/],
    [[[1, 4]], new Map([[1, replaced('0000003')], [2, replaced('0000003')]]), /replaces two documents/],
    [[[1, 3]], new Map([[1, replaced('0000002')], [2, replaced('0000001')]]), /cycle/],
    [[[1, 3]], new Map([[1, replaced('0000002')],
      [2, { ...IN_FORCE, duplicate: { duplicate_no: 2, original_series: 'BD', original_number: '0000001' } }]]), /No\. 2/],
    [[[1, 2]], new Map([[1, { ...IN_FORCE, annulledOn: DAY + 40 }]]), /after the list's issue day/],
    [[[1, 2]], new Map([[3, { ...IN_FORCE, annulledOn: DAY }]]), /which is not issued/],
  ]) {
    assert.throws(() => built(runs, statuses).encodePayload(), (e) => e instanceof StatusListError && pattern.test(e.message));
  }
  assert.throws(() => built([[1, 2]], new Map(), { nextUpdate: new Date(ISSUED.getTime() + 25 * HOUR) }).encodePayload(), /24 hours/);
  assert.throws(() => built([[1, 2]], new Map(), { expiresAt: new Date(ISSUED.getTime() + 7 * 24 * HOUR + 1000) }).encodePayload(),
    /7 days/);
});

test('payloads in another than the canonical encoding, or breaking a rule, are refused', () => {
  const m = decode(PAYLOAD, { useMaps: true });
  const runs = m.get(7);
  const entries = m.get(8);
  for (const [label, payload] of [
    ['non-minimal varint in the runs', tampered({ 7: Uint8Array.of(runs[0] | 0x80, 0, ...runs.subarray(1)) })],
    ['a varint of five bytes', tampered({ 7: Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01, 0) })],
    ['a run without its length', tampered({ 7: Uint8Array.of(1) })],
    ['series table unsorted', tampered({ 9: ['ТКБ', 'AA'] })],
    ['series table with an unused series', tampered({ 9: ['AA', 'ТКБ'] })],
    ['series table holding its own series', tampered({ 9: ['BD', 'ТКБ'] })],
    ['unknown key', tampered({ 10: 1 })],
    ['missing key', tampered({ 8: null })],
    ['format 2', tampered({ 1: 2 })],
    ['version 0', tampered({ 3: 0 })],
    ['series as bytes', tampered({ 2: Uint8Array.of(0x42, 0x44) })],
    ['series not normalised', tampered({ 2: 'bd' })],
    ['next update before issue', tampered({ 5: 0 })],
    ['trailing varint byte', tampered({ 8: Uint8Array.of(...entries, 0) })],
    ['an entry without flags', tampered({ 8: Uint8Array.of(0x10) })],
    ['an unknown reason code', tampered({ 8: Uint8Array.of(0x12, 0, 2, 5, 0) })],
    ['a number above 9,999,999', tampered({ 7: Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 0) })],
    ['not a map', cbor([1, 2])],
    ['indefinite', Uint8Array.of(0xbf, ...PAYLOAD.subarray(1), 0xff)],
  ]) {
    assert.throws(() => decodeStatusList(payload), StatusListError, label);
  }
});

test('every single-bit change of the signed vector list is refused with a StatusListError', async () => {
  const trustList = testTrustList();
  for (let bit = 0; bit < SIGNED.length * 8; bit++) {
    const changed = Uint8Array.from(SIGNED);
    changed[bit >> 3] ^= 1 << (bit & 7);
    await assert.rejects(verifyStatusList(changed, { trustList, at: AT }), StatusListError, `bit ${bit}`);
  }
});

test('any bytes: decoded or a StatusListError, never another error', () => {
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed; };
  for (let i = 0; i < 500; i++) {
    const bytes = Uint8Array.from({ length: random() % 200 }, () => random() % 256);
    if (i % 2) bytes[0] = 0xa0 | (random() % 10); // a map head, to get further into the decoder
    for (const parse of [decodeStatusList, parseStatusListCose]) {
      try {
        parse(bytes);
      } catch (exc) {
        assert.ok(exc instanceof StatusListError, `${exc}`);
      }
    }
  }
});

test('the signer: a status signer of the trust list; a document signer, a record header or another series are refused', async () => {
  const trustList = testTrustList();
  const list = await verifyStatusList(signStatusList(PAYLOAD), { trustList, at: AT, series: 'BD' });
  assert.equal(list.signer.label, 'TEST ONLY status signer');
  await assert.rejects(verifyStatusList(signStatusList(PAYLOAD, { seed: 'eddsa' }), { trustList, at: AT }),
    /is a document signer, not a status signer/);
  const documentKid = trustList.signers.find((s) => s.usage === 'document').kid;
  await assert.rejects(verifyStatusList(signStatusList(PAYLOAD, { kid: documentKid }), { trustList, at: AT }),
    /a document signer, not a status signer/);
  const recordHeader = cbor(new Map([[1, -8], [4, list.signer.kid]]));
  await assert.rejects(verifyStatusList(signStatusList(PAYLOAD, { header: recordHeader }), { trustList, at: AT }),
    /protected header must be/);
  const md = built([[1, 2]], new Map(), { series: 'MD' }).encodePayload();
  await assert.rejects(verifyStatusList(signStatusList(md, { seed: 'status bd' }), { trustList, at: AT }),
    /outside the status signer's scope/);
  assert.equal((await verifyStatusList(signStatusList(md), { trustList, at: AT })).series, 'MD');
});

test('times: a list issued after the check plus 5 minutes, or past its expiry, is refused; at expiry it is used', async () => {
  const trustList = testTrustList();
  const data = signStatusList(PAYLOAD);
  const list = await verifyStatusList(data, { trustList, at: AT });
  assert.ok(await verifyStatusList(data, { trustList, at: list.expiresAt }));
  await assert.rejects(verifyStatusList(data, { trustList, at: new Date(list.expiresAt.getTime() + 1000) }), /expired at/);
  assert.ok(await verifyStatusList(data, { trustList, at: new Date(ISSUED.getTime() - 5 * 60_000) }));
  await assert.rejects(verifyStatusList(data, { trustList, at: new Date(ISSUED.getTime() - 5 * 60_000 - 1000) }),
    /after the time of the check/);
  await assert.rejects(verifyStatusList(data, { trustList, at: new Date('x') }), TypeError);
});

test('rollback: a version lower than the one seen of its series is refused; the same version is fine', async () => {
  const trustList = testTrustList();
  const state = new MemoryVersionState();
  const key = statusListKey(trustList.root, 'BD');
  await verifyStatusList(SIGNED, { trustList, at: AT, state });
  await verifyStatusList(SIGNED, { trustList, at: AT, state });
  assert.equal(state.highest(key), 7);
  state.raiseTo(key, 8);
  await assert.rejects(verifyStatusList(SIGNED, { trustList, at: AT, state }), /version 7 is older than version 8 .*rollback/);
  assert.equal(state.highest(statusListKey(trustList.root, 'MD')), 0, 'one counter per series');
});

test('the lookup keeps the highest version of a series, and answers AUTHENTIC_STATUS_UNKNOWN without one', () => {
  const older = decodeStatusList(PAYLOAD);
  const newer = new StatusList('BD', 8, older.issuedAt, older.nextUpdate, older.expiresAt, older.issued, new Map());
  const lookup = new StatusListLookup([newer, older]);
  assert.equal(lookup.lists.get('BD').version, 8);
  const query = { series: 'BD', number: '0000003', revision: 1, payloadSha256: new Uint8Array(32), at: AT };
  assert.equal(lookup.lookup(query).code, 'ORIGINAL_VALID');
  assert.throws(() => lookup.lookup({ ...query, series: 'MD' }), (e) => e.code === 'AUTHENTIC_STATUS_UNKNOWN'
    && e.step === 11 && /no status list for series MD/.test(e.message));
  assert.throws(() => lookup.lookup({ ...query, at: new Date(ISSUED.getTime() - HOUR) }), /issued after the time of the check/);
});
