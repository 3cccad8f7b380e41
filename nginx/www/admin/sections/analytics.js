// Analytics: GET /v1/analytics?days=N drawn as SVG charts (charts.js), headline totals, and the
// knowledge gaps: questions answered with low confidence, grouped, most asked first.

import { api } from "../api.js";
import { field, fmt, h, notice } from "../dom.js";
import { barChart, legend, lineChart } from "../charts.js";

const RANGES = [7, 30, 90];

export function mount(container) {
    let alive = true;
    const days = h("select", { name: "days" }, ...RANGES.map((d) => h("option", { value: d }, `Last ${d} days`)));
    days.value = "30";
    const body = h("div", { "aria-live": "polite" });
    const load = async () => {
        body.replaceChildren(h("p", { class: "muted" }, "Loading…"));
        try {
            const data = await api("GET", "/v1/analytics", { query: { days: days.value } });
            if (alive) body.replaceChildren(...render(data));
        } catch (error) {
            if (alive) body.replaceChildren(notice("error", error.message));
        }
    };
    days.addEventListener("change", load);
    container.append(h("h1", {}, "Analytics"), h("div", { class: "inline-form" }, field("Period", days)), body);
    load();
    return () => { alive = false; };
}

const ratio = (part, whole) => (whole > 0 ? part / whole : null);
const percentTick = (v) => fmt.percent(v);

function render({ days = [], totals = {}, knowledge_gaps: gaps = [] }) {
    const labels = days.map((d) => d.date);
    const series = (key) => days.map((d) => d[key]);
    const perDay = (part) => days.map((d) => ratio(d[part], d.questions));
    const chart = (title, svg, extra) => h("figure", { class: "card chart-card" }, h("figcaption", {}, title), svg, extra || null);

    const latency = [
        { name: "p50", values: series("latency_p50_ms"), className: "series-0" },
        { name: "p95", values: series("latency_p95_ms"), className: "series-1" },
    ];
    const tokens = [
        { name: "Prompt tokens", values: series("prompt_tokens"), className: "series-0" },
        { name: "Completion tokens", values: series("completion_tokens"), className: "series-1" },
    ];
    const questions = totals.questions ?? days.reduce((sum, d) => sum + (d.questions || 0), 0);

    return [
        h("div", { class: "tiles" },
            tile("Questions", fmt.number(questions)),
            tile("Answered without a person", fmt.percent(totals.self_service_rate)),
            tile("Escalation rate", fmt.percent(totals.escalation_rate)),
            tile("Cache hit rate", fmt.percent(totals.cache_hit_rate)),
            tile("Cost", fmt.cost(totals.cost)),
            tile("Feedback", `${fmt.number(totals.feedback_up)} up · ${fmt.number(totals.feedback_down)} down`)),
        h("div", { class: "charts" },
            chart("Questions per day", barChart({ title: "Questions per day", description: `Questions asked each day, ${fmt.number(questions)} in all.`,
                labels, values: series("questions"), format: fmt.number })),
            chart("Answered without a person", lineChart({ title: "Share answered without a person, per day",
                description: `Overall ${fmt.percent(totals.self_service_rate)}.`, labels, series: [{ name: "Self-service", values: perDay("answered_without_person") }],
                format: percentTick, max: 1 })),
            chart("Escalation rate", lineChart({ title: "Escalation rate per day", description: `Overall ${fmt.percent(totals.escalation_rate)}.`,
                labels, series: [{ name: "Escalations", values: perDay("escalations"), className: "series-2" }], format: percentTick, max: 1 })),
            chart("Latency", lineChart({ title: "Answer latency per day, p50 and p95", description: `p50 ${fmt.ms(totals.latency_p50_ms)}, p95 ${fmt.ms(totals.latency_p95_ms)} over the period.`,
                labels, series: latency, format: fmt.ms }), legend(latency)),
            chart("Tokens per day", lineChart({ title: "Tokens per day", description: `${fmt.number(totals.prompt_tokens)} prompt and ${fmt.number(totals.completion_tokens)} completion tokens in all.`,
                labels, series: tokens, format: fmt.number }), legend(tokens)),
            chart("Cost per day", barChart({ title: "Cost per day (USD)", description: `${fmt.cost(totals.cost)} in all.`,
                labels, values: series("cost"), format: fmt.cost, className: "series-1" })),
            chart("Cache hit rate", lineChart({ title: "Answer cache hit rate per day", description: `Overall ${fmt.percent(totals.cache_hit_rate)}.`,
                labels, series: [{ name: "Cache hits", values: perDay("cache_hits"), className: "series-3" }], format: percentTick, max: 1 }))),
        h("section", { class: "card", "aria-labelledby": "gaps-title" },
            h("h2", { id: "gaps-title" }, "Knowledge gaps"),
            h("p", { class: "muted" }, "Questions answered with low confidence, most asked first: documents worth adding."),
            gaps.length
                ? h("div", { class: "table-wrap" }, h("table", { class: "table" },
                    h("thead", {}, h("tr", {}, ...["Question", "Asked", "Average confidence", "Last asked"].map((l) => h("th", { scope: "col" }, l)))),
                    h("tbody", {}, ...gaps.map((g) => h("tr", {},
                        h("td", {}, g.question), h("td", { class: "num" }, fmt.number(g.count)),
                        h("td", { class: "num" }, fmt.percent(g.avg_confidence)), h("td", {}, fmt.dateTime(g.last_asked)))))))
                : h("p", {}, "No low-confidence questions in this period.")),
    ];
}

function tile(label, value) {
    return h("div", { class: "tile" }, h("span", { class: "tile-label" }, label), h("span", { class: "tile-value" }, value));
}
