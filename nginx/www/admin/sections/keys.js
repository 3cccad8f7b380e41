// API keys: create one with its scopes (the secret is shown once, with a copy button), list
// them (never their secrets), revoke.

import { api } from "../api.js";
import { copyButton, field, fmt, h, notice } from "../dom.js";
import { READ_ONLY_HINT } from "../session.js";

const SCOPES = [
    ["query", "query: ask questions and search"],
    ["ingest", "ingest: upload and manage documents"],
    ["internal", "internal: see internal collections"],
    ["admin", "admin: everything, including keys and settings"],
];

export function mount(container, { caps }) {
    let alive = true;
    const enabled = caps.write;
    const message = h("div", { "aria-live": "polite" });
    const secretBox = h("div", { "aria-live": "polite" });
    const tbody = h("tbody");
    const name = h("input", { type: "text", name: "name", required: true, maxlength: 100, disabled: !enabled, autocomplete: "off" });
    const boxes = SCOPES.map(([scope, label]) => ({
        scope,
        input: h("input", { type: "checkbox", name: "scopes", value: scope, checked: scope === "query", disabled: !enabled }),
        label,
    }));
    const form = h("form", { class: "inline-form" },
        field("Name", name),
        h("fieldset", { class: "scopes", testid: "key-scopes" }, h("legend", {}, "Scopes"),
            ...boxes.map((b) => h("label", { class: "check" }, b.input, ` ${b.label}`))),
        h("button", { type: "submit", class: "button-primary", testid: "key-create", disabled: !enabled }, "Create key"),
        enabled ? null : h("p", { class: "field-hint" }, READ_ONLY_HINT));

    const reload = async () => {
        try {
            const { data } = await api("GET", "/v1/keys");
            if (!alive) return;
            tbody.replaceChildren(...data.map((key) => h("tr", { dataset: { id: key.id } },
                h("td", {}, key.name), h("td", {}, h("code", {}, key.prefix)),
                h("td", {}, key.scopes.join(", ")), h("td", {}, fmt.dateTime(key.created_at)),
                h("td", {}, fmt.dateTime(key.last_used_at)),
                h("td", {}, key.revoked_at ? h("span", { class: "badge badge-bad" }, `revoked ${fmt.dateTime(key.revoked_at)}`)
                    : h("button", { type: "button", class: "button-danger", disabled: !enabled, "aria-label": `Revoke ${key.name}`,
                        on: { click: () => revoke(key) } }, "Revoke")))));
            if (!data.length) tbody.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No keys yet.")));
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    };

    const revoke = async (key) => {
        if (!window.confirm(`Revoke ${key.name} (${key.prefix})? Requests with it fail from now on.`)) return;
        try {
            await api("DELETE", `/v1/keys/${encodeURIComponent(key.id)}`);
            message.replaceChildren(notice("success", `Revoked ${key.name}.`));
            reload();
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    };

    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const scopes = boxes.filter((b) => b.input.checked).map((b) => b.scope);
        if (!name.value.trim() || !scopes.length) {
            message.replaceChildren(notice("error", "Give the key a name and at least one scope."));
            return;
        }
        try {
            const created = await api("POST", "/v1/keys", { body: { name: name.value.trim(), scopes } });
            name.value = "";
            message.replaceChildren();
            const secret = h("code", { class: "secret", testid: "key-secret" }, created.key);
            secretBox.replaceChildren(h("div", { class: "card secret-card", role: "region", "aria-label": "New key" },
                h("p", {}, h("strong", {}, "Copy this key now: it is shown only this once.")),
                h("div", { class: "secret-row" }, secret, copyButton(() => created.key, secret)),
                h("button", { type: "button", class: "button-secondary", on: { click: () => secretBox.replaceChildren() } }, "Done")));
            reload();
        } catch (error) {
            message.replaceChildren(notice("error", error.message));
        }
    });

    container.append(h("h1", {}, "API keys"),
        h("section", { class: "card", "aria-labelledby": "key-new" }, h("h2", { id: "key-new" }, "New key"), form, message, secretBox),
        h("section", { class: "card", "aria-labelledby": "key-list" }, h("h2", { id: "key-list" }, "Keys"),
            h("div", { class: "table-wrap" }, h("table", { class: "table" },
                h("thead", {}, h("tr", {}, ...["Name", "Prefix", "Scopes", "Created", "Last used", ""].map((l) => h("th", { scope: "col" }, l)))),
                tbody))));
    reload();
    return () => {
        alive = false;
        // The secret leaves the page with the section.
        secretBox.replaceChildren();
    };
}
