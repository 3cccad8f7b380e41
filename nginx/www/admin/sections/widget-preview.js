// The widget's live preview in the console: a small mock page with the launcher and the open
// panel, themed from the form as it is edited. Colors reach it through CSS custom properties set
// with the CSSOM (allowed by the page's CSP, unlike style attributes), never as markup.

import { h } from "../dom.js";

export function widgetPreview() {
    const title = h("span", { class: "wp-title" });
    const avatar = h("img", { class: "wp-avatar", alt: "", hidden: true });
    const greeting = h("p", { class: "wp-bubble" });
    const suggestions = h("div", { class: "wp-suggestions" });
    const panel = h("div", { class: "wp-panel" },
        h("div", { class: "wp-header" }, avatar, title),
        h("div", { class: "wp-body" }, greeting, suggestions),
        h("div", { class: "wp-composer" }, h("span", {}, "Type your question…"), h("span", { class: "wp-send" }, "Send")));
    const launcher = h("span", { class: "wp-launcher", "aria-hidden": "true" }, "?");
    const stage = h("div", { class: "wp-stage", role: "img", "aria-label": "Preview of the widget" }, panel, launcher);
    const warning = h("p", { class: "field-hint", "aria-live": "polite" });

    const update = (theme) => {
        stage.style.setProperty("--wp-primary", theme.primary_color);
        stage.style.setProperty("--wp-background", theme.background_color);
        stage.style.setProperty("--wp-text", theme.text_color);
        stage.classList.toggle("wp-left", theme.position === "bottom-left");
        title.textContent = theme.title || "Assistant";
        greeting.textContent = theme.greeting || "";
        greeting.hidden = !theme.greeting;
        suggestions.replaceChildren(...(theme.suggested_questions || []).map((q) => h("span", { class: "wp-chip" }, q)));
        if (theme.avatar_url) avatar.src = theme.avatar_url;
        avatar.hidden = !theme.avatar_url;
        const problems = [];
        if (contrast(theme.text_color, theme.background_color) < 4.5) problems.push("text on background");
        if (contrast("#ffffff", theme.primary_color) < 4.5) problems.push("white on the primary color");
        warning.textContent = problems.length ? `Contrast below WCAG AA (4.5:1): ${problems.join(", ")}.` : "";
    };
    return { element: h("div", { class: "wp" }, stage, warning), update };
}

// WCAG 2 contrast ratio of two #rrggbb colors (1 … 21); NaN if either is not one.
export function contrast(a, b) {
    const la = luminance(a);
    const lb = luminance(b);
    if (Number.isNaN(la) || Number.isNaN(lb)) return NaN;
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function luminance(hex) {
    const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!match) return NaN;
    const [r, g, b] = match.slice(1).map((x) => {
        const c = parseInt(x, 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
