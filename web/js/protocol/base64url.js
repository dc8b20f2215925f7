// Copyright 2026 The Cerumbra Authors.
//
// base64url.js: RFC 4648 §5 without padding, as docs/protocol.md §1 requires.
// decode rejects padding, characters of other alphabets (+ / =, whitespace),
// impossible lengths (4n+1) and non-canonical trailing bits, so every byte
// string has exactly one accepted text. Throws invalid_argument.

import { invalidArgument } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; ++i) VALUES[ALPHABET.charCodeAt(i)] = i;

/** encode returns the unpadded base64url text of `bytes`. */
export function encode(bytes) {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

/** decode returns the bytes of canonical unpadded base64url `text` or throws. */
export function decode(text) {
  if (typeof text !== 'string') throw invalidArgument('base64url: not a string');
  const len = text.length;
  if (len % 4 === 1) throw invalidArgument('base64url: bad length');
  const values = new Uint8Array(len);
  for (let i = 0; i < len; ++i) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c] : -1;
    if (v < 0) throw invalidArgument('base64url: bad character');
    values[i] = v;
  }
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const n = (values[i] << 18) | (values[i + 1] << 12) | (values[i + 2] << 6) | values[i + 3];
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest === 2) {
    if (values[i + 1] & 15) throw invalidArgument('base64url: non-canonical');
    out[o++] = (values[i] << 2) | (values[i + 1] >> 4);
  } else if (rest === 3) {
    if (values[i + 2] & 3) throw invalidArgument('base64url: non-canonical');
    const n = (values[i] << 12) | (values[i + 1] << 6) | values[i + 2];
    out[o++] = n >> 10;
    out[o++] = (n >> 2) & 255;
  }
  return out;
}
