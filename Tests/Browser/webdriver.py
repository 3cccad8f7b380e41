"""A small W3C WebDriver client for Parley's browser tests, in the Python standard library only.

It starts Debian's `chromedriver` on a free loopback port, opens one headless Chromium session and
speaks the W3C protocol to it over HTTP (https://www.w3.org/TR/webdriver2/). Only what the tests
use is here: navigation, CSS lookups (also inside open shadow roots), clicks, keys (through the
actions endpoint, so Tab and Enter behave as a real keyboard), scripts, waits, screenshots, window
size, and Chrome DevTools commands (`goog/cdp/execute`) for `prefers-color-scheme`.

One `Browser` owns one chromedriver process and its session; `quit()` (or leaving the `with`
block) ends both. Not thread-safe: one test drives one browser.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# The W3C protocol's keys for references to elements and shadow roots inside JSON values.
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
SHADOW_KEY = "shadow-6066-11e4-a52e-4f735466cecf"

# Code points the protocol uses for non-printing keys (WebDriver spec, "Keyboard actions").
KEYS = {"TAB": "\ue004", "ENTER": "\ue007", "SHIFT": "\ue008", "ESCAPE": "\ue00c", "SPACE": "\ue00d"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class WebDriverError(Exception):
    """An error the driver reported: `error` is the protocol's code (e.g. "no such element")."""

    def __init__(self, error, message, status):
        super().__init__(f"{error} (HTTP {status}): {message.splitlines()[0] if message else ''}")
        self.error = error
        self.status = status


class WaitTimeout(AssertionError):
    """wait_until ran out of time; an AssertionError so a test reports it as a failed check."""


def find_chromium():
    """(browser, driver) paths, or None when either is missing (Debian: chromium, chromium-driver)."""
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        return None
    return browser, driver


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout=10.0, message="condition", interval=0.05):
    """Polls `condition()` until it returns something truthy and returns that; WaitTimeout after
    `timeout` seconds. Driver errors while polling (an element replaced mid-check) count as "not
    yet", but the last one is quoted if time runs out."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = condition()
            if value:
                return value
            last = value
        except (WebDriverError, LookupError) as error:
            last = error
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g}s waiting for {message} (last: {last!r})")
        time.sleep(interval)


class _Finder:
    """Lookups shared by the session, elements and shadow roots (`_base` is their URL prefix)."""

    def find(self, css):
        """The first match; WebDriverError "no such element" if none."""
        return self._session._call("POST", f"{self._base}/element", {"using": "css selector", "value": css})

    def find_all(self, css):
        return self._session._call("POST", f"{self._base}/elements", {"using": "css selector", "value": css})

    def wait_for(self, css, timeout=10.0, visible=True):
        """The first match once it exists (and is displayed, unless visible=False)."""
        def present():
            found = self.find_all(css)
            if not found:
                return None
            if visible:
                found = [e for e in found if e.is_displayed()]
            return found[0] if found else None
        return wait_until(present, timeout, f"{css!r} in {type(self).__name__}")


class Element(_Finder):
    def __init__(self, session, element_id):
        self._session = session
        self.id = element_id
        self._base = f"/element/{element_id}"

    def __repr__(self):
        return f"<Element {self.id[:8]}>"

    def to_json(self):
        return {ELEMENT_KEY: self.id}

    def click(self):
        self._session._call("POST", f"{self._base}/click", {})

    def send_keys(self, text):
        """Types into the element (a file input takes an absolute path: that selects the file)."""
        self._session._call("POST", f"{self._base}/value", {"text": text})

    def clear(self):
        self._session._call("POST", f"{self._base}/clear", {})

    @property
    def text(self):
        """The rendered text (innerText as the user sees it)."""
        return self._session._call("GET", f"{self._base}/text")

    def attribute(self, name):
        return self._session._call("GET", f"{self._base}/attribute/{name}")

    def property(self, name):
        return self._session._call("GET", f"{self._base}/property/{name}")

    def is_displayed(self):
        return bool(self._session._call("GET", f"{self._base}/displayed"))

    def is_enabled(self):
        return bool(self._session._call("GET", f"{self._base}/enabled"))

    def shadow_root(self):
        """The element's open shadow root (WebDriverError "no such shadow root" if closed/absent)."""
        return self._session._call("GET", f"{self._base}/shadow")

    def screenshot(self, path):
        return _write_png(path, self._session._call("GET", f"{self._base}/screenshot"))


class ShadowRoot(_Finder):
    def __init__(self, session, root_id):
        self._session = session
        self.id = root_id
        self._base = f"/shadow/{root_id}"

    def to_json(self):
        return {SHADOW_KEY: self.id}


def _write_png(path, encoded):
    data = base64.b64decode(encoded)
    if not data.startswith(PNG_SIGNATURE):
        raise AssertionError(f"the driver's screenshot is not a PNG ({data[:8]!r})")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


class Browser(_Finder):
    """Headless Chromium through chromedriver. `dark` starts it with prefers-color-scheme: dark."""

    def __init__(self, width=1280, height=900, dark=False):
        found = find_chromium()
        if found is None:
            raise FileNotFoundError("chromium or chromedriver is not installed (Debian: chromium chromium-driver)")
        binary, driver = found
        self._session = self
        self._base = ""
        self._profile = tempfile.mkdtemp(prefix="parley-chromium-")
        self._log = open(os.path.join(self._profile, "chromedriver.log"), "wb")
        port = _free_port()
        self._url = f"http://127.0.0.1:{port}"
        self._driver = subprocess.Popen([driver, f"--port={port}"], stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        self.session_id = None
        try:
            wait_until(self._driver_ready, 20, "chromedriver to listen")
            args = ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--no-default-browser-check", f"--user-data-dir={self._profile}/profile",
                    f"--window-size={width},{height}", "--lang=en-US"]
            if os.geteuid() == 0:
                args.append("--no-sandbox")  # Chromium refuses to sandbox as root (CI runs as root).
            if dark:
                args.append("--force-dark-mode")
            capabilities = {
                "browserName": "chrome",
                # Leave alerts open: a test asks for them (alert_text) instead of having them
                # dismissed silently, so an injected alert(1) cannot go unnoticed.
                "unhandledPromptBehavior": "ignore",
                "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": binary, "args": args},
            }
            value = self._request("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
            self.session_id = value["sessionId"]
            if dark:
                self.color_scheme("dark")
        except BaseException:
            self.quit()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()

    def _driver_ready(self):
        if self._driver.poll() is not None:
            raise RuntimeError(f"chromedriver exited with status {self._driver.returncode}")
        try:
            return self._request("GET", "/status").get("ready")
        except OSError:
            return False

    def _request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self._url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                value = json.loads(payload).get("value") or {}
            except ValueError:
                value = {"error": "unknown error", "message": payload.decode(errors="replace")}
            raise WebDriverError(value.get("error", "unknown error"), value.get("message", ""), error.code) from None

    def _call(self, method, path, body=None):
        return self._decode(self._request(method, f"/session/{self.session_id}{path}", body))

    def _decode(self, value):
        if isinstance(value, dict):
            if ELEMENT_KEY in value:
                return Element(self, value[ELEMENT_KEY])
            if SHADOW_KEY in value:
                return ShadowRoot(self, value[SHADOW_KEY])
            return {k: self._decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._decode(v) for v in value]
        return value

    @staticmethod
    def _encode(value):
        if isinstance(value, (Element, ShadowRoot)):
            return value.to_json()
        if isinstance(value, (list, tuple)):
            return [Browser._encode(v) for v in value]
        if isinstance(value, dict):
            return {k: Browser._encode(v) for k, v in value.items()}
        return value

    def quit(self):
        """Ends the session and chromedriver (which takes its Chromium with it). Safe to repeat."""
        if self.session_id is not None:
            try:
                self._request("DELETE", f"/session/{self.session_id}")
            except (OSError, WebDriverError):
                pass
            self.session_id = None
        if self._driver.poll() is None:
            self._driver.terminate()
            try:
                self._driver.wait(10)
            except subprocess.TimeoutExpired:
                self._driver.kill()
                self._driver.wait()
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    # Navigation and page state

    def get(self, url):
        self._call("POST", "/url", {"url": url})

    def refresh(self):
        self._call("POST", "/refresh", {})

    def switch_to_frame(self, frame=None):
        """Later commands act inside `frame` (an iframe Element), or the top page when None."""
        if frame is None:
            self._call("POST", "/frame", {"id": None})
        else:
            self._call("POST", "/frame", {"id": frame.to_json()})

    @property
    def url(self):
        return self._call("GET", "/url")

    @property
    def title(self):
        return self._call("GET", "/title")

    def execute(self, script, *args):
        """Runs `script` as a function body in the page (arguments in `arguments`); returns its
        value, with elements and shadow roots turned back into objects."""
        return self._call("POST", "/execute/sync", {"script": script, "args": self._encode(list(args))})

    def execute_async(self, script, *args):
        """Like execute; the script calls `arguments[arguments.length - 1](value)` to finish."""
        return self._call("POST", "/execute/async", {"script": script, "args": self._encode(list(args))})

    def active_element(self):
        return self._call("GET", "/element/active")

    def alert_text(self):
        """The text of an open alert/confirm/prompt, or None when there is none."""
        try:
            return self._call("GET", "/alert/text")
        except WebDriverError as error:
            if error.error == "no such alert":
                return None
            raise

    def console_errors(self):
        """The page's console messages at level SEVERE so far (chromedriver's log endpoint)."""
        try:
            entries = self._call("POST", "/se/log", {"type": "browser"})
        except WebDriverError:
            return []
        return [e.get("message", "") for e in entries or [] if e.get("level") == "SEVERE"]

    # Input

    def press(self, *keys):
        """Presses and releases each key in turn on whatever has focus, e.g. press("TAB", "ENTER")
        or press("hello"): names from KEYS, anything else typed character by character."""
        steps = []
        for key in keys:
            for char in ([KEYS[key]] if key in KEYS else list(key)):
                steps += [{"type": "keyDown", "value": char}, {"type": "keyUp", "value": char}]
        self._call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": steps}]})
        self._call("DELETE", "/actions")

    # Window, screenshots, DevTools

    def set_window_size(self, width, height):
        self._call("POST", "/window/rect", {"width": width, "height": height})

    def window_size(self):
        """The page's layout viewport (what CSS media queries see), as (width, height)."""
        size = self.execute("return [document.documentElement.clientWidth, window.innerHeight]")
        return size[0], size[1]

    def screenshot(self, path):
        """Saves the viewport as a PNG at `path` (directories created); returns the path."""
        return _write_png(path, self._call("GET", "/screenshot"))

    def cdp(self, command, **params):
        """A Chrome DevTools Protocol command on the current tab (e.g. "Emulation.setEmulatedMedia")."""
        return self._call("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def color_scheme(self, scheme):
        """Emulates `prefers-color-scheme: light|dark` for the tab, across navigations."""
        self.cdp("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": scheme}])

    def on_every_page(self, script):
        """Runs `script` in every document before the page's own scripts (CSP does not apply)."""
        self.cdp("Page.addScriptToEvaluateOnNewDocument", source=script)
