// Copyright 2026 The Cerumbra Authors.
//
// Test-only: the smallest DOM that web/js/app.js uses, so the page's script
// runs in Node against index.html's ids. Not a browser: layout, CSS and CSP
// are not modelled (page.test.mjs checks the CSP rules statically).

class ClassList {
  constructor(element) {
    this.element = element;
  }

  add(name) {
    const set = new Set(this.element.className.split(/\s+/).filter(Boolean));
    set.add(name);
    this.element.className = [...set].join(' ');
  }

  contains(name) {
    return this.element.className.split(/\s+/).includes(name);
  }
}

export class FakeElement {
  constructor(tag, document, attributes = {}) {
    this.tagName = tag.toUpperCase();
    this.ownerDocument = document;
    this.children = [];
    this.parent = null;
    this.listeners = {};
    this.className = attributes.class || '';
    this.id = attributes.id || '';
    this.hidden = 'hidden' in attributes;
    this.disabled = 'disabled' in attributes;
    this.checked = 'checked' in attributes;
    this.value = attributes.value || '';
    this.ownText = '';
    this.scrollTop = 0;
    this.scrollHeight = 100;
    this.classList = new ClassList(this);
    this.files = [];
  }

  get textContent() {
    return this.ownText + this.children.map((c) => c.textContent).join('');
  }

  set textContent(v) {
    this.children = [];
    this.ownText = String(v);
  }

  append(...nodes) {
    for (const n of nodes) {
      const node = typeof n === 'string' ? this.ownerDocument.createTextNode(n) : n;
      node.parent = this;
      this.children.push(node);
    }
  }

  replaceChildren(...nodes) {
    this.children = [];
    this.ownText = '';
    this.append(...nodes);
  }

  remove() {
    if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
  }

  closest() {
    return this.ownerDocument.scroller;
  }

  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }

  async dispatch(type, init = {}) {
    const event = { type, target: this, preventDefault() {}, ...init };
    for (const fn of this.listeners[type] || []) await fn(event);
  }

  requestSubmit() {
    return this.dispatch('submit');
  }

  click() {
    return this.dispatch('click');
  }

  focus() {
    this.ownerDocument.activeElement = this;
  }
}

/** makeDocument builds elements for every id in `html` (with its tag and attributes). */
export function makeDocument(html) {
  const document = {
    elements: new Map(),
    activeElement: null,
    createElement(tag) {
      return new FakeElement(tag, document);
    },
    createTextNode(text) {
      const t = new FakeElement('#text', document);
      t.ownText = String(text);
      return t;
    },
    getElementById(id) {
      return document.elements.get(id) || null;
    },
  };
  document.body = new FakeElement('body', document);
  document.scroller = new FakeElement('div', document);
  for (const m of html.matchAll(/<([a-z0-9]+)\b([^>]*\bid="([^"]+)"[^>]*)>/g)) {
    const attributes = {};
    for (const a of m[2].matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) attributes[a[1]] = a[2] ?? '';
    document.elements.set(m[3], new FakeElement(m[1], document, attributes));
  }
  return document;
}
