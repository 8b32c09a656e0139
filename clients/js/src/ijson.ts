/**
 * Strict I-JSON reading (RFC 7493) for the trust list (docs/FORMAT.md §6.6), as `verify/trust.py`
 * `_parse_document` reads it: UTF-8 without a byte order mark, no duplicate member names, no lone
 * surrogates, integers within +-(2^53 - 1), no number with a fraction or exponent, nesting at most 16
 * deep. Anything else is refused as a whole, never partly read.
 *
 * JSON syntax is @humanwhocodes/momoa's (a JSON parser that keeps the source range of every node);
 * what RFC 8259 and RFC 7493 add and `JSON.parse` cannot see is checked here on its tree: the
 * duplicate names, the raw text of numbers, and control characters inside strings.
 */
import { parse } from '@humanwhocodes/momoa';
import type { AnyNode, DocumentNode, ValueNode } from '@humanwhocodes/momoa';

/** I-JSON (RFC 7493 §2.2) and RFC 8785 §3.2.2.3: integers beyond +-(2^53 - 1) are refused. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
/** Nesting a trust list needs (document > payload > signers > entry > scope > series > text is 7), with room. */
export const MAX_JSON_DEPTH = 16;

/** What a refusal raises: built by the caller (e.g. `m => new TrustListError(m)`). */
export type JsonErrorFactory = (message: string) => Error;

// RFC 8259 §7: the characters U+0000-U+001F must be escaped inside strings.
const RAW_CONTROL_RE = /[\u0000-\u001f]/;
const FRACTION_OR_EXPONENT_RE = /[.eE]/;

/**
 * Parse I-JSON text or UTF-8 bytes.
 *
 * @param input - the file's bytes (UTF-8, no BOM) or its text.
 * @param what - names the document in messages ("trust list").
 * @param error - builds the error to throw.
 * @returns the value: objects, arrays, strings, safe integers, booleans, null.
 * @throws the error of `error`: not UTF-8, not JSON, or refused by I-JSON (the message says which).
 */
export function parseIJson(input: string | Uint8Array, what: string, error: JsonErrorFactory): unknown {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      // ignoreBOM keeps a byte order mark in the text, where the parser refuses it (RFC 8259 §8.1).
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw error(`${what}: not UTF-8 (RFC 8259 §8.1)`);
    }
  }
  let document: DocumentNode;
  try {
    document = parse(text, { mode: 'json', ranges: true });
  } catch {
    throw error(`${what}: not valid JSON`);
  }
  const value = treeValue(document.body, text, what, error);
  checkIJson(value, what, error);
  return value;
}

/**
 * Refuse what I-JSON (RFC 7493) and RFC 8785 refuse in a value already parsed (iteratively: no
 * recursion on hostile depth).
 *
 * @throws the error of `error`: nesting deeper than {@link MAX_JSON_DEPTH}, a lone surrogate, a number
 *   that is not an integer within +-(2^53 - 1), or a value that is not JSON.
 */
export function checkIJson(document: unknown, what: string, error: JsonErrorFactory): void {
  const stack: [unknown, number][] = [[document, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (depth > MAX_JSON_DEPTH) throw error(`${what}: nested deeper than ${MAX_JSON_DEPTH}`);
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
    } else if (typeof value === 'string') {
      checkText(value, what, error);
    } else if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw error(`${what}: refused JSON: a number with a fraction or exponent`);
      if (Math.abs(value) > MAX_SAFE_INTEGER) throw error(`${what}: an integer beyond +-(2^53 - 1) (RFC 7493 §2.2)`);
    } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [key, item] of Object.entries(value)) {
        checkText(key, what, error);
        stack.push([item, depth + 1]);
      }
    } else if (value !== null && typeof value !== 'boolean') {
      throw error(`${what}: a ${typeof value} is not allowed`);
    }
  }
}

function checkText(text: string, what: string, error: JsonErrorFactory): void {
  if (!isWellFormed(text)) throw error(`${what}: a lone surrogate in a string (RFC 7493 §2.1)`);
}

/** Whether a string has no lone surrogate (`String.prototype.isWellFormed`, written out for older engines). */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** The value of a parsed tree, refusing duplicate names, numbers with a fraction or exponent, raw controls. */
function treeValue(root: ValueNode, text: string, what: string, error: JsonErrorFactory): unknown {
  const raw = (node: AnyNode): string => (node.range ? text.slice(node.range[0], node.range[1]) : '');
  // Iterative: a container's value is filled in after it is made, so hostile depth cannot overflow here.
  const out: { value: unknown } = { value: undefined };
  const stack: [ValueNode, (value: unknown) => void][] = [[root, (v) => { out.value = v; }]];
  while (stack.length > 0) {
    const [node, put] = stack.pop() as [ValueNode, (value: unknown) => void];
    switch (node.type) {
      case 'Object': {
        const object: Record<string, unknown> = {};
        put(object);
        const names = new Set<string>();
        for (const member of node.members) {
          if (member.name.type !== 'String') throw error(`${what}: not valid JSON`);
          if (RAW_CONTROL_RE.test(raw(member.name))) throw error(`${what}: not valid JSON`);
          const name = member.name.value;
          if (names.has(name)) throw error(`${what}: refused JSON: duplicate key ${JSON.stringify(name.slice(0, 40))}`);
          names.add(name);
          // defineProperty: a member named "__proto__" is a plain member, as in JSON.parse.
          Object.defineProperty(object, name, { value: undefined, enumerable: true, writable: true, configurable: true });
          stack.push([member.value, (v) => { object[name] = v; }]);
        }
        break;
      }
      case 'Array': {
        const array: unknown[] = new Array(node.elements.length);
        put(array);
        node.elements.forEach((element, i) => stack.push([element.value, (v) => { array[i] = v; }]));
        break;
      }
      case 'String':
        if (RAW_CONTROL_RE.test(raw(node))) throw error(`${what}: not valid JSON`);
        put(node.value);
        break;
      case 'Number':
        if (FRACTION_OR_EXPONENT_RE.test(raw(node))) throw error(`${what}: refused JSON: a number with a fraction or exponent`);
        put(node.value);
        break;
      case 'Boolean':
        put(node.value);
        break;
      case 'Null':
        put(null);
        break;
      default:
        throw error(`${what}: not valid JSON`);
    }
  }
  return out.value;
}
