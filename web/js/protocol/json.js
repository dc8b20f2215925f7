// Copyright 2026 The Cerumbra Authors.
//
// json.js: a strict RFC 8259 parser for the protocol's JSON (handshake
// messages §3, END payloads §6.3, conversation messages §10).
//
// JSON.parse is not enough: it keeps the last of duplicate member names and
// cannot tell `1` from `1.0`. parse() here
//   - rejects duplicate member names at every level,
//   - returns numbers written without fraction or exponent as JS numbers
//     (BigInt beyond 2^53) and others as JsonDecimal, so `typeof v ===
//     'number' || typeof v === 'bigint'` means "a JSON integer",
//   - allows at most 32 levels of nesting (as the C++ reader),
//   - rejects lone surrogate escapes, control characters in strings,
//     comments, trailing commas and anything after the value,
//   - builds objects without a prototype (no __proto__ tricks).
// Throws invalid_argument on any deviation.

import { invalidArgument } from './errors.js';

const MAX_DEPTH = 32;

/** JsonDecimal is a JSON number written with a fraction or an exponent. */
export class JsonDecimal {
  constructor(text) {
    this.text = text;
    this.value = Number(text);
  }
}

/** isJsonInteger is true for a number parse() returned as an integer. */
export function isJsonInteger(v) {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** isObject is true for a parsed JSON object. */
export function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonDecimal);
}

/** numberValue returns the JS number of a parsed number, or undefined. */
export function numberValue(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof JsonDecimal) return v.value;
  return undefined;
}

function fail() {
  throw invalidArgument('malformed JSON');
}

/** parse parses one JSON value (strings only: decode bytes strictly first). */
export function parse(text) {
  if (typeof text !== 'string') fail();
  let i = 0;
  const n = text.length;

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) ++i;
      else break;
    }
  };

  const parseString = () => {
    // REQUIRES: text[i] === '"'
    ++i;
    let out = '';
    let start = i;
    while (true) {
      if (i >= n) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        ++i;
        return out;
      }
      if (c < 0x20) fail();
      if (c >= 0xd800 && c <= 0xdfff) {
        // A raw lone surrogate cannot come from valid UTF-8.
        const hi = c <= 0xdbff;
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (!hi || !(next >= 0xdc00 && next <= 0xdfff)) fail();
        i += 2;
        continue;
      }
      if (c !== 0x5c) {
        ++i;
        continue;
      }
      out += text.slice(start, i);
      ++i;
      if (i >= n) fail();
      const e = text[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const unit = () => {
            const h = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) fail();
            i += 4;
            return parseInt(h, 16);
          };
          const u = unit();
          if (u >= 0xd800 && u <= 0xdbff) {
            if (text[i] !== '\\' || text[i + 1] !== 'u') fail();
            i += 2;
            const l = unit();
            if (!(l >= 0xdc00 && l <= 0xdfff)) fail();
            out += String.fromCharCode(u, l);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            fail();
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default: fail();
      }
      start = i;
    }
  };

  const parseNumber = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0].length === 0 || m[0].length >= 400) fail();
    i += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const big = BigInt(m[0]);
      if (big >= -(2n ** 63n) && big < 2n ** 64n) {
        return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(big)
          : big;
      }
      return new JsonDecimal(m[0]); // beyond 64 bits: not an integer to us
    }
    return new JsonDecimal(m[0]);
  };

  const parseValue = (depth) => {
    ws();
    if (i >= n) fail();
    const c = text[i];
    if (c === '{') {
      if (depth >= MAX_DEPTH) fail();
      ++i;
      const obj = Object.create(null);
      ws();
      if (text[i] === '}') {
        ++i;
        return obj;
      }
      while (true) {
        ws();
        if (text[i] !== '"') fail();
        const key = parseString();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail();
        ws();
        if (text[i] !== ':') fail();
        ++i;
        obj[key] = parseValue(depth + 1);
        ws();
        if (text[i] === ',') {
          ++i;
          continue;
        }
        if (text[i] === '}') {
          ++i;
          return obj;
        }
        fail();
      }
    }
    if (c === '[') {
      if (depth >= MAX_DEPTH) fail();
      ++i;
      const arr = [];
      ws();
      if (text[i] === ']') {
        ++i;
        return arr;
      }
      while (true) {
        arr.push(parseValue(depth + 1));
        ws();
        if (text[i] === ',') {
          ++i;
          continue;
        }
        if (text[i] === ']') {
          ++i;
          return arr;
        }
        fail();
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return parseNumber();
  };

  const value = parseValue(0);
  ws();
  if (i !== n) fail();
  return value;
}

/** parseObject parses `text` and requires a JSON object. */
export function parseObject(text) {
  const v = parse(text);
  if (!isObject(v)) fail();
  return v;
}
