// The admin console's entry point: theme, session bootstrap (GET /v1/auth/session gives the user,
// the tenant and the CSRF token again after a reload), and a hash router that mounts one section
// module at a time. A section's mount(container, ctx) may return a cleanup function (timers,
// pending requests), called before the next section mounts.

import { api, onUnauthorized, setCSRF } from "./api.js";
import { h, notice } from "./dom.js";
import { capabilities } from "./session.js";
import { setupTheme } from "./theme.js";
import { showSignIn } from "./sections/signin.js";
import * as knowledge from "./sections/knowledge.js";
import * as tryIt from "./sections/try.js";
import * as conversations from "./sections/conversations.js";
import * as analytics from "./sections/analytics.js";
import * as keys from "./sections/keys.js";
import * as widgets from "./sections/widgets.js";
import * as settings from "./sections/settings.js";

const SECTIONS = {
    knowledge: { module: knowledge, title: "Knowledge" },
    try: { module: tryIt, title: "Try it" },
    conversations: { module: conversations, title: "Conversations" },
    analytics: { module: analytics, title: "Analytics" },
    keys: { module: keys, title: "API keys" },
    widgets: { module: widgets, title: "Widgets" },
    settings: { module: settings, title: "Settings" },
};

const page = {
    session: null,
    cleanup: null,
    main: document.getElementById("main"),
};

// "#/conversations/conv_x" → {name: "conversations", params: ["conv_x"]}
function route() {
    const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
    const name = parts[0] in SECTIONS ? parts[0] : null;
    return { name, params: name ? parts.slice(1) : [] };
}

function defaultSection(caps) {
    return caps.readDocuments ? "knowledge" : "try";
}

function render() {
    if (!page.session) return;
    const caps = capabilities(page.session.user.role);
    const { name, params } = route();
    if (!name) {
        location.replace(`#/${defaultSection(caps)}`);
        return;
    }
    if (page.cleanup) {
        try {
            page.cleanup();
        } catch {
            // A section's cleanup must never keep the next one from mounting.
        }
        page.cleanup = null;
    }
    for (const link of document.querySelectorAll(".sidenav a")) {
        const current = link.getAttribute("href") === `#/${name}`;
        if (current) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
    }
    const section = SECTIONS[name];
    document.title = `${section.title} · Parley admin`;
    page.main.replaceChildren();
    const ctx = {
        session: page.session,
        caps,
        params,
        navigate: (hash) => { location.hash = hash; },
        toast,
    };
    try {
        page.cleanup = section.module.mount(page.main, ctx) || null;
    } catch (error) {
        page.main.append(notice("error", String(error.message || error)));
    }
    // Keyboard and screen-reader users land on the new section, not on the link they left; a
    // section that focused a control of its own (the composer) keeps that.
    if (!page.main.contains(document.activeElement)) page.main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
}

export function toast(text) {
    const box = document.getElementById("toast");
    box.textContent = text;
    box.classList.add("toast-visible");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => box.classList.remove("toast-visible"), 4000);
}

function signedIn(body) {
    page.session = { user: body.user, tenant: body.tenant };
    setCSRF(body.csrf_token);
    document.getElementById("signin").hidden = true;
    document.getElementById("shell").hidden = false;
    document.getElementById("tenant-name").textContent = body.tenant?.name || "";
    const who = document.getElementById("who");
    who.hidden = false;
    who.replaceChildren(body.user.email, " ", h("span", { class: "badge" }, body.user.role));
    document.getElementById("signout").hidden = false;
    document.getElementById("signout-all").hidden = false;
    const caps = capabilities(body.user.role);
    // Sections the role cannot even read (agents: keys, widgets, settings, documents) leave the menu.
    for (const name of ["keys", "widgets", "settings"]) {
        document.querySelector(`[data-testid="nav-${name}"]`).closest("li").hidden = !caps.readAdmin;
    }
    document.querySelector('[data-testid="nav-knowledge"]').closest("li").hidden = !caps.readDocuments;
    render();
}

function signedOut(message) {
    if (page.cleanup) page.cleanup();
    page.cleanup = null;
    page.session = null;
    setCSRF(null);
    page.main.replaceChildren();
    document.getElementById("shell").hidden = true;
    document.getElementById("who").hidden = true;
    document.getElementById("signout").hidden = true;
    document.getElementById("signout-all").hidden = true;
    document.getElementById("tenant-name").textContent = "";
    document.title = "Sign in · Parley admin";
    showSignIn(signedIn, message);
}

async function signOut(path) {
    try {
        await api("POST", path);
    } catch (error) {
        // Signed out locally either way; say so if the server did not confirm.
        if (error.status !== 401) {
            toast(`Sign-out was not confirmed by the server (${error.message}).`);
        }
    }
    signedOut(path.endsWith("logout-all") ? "Signed out on every device." : "Signed out.");
}

async function boot() {
    setupTheme(document.getElementById("theme-toggle"));
    document.getElementById("signout").addEventListener("click", () => signOut("/v1/auth/logout"));
    document.getElementById("signout-all").addEventListener("click", () => signOut("/v1/auth/logout-all"));
    onUnauthorized(() => signedOut("Your session has ended. Sign in again."));
    window.addEventListener("hashchange", render);
    try {
        signedIn(await api("GET", "/v1/auth/session"));
    } catch (error) {
        signedOut(error.status === 401 ? null : `Could not reach Parley: ${error.message}`);
    }
}

boot();
