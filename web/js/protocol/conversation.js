// Copyright 2026 The Cerumbra Authors.
//
// conversation.js: §10 conversation messages. buildChatRequest and
// buildResetRequest return the request message bytes (the END payload is
// empty); parseResponseEnd reads a response's END payload. The client
// validates params itself so a request it sends is one the node can use.
// Throws invalid_argument.

import { utf8, utf8Decode } from './bytes.js';
import { invalidArgument } from './errors.js';
import { isJsonInteger, isObject, numberValue, parse } from './json.js';

export const FINISH_REASONS = Object.freeze(['stop', 'length', 'cancelled', 'error']);
export const ERRORS = Object.freeze(['bad_request', 'context_full', 'busy', 'engine']);

function checkParams(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    switch (k) {
      case 'max_tokens':
        if (!Number.isSafeInteger(v) || v < 1) throw invalidArgument('max_tokens must be an integer >= 1');
        break;
      case 'temperature':
        if (typeof v !== 'number' || !(v >= 0 && v <= 2)) throw invalidArgument('temperature must be in 0..2');
        break;
      case 'top_p':
        if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw invalidArgument('top_p must be in (0, 1]');
        break;
      case 'seed':
        if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw invalidArgument('seed must be in 0..2^32-1');
        break;
      case 'stop':
        if (!Array.isArray(v) || v.length > 8 || v.some((s) => typeof s !== 'string' || s.length === 0)) {
          throw invalidArgument('stop must be up to 8 non-empty strings');
        }
        break;
      default:
        throw invalidArgument(`unknown parameter ${k}`);
    }
    out[k] = v;
  }
  return out;
}

/** buildChatRequest returns the UTF-8 bytes of {"type":"chat","content":...,"params":{...}}. */
export function buildChatRequest(content, params = {}) {
  if (typeof content !== 'string' || content.length === 0) throw invalidArgument('content must be a non-empty string');
  const checked = checkParams(params);
  const message = { type: 'chat', content };
  if (Object.keys(checked).length) message.params = checked;
  return utf8(JSON.stringify(message));
}

/** buildResetRequest returns the bytes of {"type":"reset"}. */
export function buildResetRequest() {
  return utf8('{"type":"reset"}');
}

/**
 * parseResponseEnd (a response's END, reset included) returns {finishReason, usage: {promptTokens,
 * completionTokens} | null, error: string | null} from END payload bytes.
 */
export function parseResponseEnd(bytes) {
  if (bytes.length === 0) throw invalidArgument('empty END for a response');
  const v = parse(utf8Decode(bytes));
  if (!isObject(v)) throw invalidArgument('END is not an object');
  let error = null;
  if ('error' in v) {
    if (!ERRORS.includes(v.error)) throw invalidArgument('unknown error value');
    error = v.error;
  }
  // §10.1: a bad_request answer may carry only the error.
  const finishReason = 'finish_reason' in v || error !== 'bad_request' ? v.finish_reason : 'error';
  if (!FINISH_REASONS.includes(finishReason)) throw invalidArgument('bad finish_reason');
  let usage = null;
  if ('usage' in v) {
    const u = v.usage;
    if (!isObject(u) || !isJsonInteger(u.prompt_tokens) || !isJsonInteger(u.completion_tokens)) {
      throw invalidArgument('bad usage');
    }
    usage = { promptTokens: numberValue(u.prompt_tokens), completionTokens: numberValue(u.completion_tokens) };
  }
  return { finishReason, usage, error };
}

/** TextStream decodes DATA payloads as strict UTF-8, tolerating a character split across records. */
export class TextStream {
  constructor() {
    this.decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  }

  push(bytes) {
    try {
      return this.decoder.decode(bytes, { stream: true });
    } catch {
      throw invalidArgument('response is not UTF-8');
    }
  }

  finish() {
    try {
      return this.decoder.decode();
    } catch {
      throw invalidArgument('response ends inside a UTF-8 character');
    }
  }
}
