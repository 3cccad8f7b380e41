// Conversations: the tenant's conversations newest first, filtered by channel and escalation in
// the API, and by date range, low confidence and negative feedback here (the list API has no such
// filters: each candidate's transcript is read to decide, a few at a time). `#/conversations/ID`
// shows one transcript with citations, confidence and feedback.

import { api, mapLimit } from "../api.js";
import { field, fmt, h, notice } from "../dom.js";
import { answerBody, answerFacts, feedbackOf } from "../answer-view.js";

const PAGE = 50;
const WANT = 20;
const MAX_PAGES_PER_LOAD = 10;
const PARALLEL = 4;

export function mount(container, ctx) {
    if (ctx.params[0]) return mountTranscript(container, ctx.params[0]);
    const state = { alive: true, cursor: null, exhausted: false, scanned: 0, shown: 0 };
    const channel = h("select", { name: "channel" }, ...["", "api", "chat", "widget", "slack", "telegram", "whatsapp", "email"]
        .map((c) => h("option", { value: c }, c || "Any channel")));
    const from = h("input", { type: "date", name: "from" });
    const to = h("input", { type: "date", name: "to" });
    const lowConfidence = h("input", { type: "checkbox", name: "low_confidence" });
    const negative = h("input", { type: "checkbox", name: "negative_feedback" });
    const filters = h("form", { class: "inline-form filters" },
        field("Channel", channel), field("From", from), field("To", to),
        h("label", { class: "check" }, lowConfidence, " Low confidence"),
        h("label", { class: "check" }, negative, " Negative feedback"),
        h("button", { type: "submit", class: "button-primary" }, "Apply"));
    const tbody = h("tbody");
    const message = h("div", { "aria-live": "polite" });
    const more = h("button", { type: "button", class: "button-secondary", hidden: true }, "Load more");

    const criteria = () => ({
        channel: channel.value,
        from: from.value ? new Date(`${from.value}T00:00:00`) : null,
        to: to.value ? new Date(`${to.value}T23:59:59.999`) : null,
        lowConfidence: lowConfidence.checked,
        negative: negative.checked,
    });

    const load = async (fresh) => {
        const c = criteria();
        if (fresh) {
            Object.assign(state, { cursor: null, exhausted: false, scanned: 0, shown: 0 });
            tbody.replaceChildren();
        }
        more.hidden = true;
        message.replaceChildren(notice("info", "Loading…"));
        let found = 0;
        try {
            for (let pages = 0; pages < MAX_PAGES_PER_LOAD && found < WANT && !state.exhausted; pages += 1) {
                const page = await api("GET", "/v1/conversations", {
                    query: { channel: c.channel, escalated: c.lowConfidence ? "true" : null, limit: PAGE, cursor: state.cursor },
                });
                if (!state.alive) return;
                state.cursor = page.next_cursor || null;
                state.exhausted = !state.cursor;
                let candidates = [];
                for (const conv of page.data) {
                    const created = new Date(conv.created_at);
                    if (c.to && created > c.to) continue;
                    // Newest first: past the start of the range, nothing later can match.
                    if (c.from && created < c.from) {
                        state.exhausted = true;
                        break;
                    }
                    candidates.push(conv);
                }
                state.scanned += page.data.length;
                const rows = await mapLimit(candidates, PARALLEL, async (conv) => ({ conv, transcript: await api("GET", `/v1/conversations/${encodeURIComponent(conv.id)}`) }));
                if (!state.alive) return;
                for (const { conv, transcript } of rows) {
                    if (c.lowConfidence && !transcript.messages.some((m) => m.role === "assistant" && m.escalate)) continue;
                    if (c.negative && !transcript.messages.some((m) => feedbackOf(m)?.rating === "down")) continue;
                    tbody.append(conversationRow(conv, transcript));
                    found += 1;
                    state.shown += 1;
                }
            }
            message.replaceChildren(state.shown ? "" : notice("info", "No conversation matches these filters."));
            more.hidden = state.exhausted;
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    };

    filters.addEventListener("submit", (event) => {
        event.preventDefault();
        load(true);
    });
    more.addEventListener("click", () => load(false));

    container.append(h("h1", {}, "Conversations"),
        h("section", { class: "card" }, filters, message,
            h("div", { class: "table-wrap" }, h("table", { class: "table" },
                h("thead", {}, h("tr", {}, ...["Started", "Channel", "First question", "Answers", "Lowest confidence", "Feedback", ""]
                    .map((label) => h("th", { scope: "col" }, label)))),
                tbody)),
            more));
    load(true);
    return () => { state.alive = false; };
}

function conversationRow(conv, transcript) {
    const answers = transcript.messages.filter((m) => m.role === "assistant");
    const firstQuestion = transcript.messages.find((m) => m.role === "user")?.text || "—";
    const confidences = answers.map((m) => m.confidence).filter((v) => typeof v === "number");
    const lowest = confidences.length ? Math.min(...confidences) : null;
    const ratings = answers.map((m) => feedbackOf(m)?.rating).filter(Boolean);
    const down = ratings.filter((r) => r === "down").length;
    const up = ratings.length - down;
    return h("tr", { dataset: { id: conv.id } },
        h("td", {}, fmt.dateTime(conv.created_at)),
        h("td", {}, conv.channel, conv.escalated ? [" ", h("span", { class: "badge badge-warn" }, "escalated")] : null),
        h("td", { class: "clip" }, firstQuestion),
        h("td", { class: "num" }, fmt.number(answers.length)),
        h("td", { class: `num${answers.some((m) => m.escalate) ? " confidence-low" : ""}` }, lowest === null ? "—" : fmt.percent(lowest)),
        h("td", {}, ratings.length ? `${up} up · ${down} down` : "—"),
        h("td", {}, h("a", { href: `#/conversations/${encodeURIComponent(conv.id)}`, "aria-label": `Open the conversation started ${fmt.dateTime(conv.created_at)}` }, "Open")));
}

function mountTranscript(container, id) {
    let alive = true;
    const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
    container.append(h("p", {}, h("a", { href: "#/conversations" }, "← All conversations")), h("h1", {}, "Conversation"), body);
    api("GET", `/v1/conversations/${encodeURIComponent(id)}`).then((t) => {
        if (!alive) return;
        const usage = t.usage || {};
        body.replaceChildren(
            h("p", { class: "facts muted" }, `${t.channel || "—"} · started ${fmt.dateTime(t.created_at)}`,
                t.escalated ? " · escalated" : "", t.handoff_requested_at ? ` · hand-off asked ${fmt.dateTime(t.handoff_requested_at)}` : "",
                ` · ${fmt.number((usage.prompt_tokens || 0) + (usage.completion_tokens || 0))} tokens · ${fmt.cost(usage.cost || 0)}`),
            h("ol", { class: "chat-log transcript" }, ...t.messages.map((m) => (m.role === "user"
                ? h("li", { class: "message message-user" }, h("div", { class: "message-time muted" }, fmt.dateTime(m.created_at)), m.text)
                : h("li", { class: "message message-assistant" }, h("div", { class: "message-time muted" }, fmt.dateTime(m.created_at)),
                    answerBody(m.text, m.citations || []), answerFacts(m),
                    feedbackOf(m)?.comment ? h("blockquote", { class: "feedback-comment" }, feedbackOf(m).comment) : null)))));
    }).catch((error) => {
        if (alive) body.replaceChildren(notice("error", error.message));
    });
    return () => { alive = false; };
}
