/**
 * Strict deterministic CBOR decoding (RFC 8949 §4.2.1), as `verify/codec.py` `strict_loads` does it.
 *
 * cborg decodes with its strict options (shortest heads and lengths, no indefinite lengths, no
 * duplicate map keys, no `undefined`, maps as `Map`, no tags but those asked for, no trailing
 * bytes); then the value is encoded again with cborg's RFC 8949 deterministic options and the
 * bytes compared, which also refuses unsorted maps and floats not in their shortest form.
 */
import { decode, encode, rfc8949EncodeOptions, Tagged } from 'cborg';
import type { DecodeOptions, TagDecoder } from 'cborg';

export { Tagged };

/** What a failed decode raises: one of the step errors of errors.ts. */
export type ErrorFactory = (message: string) => Error;

/**
 * Decode CBOR that must be in deterministic encoding, with a size cap applied first.
 *
 * @param data - the bytes (untrusted).
 * @param cap - the most bytes accepted (checked before parsing).
 * @param error - builds the error to throw (e.g. `m => new PayloadError(m)`).
 * @param what - names the item in messages ("payload", "COSE_Sign1").
 * @param tags - CBOR tag numbers to keep as `Tagged` values; any other tag is refused.
 * @returns the decoded value: numbers (bigint past 2^53), strings, `Uint8Array`, arrays, `Map`, `Tagged`, booleans, null.
 * @throws the error of `error`: over the cap, not well-formed, or not in deterministic encoding.
 */
export function strictDecode(data: Uint8Array, cap: number, error: ErrorFactory, what: string,
  tags: readonly number[] = []): unknown {
  if (!(data instanceof Uint8Array)) throw error(`${what}: must be bytes`);
  if (data.length > cap) throw error(`${what}: ${data.length} bytes is over the cap of ${cap}`);
  const tagDecoders: { [tag: number]: TagDecoder } = {};
  for (const tag of tags) tagDecoders[tag] = Tagged.decoder(tag);
  const options: DecodeOptions = {
    strict: true,
    allowIndefinite: false,
    allowUndefined: false,
    rejectDuplicateMapKeys: true,
    useMaps: true,
    tags: tagDecoders,
  };
  let value: unknown;
  let again: Uint8Array;
  try {
    value = decode(data, options);
    again = encode(value, rfc8949EncodeOptions);
  } catch (exc) {
    throw error(`${what}: not well-formed CBOR (${exc instanceof Error ? exc.message : 'error'})`);
  }
  if (!bytesEqual(again, data)) throw error(`${what}: not in deterministic CBOR encoding (RFC 8949 §4.2.1)`);
  return value;
}

/** CBOR encoding with cborg's RFC 8949 deterministic options (definite lengths, shortest heads, bytewise key order). */
export function encodeDeterministic(value: unknown): Uint8Array {
  return encode(value, rfc8949EncodeOptions);
}

/** Whether two byte strings are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
