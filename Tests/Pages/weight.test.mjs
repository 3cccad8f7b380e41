// Page weight: the chat page and the widget each stay under 60 KB of HTML + CSS + JS, uncompressed
// (issue 7). Each is measured as the closure of what its entry file loads: static and dynamic
// imports, stylesheet links, and the stylesheets the widget fetches.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const WWW = normalize(join(dirname(fileURLToPath(import.meta.url)), '../../nginx/www'));
const LIMIT = 60 * 1024;

// References in a file: site-absolute paths of our own assets, and relative module specifiers.
function references(path, text) {
  const found = [...text.matchAll(/['"`(]((?:\/|\.\.?\/)[\w./-]+\.(?:js|css))/g)].map((m) => m[1]);
  // A template string like `${origin}/shared/chat.css` (the widget's fetched sheets).
  found.push(...[...text.matchAll(/\}(\/[\w./-]+\.(?:js|css))/g)].map((m) => m[1]));
  return found.map((ref) => (ref.startsWith('/') ? join(WWW, ref) : normalize(join(dirname(path), ref))));
}

function closure(entry) {
  const seen = new Map();
  const visit = (path) => {
    if (seen.has(path)) return;
    const text = readFileSync(path, 'utf8');
    seen.set(path, Buffer.byteLength(text));
    for (const next of references(path, text)) visit(next);
  };
  visit(join(WWW, entry));
  return seen;
}

for (const [name, entry] of [['chat page', 'chat/index.html'], ['widget', 'widget.js']]) {
  test(`${name} weighs under 60 KB`, (t) => {
    const files = closure(entry);
    const total = [...files.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(`${name}: ${total} bytes in ${files.size} files (${[...files.keys()].map((f) => f.slice(WWW.length + 1)).join(', ')})`);
    // The closure must have found the shared chat, or the number means nothing.
    assert.ok([...files.keys()].some((f) => f.endsWith('shared/chat-view.js')), 'shared/chat-view.js not reached');
    assert.ok([...files.keys()].some((f) => f.endsWith('shared/chat.css')), 'shared/chat.css not reached');
    assert.ok(total < LIMIT, `${name} is ${total} bytes`);
  });
}
