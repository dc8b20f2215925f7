// Copyright 2026 The Cerumbra Authors.
//
// Static checks of the page that the node serves byte for byte under its
// CSP ("default-src 'none'; script-src 'self'; style-src 'self'; ...;
// connect-src 'self'"): no inline script or
// style, no event-handler attributes, no external resources, every module
// import resolves inside web/, and every element id that app.js uses
// exists in index.html. (The end-to-end Chromium tests need the node.)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(here, '../../web');
const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    (d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

test('index.html has no inline script, style or handler and no external resource', () => {
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /\bsrc="[^"]+"/, 'every script has a src');
    assert.equal(m[2].trim(), '', 'scripts are empty');
  }
  assert.doesNotMatch(html, /<style\b/i);
  assert.doesNotMatch(html, /\sstyle\s*=/i);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
  assert.doesNotMatch(html, /javascript:/i);
  for (const m of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) {
    assert.doesNotMatch(m[1], /^(?:[a-z]+:)?\/\//i, `external resource ${m[1]}`);
    assert.ok(fs.existsSync(path.join(WEB, m[1])), `${m[1]} exists`);
  }
});

test('scripts and styles stay CSP-clean and self-contained', () => {
  for (const file of files(WEB)) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(WEB, file);
    assert.doesNotMatch(text, /\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML|document\.write/, rel);
    assert.doesNotMatch(text, /\beval\(|new Function\(/, rel);
    assert.doesNotMatch(text, /setAttribute\(\s*['"]style['"]/, rel);
    assert.doesNotMatch(text, /@import|url\(\s*['"]?(?:https?:)?\/\//, rel);
    assert.doesNotMatch(text, /fonts\.googleapis|cdn\.|unpkg|jsdelivr/, rel);
    if (file.endsWith('.js')) {
      for (const m of text.matchAll(/\bfrom\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
        const spec = m[1] || m[2];
        assert.match(spec, /^\.\.?\//, `${rel}: relative import ${spec}`);
        assert.ok(fs.existsSync(path.resolve(path.dirname(file), spec)), `${rel}: ${spec} exists`);
      }
    }
  }
});

test('every id app.js uses exists in index.html, once', () => {
  const app = fs.readFileSync(path.join(WEB, 'js/app.js'), 'utf8');
  const ids = new Set([...app.matchAll(/\$\('([a-z0-9-]+)'\)/g)].map((m) => m[1]));
  for (const name of ['client', 'node', 'secret', 'attestation']) ids.add(`state-${name}`).add(`value-${name}`);
  assert.ok(ids.size > 30);
  for (const id of ids) {
    const count = [...html.matchAll(new RegExp(`id="${id}"`, 'g'))].length;
    assert.equal(count, 1, `#${id}`);
  }
});

test('every form control has a label', () => {
  for (const m of html.matchAll(/<(input|textarea|select)\b[^>]*\bid="([^"]+)"/g)) {
    const id = m[2];
    const labelled = html.includes(`for="${id}"`) ||
      new RegExp(`<label[^>]*>[^<]*<${m[1]}[^>]*id="${id}"`).test(html) ||
      new RegExp(`<label[^>]*>\\s*<${m[1]}[^>]*id="${id}"`).test(html);
    assert.ok(labelled, `#${id} is labelled`);
  }
});

test('all modules load in Node (no browser-only top-level code outside app.js)', async () => {
  for (const file of files(path.join(WEB, 'js'))) {
    if (file.endsWith('app.js')) continue;
    await import(file);
  }
});
