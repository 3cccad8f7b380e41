"""/chat/{widget}: reached by keyboard alone, a question streams an answer with a working
citation, thumbs-up lands in the database, and the conversation survives a reload. Prints the
time from pressing send to the first answer token visible (bar: 150 ms, reported, not asserted)."""

import harness
import webdriver
from harness import FACT_ANSWER, FACT_QUESTION, check

# Before the page's scripts: note when Enter/click hits send and when the first assistant text
# appears (a MutationObserver, so the moment the DOM changes, not when the test polls).
TIMING = """
window.__parley = {sent: null, firstToken: null};
addEventListener('keydown', e => {
  if (e.key === 'Enter' && __parley.sent === null) __parley.sent = performance.now();
}, true);
addEventListener('click', e => {
  if (e.target.closest && e.target.closest('[data-testid="send"]') && __parley.sent === null)
    __parley.sent = performance.now();
}, true);
new MutationObserver(() => {
  if (__parley.sent === null || __parley.firstToken !== null) return;
  for (const m of document.querySelectorAll('[data-testid="message-assistant"]'))
    if (m.textContent.trim()) { __parley.firstToken = performance.now(); return; }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def focus_by_tab(b, testid, limit=40):
    """Presses Tab until the element with data-testid `testid` has focus; fails after `limit`."""
    for _ in range(limit):
        b.press("TAB")
        if b.active_element().attribute("data-testid") == testid:
            return
    raise AssertionError(f"{limit} Tabs never reached {testid}")


def main():
    harness.require_pages("chat/index.html")
    stack = harness.Stack()
    tenant, key, widget = harness.answering_tenant(stack)
    b = harness.browser()
    b.on_every_page(TIMING)
    b.get(stack.url(f"/chat/{widget}"))
    b.wait_for('[data-testid="composer"]')
    weight = b.execute("""return performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((n, e) => n + (e.decodedBodySize || 0), 0)""")

    focus_by_tab(b, "composer")
    b.press(FACT_QUESTION)
    focus_by_tab(b, "send", limit=5)
    b.press("ENTER")
    answer = webdriver.wait_until(
        lambda: (m := b.find_all('[data-testid="message-assistant"]')) and FACT_ANSWER in m[-1].text and m[-1],
        30, "the streamed answer")
    timing = b.execute("return window.__parley")
    check(timing["sent"] is not None and timing["firstToken"] is not None, f"timing not recorded: {timing}")
    first_token_ms = timing["firstToken"] - timing["sent"]
    print(f"first answer token visible {first_token_ms:.1f} ms after send (bar: 150 ms); page weight {weight} B")

    citations = webdriver.wait_until(lambda: answer.find_all('[data-testid="citation"]'), 10, "a citation link")
    href = citations[0].property("href")
    check(href, "the citation has no href")
    if href.split("#")[0] == b.url.split("#")[0]:
        citations[0].click()  # an in-page source card: it must show the document's title
        webdriver.wait_until(lambda: "Billing guide" in b.find("body").text, 5, "the cited source")
    else:
        status = b.execute_async("fetch(arguments[0]).then(r => arguments[1](r.status), e => arguments[1](String(e)))",
                                 href)
        check(status == 200, f"citation {href} answered {status}")

    answer.find('[data-testid="feedback-up"]').click()
    tables = stack.sql("""SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name IN ('message_id', 'rating')
        GROUP BY table_name HAVING count(*) = 2""")
    check(tables, "no table with message_id and rating columns holds feedback")
    table = tables[0][0]
    rows = webdriver.wait_until(lambda: stack.sql(
        "SELECT f.rating FROM :\"feedback\" f JOIN messages m ON m.id = f.message_id "
        "WHERE m.tenant_id = :'tenant' AND m.role = 'assistant'", feedback=table, tenant=tenant),
        10, "the feedback row")
    check(rows[0][0] == "up", f"rating stored as {rows}")

    b.refresh()
    webdriver.wait_until(lambda: any(FACT_QUESTION in m.text for m in b.find_all('[data-testid="message-user"]')),
                         10, "the question after a reload")
    return f"answer streamed, citation works, feedback stored; first token {first_token_ms:.1f} ms"


harness.run(main)
