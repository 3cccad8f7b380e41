// Settings: how the tenant's questions are answered (GET/PATCH /v1/settings/answers). The PATCH
// is a JSON merge patch, so only the fields changed here are sent; an emptied optional field is
// sent as null (back to the plan's or the default).

import { api } from "../api.js";
import { field, h, notice } from "../dom.js";
import { READ_ONLY_HINT } from "../session.js";

export function mount(container, { caps }) {
    let alive = true;
    let loaded = null;
    const enabled = caps.write;
    const message = h("div", { "aria-live": "polite" });
    const effective = h("p", { class: "muted" });
    const inputs = {
        generator: h("select", { name: "generator" },
            h("option", { value: "" }, "The plan's default"), h("option", { value: "extractive" }, "Extractive (no LLM)"),
            h("option", { value: "openai" }, "OpenAI-compatible"), h("option", { value: "anthropic" }, "Anthropic")),
        provider: h("input", { type: "text", name: "provider", autocomplete: "off", placeholder: "as configured by the operator" }),
        model: h("input", { type: "text", name: "model", autocomplete: "off", maxlength: 200 }),
        confidence_threshold: h("input", { type: "number", name: "confidence_threshold", min: 0, max: 1, step: 0.05 }),
        instructions: h("textarea", { name: "instructions", rows: 5, maxlength: 4000 }),
        refusal_text: h("textarea", { name: "refusal_text", rows: 2, maxlength: 1000 }),
        history_token_budget: h("input", { type: "number", name: "history_token_budget", min: 0, max: 32000, step: 100 }),
        retention_days: h("input", { type: "number", name: "retention_days", min: 1, max: 3650, step: 1 }),
    };
    for (const input of Object.values(inputs)) input.disabled = !enabled;
    const form = h("form", { class: "settings-form" },
        h("fieldset", {}, h("legend", {}, "Generator"),
            field("Generator", inputs.generator), field("Provider", inputs.provider, "Needed for OpenAI-compatible and Anthropic generators."),
            field("Model", inputs.model), effective),
        h("fieldset", {}, h("legend", {}, "Answers"),
            field("Confidence threshold", inputs.confidence_threshold, "0 to 1: answers below it are flagged for a person."),
            field("Instructions", inputs.instructions, "Tone, language and other guidance for the answers."),
            field("Refusal text", inputs.refusal_text, "What is said when the documents do not answer."),
            field("History token budget", inputs.history_token_budget, "How much of the conversation follow-up questions see.")),
        h("fieldset", {}, h("legend", {}, "Data"),
            field("Retention days", inputs.retention_days, "Idle conversations are deleted after this many days; empty keeps them.")),
        h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button-primary", disabled: !enabled }, "Save settings")),
        enabled ? null : h("p", { class: "field-hint" }, READ_ONLY_HINT),
        message);

    const NUMBERS = new Set(["confidence_threshold", "history_token_budget", "retention_days"]);
    const read = (name) => {
        const text = inputs[name].value.trim();
        if (text === "") return null;
        return NUMBERS.has(name) ? Number(text) : text;
    };
    const fill = (view) => {
        loaded = view;
        for (const name of Object.keys(inputs)) inputs[name].value = view[name] ?? "";
        const e = view.effective || {};
        effective.textContent = `Answering now: ${e.generator || "—"}${e.provider ? ` via ${e.provider}` : ""}${e.model ? `, model ${e.model}` : ""} (${e.origin === "tenant" ? "this tenant's choice" : "the plan's default"}).`;
    };

    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const patch = {};
        for (const name of Object.keys(inputs)) {
            const value = read(name);
            if (value !== (loaded?.[name] ?? null)) patch[name] = value;
        }
        if (!Object.keys(patch).length) {
            message.replaceChildren(notice("info", "Nothing changed."));
            return;
        }
        try {
            fill(await api("PATCH", "/v1/settings/answers", { body: patch }));
            message.replaceChildren(notice("success", "Settings saved."));
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    });

    container.append(h("h1", {}, "Settings"), h("section", { class: "card" }, form));
    api("GET", "/v1/settings/answers").then((view) => { if (alive) fill(view); })
        .catch((error) => { if (alive) message.replaceChildren(notice("error", error.message)); });
    return () => { alive = false; };
}
