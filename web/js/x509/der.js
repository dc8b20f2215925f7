// Copyright 2026 The Cerumbra Authors.
//
// der.js: a small strict DER reader (X.690 §10) for certificates and
// attestation structures. It accepts only definite, minimally encoded
// lengths and single-byte tags (tag numbers 0..30: all that X.509 and the
// DICE/NVIDIA extensions use), and every element must lie inside its
// parent. Throws DerError (a CerumbraError, code invalid_argument).
// Pure functions; results are views into the input.

import { CerumbraError, Code } from '../protocol/errors.js';

export class DerError extends CerumbraError {
  constructor(message) {
    super(Code.INVALID_ARGUMENT, `DER: ${message}`);
    this.name = 'DerError';
  }
}

export const Tag = Object.freeze({
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13, IA5_STRING: 0x16, UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31,
});

/**
 * readElement reads one TLV at `offset` of `bytes` (not past `end`) and
 * returns {tag, constructed, tagClass, number, start, headerSize, end,
 * value, der}: `value` the contents, `der` the whole element.
 */
export function readElement(bytes, offset = 0, end = bytes.length) {
  if (offset + 2 > end) throw new DerError('truncated header');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers unsupported');
  let length = bytes[offset + 1];
  let headerSize = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError('indefinite length');
    if (count > 4) throw new DerError('length too large');
    if (offset + 2 + count > end) throw new DerError('truncated length');
    if (bytes[offset + 2] === 0) throw new DerError('non-minimal length');
    length = 0;
    for (let i = 0; i < count; ++i) length = length * 256 + bytes[offset + 2 + i];
    if (length < 0x80) throw new DerError('non-minimal length');
    headerSize += count;
  }
  const start = offset + headerSize;
  if (start + length > end) throw new DerError('element past its parent');
  return {
    tag,
    constructed: (tag & 0x20) !== 0,
    tagClass: tag >> 6,
    number: tag & 0x1f,
    start: offset,
    headerSize,
    end: start + length,
    value: bytes.subarray(start, start + length),
    der: bytes.subarray(offset, start + length),
  };
}

/** parseOne reads exactly one element spanning all of `bytes`. */
export function parseOne(bytes, expectedTag) {
  const e = readElement(bytes, 0, bytes.length);
  if (e.end !== bytes.length) throw new DerError('trailing bytes');
  if (expectedTag !== undefined && e.tag !== expectedTag) throw new DerError('unexpected tag');
  return e;
}

/** children returns the elements inside a constructed element. */
export function children(element) {
  if (!element.constructed) throw new DerError('not constructed');
  const out = [];
  const v = element.value;
  let o = 0;
  while (o < v.length) {
    const c = readElement(v, o, v.length);
    out.push(c);
    o = c.end;
  }
  return out;
}

/** expect throws unless `element` exists and has `tag`. */
export function expect(element, tag, what = 'element') {
  if (!element || element.tag !== tag) throw new DerError(`expected ${what}`);
  return element;
}

/** readOid returns the dotted-decimal text of an OBJECT IDENTIFIER. */
export function readOid(element) {
  expect(element, Tag.OID, 'OID');
  const v = element.value;
  if (v.length === 0 || (v[v.length - 1] & 0x80)) throw new DerError('bad OID');
  const arcs = [];
  let value = 0n;
  let fresh = true;
  for (const b of v) {
    if (fresh && b === 0x80) throw new DerError('non-minimal OID arc');
    value = (value << 7n) | BigInt(b & 0x7f);
    fresh = false;
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0n;
      fresh = true;
    }
  }
  const first = arcs[0];
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** readInteger returns a (signed) INTEGER as a BigInt; rejects non-minimal forms. */
export function readInteger(element) {
  expect(element, Tag.INTEGER, 'INTEGER');
  const v = element.value;
  if (v.length === 0) throw new DerError('empty INTEGER');
  if (v.length > 1 && ((v[0] === 0 && !(v[1] & 0x80)) || (v[0] === 0xff && (v[1] & 0x80)))) {
    throw new DerError('non-minimal INTEGER');
  }
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (v[0] & 0x80) n -= 1n << BigInt(8 * v.length);
  return n;
}

/** readBoolean returns a DER BOOLEAN (0x00 or 0xff only). */
export function readBoolean(element) {
  expect(element, Tag.BOOLEAN, 'BOOLEAN');
  if (element.value.length !== 1 || (element.value[0] !== 0 && element.value[0] !== 0xff)) {
    throw new DerError('bad BOOLEAN');
  }
  return element.value[0] === 0xff;
}

/** readBitString returns {unused, bytes}; DER requires zero unused bits. */
export function readBitString(element) {
  expect(element, Tag.BIT_STRING, 'BIT STRING');
  const v = element.value;
  if (v.length === 0 || v[0] > 7 || (v.length === 1 && v[0] !== 0)) throw new DerError('bad BIT STRING');
  const unused = v[0];
  if (unused && (v[v.length - 1] & ((1 << unused) - 1))) throw new DerError('non-zero unused bits');
  return { unused, bytes: v.subarray(1) };
}

/** readTime returns milliseconds since the epoch of a UTCTime or GeneralizedTime (Z form only). */
export function readTime(element) {
  const text = String.fromCharCode(...element.value);
  let m;
  let year;
  if (element.tag === Tag.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) throw new DerError('bad UTCTime');
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1
  } else if (element.tag === Tag.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) throw new DerError('bad GeneralizedTime');
    year = Number(m[1]);
  } else {
    throw new DerError('expected a time');
  }
  const [mo, d, h, mi, s] = m.slice(2).map(Number);
  if (year < 1950) throw new DerError('date before 1950');
  const t = Date.UTC(year, mo - 1, d, h, mi, s);
  const check = new Date(t);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d ||
      h > 23 || mi > 59 || s > 59) {
    throw new DerError('invalid date');
  }
  return t;
}

/** readString returns the text of a directory string (UTF8/Printable/IA5/...). */
export function readString(element) {
  switch (element.tag) {
    case Tag.UTF8_STRING:
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(element.value);
      } catch {
        throw new DerError('bad UTF8String');
      }
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case 0x14: // TeletexString, read as Latin-1
      return String.fromCharCode(...element.value);
    case 0x1e: { // BMPString
      let s = '';
      for (let i = 0; i + 1 < element.value.length; i += 2) s += String.fromCharCode((element.value[i] << 8) | element.value[i + 1]);
      return s;
    }
    default:
      return Array.from(element.value, (b) => b.toString(16).padStart(2, '0')).join('');
  }
}
