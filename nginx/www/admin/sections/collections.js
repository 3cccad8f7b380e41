// The collections panel: each collection with its visibility (public: the widget and chat page
// answer from it; internal: only keys and users allowed internal content) and document count,
// and a form to create one.

import { api } from "../api.js";
import { field, fmt, h, notice } from "../dom.js";
import { READ_ONLY_HINT } from "../session.js";

// collectionsPanel({enabled, onChange(collections)}) → {element, reload()}
export function collectionsPanel({ enabled, onChange }) {
    const body = h("tbody");
    const message = h("div", { "aria-live": "polite" });
    const name = h("input", { type: "text", name: "name", required: true, pattern: "[a-z0-9][a-z0-9_\\-]{0,63}", disabled: !enabled, autocomplete: "off" });
    const visibility = h("select", { name: "visibility", disabled: !enabled },
        h("option", { value: "public" }, "Public: chat page and widgets"),
        h("option", { value: "internal" }, "Internal: team only"));
    const form = h("form", { class: "inline-form" },
        field("Name", name, "Lowercase letters, digits, - and _."),
        field("Visibility", visibility),
        h("button", { type: "submit", class: "button-primary", disabled: !enabled }, "Create collection"),
        enabled ? null : h("p", { class: "field-hint" }, READ_ONLY_HINT));

    const reload = async () => {
        try {
            const { data } = await api("GET", "/v1/collections");
            body.replaceChildren(...data.map((c) => h("tr", {},
                h("td", {}, c.name),
                h("td", {}, h("span", { class: `badge badge-${c.visibility}` }, c.visibility)),
                h("td", { class: "num" }, fmt.number(c.document_count)),
                h("td", {}, fmt.dateTime(c.created_at)))));
            onChange(data);
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    };

    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
            await api("POST", "/v1/collections", { body: { name: name.value.trim(), visibility: visibility.value } });
            message.replaceChildren(notice("success", `Collection ${name.value.trim()} created.`));
            name.value = "";
            await reload();
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    });

    const element = h("section", { class: "card", "aria-labelledby": "collections-title" },
        h("h2", { id: "collections-title" }, "Collections"),
        h("div", { class: "table-wrap" }, h("table", { class: "table" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Visibility"),
                h("th", { scope: "col", class: "num" }, "Documents"), h("th", { scope: "col" }, "Created"))),
            body)),
        form, message);
    return { element, reload };
}
