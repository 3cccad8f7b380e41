"""/widget.js embedded in pages served from other origins: on an allowed origin the launcher
opens a panel that answers; on an origin the widget does not list, the public API refuses the
page (CORS) and the panel shows an error instead of an answer."""

import harness
import webdriver
import widget
from harness import FACT_ANSWER, FACT_QUESTION, check

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>button {{ background: red; }}</style></head>
<body><h1>Example shop</h1><p>Host page content.</p>
<script src="{base}/widget.js" data-widget="{widget}" async></script></body></html>"""


def ask(b, root, question):
    where = widget.enter_conversation(b, root)
    where.wait_for('[data-testid="composer"]').send_keys(question)
    where.find('[data-testid="send"]').click()
    b.switch_to_frame(None)


def main():
    harness.require_pages("widget.js")
    stack = harness.Stack()
    with harness.OriginServer() as allowed, harness.OriginServer() as other:
        tenant, key, wid = harness.answering_tenant(stack, origins=[allowed.origin])
        allowed.page = other.page = PAGE.format(base=stack.base_url, widget=wid)

        b = harness.browser()
        b.get(allowed.origin + "/")
        root = widget.open_panel(b)
        # No CSS leaks into the widget: the host's red buttons stay outside the shadow root.
        colour = b.execute("return getComputedStyle(arguments[0]).backgroundColor",
                           root.find('[data-testid="launcher"]'))
        check(colour != "rgb(255, 0, 0)", "the host page's button style leaked into the launcher")
        ask(b, root, FACT_QUESTION)
        webdriver.wait_until(lambda: FACT_ANSWER in widget.panel_text(b, root), 30, "the answer in the panel")
        harness.screenshot(b, "test-widget-allowed")

        b.get(other.origin + "/")
        refused = b.execute_async("""fetch(arguments[0]).then(r => arguments[1]('status ' + r.status),
            e => arguments[1]('refused'))""", f"{stack.base_url}/v1/public/widgets/{wid}")
        check(refused == "refused", f"a page on {other.origin} read the widget's configuration ({refused})")
        # The widget itself must say it cannot work here (an error, never an answer).
        try:
            root = widget.open_panel(b, timeout=8)
            ask(b, root, FACT_QUESTION)
            text = webdriver.wait_until(lambda: (t := widget.panel_text(b, root)) and FACT_ANSWER not in t and
                                        any(w in t.lower() for w in ("error", "not available", "unavailable",
                                                                     "not allowed", "refused", "can't", "cannot"))
                                        and t, 15, "an error in the panel")
        except webdriver.WaitTimeout as timeout:
            # No launcher at all also refuses; anything answering does not.
            check("shadow root with a launcher" in str(timeout), str(timeout))
            text = "(no launcher on a refused origin)"
        check(FACT_ANSWER not in text, "the refused origin got an answer")
        harness.screenshot(b, "test-widget-refused")
    return f"allowed origin answered; {other.origin} refused: {text.strip().splitlines()[-1][:80]!r}"


harness.run(main)
