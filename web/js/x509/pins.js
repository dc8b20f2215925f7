// Copyright 2026 The Cerumbra Authors.
//
// pins.js: pinned roots. A pin is {der: Uint8Array} (exact bytes) or
// {sha256: "<64 hex digits, case and ':' ignored>"} (SHA-256 of the DER).

import { invalidArgument } from '../protocol/errors.js';

/** bytesEqual compares public bytes. */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
  return true;
}

/** parseRootPin normalizes a pin or throws invalid_argument. */
export function parseRootPin(pin) {
  if (pin && pin.der instanceof Uint8Array && pin.der.length > 0) return { der: pin.der };
  if (pin && typeof pin.sha256 === 'string') {
    const hex = pin.sha256.replace(/:/g, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw invalidArgument('bad SHA-256 pin');
    return { sha256: hex };
  }
  throw invalidArgument('a pin needs der or sha256');
}

/** NVIDIA_DEVICE_ROOT_SHA256: "NVIDIA Device Identity CA" (attestation-evidence.md §1.5). */
export const NVIDIA_DEVICE_ROOT_SHA256 = '102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48';
