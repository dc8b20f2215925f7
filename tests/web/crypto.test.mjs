// Copyright 2026 The Cerumbra Authors.
//
// The crypto paths of the protocol modules against Wycheproof (read from
// ../shared/testvectors): P-256 point validation and ECDH (ec.js), and
// HKDF-Expand as one HMAC for L <= 32 (key_schedule.js, §1).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fromHex, toHex } from '../../web/js/protocol/bytes.js';
import { importPeerKey, importPrivateScalarForTesting, isValidPoint, sharedSecret } from '../../web/js/protocol/ec.js';
import { hkdfExpand } from '../../web/js/protocol/key_schedule.js';
import { readText } from './testdata.mjs';

const subtle = globalThis.crypto.subtle;

function scalar32(hex) {
  const b = fromHex(hex);
  if (b.length === 32) return b;
  const out = new Uint8Array(32);
  const trimmed = b.subarray(Math.max(0, b.length - 32));
  assert.ok(b.subarray(0, b.length - trimmed.length).every((x) => x === 0));
  out.set(trimmed, 32 - trimmed.length);
  return out;
}

test('Wycheproof ecdh_secp256r1_ecpoint: uncompressed points are validated, secrets match', async () => {
  const data = JSON.parse(readText('wycheproof/ecdh_secp256r1_ecpoint_test.json'));
  let valid = 0;
  let rejected = 0;
  for (const group of data.testGroups) {
    for (const t of group.tests) {
      const point = fromHex(t.public);
      let shared = null;
      try {
        const peer = await importPeerKey(point);
        const own = await importPrivateScalarForTesting(scalar32(t.private));
        shared = toHex(await sharedSecret(own.privateKey, peer));
      } catch {
        shared = null;
      }
      if (t.result === 'valid') {
        assert.equal(shared, t.shared, `tcId ${t.tcId} ${t.comment}`);
        assert.ok(isValidPoint(point));
        ++valid;
      } else if (t.result === 'invalid') {
        assert.equal(shared, null, `tcId ${t.tcId} ${t.comment}`);
        ++rejected;
      } else {
        // "acceptable" here is a compressed point, which §1 forbids.
        assert.equal(shared, null, `tcId ${t.tcId} ${t.comment}`);
      }
    }
  }
  assert.ok(valid > 300 && rejected > 20, `${valid} valid, ${rejected} rejected`);
});

test('Wycheproof hkdf_sha256: HKDF-Expand for L <= 32 is one HMAC', async () => {
  const data = JSON.parse(readText('wycheproof/hkdf_sha256_test.json'));
  let count = 0;
  for (const group of data.testGroups) {
    for (const t of group.tests) {
      if (t.result !== 'valid' || t.size < 1 || t.size > 32) continue;
      // PRK = HMAC(salt, ikm) (RFC 5869 §2.2; an empty salt is 32 zero bytes).
      const salt = t.salt ? fromHex(t.salt) : new Uint8Array(32);
      const saltKey = await subtle.importKey('raw', salt.length ? salt : new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const prk = new Uint8Array(await subtle.sign('HMAC', saltKey, fromHex(t.ikm)));
      const prkKey = await subtle.importKey('raw', prk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      assert.equal(toHex(await hkdfExpand(prkKey, fromHex(t.info), t.size)), t.okm, `tcId ${t.tcId}`);
      ++count;
    }
  }
  assert.ok(count > 20, `${count} cases`);
  await assert.rejects(hkdfExpand(null, new Uint8Array(0), 33));
});
