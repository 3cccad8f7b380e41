// DOM building for the console. Every value from the API reaches the page through these helpers
// as text nodes or attribute values, never as markup: a document titled `<img onerror=…>` shows
// those characters and runs nothing. Nothing in the console may use innerHTML.

// h("button", {class: "x", on: {click}, dataset: {testid: "send"}}, "Send", child, …)
// Attribute values go through setAttribute (never parsed as HTML); `false`/null attributes are
// left out, `true` ones are set empty (disabled, required, …).
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    applyAttrs(el, attrs);
    append(el, children);
    return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

// The same for SVG elements (charts).
export function s(tag, attrs = {}, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    applyAttrs(el, attrs);
    append(el, children);
    return el;
}

function applyAttrs(el, attrs) {
    for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === "on") {
            for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
        } else if (name === "dataset") {
            for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[key] = String(v);
        } else if (name === "testid") {
            el.dataset.testid = value;
        } else if (name === "value" && "value" in el) {
            el.value = value;
        } else if (name === "checked" && "checked" in el) {
            el.checked = Boolean(value);
        } else {
            el.setAttribute(name, value === true ? "" : String(value));
        }
    }
}

// Strings and numbers become text nodes; arrays are flattened; null/false are skipped.
export function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child === null || child === undefined || child === false) continue;
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
}

// replaceChildren with append's rules (the DOM's own would print null as "null").
export function fill(el, ...children) {
    el.replaceChildren();
    return append(el, children);
}

// A label wrapping its control, so every input is labelled without id bookkeeping.
export function field(label, control, hint) {
    return h("label", { class: "field" }, h("span", { class: "field-label" }, label), control,
        hint ? h("span", { class: "field-hint" }, hint) : null);
}

let nextID = 0;
export function uid(prefix) {
    nextID += 1;
    return `${prefix}-${nextID}`;
}

// Numbers and dates, formatted once so every section shows them alike.
const numberFormat = new Intl.NumberFormat(undefined);
const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const costFormat = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 4 });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const fmt = {
    number: (n) => (typeof n === "number" && Number.isFinite(n) ? numberFormat.format(n) : "—"),
    percent: (n) => (typeof n === "number" && Number.isFinite(n) ? percentFormat.format(n) : "—"),
    cost: (n) => (typeof n === "number" && Number.isFinite(n) ? costFormat.format(n) : "—"),
    ms: (n) => (typeof n === "number" && Number.isFinite(n) ? `${numberFormat.format(Math.round(n))} ms` : "—"),
    dateTime(text) {
        if (!text) return "—";
        const date = new Date(text);
        return Number.isNaN(date.getTime()) ? String(text) : dateTimeFormat.format(date);
    },
    bytes(n) {
        if (typeof n !== "number") return "—";
        const units = ["B", "KB", "MB", "GB"];
        let value = n;
        let unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit += 1;
        }
        return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
    },
};

// A line of status text for a section: errors in an alert role, so screen readers announce them.
export function notice(kind, ...text) {
    return h("p", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

// Copies text; falls back to selecting it where the clipboard API is unavailable (plain http).
export async function copyText(text, selectable) {
    try {
        await navigator.clipboard.writeText(text);
        return true;
    } catch {
        if (selectable) {
            const range = document.createRange();
            range.selectNodeContents(selectable);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }
        return false;
    }
}

export function copyButton(getText, selectable, label = "Copy") {
    const button = h("button", { type: "button", class: "button-secondary" }, label);
    button.addEventListener("click", async () => {
        const copied = await copyText(getText(), selectable);
        button.textContent = copied ? "Copied" : "Selected: press Ctrl+C";
        setTimeout(() => { button.textContent = label; }, 2000);
    });
    return button;
}
