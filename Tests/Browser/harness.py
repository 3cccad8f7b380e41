"""What every Tests/Browser/test_*.py shares: the verdict protocol, the running stack, fixtures.

Like Tests/Resilience, each test checks one behaviour against the stack scripts/test started (read
from PARLEY_TEST_*), prints exactly one "PASS name: …", "FAIL name: reason" or "SKIP name: reason"
line and exits 0, 1 or 77 (skipped: counted apart, never as a pass). A failing test leaves a
screenshot of each open browser under var/artifacts/screenshots/failures/.

Run one by hand against a kept stack:
  scripts/test --keep --filter NoSuchTest   # starts and keeps the stack, runs no Swift test
  source var/test.*/test.env                  # the kept stack's PARLEY_TEST_* variables
  python3 Tests/Browser/test_00_harness.py
"""

import http.server
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import traceback
import urllib.error
import urllib.parse
import urllib.request

import files
import webdriver

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WWW = os.path.join(REPO, "nginx", "www")
ARTIFACTS = os.path.join(REPO, "var", "artifacts", "screenshots")
# The copies the README links; refreshed only on request (PARLEY_UPDATE_SCREENSHOTS=1), so a test
# run never dirties the checkout.
COMMITTED = os.path.join(REPO, "Tests", "Browser", "screenshots")
SKIPPED = 77


class Skip(Exception):
    """The test cannot run here (no browser, page not in this checkout); says why."""


_browsers = []


def browser(**options):
    """A fresh headless Chromium (webdriver.Browser options), quit when the test ends."""
    b = webdriver.Browser(**options)
    _browsers.append(b)
    return b


def run(check):
    """Runs `check()` (it returns the PASS detail) and turns the outcome into the verdict line."""
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    code = 0
    try:
        if webdriver.find_chromium() is None:
            raise Skip("chromium or chromedriver is not installed (Debian: apt-get install chromium chromium-driver)")
        detail = check()
        print(f"PASS {name}: {detail}")
    except Skip as reason:
        print(f"SKIP {name}: {reason}")
        code = SKIPPED
    except Exception as error:  # any failure, assertion or not, is this test's verdict
        traceback.print_exc()
        for i, b in enumerate(_browsers):
            try:
                print(f"  page {i}: {b.url}; console errors: {b.console_errors()}")
                b.screenshot(os.path.join(ARTIFACTS, "failures", f"{name}-{i}.png"))
            except Exception:
                pass
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"FAIL {name}: {reason}")
        code = 1
    finally:
        for b in _browsers:
            b.quit()
    sys.exit(code)


def require_pages(*paths):
    """Skips unless these files exist under nginx/www (the pages land in their own branches)."""
    missing = [p for p in paths if not os.path.exists(os.path.join(WWW, p))]
    if missing:
        raise Skip(f"{', '.join('nginx/www/' + p for p in missing)} not in this checkout yet")


def screenshot(b, name):
    """Saves the viewport as var/artifacts/screenshots/NAME.png (and the committed copy on request)."""
    path = b.screenshot(os.path.join(ARTIFACTS, f"{name}.png"))
    if os.environ.get("PARLEY_UPDATE_SCREENSHOTS") == "1":
        os.makedirs(COMMITTED, exist_ok=True)
        shutil.copyfile(path, os.path.join(COMMITTED, f"{name}.png"))
    return path


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


class Stack:
    """The running stack: its URL, the parley CLI as the owner, SQL as the owner, the API."""

    def __init__(self):
        missing = [n for n in ("PARLEY_TEST_BASE_URL", "PARLEY_TEST_PARLEY_BIN", "PARLEY_TEST_DATABASE_URL",
                               "PARLEY_TEST_OWNER_DATABASE_URL") if not os.environ.get(n)]
        if missing:
            raise AssertionError(f"{', '.join(missing)} not set (run this through scripts/test)")
        self.base_url = os.environ["PARLEY_TEST_BASE_URL"].rstrip("/")
        self.bin = os.environ["PARLEY_TEST_PARLEY_BIN"]
        self.app_url = os.environ["PARLEY_TEST_DATABASE_URL"]
        self.owner_url = os.environ["PARLEY_TEST_OWNER_DATABASE_URL"]

    def url(self, path):
        return self.base_url + path

    def parley(self, *args, stdin=None):
        """`parley ARGS` with the owner role for admin work, from the repo root (its sql/)."""
        env = dict(os.environ, PARLEY_OWNER_DATABASE_URL=self.owner_url, PARLEY_DATABASE_URL=self.app_url,
                   PARLEY_MIGRATIONS_DIR=os.path.join(REPO, "sql"),
                   PARLEY_EMBED_MODEL_DIR=os.environ.get("PARLEY_TEST_EMBED_MODEL_DIR", ""),
                   PARLEY_INDEX_DIR=os.environ.get("PARLEY_TEST_INDEX_DIR", ""))
        done = subprocess.run([self.bin, *args], cwd=REPO, env=env, input=stdin, capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            raise AssertionError(f"parley {args[0]} {args[1] if len(args) > 1 else ''} failed: "
                                 f"{(done.stderr or done.stdout).strip()[-400:]}")
        return done.stdout

    def sql(self, query, **params):
        """Rows (lists of text) of `query` run as the owner; :'name' in it quotes params[name]
        (psql variables, so values are never spliced into the SQL by hand)."""
        args = ["psql", self.owner_url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
        for name, value in params.items():
            args += ["-v", f"{name}={value}"]
        done = subprocess.run(args, input=query, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"psql failed: {done.stderr.strip()}")
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def tenant(self, name, plan="enterprise"):
        out = self.parley("tenant", "create", "--name", f"{name} {secrets.token_hex(3)}", "--plan", plan)
        ids = [line for line in out.split() if line.startswith("ten_")]
        check(ids, f"parley tenant create printed no tenant id: {out}")
        return ids[-1]

    def key(self, tenant, scopes="query,ingest,admin", name="browser"):
        out = self.parley("key", "create", "--tenant", tenant, "--name", name, "--scopes", scopes)
        key = out.strip().splitlines()[-1]
        check(key.startswith("pk_live_"), "parley key create did not end with a pk_live_ key")
        return key

    def user(self, tenant, role="owner"):
        """A new user of `tenant` with `role`; returns (email, password)."""
        email = f"{role}-{secrets.token_hex(4)}@browser.test"
        password = "pw-" + secrets.token_urlsafe(12)
        self.parley("user", "create", "--tenant", tenant, "--email", email, "--role", role, stdin=password + "\n")
        return email, password

    def ingest(self, tenant):
        """Runs the ingest job for `tenant` until its queue is empty."""
        self.parley("ingest", "--tenant", tenant, "--threads", "1", "--quiet")

    def api(self, method, path, key=None, body=None, headers=None):
        """One request through nginx; JSON bodies for dicts/lists, bytes as they are."""
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url(path), data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read())

    def upload(self, key, filename, data, title=None):
        """POST /v1/documents; returns the document id."""
        query = f"?filename={urllib.parse.quote(filename)}"
        if title is not None:
            query += f"&title={urllib.parse.quote(title)}"
        reply = self.api("POST", f"/v1/documents{query}", key, data, {"Content-Type": "application/octet-stream"})
        check(reply.status == 202, f"upload of {filename}: {reply.status} {reply.body[:300]!r}")
        return reply.json["id"]

    def widget(self, key, origins, name="Browser test widget"):
        """A widget through the admin API (contract: POST /v1/widgets); returns its id."""
        reply = self.api("POST", "/v1/widgets", key, {
            "name": name, "allowed_origins": origins, "enabled": True,
            "theme": {"primary_color": "#1d4ed8", "background_color": "#ffffff", "text_color": "#111827",
                      "title": "Help", "greeting": "Hi! Ask me about our products.",
                      "suggested_questions": ["When are invoices sent?"], "position": "bottom-right"}})
        check(reply.status in (200, 201), f"POST /v1/widgets: {reply.status} {reply.body[:300]!r}")
        return reply.json["id"]


class OriginServer:
    """A page served from another origin (http://127.0.0.1:PORT/), for embedding the widget. Set
    `page` (HTML text) once the origin is known: widgets list their origins before the page exists."""

    def __init__(self, page=""):
        self.page = page
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = owner.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def sign_in(b, stack, email, password):
    """Signs in on /admin through the form, as a person would; returns once the console shows."""
    b.get(stack.url("/admin"))
    b.wait_for('[data-testid="login-email"]').send_keys(email)
    b.find('[data-testid="login-password"]').send_keys(password)
    b.find('[data-testid="login-submit"]').click()
    b.wait_for('[data-testid="nav-knowledge"]', timeout=15)



# Facts the answering tests ask about; each sentence is distinctive so the extractive generator
# quotes it and cites its document.
FACT_QUESTION = "When are invoices sent?"
FACT_ANSWER = "Invoices are sent on the first day of each month"


def answering_tenant(stack, origins=(), extra_pages=()):
    """A tenant whose public knowledge answers FACT_QUESTION, and a widget for it; returns
    (tenant, admin key, widget id). The PDF is ingested before this returns."""
    tenant = stack.tenant("Browser answers")
    key = stack.key(tenant)
    stack.upload(key, "billing.pdf", files.pdf([
        ["Billing and Plans", "", f"{FACT_ANSWER}.", "Refunds are possible within thirty days of purchase."],
        *extra_pages]), title="Billing guide")
    stack.ingest(tenant)
    return tenant, key, stack.widget(key, list(origins))
