// Strict deterministic CBOR (RFC 8949 §4.2.1; docs/FORMAT.md §4): what the decoder refuses, and
// at which step the codec reports it (3 for the COSE_Sign1, 7 for the payload).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { encode, Tagged } from 'cborg';

import { CoseStructureError, decodePayload, parseSign1, PayloadError, strictDecode } from '../dist/index.js';
import { fromHex, loadCase } from './helpers.js';

const fail = (m) => new PayloadError(m);
const decodeHex = (h, tags) => strictDecode(fromHex(h), 400, fail, 'item', tags);
const refused = (h, pattern, tags) => assert.throws(() => decodeHex(h, tags), (e) => e instanceof PayloadError
  && e.step === 7 && pattern.test(e.message));

test('a deterministic map decodes to a Map with integer keys', () => {
  const value = decodeHex('a2016161026162');
  assert.ok(value instanceof Map);
  assert.deepEqual([...value.entries()], [[1, 'a'], [2, 'b']]);
});

test('duplicate map keys are refused', () => refused('a2016161016162', /not well-formed/));
test('unsorted map keys are refused', () => refused('a2026162016161', /deterministic/));

test('keys are in RFC 8949 bytewise order, not the older length-first order', () => {
  assert.deepEqual([...decodeHex('a21818002000').keys()], [24, -1]);
  refused('a22000181800', /deterministic/);
});

test('indefinite lengths are refused: array, map, text and byte strings', () => {
  for (const h of ['9f0102ff', 'bf0102ff', '7f6161ff', '5f4101ff']) refused(h, /not well-formed/);
});

test('non-shortest heads are refused: integers and lengths', () => {
  refused('1801', /not well-formed/); // 1 in two bytes
  refused('190017', /not well-formed/); // 23 in three bytes
  refused('780161', /not well-formed/); // text of length 1 with a one-byte length
  refused('b8010102', /not well-formed/); // map of one pair with a one-byte length
  refused('3800', /not well-formed/); // -1 in two bytes
});

test('floats count only in their shortest form; an integral float never', () => {
  assert.equal(decodeHex('f93e00'), 1.5);
  refused('fb3ff8000000000000', /deterministic/); // 1.5 as float64
  refused('f93c00', /deterministic/); // 1.0 as a float
});

test('trailing bytes are refused', () => refused('0101', /not well-formed/));
test('undefined is refused', () => refused('f7', /not well-formed/));
test('a tag is refused unless asked for', () => {
  refused('d24101', /not well-formed/);
  refused('c101', /not well-formed/, [18]);
  const value = decodeHex('d24101', [18]);
  assert.ok(value instanceof Tagged);
  assert.equal(value.tag, 18);
});
test('an item over the cap is refused before parsing', () => {
  assert.throws(() => strictDecode(new Uint8Array(5), 4, fail, 'item'), /over the cap of 4/);
});

test('the COSE_Sign1 is refused at step 3 and the payload at step 7', () => {
  const c = loadCase('valid_eddsa_bachelor');
  const cose = fromHex(c.COSE_HEX);
  assert.equal(parseSign1(cose).alg, -8);
  const trailing = Uint8Array.of(...cose, 0x00);
  assert.throws(() => parseSign1(trailing), (e) => e instanceof CoseStructureError && e.step === 3);
  const untagged = encode([new Uint8Array(1), new Map(), new Uint8Array(1), new Uint8Array(64)]);
  assert.throws(() => parseSign1(untagged), (e) => e instanceof CoseStructureError && /tag 18/.test(e.message));
  const payload = fromHex(c.PAYLOAD_HEX);
  assert.equal(decodePayload(payload).record.series, 'BD');
  const duplicated = Uint8Array.of(payload[0] + 1, 0x01, 0x01, ...payload.subarray(1)); // key 1 twice
  assert.throws(() => decodePayload(duplicated), (e) => e instanceof PayloadError && e.step === 7);
});

test('an unknown payload key is refused at step 7, by name', () => {
  const payload = decodeHex(loadCase('valid_eddsa_bachelor').PAYLOAD_HEX);
  payload.set(14, 1);
  const bytes = encode(payload);
  assert.throws(() => decodePayload(bytes), (e) => e.step === 7 && /unknown key\(s\) \[14\]/.test(e.message));
});
