// Copyright 2026 The Cerumbra Authors.
//
// Test-only servers for the Chromium tests, with Node's standard library
// alone:
//  - startStaticServer: serves the files of web/ exactly as they are, from
//    an origin that is not the node's (the honest path of
//    docs/web-client.md: the page comes from a static origin the person
//    trusts and is pointed at a node). Optionally it also answers a
//    WebSocket at /ws with a JavaScript node (tests/web/fake_node.mjs), a
//    minimal RFC 6455 server (no extensions, so no permessage-deflate).
//  - startTcpListener: a TCP listener that only counts the connections it
//    gets (to show that the page connects nowhere).

import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.json': 'application/json',
};
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/**
 * startStaticServer({root, csp, makeNode}) serves `root` at
 * http://127.0.0.1:<port>/ (index.html for /; 404 for anything outside
 * root or missing). `csp`, when given, is sent as Content-Security-Policy.
 * `makeNode()`, when given, returns a FakeNode for each WebSocket at /ws.
 * Resolves to {url, port, origin, sockets (count), close()}.
 */
export async function startStaticServer({ root, csp = null, makeNode = null }) {
  const base = await realpath(root);
  const state = { sockets: 0 };
  const server = http.createServer(async (req, res) => {
    try {
      const u = new URL(req.url, 'http://x');
      const rel = u.pathname === '/' ? 'index.html' : decodeURIComponent(u.pathname.slice(1));
      const file = await realpath(path.join(base, rel));
      if (!file.startsWith(base + path.sep)) throw new Error('outside');
      const body = await readFile(file);
      const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
      if (csp) headers['Content-Security-Policy'] = csp;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  const live = new Set();
  server.on('connection', (s) => {
    live.add(s);
    s.on('close', () => live.delete(s));
  });
  server.on('upgrade', (req, socket) => {
    const key = req.headers['sec-websocket-key'];
    if (!makeNode || new URL(req.url, 'http://x').pathname !== '/ws' || !key) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    ++state.sockets;
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    bridge(socket, makeNode());
  });
  const port = await listen(server);
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/`,
    get sockets() { return state.sockets; },
    close: () => new Promise((resolve) => {
      for (const s of live) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function frame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n])
    : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
  return Buffer.concat([head, payload]);
}

// bridge connects a browser's WebSocket (a raw socket after the upgrade) to
// a FakeNode: the node's fake client-side socket stands for the browser.
function bridge(socket, node) {
  const fake = new node.WebSocket('ws://bridge/ws');
  let open = false;
  let closed = false;
  const early = [];
  const toNode = (data) => (open ? fake.send(data) : early.push(data));
  fake.onopen = () => {
    open = true;
    for (const d of early.splice(0)) fake.send(d);
  };
  fake.onmessage = ({ data }) => {
    if (closed) return;
    if (typeof data === 'string') socket.write(frame(0x1, Buffer.from(data, 'utf8')));
    else socket.write(frame(0x2, Buffer.from(new Uint8Array(data))));
  };
  fake.onclose = ({ code } = {}) => {
    if (closed) return;
    closed = true;
    if (code === 1006) {
      socket.destroy(); // the node dropped the connection
      return;
    }
    const c = code || 1000;
    socket.end(frame(0x8, Buffer.from([c >> 8, c & 255])));
  };
  let buffer = Buffer.alloc(0);
  let message = [];
  let messageOpcode = 0;
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      const fin = (buffer[0] & 0x80) !== 0;
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let n = buffer[1] & 0x7f;
      let o = 2;
      if (n === 126) {
        if (buffer.length < 4) return;
        n = buffer.readUInt16BE(2);
        o = 4;
      } else if (n === 127) {
        if (buffer.length < 10) return;
        n = Number(buffer.readBigUInt64BE(2));
        o = 10;
      }
      if (!masked) {
        socket.destroy(); // RFC 6455 §5.1: client frames are masked
        return;
      }
      if (buffer.length < o + 4 + n) return;
      const mask = buffer.subarray(o, o + 4);
      const payload = Buffer.from(buffer.subarray(o + 4, o + 4 + n));
      for (let i = 0; i < n; ++i) payload[i] ^= mask[i & 3];
      buffer = buffer.subarray(o + 4 + n);
      if (opcode === 0x8) {
        if (!closed) {
          closed = true;
          socket.end(frame(0x8, payload.subarray(0, 2)));
        }
        fake.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        return;
      }
      if (opcode === 0x9) {
        socket.write(frame(0xa, payload));
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode !== 0) messageOpcode = opcode;
      message.push(payload);
      if (!fin) continue;
      const whole = Buffer.concat(message);
      message = [];
      toNode(messageOpcode === 0x1 ? whole.toString('utf8') : new Uint8Array(whole));
    }
  });
  socket.on('close', () => {
    if (!closed) {
      closed = true;
      fake.close(1006);
    }
  });
  socket.on('error', () => {});
}

/** startTcpListener resolves to {port, connections (count), close()}. */
export async function startTcpListener() {
  const state = { connections: 0 };
  const sockets = new Set();
  const server = net.createServer((s) => {
    ++state.connections;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    port,
    get connections() { return state.connections; },
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
