"""A viewer signed in to /admin cannot create API keys: the page offers no working control, and
the API refuses the request with the viewer's own session and CSRF token (403), so hiding the
button is not the only wall. No key is created."""

import harness
import webdriver
from harness import check

CREATE_WITH_SESSION = """
const done = arguments[arguments.length - 1];
fetch('/v1/auth/session').then(r => r.json()).then(s => fetch('/v1/keys', {
  method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token},
  body: JSON.stringify({name: 'viewer attempt', scopes: ['query']})}))
  .then(r => done(r.status), e => done(String(e)));"""


def main():
    harness.require_pages("admin/index.html")
    stack = harness.Stack()
    tenant = stack.tenant("Browser viewer")
    email, password = stack.user(tenant, "viewer")
    keys_before = stack.sql("SELECT count(*) FROM api_keys WHERE tenant_id = :'t'", t=tenant)

    b = harness.browser()
    harness.sign_in(b, stack, email, password)
    b.find('[data-testid="nav-keys"]').click()
    b.execute("return new Promise(r => setTimeout(r, 500))")
    buttons = [e for e in b.find_all('[data-testid="key-create"]') if e.is_displayed() and e.is_enabled()]
    if buttons:
        buttons[0].click()
        # Whatever form opens, a secret must never appear.
        for submit in b.find_all('form [type="submit"]'):
            if submit.is_displayed() and submit.is_enabled():
                submit.click()
        b.execute("return new Promise(r => setTimeout(r, 1000))")
        check(not any(e.text.strip() for e in b.find_all('[data-testid="key-secret"]')), "a key secret was shown")

    status = b.execute_async(CREATE_WITH_SESSION)
    check(status == 403, f"POST /v1/keys with the viewer's session answered {status}")
    check(stack.sql("SELECT count(*) FROM api_keys WHERE tenant_id = :'t'", t=tenant) == keys_before,
          "a key was created")
    harness.screenshot(b, "test-admin-keys-viewer")
    return f"no working create control ({len(buttons)} enabled), API answered 403"


harness.run(main)
