// Light and dark: the system preference by default, a toggle that overrides it (remembered in
// localStorage). The choice is a data-theme attribute on <html>; admin.css does the rest.
const KEY = "parley-admin-theme";

function systemDark() {
    return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

export function setupTheme(button) {
    let stored = null;
    try {
        stored = localStorage.getItem(KEY);
    } catch {
        stored = null;
    }
    const apply = (theme) => {
        if (theme) document.documentElement.dataset.theme = theme;
        else delete document.documentElement.dataset.theme;
        const dark = theme ? theme === "dark" : systemDark();
        // A fixed label with a pressed state: "Dark theme, pressed" reads right in both themes.
        button.setAttribute("aria-pressed", String(dark));
    };
    apply(stored === "dark" || stored === "light" ? stored : null);
    button.addEventListener("click", () => {
        const dark = button.getAttribute("aria-pressed") === "true";
        const next = dark ? "light" : "dark";
        try {
            localStorage.setItem(KEY, next);
        } catch {
            // Private mode: the toggle still works for this page.
        }
        apply(next);
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
        if (!document.documentElement.dataset.theme) apply(null);
    });
}
