// An answer as the console shows it, in "Try it" and in transcripts: the text with its [n]
// markers turned into links to the numbered sources listed below it, and a line of facts
// (confidence, generator, latency, cost). All of it is built as text nodes.

import { fmt, h, uid } from "./dom.js";

// Only http(s) links leave the page: a citation url like `javascript:…` is shown as text.
export function safeURL(text) {
    if (!text) return null;
    try {
        const url = new URL(text, location.href);
        return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
        return null;
    }
}

// Splits "see [1] and [2]" into text and marker parts: [{text}, {n: 1}, …].
export function splitMarkers(text) {
    const parts = [];
    const pattern = /\[(\d{1,3})\]/g;
    let last = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        if (match.index > last) parts.push({ text: text.slice(last, match.index) });
        parts.push({ n: Number(match[1]) });
        last = match.index + match[0].length;
    }
    if (last < text.length) parts.push({ text: text.slice(last) });
    return parts;
}

// answerBody(text, citations) → element; markers without a matching citation stay plain text.
export function answerBody(text, citations = []) {
    const prefix = uid("cite");
    const byN = new Map(citations.map((c) => [c.n, c]));
    const body = h("div", { class: "answer-text" });
    for (const part of splitMarkers(text || "")) {
        if (part.text !== undefined) body.append(part.text);
        else if (byN.has(part.n)) {
            body.append(h("a", { href: `#${prefix}-${part.n}`, class: "marker", testid: "citation",
                "aria-label": `Source ${part.n}`, on: { click: (event) => jumpTo(event, `${prefix}-${part.n}`) } }, `[${part.n}]`));
        } else body.append(`[${part.n}]`);
    }
    const element = h("div", { class: "answer" }, body);
    if (citations.length) element.append(citationList(citations, prefix));
    return element;
}

// Hash links would fight the router: move focus to the source instead.
function jumpTo(event, id) {
    event.preventDefault();
    const target = document.getElementById(id);
    if (!target) return;
    target.scrollIntoView({ block: "nearest" });
    target.focus();
}

function citationList(citations, prefix) {
    return h("ol", { class: "citations", "aria-label": "Sources" }, ...citations.map((c) => {
        const url = safeURL(c.url);
        const title = c.title || c.document_id || "Untitled";
        return h("li", { id: `${prefix}-${c.n}`, tabindex: "-1", value: c.n },
            url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title) : h("strong", {}, title),
            c.page ? h("span", { class: "muted" }, ` · page ${c.page}`) : null,
            c.snippet ? h("p", { class: "snippet" }, c.snippet) : null);
    }));
}

// The facts line under an answer; works for a `done` event and for a transcript message.
export function answerFacts(answer) {
    const facts = [];
    if (typeof answer.confidence === "number") {
        facts.push(h("span", { class: `confidence${answer.escalate ? " confidence-low" : ""}` },
            `confidence ${fmt.percent(answer.confidence)}`));
    }
    if (answer.escalate) facts.push(h("span", { class: "badge badge-warn" }, "needs a person"));
    if (answer.generator) facts.push(h("span", {}, answer.model ? `${answer.generator} · ${answer.model}` : answer.generator));
    if (answer.fallback) facts.push(h("span", { class: "badge badge-warn" }, "fallback answer"));
    if (answer.cached || answer.cache_hit) facts.push(h("span", { class: "badge" }, "cached"));
    if (answer.timings?.total_ms !== undefined && answer.timings?.total_ms !== null) facts.push(h("span", {}, fmt.ms(answer.timings.total_ms)));
    if (answer.usage) {
        const tokens = (answer.usage.prompt_tokens || 0) + (answer.usage.completion_tokens || 0);
        if (tokens) facts.push(h("span", {}, `${fmt.number(tokens)} tokens`));
        if (answer.usage.cost) facts.push(h("span", {}, fmt.cost(answer.usage.cost)));
    }
    const feedback = feedbackOf(answer);
    if (feedback) {
        facts.push(h("span", { class: `badge ${feedback.rating === "down" ? "badge-bad" : "badge-good"}` },
            feedback.rating === "down" ? "negative feedback" : "positive feedback"));
    }
    return h("p", { class: "facts muted" }, ...facts.flatMap((f, i) => (i ? [" · ", f] : [f])));
}

// Feedback on a transcript message: {feedback: {rating, comment}} (or a bare rating string).
export function feedbackOf(message) {
    const f = message.feedback;
    if (!f) return null;
    if (typeof f === "string") return { rating: f, comment: null };
    return f.rating ? f : null;
}
