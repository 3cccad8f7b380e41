// Unit tests of the pages' shared ES modules (nginx/www/shared), run by `node --test`
// (Tests/Resilience/test_23_page_modules.sh). The DOM-free parts: the event-stream parser, the
// citation markers, the theme's contrast guarantees and the API client against a scripted fetch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, createClient, errorMessage } from '../../nginx/www/shared/api.js';
import { safeURL, splitCitations } from '../../nginx/www/shared/render.js';
import { splitEvents } from '../../nginx/www/shared/sse.js';
import { contrast, themeVariables } from '../../nginx/www/shared/theme.js';

test('splitEvents keeps an unfinished event for the next chunk and skips comments', () => {
  const [events, rest] = splitEvents(': heartbeat\n\nevent: token\ndata: {"text":"a"}\n\nevent: done\ndata: {');
  assert.deepEqual(events, [{ event: 'token', data: '{"text":"a"}', id: null }]);
  assert.equal(rest, 'event: done\ndata: {');
  const [more] = splitEvents(`${rest}}\n\n`);
  assert.deepEqual(more, [{ event: 'done', data: '{}', id: null }]);
});

test('splitEvents joins data lines, accepts CRLF and a CR split from its LF', () => {
  const [events] = splitEvents('data: one\r\ndata:two\r\n\r\n');
  assert.deepEqual(events, [{ event: 'message', data: 'one\ntwo', id: null }]);
  const [none, rest] = splitEvents('data: x\r');
  assert.deepEqual(none, []);
  const [later] = splitEvents(`${rest}\n\r\n`);
  assert.deepEqual(later, [{ event: 'message', data: 'x', id: null }]);
});

test('splitCitations links only markers whose numbers are all cited', () => {
  const parts = splitCitations('A [1]. B [2, 3] C [9] D[1]', new Set([1, 2, 3]));
  assert.deepEqual(parts, [
    { text: 'A ' }, { n: 1 }, { text: '. B ' }, { n: 2 }, { n: 3 }, { text: ' C [9] D' }, { n: 1 },
  ]);
  assert.deepEqual(splitCitations('<script>[1]</script>', new Set()), [{ text: '<script>[1]</script>' }]);
});

test('safeURL accepts http(s) only', () => {
  assert.equal(safeURL('https://example.com/a b'), 'https://example.com/a%20b');
  for (const bad of ['javascript:alert(1)', 'data:text/html,x', '/relative', '', null]) assert.equal(safeURL(bad), null);
});

test('every theme, even a tenant\'s illegible one, keeps text and links at AA contrast', () => {
  const colors = ['#ffffff', '#000000', '#ffcc00', '#777777', '#0055ff', '#ff0000', '#00ff00', '#222222', '#fafafa'];
  for (const primary of colors) for (const background of colors) for (const mode of ['light', 'dark']) {
    const v = themeVariables({ primary_color: primary, background_color: background, text_color: '#777777' }, mode);
    const context = `${primary}/${background}/${mode}`;
    assert.ok(contrast(v['--pc-fg'], v['--pc-bg']) >= 4.5, `text ${context}`);
    assert.ok(contrast(v['--pc-muted'], v['--pc-bg']) >= 4.5, `muted ${context}`);
    assert.ok(contrast(v['--pc-link'], v['--pc-bg']) >= 4.5, `link ${context}`);
    assert.ok(contrast(v['--pc-on-accent'], v['--pc-accent']) >= 3, `button ${context}`);
    assert.ok(contrast(v['--pc-border'], v['--pc-bg']) >= 3, `border ${context}`);
  }
  const tenant = themeVariables({ primary_color: '#123456', background_color: '#FFFDF5', text_color: '#1A1A1A' }, 'light');
  assert.equal(tenant['--pc-bg'], '#fffdf5');
  assert.equal(tenant['--pc-accent'], '#123456');
  assert.equal(tenant['--pc-on-accent'], '#ffffff');
});

// A fetch that answers from a script and records the requests; bodies stream in the given chunks.
function scriptedFetch(reply) {
  const calls = [];
  globalThis.fetch = async (url, init) => {
    calls.push({ url, init });
    const { status = 200, headers = {}, chunks = [] } = reply(url, init);
    const body = new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    return new Response(body, { status, headers });
  };
  return calls;
}

const WID = `wid_${'a'.repeat(20)}`;
const sse = { 'Content-Type': 'text/event-stream' };

test('ask streams tokens, reset and citations, returns done, and sends the visitor token', async () => {
  const stream = 'event: token\ndata: {"text":"Hel"}\n\nevent: reset\ndata: {"reason":"x"}\n\n: ping\n\n' +
    'event: token\ndata: {"text":"Hello [1]"}\n\nevent: citations\ndata: [{"n":1}]\n\n' +
    'event: done\ndata: {"answer":"Hello [1]","conversation_id":"conv_1","message_id":"msg_1"}\n\n';
  // Cut into 7-byte pieces: events straddle chunk boundaries.
  const chunks = stream.match(/[\s\S]{1,7}/g);
  const calls = scriptedFetch(() => ({ headers: sse, chunks }));
  const events = [];
  const done = await createClient('https://parley.test', WID).ask('Hi?', { conversation_id: 'conv_1', visitor_token: 'vt' },
    (event, data) => events.push([event, data]));
  assert.deepEqual(events, [['token', { text: 'Hel' }], ['reset', { reason: 'x' }], ['token', { text: 'Hello [1]' }], ['citations', [{ n: 1 }]]]);
  assert.equal(done.message_id, 'msg_1');
  assert.equal(calls[0].url, `https://parley.test/v1/public/widgets/${WID}/query`);
  assert.equal(calls[0].init.credentials, 'omit');
  assert.equal(calls[0].init.headers['X-Visitor-Token'], 'vt');
  assert.equal(calls[0].init.headers.Accept, 'text/event-stream');
  assert.deepEqual(JSON.parse(calls[0].init.body), { question: 'Hi?', conversation_id: 'conv_1', visitor_token: 'vt' });
});

test('ask turns an error event, a cut stream and a 429 into ApiErrors with readable messages', async () => {
  const client = createClient('https://parley.test', WID);
  scriptedFetch(() => ({ headers: sse, chunks: ['event: error\ndata: {"status":503,"detail":"down"}\n\n'] }));
  await assert.rejects(client.ask('q', {}, () => {}), (e) => e instanceof ApiError && e.status === 503);

  scriptedFetch(() => ({ headers: sse, chunks: ['event: token\ndata: {"text":"a"}\n\nevent: done\ndata: {"ans'] }));
  await assert.rejects(client.ask('q', {}, () => {}), (e) => errorMessage(e) === 'The answer was cut off. Please ask again.');

  scriptedFetch(() => ({ status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '12' }, chunks: ['{"status":429}'] }));
  await assert.rejects(client.ask('q', {}, () => {}), (e) => /wait 12 seconds/.test(errorMessage(e)));
});

test('errorMessage explains refusals, missing widgets, outages and the network', () => {
  assert.match(errorMessage(new ApiError(403)), /isn't available on this website/);
  assert.match(errorMessage(new ApiError(404)), /doesn't exist/);
  assert.match(errorMessage(new ApiError(502)), /unavailable right now/);
  assert.equal(errorMessage(new ApiError(422, { detail: 'Question too long.' })), 'Question too long.');
  assert.match(errorMessage(new TypeError('Failed to fetch')), /Can't reach the assistant/);
});

test('feedback, handoff and transcript call the contract\'s routes with the visitor token', async () => {
  const calls = scriptedFetch(() => ({ status: 200, headers: { 'Content-Type': 'application/json' }, chunks: ['{}'] }));
  const client = createClient('https://parley.test', WID);
  await client.feedback('msg_1', 'down', 'too vague', 'vt');
  await client.handoff('conv_1', 'vt');
  await client.transcript('conv_1', 'vt');
  const base = `https://parley.test/v1/public/widgets/${WID}`;
  assert.deepEqual(calls.map((c) => [c.init.method, c.url, c.init.headers['X-Visitor-Token']]), [
    ['POST', `${base}/messages/msg_1/feedback`, 'vt'],
    ['POST', `${base}/conversations/conv_1/handoff`, 'vt'],
    ['GET', `${base}/conversations/conv_1`, 'vt'],
  ]);
  assert.deepEqual(JSON.parse(calls[0].init.body), { rating: 'down', comment: 'too vague' });
});
