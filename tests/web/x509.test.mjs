// Copyright 2026 The Cerumbra Authors.
//
// DER reader, certificate parsing, ECDSA DER -> P1363 and chain
// verification, against the real NVIDIA chains (read from
// ../shared/testvectors) and Wycheproof ECDSA vectors.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fromHex } from '../../web/js/protocol/bytes.js';
import { Code } from '../../web/js/protocol/errors.js';
import { parseOne, readElement, readInteger, readOid, readTime, Tag } from '../../web/js/x509/der.js';
import { parseCertificate, parsePemCertificates } from '../../web/js/x509/certificate.js';
import { ChainError, sha256Hex, verifyChain } from '../../web/js/x509/chain.js';
import { derToP1363, importVerifyKey, verifyP1363 } from '../../web/js/x509/ecdsa.js';
import { NVIDIA_DEVICE_ROOT_SHA256 } from '../../web/js/x509/pins.js';
import { NVIDIA_ROOT, RIM_ROOT, SAMPLES, flipBit, readChain, readText } from './testdata.mjs';

const AT = Date.UTC(2026, 0, 1);

async function rejectsChain(chain, options) {
  await assert.rejects(verifyChain(chain, options), (e) => e instanceof ChainError && e.code === Code.UNAUTHENTICATED);
}

test('the DER reader rejects non-DER encodings', () => {
  assert.throws(() => readElement(fromHex('3080')), /indefinite/);
  assert.throws(() => readElement(fromHex('30810100')), /non-minimal/);
  assert.throws(() => readElement(fromHex('3004020101')), /past its parent/);
  assert.throws(() => parseOne(fromHex('02010100')), /trailing/);
  assert.throws(() => readInteger(readElement(fromHex('02020001'))), /non-minimal/);
  assert.throws(() => readInteger(readElement(fromHex('0202ff80'))), /non-minimal/);
  assert.equal(readInteger(readElement(fromHex('020180'))), -128n);
  assert.equal(readOid(readElement(fromHex('06082a8648ce3d030107'))), '1.2.840.10045.3.1.7');
  assert.throws(() => readOid(readElement(fromHex('0603808001'))), /non-minimal/);
  assert.equal(readTime({ tag: Tag.UTC_TIME, value: new TextEncoder().encode('491231235959Z') }), Date.UTC(2049, 11, 31, 23, 59, 59));
  assert.equal(readTime({ tag: Tag.UTC_TIME, value: new TextEncoder().encode('500101000000Z') }), Date.UTC(1950, 0, 1));
  assert.throws(() => readTime({ tag: Tag.UTC_TIME, value: new TextEncoder().encode('490231235959Z') }), /invalid date/);
  assert.throws(() => readTime({ tag: Tag.GENERALIZED_TIME, value: new TextEncoder().encode('20240101000000+0100') }));
});

test('certificates parse: names, validity, key, extensions, algorithm', () => {
  const chain = readChain(SAMPLES.hopper.chain);
  assert.equal(chain.length, 5);
  const leaf = parseCertificate(chain[0]);
  assert.equal(leaf.subject.commonName, 'GH100 A01 GSP FMC LF');
  assert.equal(leaf.issuer.commonName, 'GH100 A01 GSP BROM');
  assert.equal(leaf.signatureAlgorithm.hash, 'SHA-384');
  assert.equal(leaf.publicKey.curve, 'P-384');
  assert.equal(leaf.notAfter, Date.UTC(9999, 11, 31, 23, 59, 59));
  assert.equal(leaf.basicConstraints, null);
  assert.ok(leaf.extensions.has('2.23.133.5.4.1'));
  const root = parseCertificate(NVIDIA_ROOT());
  assert.equal(root.subject.text, 'CN=NVIDIA Device Identity CA, O=NVIDIA');
  assert.equal(root.notBefore, Date.UTC(2021, 10, 5));
  assert.equal(root.basicConstraints.ca, true);
  assert.throws(() => parseCertificate(chain[0].subarray(0, chain[0].length - 1)));
  assert.throws(() => parseCertificate(new Uint8Array([...chain[0], 0])));
});

test('the pinned NVIDIA root has the documented fingerprint', async () => {
  assert.equal(await sha256Hex(NVIDIA_ROOT()), NVIDIA_DEVICE_ROOT_SHA256);
});

for (const [name, sample] of Object.entries(SAMPLES)) {
  test(`the ${name} chain verifies to the pinned NVIDIA root (bytes and fingerprint)`, async () => {
    const chain = readChain(sample.chain);
    const byBytes = await verifyChain(chain, { roots: [{ der: NVIDIA_ROOT() }], timeMs: AT });
    assert.equal(byBytes.certificates.length, 5);
    assert.match(byBytes.subjects[4], /NVIDIA Device Identity CA/);
    await verifyChain(chain, { roots: [{ sha256: NVIDIA_DEVICE_ROOT_SHA256 }], timeMs: AT });
    // The root may be omitted when the pin carries its bytes.
    await verifyChain(chain.slice(0, 4), { roots: [{ der: NVIDIA_ROOT() }], timeMs: AT });
  });
}

test('a chain fails with a wrong root', async () => {
  const chain = readChain(SAMPLES.hopper.chain);
  await rejectsChain(chain, { roots: [{ der: RIM_ROOT() }], timeMs: AT });
  await rejectsChain(chain, { roots: [{ sha256: '00'.repeat(32) }], timeMs: AT });
  // Without the root in the chain, a fingerprint pin cannot supply it.
  await rejectsChain(chain.slice(0, 4), { roots: [{ sha256: NVIDIA_DEVICE_ROOT_SHA256 }], timeMs: AT });
});

test('a chain fails with a missing link, a reordering or another GPU\'s leaf', async () => {
  const chain = readChain(SAMPLES.hopper.chain);
  const roots = [{ der: NVIDIA_ROOT() }];
  for (const drop of [0, 1, 2, 3]) {
    if (drop === 0) continue; // dropping the leaf leaves a valid shorter chain
    await rejectsChain(chain.filter((_, i) => i !== drop), { roots, timeMs: AT });
  }
  await rejectsChain([chain[1], chain[0], chain[2], chain[3], chain[4]], { roots, timeMs: AT });
  const other = readChain(SAMPLES.hopperOld.chain);
  await rejectsChain([other[0], ...chain.slice(1)], { roots, timeMs: AT });
});

test('a chain fails at a time outside validity', async () => {
  const chain = readChain(SAMPLES.hopper.chain);
  const roots = [{ der: NVIDIA_ROOT() }];
  await verifyChain(chain, { roots, timeMs: Date.UTC(2022, 2, 1) });
  await rejectsChain(chain, { roots, timeMs: Date.UTC(2022, 1, 28) }); // before the ICA's notBefore
  await rejectsChain(chain, { roots, timeMs: Date.UTC(2021, 0, 1) });
  await assert.rejects(verifyChain(chain, { roots }), (e) => e.code === Code.INVALID_ARGUMENT);
});

test('a flipped bit anywhere in any certificate fails the chain', async () => {
  const chain = readChain(SAMPLES.blackwell.chain);
  const roots = [{ der: NVIDIA_ROOT() }];
  let tried = 0;
  for (let c = 0; c < chain.length; ++c) {
    const der = chain[c];
    for (let i = 0; i < der.length; i += Math.max(1, Math.floor(der.length / 23))) {
      const bad = chain.slice();
      bad[c] = flipBit(der, i, i % 8);
      await assert.rejects(verifyChain(bad, { roots, timeMs: AT }), `certificate ${c}, byte ${i}`);
      ++tried;
    }
  }
  assert.ok(tried > 100);
});

test('PEM parsing rejects other blocks and bad base64', () => {
  assert.throws(() => parsePemCertificates('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'));
  assert.throws(() => parsePemCertificates('-----BEGIN CERTIFICATE-----\nA*AA\n-----END CERTIFICATE-----\n'));
  assert.throws(() => parsePemCertificates('nothing here'));
  assert.equal(parsePemCertificates(readText(SAMPLES.hopper.chain)).length, 5);
});

test('DER -> P1363 is strict', () => {
  const n256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const sig = (r, s) => fromHex(`3006020101${r}${s}`);
  assert.equal(derToP1363(sig('', '020101').subarray(0), 'P-256').length, 64);
  assert.throws(() => derToP1363(fromHex('3006020100020101'), 'P-256'), /range/); // r = 0
  assert.throws(() => derToP1363(fromHex('300602020001020101'.replace('3006', '3007')), 'P-256')); // non-minimal
  assert.throws(() => derToP1363(fromHex('30060201ff020101'), 'P-256'), /range/); // negative
  assert.throws(() => derToP1363(fromHex('3009020101020101020101'), 'P-256')); // extra element
  const big = n256.toString(16);
  const der = fromHex(`3026022100${big}020101`);
  assert.throws(() => derToP1363(der, 'P-256'), /range/); // r = n
});

for (const [file, curve] of [['ecdsa_secp256r1_sha256_test.json', 'P-256'], ['ecdsa_secp384r1_sha384_test.json', 'P-384']]) {
  test(`Wycheproof ${file}: DER signatures verify exactly when valid`, async () => {
    const data = JSON.parse(readText(`wycheproof/${file}`));
    let count = 0;
    for (const group of data.testGroups) {
      const key = await importVerifyKey({ der: fromHex(group.publicKeyDer), curve });
      for (const t of group.tests) {
        let ok = false;
        try {
          ok = await verifyP1363(key, curve, derToP1363(fromHex(t.sig), curve), fromHex(t.msg));
        } catch {
          ok = false;
        }
        if (t.result === 'valid') assert.equal(ok, true, `tcId ${t.tcId}`);
        if (t.result === 'invalid') assert.equal(ok, false, `tcId ${t.tcId} ${t.comment}`);
        ++count;
      }
    }
    assert.ok(count > 400);
  });
}

// Chains written by the test (fake_node.mjs) for the rules the NVIDIA chains
// cannot break: CA flags, keyCertSign, path length, unknown critical
// extensions, inner/outer algorithm.
test('issuers must be CAs with keyCertSign within their path length; unknown critical extensions fail', async () => {
  const { makeCertificate, newKey, oid, seq, tlv } = await import('./fake_node.mjs');
  const now = Date.now();
  const validity = { notBefore: now - 86400000, notAfter: now + 86400000 };
  const rootKey = await newKey();
  const midKey = await newKey();
  const leafKey = await newKey();
  const root = await makeCertificate({ subject: 'Root', issuer: 'Root', spki: rootKey.spki, signingKey: rootKey.privateKey, ca: true, serial: 1, ...validity });
  const roots = [{ der: root }];
  const chain = async (midOptions, leafOptions = {}) => {
    const mid = await makeCertificate({ subject: 'Mid', issuer: 'Root', spki: midKey.spki, signingKey: rootKey.privateKey, serial: 2, ...validity, ...midOptions });
    const leaf = await makeCertificate({ subject: 'Leaf', issuer: 'Mid', spki: leafKey.spki, signingKey: midKey.privateKey, ca: false, serial: 3, ...validity, ...leafOptions });
    return [leaf, mid, root];
  };
  const good = await verifyChain(await chain({ ca: true }), { roots, timeMs: now });
  assert.deepEqual(good.subjects, ['CN=Leaf', 'CN=Mid', 'CN=Root']);
  await verifyChain(await chain({ ca: true, pathLength: 0 }), { roots, timeMs: now });
  await rejectsChain(await chain({ ca: false }), { roots, timeMs: now });
  await rejectsChain(await chain({ ca: false, keyCertSign: true }), { roots, timeMs: now }); // keyUsage alone is not enough
  await rejectsChain(await chain({ ca: true, keyCertSign: false }), { roots, timeMs: now });
  const critical = seq(oid('1.2.3.4'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, Uint8Array.of(0x05, 0x00)));
  await rejectsChain(await chain({ ca: true }, { extraExtension: critical }), { roots, timeMs: now });
  // A root with pathLength 0 may not have an intermediate CA below it.
  const strictRoot = await makeCertificate({ subject: 'Root', issuer: 'Root', spki: rootKey.spki, signingKey: rootKey.privateKey, ca: true, pathLength: 0, serial: 1, ...validity });
  const [leaf, mid] = await chain({ ca: true });
  await rejectsChain([leaf, mid, strictRoot], { roots: [{ der: strictRoot }], timeMs: now });
  await verifyChain([mid, strictRoot], { roots: [{ der: strictRoot }], timeMs: now });
  // Inner and outer signature algorithms must be equal.
  const sha384 = seq(oid('1.2.840.10045.4.3.3'));
  const odd = await makeCertificate({ subject: 'Leaf', issuer: 'Mid', spki: leafKey.spki, signingKey: midKey.privateKey, ca: false, serial: 3, outerAlgorithm: sha384, ...validity });
  assert.throws(() => parseCertificate(odd), /signature algorithms differ/);
  // A self-signed leaf that merely claims the pinned root's name fails.
  const impostor = await makeCertificate({ subject: 'Root', issuer: 'Root', spki: leafKey.spki, signingKey: leafKey.privateKey, ca: true, serial: 9, ...validity });
  await rejectsChain([leaf, mid, impostor], { roots, timeMs: now });
});

// One validity convention with the C++ verifier (OpenSSL): valid at t iff
// notBefore <= t < notAfter, in whole seconds (t_s = floor(t_ms / 1000)).
test('validity: notBefore is the first valid second, notAfter the first invalid one', async () => {
  const { makeCertificate, newKey } = await import('./fake_node.mjs');
  const { validAt } = await import('../../web/js/x509/certificate.js');
  const notBefore = Date.UTC(2026, 2, 1, 12, 0, 0);
  const notAfter = Date.UTC(2026, 2, 8, 12, 0, 0);
  const rootKey = await newKey();
  const leafKey = await newKey();
  const root = await makeCertificate({ subject: 'Root', issuer: 'Root', spki: rootKey.spki, signingKey: rootKey.privateKey, ca: true, serial: 1, notBefore: notBefore - 86400000, notAfter: notAfter + 86400000 });
  const leaf = await makeCertificate({ subject: 'Leaf', issuer: 'Root', spki: leafKey.spki, signingKey: rootKey.privateKey, ca: false, serial: 2, notBefore, notAfter });
  const parsed = parseCertificate(leaf);
  assert.equal(parsed.notBefore, notBefore);
  assert.equal(parsed.notAfter, notAfter);
  const roots = [{ der: root }];
  for (const [t, valid] of [
    [notBefore - 1000, false], [notBefore - 1, false], [notBefore, true], [notBefore + 999, true],
    [notAfter - 1000, true], [notAfter - 1, true], [notAfter, false], [notAfter + 999, false], [notAfter + 1000, false],
  ]) {
    assert.equal(validAt(parsed, t), valid, `t = ${t - notBefore} ms after notBefore / ${t - notAfter} ms after notAfter`);
    if (valid) await verifyChain([leaf, root], { roots, timeMs: t });
    else await rejectsChain([leaf, root], { roots, timeMs: t });
  }
});
