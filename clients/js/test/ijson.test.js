// The trust list is read as I-JSON (RFC 7493; docs/FORMAT.md §6.6), as verify/trust.py reads it: what is
// refused, and that the refusal is a TrustListError of the whole list, never a partial read.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkIJson, MAX_JSON_DEPTH, parseIJson, TrustList, TrustListError } from '../dist/index.js';
import { rootOf, trustListText } from './helpers.js';

const fail = (m) => new TrustListError(m);
const read = (text) => parseIJson(text, 'trust list', fail);
const refused = (input, pattern) => assert.throws(() => parseIJson(input, 'trust list', fail),
  (e) => e instanceof TrustListError && pattern.test(e.message), JSON.stringify(String(input)).slice(0, 80));
const utf8 = (text) => new TextEncoder().encode(text);

test('plain JSON reads as JSON.parse reads it', () => {
  const text = '{"a": [1, -2, 0, true, false, null, "x\\u00e9\\ud83d\\ude00"], "b": {"c": 9007199254740991}}';
  assert.deepEqual(read(text), JSON.parse(text));
  assert.deepEqual(read(utf8(text)), JSON.parse(text));
  assert.equal(Object.getPrototypeOf(read('{"__proto__": {"x": 1}}')), Object.prototype);
  assert.deepEqual(Object.keys(read('{"__proto__": 1}')), ['__proto__'], 'a member named __proto__ is a member');
});

test('duplicate member names are refused, even with the same value, at any depth', () => {
  refused('{"version": 1, "version": 9}', /duplicate key "version"/);
  refused('{"a": 1, "a": 1}', /duplicate key "a"/);
  refused('{"p": {"s": [{"k": 1, "k": 2}]}}', /duplicate key "k"/);
  refused('{"\\u0061": 1, "a": 2}', /duplicate key "a"/, 'names compare after unescaping');
});

test('integers beyond +-(2^53 - 1) are refused; numbers with a fraction or exponent too', () => {
  assert.deepEqual(read('[9007199254740991, -9007199254740991]'), [2 ** 53 - 1, -(2 ** 53 - 1)]);
  for (const big of ['9007199254740992', '-9007199254740992', '9007199254740993', '1' + '0'.repeat(30)]) {
    refused(`{"version": ${big}}`, /2\^53/);
  }
  for (const number of ['1.0', '1e2', '1E2', '0.5', '-1.5e-3']) refused(`[${number}]`, /fraction or exponent/);
});

test('lone surrogates are refused in strings and names; pairs are fine', () => {
  refused('["\\ud800"]', /lone surrogate/);
  refused('["\\udc00x"]', /lone surrogate/);
  refused('{"\\ud83d": 1}', /lone surrogate/);
  refused('["\ud800"]', /lone surrogate/);
  assert.deepEqual(read('["\\ud83d\\ude00"]'), ['😀']);
});

test('not JSON: raw control characters in strings, comments, trailing commas, NaN, a byte order mark', () => {
  for (const text of ['["a\tb"]', '["\u0001"]', '{"a\nb": 1}', '[1,]', '{"a": 1,}', '[1] // c', '[NaN]', '[01]', '',
    '\ufeff[]', "{'a': 1}", '[1] [2]']) {
    refused(text, /not valid JSON/);
  }
  refused(Uint8Array.of(0xef, 0xbb, 0xbf, 0x5b, 0x5d), /not valid JSON/);
});

test('the bytes must be UTF-8: UTF-16, a lone continuation byte, an encoded surrogate are refused', () => {
  const utf16 = Uint8Array.from([0xff, 0xfe, ...[...'[]'].flatMap((c) => [c.charCodeAt(0), 0])]);
  refused(utf16, /not UTF-8/);
  refused(Uint8Array.of(0x5b, 0x22, 0x80, 0x22, 0x5d), /not UTF-8/);
  refused(Uint8Array.of(0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d), /not UTF-8/);
});

test(`nesting deeper than ${MAX_JSON_DEPTH} is refused; hostile depth is refused without a crash`, () => {
  const nested = (depth) => '['.repeat(depth - 1) + '1' + ']'.repeat(depth - 1);
  assert.doesNotThrow(() => read(nested(MAX_JSON_DEPTH)));
  refused(nested(MAX_JSON_DEPTH + 1), /nested deeper than 16/);
  refused(nested(200_000), /not valid JSON|nested deeper/);
});

test('a parsed object is held to the same rules', () => {
  assert.throws(() => checkIJson({ version: 2 ** 53 }, 'trust list', fail), /2\^53/);
  assert.throws(() => checkIJson({ a: 1.5 }, 'trust list', fail), /fraction/);
  assert.throws(() => checkIJson({ a: '\ud800' }, 'trust list', fail), /lone surrogate/);
  assert.throws(() => checkIJson({ a: undefined }, 'trust list', fail), /undefined is not allowed/);
  const doc = JSON.parse(trustListText('_trust/test-trust-list.json'));
  doc.payload.version = 2 ** 53 + 2;
  assert.throws(() => TrustList.fromJson(doc, { root: rootOf('_trust/test-root.crt') }), /2\^53/);
});

test('the trust list file with a duplicate key is refused whatever the value, before its signature is read', () => {
  const text = trustListText('_trust/test-trust-list.json');
  const twice = text.replace('"version": 1,', '"version": 1,\n    "version": 1,');
  assert.notEqual(twice, text);
  assert.throws(() => TrustList.fromJson(twice, { root: rootOf('_trust/test-root.crt') }), /duplicate key "version"/);
});
