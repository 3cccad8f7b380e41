"""Sign in on /admin with email and password, upload a PDF and a DOCX through the Knowledge
section's file input, and watch both rows turn ready while `parley ingest` runs; sign out."""

import os
import tempfile

import files
import harness
import webdriver
from harness import check


def main():
    harness.require_pages("admin/index.html")
    stack = harness.Stack()
    tenant = stack.tenant("Browser admin")
    email, password = stack.user(tenant, "owner")
    b = harness.browser()
    harness.sign_in(b, stack, email, password)
    check(b.find_all('[data-testid="signout"]'), "signed in but no sign-out control")

    folder = tempfile.mkdtemp(prefix="parley-upload-")
    paths = [os.path.join(folder, "guide.pdf"), os.path.join(folder, "policy.docx")]
    with open(paths[0], "wb") as f:
        f.write(files.pdf([["Shipping takes three working days."], ["Returns are free."]]))
    with open(paths[1], "wb") as f:
        f.write(files.docx(["Support answers within four hours.", "Weekends excluded."]))

    b.find('[data-testid="nav-knowledge"]').click()
    upload = webdriver.wait_until(lambda: b.find_all('[data-testid="upload-input"]'), 10, "the upload input")[0]
    # One send_keys with newline-separated paths selects several files at once (a multi-file drop).
    upload.send_keys("\n".join(paths))
    rows = webdriver.wait_until(lambda: len(b.find_all('[data-testid="document-row"]')) >= 2 and
                                b.find_all('[data-testid="document-row"]'), 30, "two document rows")
    names = " ".join(r.text for r in rows)
    check("guide.pdf" in names and "policy.docx" in names, f"rows: {names!r}")

    stack.ingest(tenant)
    # No reload: the list updates itself while ingestion runs.
    statuses = webdriver.wait_until(
        lambda: (s := [r.attribute("data-status") for r in b.find_all('[data-testid="document-row"]')])
        and all(x == "ready" for x in s) and s, 60, "both rows to show ready")
    harness.screenshot(b, "test-admin-knowledge-uploaded")

    b.find('[data-testid="signout"]').click()
    b.wait_for('[data-testid="login-email"]', timeout=10)
    check(stack.api("GET", "/v1/auth/session").status == 401, "no session without the cookie")
    return f"signed in, uploaded 2 files, rows {statuses}, signed out"


harness.run(main)
