// Widgets: the tenant's chat widgets (publishable ids, allowed origins, theme). `#/widgets` lists
// them, `#/widgets/new` and `#/widgets/ID` edit one with a live preview and its embed snippet.

import { api } from "../api.js";
import { copyButton, field, h, notice } from "../dom.js";
import { READ_ONLY_HINT } from "../session.js";
import { widgetPreview } from "./widget-preview.js";

const MAX_SUGGESTIONS = 6;
const DEFAULT_THEME = {
    primary_color: "#1f5fbf", background_color: "#ffffff", text_color: "#1a1a1a", title: "Ask us",
    avatar_url: "", greeting: "Hi! How can I help?", suggested_questions: [], position: "bottom-right",
};

export function mount(container, ctx) {
    if (ctx.params[0]) return mountEditor(container, ctx, ctx.params[0] === "new" ? null : ctx.params[0]);
    let alive = true;
    const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
    container.append(h("h1", {}, "Widgets"),
        h("p", {}, ctx.caps.write ? h("a", { href: "#/widgets/new", class: "button-primary" }, "New widget")
            : h("span", { class: "field-hint" }, READ_ONLY_HINT)),
        body);
    api("GET", "/v1/widgets").then(({ data }) => {
        if (!alive) return;
        body.replaceChildren(data.length
            ? h("div", { class: "table-wrap" }, h("table", { class: "table" },
                h("thead", {}, h("tr", {}, ...["Name", "Id", "Allowed origins", "State", ""].map((l) => h("th", { scope: "col" }, l)))),
                h("tbody", {}, ...data.map((w) => h("tr", {},
                    h("td", {}, w.name), h("td", {}, h("code", {}, w.id)),
                    h("td", { class: "clip" }, (w.allowed_origins || []).join(", ") || "—"),
                    h("td", {}, h("span", { class: `badge ${w.enabled ? "badge-good" : ""}` }, w.enabled ? "enabled" : "disabled")),
                    h("td", {}, h("a", { href: `#/widgets/${encodeURIComponent(w.id)}`, "aria-label": `Edit ${w.name}` }, ctx.caps.write ? "Edit" : "View")))))))
            : h("p", {}, "No widgets yet."));
    }).catch((error) => {
        if (alive) body.replaceChildren(notice("error", error.message));
    });
    return () => { alive = false; };
}

function mountEditor(container, ctx, id) {
    let alive = true;
    const enabled = ctx.caps.write;
    const message = h("div", { "aria-live": "polite" });
    const inputs = {
        name: h("input", { type: "text", name: "name", required: true, maxlength: 100 }),
        allowed_origins: h("textarea", { name: "allowed_origins", rows: 3, spellcheck: "false", placeholder: "https://shop.example" }),
        collections: h("input", { type: "text", name: "collections", placeholder: "all public collections" }),
        enabled: h("input", { type: "checkbox", name: "enabled", checked: true }),
        title: h("input", { type: "text", name: "title", maxlength: 100 }),
        greeting: h("textarea", { name: "greeting", rows: 2, maxlength: 500 }),
        suggested_questions: h("textarea", { name: "suggested_questions", rows: 4 }),
        primary_color: h("input", { type: "color", name: "primary_color" }),
        background_color: h("input", { type: "color", name: "background_color" }),
        text_color: h("input", { type: "color", name: "text_color" }),
        avatar_url: h("input", { type: "url", name: "avatar_url", placeholder: "https://…/avatar.png" }),
        position: h("select", { name: "position" }, h("option", { value: "bottom-right" }, "Bottom right"), h("option", { value: "bottom-left" }, "Bottom left")),
    };
    for (const input of Object.values(inputs)) input.disabled = !enabled;
    const preview = widgetPreview();
    const snippet = h("div", { class: "snippet-box" });
    const deleteButton = h("button", { type: "button", class: "button-danger", disabled: !enabled || !id }, "Delete widget");
    const form = h("form", { class: "widget-form" },
        h("fieldset", {}, h("legend", {}, "Widget"),
            field("Name", inputs.name),
            field("Allowed origins", inputs.allowed_origins, "One per line, like https://shop.example. Parley's own chat page is always allowed."),
            field("Collections", inputs.collections, "Comma-separated public collections; empty for all of them."),
            h("label", { class: "check" }, inputs.enabled, " Enabled")),
        h("fieldset", {}, h("legend", {}, "Look"),
            field("Title", inputs.title), field("Greeting", inputs.greeting),
            field("Suggested questions", inputs.suggested_questions, `One per line, at most ${MAX_SUGGESTIONS}.`),
            h("div", { class: "colors" }, field("Primary color", inputs.primary_color), field("Background", inputs.background_color), field("Text", inputs.text_color)),
            field("Avatar URL", inputs.avatar_url), field("Position", inputs.position)),
        h("div", { class: "form-actions" },
            h("button", { type: "submit", class: "button-primary", disabled: !enabled }, id ? "Save" : "Create widget"), deleteButton),
        enabled ? null : h("p", { class: "field-hint" }, READ_ONLY_HINT),
        message);

    const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);
    const readTheme = () => ({
        primary_color: inputs.primary_color.value, background_color: inputs.background_color.value, text_color: inputs.text_color.value,
        title: inputs.title.value.trim(), avatar_url: inputs.avatar_url.value.trim() || null, greeting: inputs.greeting.value.trim(),
        suggested_questions: lines(inputs.suggested_questions.value).slice(0, MAX_SUGGESTIONS), position: inputs.position.value,
    });
    const readBody = () => {
        const collections = inputs.collections.value.split(",").map((c) => c.trim()).filter(Boolean);
        return {
            name: inputs.name.value.trim(), allowed_origins: lines(inputs.allowed_origins.value),
            collections: collections.length ? collections : null, theme: readTheme(), enabled: inputs.enabled.checked,
        };
    };
    const fill = (w) => {
        const theme = { ...DEFAULT_THEME, ...(w.theme || {}) };
        inputs.name.value = w.name || "";
        inputs.allowed_origins.value = (w.allowed_origins || []).join("\n");
        inputs.collections.value = (w.collections || []).join(", ");
        inputs.enabled.checked = w.enabled !== false;
        inputs.title.value = theme.title || "";
        inputs.greeting.value = theme.greeting || "";
        inputs.suggested_questions.value = (theme.suggested_questions || []).join("\n");
        inputs.primary_color.value = theme.primary_color;
        inputs.background_color.value = theme.background_color;
        inputs.text_color.value = theme.text_color;
        inputs.avatar_url.value = theme.avatar_url || "";
        inputs.position.value = theme.position;
        preview.update(readTheme());
        showSnippet(w.id);
    };
    const showSnippet = (widgetID) => {
        if (!widgetID) {
            snippet.replaceChildren(h("p", { class: "muted" }, "The embed snippet appears once the widget is created."));
            return;
        }
        const tag = `<script src="${location.origin}/widget.js" data-widget="${widgetID}" async></script>`;
        const code = h("code", {}, tag);
        snippet.replaceChildren(h("p", {}, "Paste this before </body> on each allowed site:"),
            h("pre", { class: "snippet-code" }, code), copyButton(() => tag, code, "Copy snippet"),
            h("p", {}, "Full-page chat: ", h("a", { href: `/chat/${encodeURIComponent(widgetID)}`, target: "_blank", rel: "noopener" }, `${location.origin}/chat/${widgetID}`)));
    };

    form.addEventListener("input", () => preview.update(readTheme()));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
            const saved = id
                ? await api("PATCH", `/v1/widgets/${encodeURIComponent(id)}`, { body: readBody() })
                : await api("POST", "/v1/widgets", { body: readBody() });
            if (!id) {
                ctx.toast(`Widget ${saved.name} created.`);
                ctx.navigate(`#/widgets/${encodeURIComponent(saved.id)}`);
                return;
            }
            fill(saved);
            message.replaceChildren(notice("success", "Saved."));
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    });
    deleteButton.addEventListener("click", async () => {
        if (!window.confirm("Delete this widget? Sites that embed it stop showing it.")) return;
        try {
            await api("DELETE", `/v1/widgets/${encodeURIComponent(id)}`);
            ctx.toast("Widget deleted.");
            ctx.navigate("#/widgets");
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    });

    container.append(h("p", {}, h("a", { href: "#/widgets" }, "← All widgets")), h("h1", {}, id ? "Edit widget" : "New widget"),
        h("div", { class: "widget-editor" }, h("div", { class: "card" }, form),
            h("div", { class: "card" }, h("h2", {}, "Preview"), preview.element, h("h2", {}, "Embed"), snippet)));
    if (id) {
        api("GET", `/v1/widgets/${encodeURIComponent(id)}`).then((w) => { if (alive) fill(w); })
            .catch((error) => { if (alive) message.replaceChildren(notice("error", error.message)); });
    } else fill({ theme: DEFAULT_THEME, enabled: true });
    return () => { alive = false; };
}
