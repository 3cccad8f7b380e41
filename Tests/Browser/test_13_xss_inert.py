"""Values from the database are text, never HTML: a document titled <img src=x onerror=alert(1)>
shows those characters in the admin list, and an answer quoting <script> shows them in the chat;
nothing runs (no alert, no img or script element made from the values)."""

import harness
import webdriver
from harness import check

TITLE = "<img src=x onerror=alert(1)>"
SENTENCE = "The debug snippet <script>alert(2)</script> must never run in the help page"
QUESTION = "What must never run in the help page?"

# Before the page's own scripts: alert() only records, so one call cannot stall the session.
RECORD_ALERTS = "window.__alerts = []; window.alert = m => window.__alerts.push(String(m));"

INJECTED = """return [document.querySelectorAll('img[src="x"]').length,
    [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length]"""


def inert(b, where):
    check(b.alert_text() is None, f"{where}: an alert is open")
    check(b.execute("return window.__alerts") == [], f"{where}: alert() was called")
    check(b.execute(INJECTED) == [0, 0], f"{where}: the payload became elements")


def main():
    harness.require_pages("admin/index.html", "chat/index.html")
    stack = harness.Stack()
    tenant, key, wid = harness.answering_tenant(stack)
    stack.upload(key, "payload.txt", f"{SENTENCE}.\n".encode(), title=TITLE)
    stack.ingest(tenant)
    email, password = stack.user(tenant, "owner")

    b = harness.browser()
    b.on_every_page(RECORD_ALERTS)
    harness.sign_in(b, stack, email, password)
    b.find('[data-testid="nav-knowledge"]').click()
    webdriver.wait_until(lambda: any(TITLE in r.text for r in b.find_all('[data-testid="document-row"]')),
                         15, "the title shown as text")
    inert(b, "admin")

    b.get(stack.url(f"/chat/{wid}"))
    b.wait_for('[data-testid="composer"]').send_keys(QUESTION)
    b.find('[data-testid="send"]').click()
    webdriver.wait_until(lambda: any("<script>alert(2)</script>" in m.text
                                     for m in b.find_all('[data-testid="message-assistant"]')),
                         30, "the answer with <script> shown as text")
    inert(b, "chat")
    return "title and answer shown as text, nothing ran"


harness.run(main)
