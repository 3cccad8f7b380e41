// Sign-in: email and password; a tenant id only when the API says the email is in several
// tenants (422). Wrong credentials and lockouts (429 /problems/locked with Retry-After) are shown
// as the API words them.

import { api } from "../api.js";
import { notice } from "../dom.js";

let wired = false;

export function showSignIn(onSignedIn, message) {
    const section = document.getElementById("signin");
    const form = document.getElementById("signin-form");
    const box = document.getElementById("signin-message");
    section.hidden = false;
    box.replaceChildren(message ? notice("info", message) : "");
    form.elements.password.value = "";
    form.elements.email.focus();
    if (wired) return;
    wired = true;

    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const email = form.elements.email.value.trim();
        const password = form.elements.password.value;
        const tenantID = form.elements.tenant_id.value.trim();
        if (!email || !password) {
            box.replaceChildren(notice("error", "Enter your email and password."));
            return;
        }
        const submit = form.querySelector('[type="submit"]');
        submit.disabled = true;
        box.replaceChildren(notice("info", "Signing in…"));
        try {
            const body = { email, password };
            if (tenantID) body.tenant_id = tenantID;
            const session = await api("POST", "/v1/auth/login", { body });
            form.elements.password.value = "";
            box.replaceChildren();
            document.getElementById("signin-tenant").hidden = true;
            onSignedIn(session);
        } catch (error) {
            box.replaceChildren(notice("error", describe(error)));
            if (error.status === 422 && !tenantID) {
                const tenant = document.getElementById("signin-tenant");
                tenant.hidden = false;
                form.elements.tenant_id.focus();
            }
        } finally {
            submit.disabled = false;
        }
    });
}

function describe(error) {
    if (error.status === 401) return "Wrong email or password.";
    if (error.status === 429) {
        const seconds = Number(error.retryAfter);
        const wait = Number.isFinite(seconds) && seconds > 0 ? ` Try again in ${Math.ceil(seconds / 60)} min.` : "";
        return `Too many failed attempts: this account is locked for now.${wait}`;
    }
    return error.message;
}
