"""Screenshots of the chat page, the widget and every admin section in light and dark (and the
chat page at a phone's 390 px), saved under var/artifacts/screenshots/. Each page must fit the
phone's width without sideways scrolling and honour prefers-color-scheme (its background changes)."""

import harness
import webdriver
import widget
from harness import check

SECTIONS = ["knowledge", "try", "conversations", "analytics", "keys", "widgets", "settings"]
# The page's own background: the body's, or the root element's when the body is transparent.
BACKGROUND = """const body = getComputedStyle(document.body).backgroundColor;
return body === "rgba(0, 0, 0, 0)" ? getComputedStyle(document.documentElement).backgroundColor : body"""
OVERFLOW = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"


def shoot(stack, scheme, wid, email, password, origin):
    b = harness.browser(dark=scheme == "dark")
    b.get(stack.url(f"/chat/{wid}"))
    b.wait_for('[data-testid="composer"]')
    harness.screenshot(b, f"chat-{scheme}")
    background = b.execute(BACKGROUND)
    b.set_window_size(390, 844)
    b.refresh()
    b.wait_for('[data-testid="composer"]')
    check(b.execute(OVERFLOW) <= 0, f"chat ({scheme}) scrolls sideways at 390 px")
    harness.screenshot(b, f"chat-mobile-{scheme}")
    b.set_window_size(1280, 900)

    b.get(origin + "/")
    widget.open_panel(b)
    harness.screenshot(b, f"widget-{scheme}")

    harness.sign_in(b, stack, email, password)
    for section in SECTIONS:
        b.find(f'[data-testid="nav-{section}"]').click()
        b.execute("return new Promise(r => setTimeout(r, 400))")  # let charts and lists settle
        harness.screenshot(b, f"admin-{section}-{scheme}")
    b.quit()
    return background


def main():
    harness.require_pages("chat/index.html", "widget.js", "admin/index.html")
    stack = harness.Stack()
    with harness.OriginServer() as host:
        tenant, key, wid = harness.answering_tenant(stack, origins=[host.origin])
        # Some traffic first, so the conversations and analytics sections show something.
        for question in ("When are invoices sent?", "When are invoices sent?", "Do you ship to Mars?"):
            stack.api("POST", "/v1/query", key=key, body={"question": question})
        host.page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Example shop</h1><script src="{stack.base_url}/widget.js" data-widget="{wid}" async></script></body></html>"""
        email, password = stack.user(tenant, "owner")
        light = shoot(stack, "light", wid, email, password, host.origin)
        dark = shoot(stack, "dark", wid, email, password, host.origin)
    check(light != dark, f"the chat page has the same background in both schemes ({light})")
    return f"{2 * (3 + len(SECTIONS))} screenshots in {harness.ARTIFACTS}"


harness.run(main)
