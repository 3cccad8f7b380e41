"""Lighthouse-style basics on every page, in both themes: every control has an accessible name, and
every piece of visible text meets WCAG AA contrast against the background it is drawn on (4.5:1,
or 3:1 for large text). Covers the chat page, the widget's panel (inside its shadow root) and
each admin section, with an answer on screen so answers, citations and feedback controls count."""

import harness
import widget
from harness import FACT_QUESTION, check

SECTIONS = ["knowledge", "try", "conversations", "analytics", "keys", "widgets", "settings"]

# Runs in the page: audits the subtree of arguments[0] (a document or a shadow root) and returns a
# list of findings. Walks into open shadow roots. The background of an element is the first opaque
# one among its ancestors (the page's root colour when all are transparent).
AUDIT = r"""
const scope = arguments[0] || document;
const findings = [];
const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const over = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); };
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement || (e.getRootNode && e.getRootNode().host) || null) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let base = parse(getComputedStyle(document.documentElement).backgroundColor) || [255, 255, 255, 1];
  if (base[3] < 1) base = over(base, [255, 255, 255, 1]);
  for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
  return base;
}
function visible(el) {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0.1;
}
function name(el) {
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title')) return true;
  if (el.labels && el.labels.length && [...el.labels].some(l => l.textContent.trim())) return true;
  if (['button', 'a', 'summary'].includes(el.localName) && el.textContent.trim()) return true;
  if (el.localName === 'input' && ['submit', 'button'].includes(el.type) && el.value) return true;
  return false;
}
function walk(root) {
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) walk(el.shadowRoot);
    if (!visible(el)) continue;
    const control = el.matches('button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])');
    if (control && !name(el)) findings.push('unlabelled ' + el.localName + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '') + ' "' + (el.outerHTML.slice(0, 80)) + '"');
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    const s = getComputedStyle(el), fg = parse(s.color), bg = background(el);
    if (!fg) continue;
    const shown = over(fg, bg), l1 = lum(shown), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio + 0.01 < need) findings.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ' for "' + el.textContent.trim().slice(0, 40) + '" (' + s.color + ' on rgb(' + bg.slice(0, 3).map(Math.round) + '))');
  }
}
walk(scope);
return findings;
"""


def audit(b, label, findings, scope=None):
    for finding in b.execute(AUDIT, scope) or []:
        findings.append(f"{label}: {finding}")


def run_scheme(stack, scheme, wid, key, email, password, origin, findings):
    b = harness.browser(dark=scheme == "dark")
    b.get(stack.url(f"/chat/{wid}"))
    b.wait_for('[data-testid="composer"]').send_keys(FACT_QUESTION)
    b.find('[data-testid="send"]').click()
    b.wait_for('[data-testid="feedback-up"]', timeout=30)
    audit(b, f"chat ({scheme})", findings)

    b.get(origin + "/")
    root = widget.open_panel(b)
    audit(b, f"widget ({scheme})", findings)

    harness.sign_in(b, stack, email, password)
    for section in SECTIONS:
        b.find(f'[data-testid="nav-{section}"]').click()
        b.execute("return new Promise(r => setTimeout(r, 600))")
        audit(b, f"admin {section} ({scheme})", findings)
    b.quit()


def main():
    harness.require_pages("chat/index.html", "widget.js", "admin/index.html")
    stack = harness.Stack()
    with harness.OriginServer() as host:
        tenant, key, wid = harness.answering_tenant(stack, origins=[host.origin])
        host.page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Example shop</h1><script src="{stack.base_url}/widget.js" data-widget="{wid}" async></script></body></html>"""
        stack.api("POST", "/v1/query", key=key, body={"question": FACT_QUESTION})
        email, password = stack.user(tenant, "owner")
        findings = []
        for scheme in ("light", "dark"):
            run_scheme(stack, scheme, wid, key, email, password, host.origin, findings)
    check(not findings, f"{len(findings)} findings:\n  " + "\n  ".join(findings[:40]))
    return "every control labelled, every text AA against its background: chat, widget, 7 admin sections, light and dark"


harness.run(main)
