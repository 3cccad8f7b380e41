// Unit tests of the admin console's modules, run in headless Chromium by
// Tests/Resilience/test_21_admin_modules.sh (the console's files are served beside this page
// under /admin/). The API is replaced by a fake `fetch` per test. The page ends with one line
// "RESULT passed=N failed=M" in #out, after a "PASS name" or "FAIL name: why" line per test.

import { api, ApiError, setCSRF, stream } from "/admin/api.js";
import { h } from "/admin/dom.js";
import { barChart, labelIndexes, lineChart, niceTicks } from "/admin/charts.js";
import { answerBody, safeURL, splitMarkers } from "/admin/answer-view.js";
import { capabilities } from "/admin/session.js";
import { contrast } from "/admin/sections/widget-preview.js";
import * as knowledge from "/admin/sections/knowledge.js";
import * as keys from "/admin/sections/keys.js";
import * as settings from "/admin/sections/settings.js";

const out = document.getElementById("out");
const sandbox = document.getElementById("sandbox");
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const realFetch = window.fetch;
window.alert = () => { window.alerted = true; };

function check(condition, message) {
    if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition, what, ms = 5000) {
    const end = performance.now() + ms;
    while (performance.now() < end) {
        if (condition()) return;
        await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
}
const json = (body, status = 200, type = "application/json") => new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });

// Records requests and answers them with route(method, path, init) → Response.
function fakeAPI(route) {
    const calls = [];
    window.fetch = async (url, init = {}) => {
        const path = new URL(url, location.href);
        const call = { method: init.method || "GET", path: path.pathname, query: path.searchParams, init, body: init.body ? JSON.parse(init.body) : undefined };
        calls.push(call);
        return route(call);
    };
    return calls;
}

test("chart ticks are round and cover the maximum", () => {
    equal(niceTicks(80), [0, 20, 40, 60, 80], "80");
    equal(niceTicks(7), [0, 2, 4, 6, 8], "7");
    equal(niceTicks(1), [0, 0.25, 0.5, 0.75, 1], "1");
    equal(niceTicks(0), [0, 1], "0");
    const labels = labelIndexes(30);
    check(labels.length <= 6 && labels[0] === 0 && labels[labels.length - 1] === 29, `labels ${labels}`);
});

test("line chart: accessible title, a path per series, a gap for missing values", () => {
    const svg = lineChart({ title: "Latency <b>", description: "d", labels: ["2026-11-01", "2026-11-02", "2026-11-03"],
        series: [{ name: "p50", values: [1, null, 3] }, { name: "p95", values: [4, 5, 6] }] });
    check(svg.getAttribute("role") === "img", "role img");
    const title = svg.querySelector("title");
    equal(title.textContent, "Latency <b>", "title text");
    equal(svg.getAttribute("aria-labelledby"), title.id, "labelled by its title");
    equal(svg.querySelectorAll("path").length, 2, "paths");
    equal(svg.querySelectorAll("circle").length, 5, "points");
    equal((svg.querySelector("path").getAttribute("d").match(/M/g) || []).length, 2, "moves in the gapped series");
    const bars = barChart({ title: "Q", description: "d", labels: ["a", "b"], values: [3, 0] });
    equal(bars.querySelectorAll("rect").length, 2, "bars");
});

test("answers: markup in answers, titles and snippets stays text; only http(s) links", () => {
    window.alerted = false;
    const el = answerBody("<script>alert(1)</script> see [1] and [2] and [9]", [
        { n: 1, title: "<img src=x onerror=alert(1)>", url: "javascript:alert(1)", snippet: "<b>bold</b>" },
        { n: 2, title: "Manual", url: "https://example.com/m", page: 3, snippet: "s" },
    ]);
    sandbox.replaceChildren(el);
    check(!el.querySelector("script, img, b"), "no element from the text");
    check(el.textContent.includes("<script>alert(1)</script>"), "the answer's characters are shown");
    check(el.textContent.includes("<img src=x onerror=alert(1)>"), "the title's characters are shown");
    equal(el.querySelectorAll('[data-testid="citation"]').length, 2, "markers with a citation are links");
    check(el.textContent.includes("[9]"), "a marker without a citation stays text");
    const links = [...el.querySelectorAll(".citations a")].map((a) => a.href);
    equal(links, ["https://example.com/m"], "source links");
    equal(safeURL("javascript:alert(1)"), null, "javascript: refused");
    equal(splitMarkers("a [1]"), [{ text: "a " }, { n: 1 }], "markers split");
    check(!window.alerted, "nothing ran");
});

test("h(): attribute values are never parsed as markup", () => {
    const el = h("div", { title: '"><img src=x onerror=alert(1)>', testid: "x" }, '<img src=x onerror=alert(1)>', null, false, ["a", 1]);
    check(!el.querySelector("img"), "no img");
    equal(el.dataset.testid, "x", "testid");
    equal(el.textContent, "<img src=x onerror=alert(1)>a1", "children as text");
});

test("roles: viewers and agents cannot write; viewers read the admin pages", () => {
    equal([capabilities("owner").write, capabilities("admin").write, capabilities("agent").write, capabilities("viewer").write],
        [true, true, false, false], "write");
    equal([capabilities("viewer").readAdmin, capabilities("agent").readDocuments], [true, false], "reads");
});

test("widget contrast check follows WCAG", () => {
    check(Math.abs(contrast("#000000", "#ffffff") - 21) < 0.01, "black on white is 21");
    check(contrast("#777777", "#ffffff") < 4.5, "#777 on white fails AA");
    check(Number.isNaN(contrast("red", "#ffffff")), "not a color");
});

test("api(): same-origin credentials, CSRF only on state changes, problem+json as ApiError", async () => {
    setCSRF("tok123");
    const calls = fakeAPI((call) => (call.method === "GET" ? json({ ok: true })
        : json({ type: "/problems/csrf", title: "Forbidden", status: 403, detail: "Missing CSRF token.", request_id: "r1" }, 403, "application/problem+json")));
    equal(await api("GET", "/v1/x", { query: { a: 1, b: "", c: null } }), { ok: true }, "GET body");
    let error = null;
    try {
        await api("POST", "/v1/y", { body: { z: 1 } });
    } catch (e) {
        error = e;
    }
    check(error instanceof ApiError, "ApiError thrown");
    equal([error.status, error.type, error.message, error.requestID], [403, "/problems/csrf", "Forbidden: Missing CSRF token.", "r1"], "problem");
    equal(calls[0].init.credentials, "same-origin", "credentials");
    equal(calls[0].query.toString(), "a=1", "empty query values dropped");
    check(!("X-CSRF-Token" in calls[0].init.headers), "no token on GET");
    equal(calls[1].init.headers["X-CSRF-Token"], "tok123", "token on POST");
    equal(calls[1].body, { z: 1 }, "JSON body");
});

test("stream(): server-sent events over a POST, in pieces", async () => {
    setCSRF("tok");
    const pieces = ['event: tok', 'en\ndata: {"text":"Hel"}\n\nevent: token\ndata: {"text":"lo"}\n\n', 'event: done\ndata: {"answer":"Hello"}\n\n'];
    const calls = fakeAPI(() => new Response(new ReadableStream({
        start(controller) {
            for (const p of pieces) controller.enqueue(new TextEncoder().encode(p));
            controller.close();
        },
    }), { headers: { "Content-Type": "text/event-stream" } }));
    const events = [];
    await stream("/v1/query", { question: "q", stream: true }, (name, data) => events.push([name, data]));
    equal(events, [["token", { text: "Hel" }], ["token", { text: "lo" }], ["done", { answer: "Hello" }]], "events");
    equal(calls[0].init.headers.Accept, "text/event-stream", "asks for a stream");
    equal(calls[0].init.headers["X-CSRF-Token"], "tok", "CSRF on the POST");
});

test("knowledge: hostile titles stay text, status updates live while processing, polling stops on leave", async () => {
    window.alerted = false;
    let listCalls = 0;
    const doc = { id: "doc_1", title: "<img src=x onerror=alert(1)>", filename: "a.pdf", collection: "default", visibility: "public",
        status: "processing", progress: 30, stage: "embed", version: 1, byte_size: 10 };
    fakeAPI((call) => {
        if (call.path === "/v1/collections") return json({ data: [{ name: "default", visibility: "public", document_count: 1 }] });
        if (call.path === "/v1/documents") {
            listCalls += 1;
            return json({ data: [listCalls >= 2 ? { ...doc, status: "ready", progress: 100, chunk_count: 4 } : doc], next_cursor: null });
        }
        return json({}, 404);
    });
    const container = h("div");
    sandbox.replaceChildren(container);
    const cleanup = knowledge.mount(container, { caps: capabilities("owner"), params: [] });
    await until(() => container.querySelector('[data-testid="document-row"]'), "the row");
    const row = container.querySelector('[data-testid="document-row"]');
    equal(row.dataset.status, "processing", "first status");
    check(!container.querySelector("img"), "no img from the title");
    check(row.textContent.includes("<img src=x onerror=alert(1)>"), "title shown as text");
    await until(() => row.dataset.status === "ready", "the poll to show ready", 6000);
    check(container.querySelector('[data-testid="document-row"]') === row, "the row was updated in place");
    check(!container.querySelector('[data-testid="upload-input"]').disabled, "owners may upload");
    cleanup();
    const seen = listCalls;
    await sleep(2500);
    equal(listCalls, seen, "no polling after leaving (nothing busy, and cleaned up)");
    check(!window.alerted, "nothing ran");
});

test("viewer: write controls are disabled", async () => {
    fakeAPI((call) => (call.path === "/v1/keys" ? json({ data: [{ id: "key_1", name: "k", prefix: "pk_live_x", scopes: ["query"], created_at: "2026-11-21T00:00:00Z" }] })
        : json({ data: [], next_cursor: null })));
    const container = h("div");
    sandbox.replaceChildren(container);
    const cleanupKeys = keys.mount(container, { caps: capabilities("viewer"), params: [] });
    await until(() => container.querySelector("tbody tr"), "the key list");
    check(container.querySelector('[data-testid="key-create"]').disabled, "key-create disabled");
    check([...container.querySelectorAll('[data-testid="key-scopes"] input')].every((i) => i.disabled), "scopes disabled");
    check(container.querySelector("tbody button").disabled, "revoke disabled");
    cleanupKeys();
    const docs = h("div");
    sandbox.replaceChildren(docs);
    const cleanupDocs = knowledge.mount(docs, { caps: capabilities("viewer"), params: [] });
    check(docs.querySelector('[data-testid="upload-input"]').disabled, "upload disabled");
    cleanupDocs();
});

test("keys: the new secret is shown once, with the chosen scopes sent", async () => {
    setCSRF("t");
    const calls = fakeAPI((call) => (call.method === "POST"
        ? json({ id: "key_2", name: "ci", prefix: "pk_live_Q", scopes: ["ingest", "query"], created_at: "2026-11-21T00:00:00Z", key: "pk_live_Qsecret" }, 201)
        : json({ data: [] })));
    const container = h("div");
    sandbox.replaceChildren(container);
    const cleanup = keys.mount(container, { caps: capabilities("admin"), params: [] });
    container.querySelector('input[name="name"]').value = "ci";
    container.querySelector('input[value="ingest"]').checked = true;
    container.querySelector('[data-testid="key-create"]').click();
    await until(() => container.querySelector('[data-testid="key-secret"]'), "the secret");
    equal(container.querySelector('[data-testid="key-secret"]').textContent, "pk_live_Qsecret", "secret");
    equal(calls.find((c) => c.method === "POST").body, { name: "ci", scopes: ["query", "ingest"] }, "request");
    cleanup();
    check(!container.querySelector('[data-testid="key-secret"]'), "the secret leaves with the section");
});

test("settings: the PATCH carries only what changed; emptied fields reset with null", async () => {
    setCSRF("t");
    const view = { generator: null, provider: null, model: null, confidence_threshold: 0.7, instructions: "Be brief.", refusal_text: "Sorry.",
        history_token_budget: 1500, retention_days: 30, effective: { generator: "extractive", origin: "plan" } };
    const calls = fakeAPI((call) => json(call.method === "PATCH" ? { ...view, ...call.body } : view));
    const container = h("div");
    sandbox.replaceChildren(container);
    const cleanup = settings.mount(container, { caps: capabilities("owner"), params: [] });
    await until(() => container.querySelector('[name="instructions"]').value === "Be brief.", "the settings");
    container.querySelector('[name="confidence_threshold"]').value = "0.5";
    container.querySelector('[name="retention_days"]').value = "";
    container.querySelector("form").requestSubmit();
    await until(() => calls.some((c) => c.method === "PATCH"), "the PATCH");
    equal(calls.find((c) => c.method === "PATCH").body, { confidence_threshold: 0.5, retention_days: null }, "patch");
    cleanup();
});

async function run() {
    let passed = 0;
    let failed = 0;
    for (const { name, fn } of tests) {
        try {
            await fn();
            out.append(`PASS ${name}\n`);
            passed += 1;
        } catch (error) {
            out.append(`FAIL ${name}: ${error.message}\n`);
            failed += 1;
        } finally {
            window.fetch = realFetch;
            sandbox.replaceChildren();
        }
    }
    out.append(`RESULT passed=${passed} failed=${failed}\n`);
}

run();
