"""The harness itself, against the page nginx serves today (nginx/www/index.html): navigation,
lookups inside an open shadow root, keyboard focus, scripts, alerts, waits, window sizes, dark
mode emulation and PNG screenshots. If this fails, the page tests' verdicts mean nothing."""

import struct

import harness
import webdriver
from harness import check


def png_size(path):
    with open(path, "rb") as f:
        header = f.read(24)
    return struct.unpack(">II", header[16:24])


def main():
    stack = harness.Stack()
    b = harness.browser()
    b.get(stack.url("/"))
    check(b.title == "Parley", f"title {b.title!r}")
    check(b.wait_for("h1").text == "Parley", "the h1")

    # Keyboard: the first Tab from a fresh page lands on the first link.
    b.press("TAB")
    check(b.active_element().property("href") == stack.url("/healthz"), "Tab did not reach the /healthz link")

    # Open shadow roots, as the widget builds them.
    host = b.execute("""
        const host = document.createElement('div');
        host.attachShadow({mode: 'open'}).innerHTML = '<button data-testid="launcher">Chat</button>';
        document.body.append(host);
        return host;""")
    launcher = host.shadow_root().find('[data-testid="launcher"]')
    check(launcher.text == "Chat" and launcher.is_displayed(), "lookup inside the shadow root")
    launcher.click()

    # wait_until gives up on time with a WaitTimeout, which tests report as a failure.
    try:
        b.wait_for('[data-testid="never-there"]', timeout=0.3)
        raise AssertionError("wait_for found an element that does not exist")
    except webdriver.WaitTimeout:
        pass

    # Alerts stay open until asked about, so an injected alert() is always seen.
    check(b.alert_text() is None, "an alert before any was opened")
    b.execute("setTimeout(() => alert('probe'), 0)")
    check(webdriver.wait_until(b.alert_text, 5, "the alert") == "probe", "alert text")
    b._call("POST", "/alert/dismiss", {})

    dark = "return matchMedia('(prefers-color-scheme: dark)').matches"
    check(b.execute(dark) is False, "light by default")
    light_png = harness.screenshot(b, "harness-index-light")
    b.color_scheme("dark")
    b.refresh()
    check(b.execute(dark) is True, "Emulation.setEmulatedMedia did not switch to dark")
    b.set_window_size(390, 844)
    check(b.window_size()[0] == 390, f"mobile width {b.window_size()}")
    mobile_png = harness.screenshot(b, "harness-index-mobile-dark")
    check(png_size(light_png)[0] > png_size(mobile_png)[0], "desktop and mobile screenshots have the same width")

    # A browser started dark (--force-dark-mode + emulation) reports dark from the first page.
    d = harness.browser(dark=True)
    d.get(stack.url("/healthz"))
    check(d.execute(dark) is True, "Browser(dark=True) is not dark")
    return f"index.html driven; screenshots {png_size(light_png)} and {png_size(mobile_png)} px"


harness.run(main)
