// Copyright 2026 The Cerumbra Authors.
//
// origin.js: whether a node's WebSocket URL is the page's own origin, and
// how to name a node's host to a person. The page applies trust anchors
// from its URL (root pins, measurement pins, flags) only to a same-origin
// node, and asks the person before connecting anywhere else
// (docs/web-client.md "Whom the page trusts"), so that a link cannot point
// a trusted page at another host and vouch for it at the same time.
// No DOM: app.js and the tests use it alike.

/**
 * isSameOrigin returns true when `wsUrl` is the WebSocket origin of the
 * page at `pageLocation` (a Location or URL): ws: for an http: page, wss:
 * for an https: page, the same host and port (URL.host, default ports
 * normalized), and no user name or password. Anything else, a page from
 * file: included, is another origin.
 */
export function isSameOrigin(wsUrl, pageLocation) {
  let u;
  try {
    u = new URL(wsUrl);
  } catch {
    return false;
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:' }[pageLocation.protocol];
  return scheme !== undefined && u.protocol === scheme && u.host === pageLocation.host &&
    u.username === '' && u.password === '';
}

/**
 * hostOf returns the host of a ws:/wss: URL in full, port included even
 * when it is the default ("node.example:443"), in the URL parser's form
 * (internationalized names in punycode, "xn--..."), or '' when `wsUrl`
 * does not parse.
 */
export function hostOf(wsUrl) {
  let u;
  try {
    u = new URL(wsUrl);
  } catch {
    return '';
  }
  const port = u.port || (u.protocol === 'wss:' ? '443' : '80');
  return `${u.hostname}:${port}`;
}
