// Every vector of tests/vectors/statuslist and tests/vectors/trustlist (docs/FORMAT.md §8) gives its expected
// result here, as in Python (tests/core/test_vectors.py): a list accepted or refused, its version and times, the
// status of numbers, and the verdicts of records with that list as the only status source.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  acceptTrustList, isoDate, MemoryVersionState, statusFromList, StatusListError, StatusListLookup, statusListKey,
  TrustListError, trustListKey, Verifier, verifyStatusList,
} from '../dist/index.js';
import {
  fromHex, loadListCase, rootOf, STATUS_CASES, STATUS_VECTORS, testTrustList, toHex, TRUST_CASES, TRUST_VECTORS,
} from './helpers.js';

const utc = (date) => `${date.toISOString().slice(0, 19)}Z`;

test('there are list vectors: a rollback of each kind, a tampered trust list', () => {
  assert.ok(STATUS_CASES.length >= 10 && TRUST_CASES.length >= 6);
  assert.ok(STATUS_CASES.includes('rollback_fail') && TRUST_CASES.includes('rollback_fail'));
  assert.ok(TRUST_CASES.some((name) => name.startsWith('tampered')));
});

/** The fields of a status a list can give (build_lists.py `lookup_json`). */
function lookupJson(status, number, revision) {
  const r = status.replaced_by;
  return {
    number, revision, status: status.code, current_revision: status.current_revision ?? null,
    duplicate_no: status.duplicate_no ?? null,
    original: status.original ? { series: status.original.series, number: status.original.number } : null,
    replaced_by: r ? { series: r.series, number: r.number, duplicate_no: r.duplicate_no, issued_on: r.issued_on, reason: r.reason }
      : null,
    annulled_on: status.annulled_at ? status.annulled_at.toISOString().slice(0, 10) : null,
    corrected_on: status.changed_at ? status.changed_at.toISOString().slice(0, 10) : null,
  };
}

for (const name of STATUS_CASES) {
  test(`status list ${name}: ${loadListCase('status', name).DESCRIPTION}`, async () => {
    const c = loadListCase('status', name);
    assert.ok(c.DESCRIPTION.startsWith(name.endsWith('_fail') ? 'INVALID:' : 'VALID:'));
    const trustList = testTrustList();
    const root = rootOf(c.ROOT);
    const at = new Date(c.VALIDATION_CLOCK);
    const data = fromHex(c.STATUS_LIST_HEX);
    assert.equal(toHex(readFileSync(join(STATUS_VECTORS, name, `${c.SERIES}.cose`))), c.STATUS_LIST_HEX);
    const key = statusListKey(root, c.SERIES);
    const state = new MemoryVersionState({ [key]: c.SEEN_VERSION });
    const expected = c.EXPECTED;
    assert.equal(expected.accepted, !name.endsWith('_fail'));
    if (!expected.accepted) {
      await assert.rejects(verifyStatusList(data, { trustList, at, series: c.SERIES, state }),
        (e) => e instanceof StatusListError && e.message.includes(expected.error_contains));
      assert.equal(state.highest(key), c.SEEN_VERSION, 'a refused list records no version');
      return;
    }
    const list = await verifyStatusList(data, { trustList, at, series: c.SERIES, state });
    assert.equal(state.highest(key), expected.version);
    if (c.PAYLOAD_HEX !== null) assert.equal(toHex(list.encodePayload()), c.PAYLOAD_HEX);
    assert.deepEqual([list.version, utc(list.issuedAt), utc(list.nextUpdate), utc(list.expiresAt)],
      [expected.version, expected.issued_at, expected.next_update, expected.expires_at]);
    assert.equal(list.signer.usage, 'status');
    for (const lookup of c.LOOKUPS) {
      assert.deepEqual(lookupJson(statusFromList(list, lookup.number, lookup.revision), lookup.number, lookup.revision),
        lookup, `${lookup.number} r${lookup.revision}`);
    }
    const verifier = new Verifier(trustList, { statusLookup: new StatusListLookup([list]), statusRequired: true });
    for (const record of c.RECORDS) {
      const report = await verifier.check(record.QR_TEXT, at);
      assert.equal(report.verdict, record.verdict, report.message);
      assert.deepEqual(report.toJSON().record, record.RECORD);
      if (!['AUTHENTIC_STATUS_UNKNOWN'].includes(record.verdict)) {
        assert.equal(report.toJSON().status_source, list.source);
        assert.equal(report.toJSON().status_as_of, `${expected.issued_at.slice(0, -1)}Z`);
      }
    }
  });
}

for (const name of TRUST_CASES) {
  test(`trust list ${name}: ${loadListCase('trust', name).DESCRIPTION}`, async () => {
    const c = loadListCase('trust', name);
    assert.ok(c.DESCRIPTION.startsWith(name.endsWith('_fail') ? 'INVALID:' : 'VALID:'));
    const root = rootOf(c.ROOT);
    const state = new MemoryVersionState({ [trustListKey(root)]: c.SEEN_VERSION });
    const data = new Uint8Array(readFileSync(join(TRUST_VECTORS, name, c.TRUST_LIST_FILE)));
    assert.equal(c.EXPECTED.accepted, !name.endsWith('_fail'));
    if (c.EXPECTED.accepted) {
      assert.equal((await acceptTrustList(data, root, state)).version, c.EXPECTED.version);
      assert.equal(state.highest(trustListKey(root)), Math.max(c.SEEN_VERSION, c.EXPECTED.version));
    } else {
      await assert.rejects(acceptTrustList(data, root, state),
        (e) => e instanceof TrustListError && e.message.includes(c.EXPECTED.error_contains), name);
      assert.equal(state.highest(trustListKey(root)), c.SEEN_VERSION);
    }
  });
}

test('a list is refused when the verifier expects another series, and after its expiry answers AUTHENTIC_STATUS_UNKNOWN', async () => {
  const c = loadListCase('status', 'valid_bd_list');
  const trustList = testTrustList();
  const data = fromHex(c.STATUS_LIST_HEX);
  await assert.rejects(verifyStatusList(data, { trustList, at: new Date(c.VALIDATION_CLOCK), series: 'MD' }),
    /a list of series BD where MD was expected/);
  const list = await verifyStatusList(data, { trustList, at: new Date(c.VALIDATION_CLOCK) });
  const verifier = new Verifier(trustList, { statusLookup: new StatusListLookup([list]) });
  const record = c.RECORDS.find((r) => r.verdict === 'VALID');
  const later = new Date(list.expiresAt.getTime() + 1000);
  const report = await verifier.check(record.QR_TEXT, later);
  assert.equal(report.verdict, 'AUTHENTIC_STATUS_UNKNOWN');
  assert.equal(report.status, 'UNKNOWN');
  assert.match(report.failedStep.detail, /expired at 2026-11-08T06:00:00Z: status unknown/);
  const json = report.toJSON();
  assert.deepEqual([json.status_source, json.status_as_of, json.authentic], [null, null, true]);
  assert.deepEqual(json.record, record.RECORD, 'an authentic record is shown, its status unknown');
});

test('the day of an event is an ISO date in UTC', () => {
  assert.equal(isoDate(0), '1970-01-01');
  assert.equal(isoDate(20727), '2026-10-01');
});
