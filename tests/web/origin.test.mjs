// Copyright 2026 The Cerumbra Authors.
//
// origin.js: which node URLs are the page's own origin (the only ones the
// link's trust anchors apply to, and the only ones the page connects to
// without asking), and how a host is named to the person.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hostOf, isSameOrigin } from '../../web/js/origin.js';

test('isSameOrigin: the page\'s scheme (ws for http, wss for https), host and port exactly', () => {
  const http = new URL('http://node.example:8080/?root=ab');
  const https = new URL('https://node.example/');
  for (const [url, page, expected] of [
    ['ws://node.example:8080/ws', http, true],
    ['ws://NODE.example:8080/other', http, true], // hosts are case-insensitive; the path does not matter
    ['wss://node.example:8080/ws', http, false], // another scheme is another origin
    ['ws://node.example/ws', http, false], // another port
    ['ws://node.example:8081/ws', http, false],
    ['ws://evil.example:8080/ws', http, false],
    ['ws://node.example.evil.example:8080/ws', http, false],
    ['ws://user:pw@node.example:8080/ws', http, false],
    ['wss://node.example/ws', https, true],
    ['wss://node.example:443/ws', https, true], // the default port, written out
    ['ws://node.example/ws', https, false],
    ['wss://node.example:8443/ws', https, false],
    ['not a url', http, false],
    ['ws://localhost:8080/ws', new URL('file:///home/me/web/index.html'), false],
  ]) {
    assert.equal(isSameOrigin(url, page), expected, `${url} on ${page.href}`);
  }
});

test('hostOf names the host in full, port included', () => {
  assert.equal(hostOf('wss://node.example/ws'), 'node.example:443');
  assert.equal(hostOf('ws://node.example/ws'), 'node.example:80');
  assert.equal(hostOf('ws://127.0.0.1:9/ws'), '127.0.0.1:9');
  assert.equal(hostOf('wss://[::1]:8443/ws'), '[::1]:8443');
  assert.equal(hostOf('wss://exämple.com/ws'), 'xn--exmple-cua.com:443'); // punycode, not a look-alike
  assert.equal(hostOf('nonsense'), '');
});
