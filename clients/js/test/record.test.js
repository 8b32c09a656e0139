// Field rules of the record (docs/FORMAT.md §3), as verify/record.py and verify/identifiers.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { encode } from 'cborg';

import { decodePayload, normalizeSeries, PayloadError, RecordError, strictDecode, validateBin } from '../dist/index.js';
import { fromHex, loadCase } from './helpers.js';

test('BIN check digit: weights 1..11, then 3..11, 1, 2', () => {
  const bin = loadCase('valid_eddsa_bachelor').RECORD.institution_bin;
  assert.equal(validateBin(bin), bin);
  const wrong = bin.slice(0, 11) + String((Number(bin[11]) + 1) % 10);
  assert.throws(() => validateBin(wrong), RecordError);
  assert.throws(() => validateBin('12345'), RecordError);
});

test('series are normalised: known higher-education case, Cyrillic look-alikes, Cyrillic series upper-cased', () => {
  assert.equal(normalizeSeries('phd'), 'PhD');
  assert.equal(normalizeSeries('СMD'), 'CMD'); // a Cyrillic С typed into CMD
  assert.equal(normalizeSeries(' ткб '), 'ТКБ');
  assert.throws(() => normalizeSeries('BDX1'), RecordError);
  assert.throws(() => normalizeSeries('BД'), RecordError);
});

/** The payload of a valid vector with one field replaced, as deterministic CBOR. */
function payloadWith(key, value) {
  const bytes = fromHex(loadCase('valid_eddsa_bachelor').PAYLOAD_HEX);
  const payload = strictDecode(bytes, 400, (m) => new PayloadError(m), 'payload');
  payload.set(key, value);
  return encode(new Map([...payload.entries()].sort((a, b) => a[0] - b[0])));
}

test('a number, name part or code with a trailing newline is refused (the spec: exactly seven ASCII digits)', () => {
  const c = loadCase('valid_eddsa_bachelor');
  assert.equal(decodePayload(payloadWith(4, c.RECORD.number)).record.number, c.RECORD.number);
  for (const [key, value] of [[4, `${c.RECORD.number}\n`], [8, `${c.RECORD.programme}\n`],
    [5, [`${c.RECORD.holder.surname}\n`, c.RECORD.holder.name]]]) {
    assert.throws(() => decodePayload(payloadWith(key, value)), (e) => e.step === 7, `key ${key}`);
  }
});

test('names: NFC only, letters with single separators, length caps in code points', () => {
  const c = loadCase('valid_eddsa_bachelor');
  const name = c.RECORD.holder.name;
  for (const surname of ['Йолдас'.normalize('NFD'), 'Ал--ов', 'Алов-', 'Al1ov', 'Ә'.repeat(33)]) {
    assert.throws(() => decodePayload(payloadWith(5, [surname, name])), (e) => e instanceof PayloadError && e.step === 7,
      JSON.stringify(surname));
  }
  assert.throws(() => decodePayload(payloadWith(5, ['Йолдас'.normalize('NFD'), name])), /NFC/);
  assert.equal(decodePayload(payloadWith(5, ['Ә'.repeat(32), 'Ұ'])).record.holder.surname, 'Ә'.repeat(32));
});

test('a fixed series must match its document type; revision 1 must be absent', () => {
  assert.throws(() => decodePayload(payloadWith(3, 'MD')), (e) => e.step === 7 && /printed with series BD/.test(e.message));
  assert.throws(() => decodePayload(payloadWith(12, 1)), (e) => e.step === 7 && /revision/.test(e.message));
  assert.equal(decodePayload(payloadWith(12, 2)).record.revision, 2);
});
